"""Persistence: schema, transactions and migrations. The only package that holds SQL
connections; pages and rules reach the database only through a :class:`Store`."""

from __future__ import annotations

import os
from pathlib import Path

from facilitation.errors import FacilitationError
from facilitation.store.base import Change, Retry, Store, WriteResult, now

__all__ = ["DEFAULT_DB", "Change", "Retry", "Store", "WriteResult", "now", "open_store"]

DEFAULT_DB = "facilitation.db"


def open_store(db: str | Path | None = None) -> Store:
    """Open (and migrate) the store named by ``db``, ``FACILITATION_DB`` or the default.

    A ``postgresql+psycopg://`` URL opens PostgreSQL; anything else is a SQLite
    file path (``sqlite:///path`` is accepted too).

    Examples
    --------
    >>> import tempfile, os
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "event.db"))
    >>> store.dialect
    'sqlite'
    """
    target = str(db) if db else os.environ.get("FACILITATION_DB") or DEFAULT_DB
    if target.startswith(("postgresql", "postgres://")):
        if not target.startswith("postgresql+psycopg://"):
            raise FacilitationError(
                f"Use a postgresql+psycopg:// URL for PostgreSQL (got {target.split('://')[0]}://)."
            )
        try:
            from facilitation.store.postgres import PostgresStore
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
            raise FacilitationError(
                "PostgreSQL needs the driver: pip install 'facilitation[postgres]'."
            ) from exc
        try:
            return PostgresStore(target)
        except Exception as exc:
            if isinstance(exc, FacilitationError):
                raise
            raise FacilitationError(
                f"Cannot open the PostgreSQL database: {str(exc).splitlines()[0]}"
            ) from exc
    from facilitation.store.sqlite import SQLiteStore

    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :]
    return SQLiteStore(target)
