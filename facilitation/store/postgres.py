"""The PostgreSQL store, for events spread over several ``facilitate serve`` processes.

Default isolation (READ COMMITTED) is enough: limits are unique constraints, not
counts, and a phase-guarded write reads the event row ``FOR SHARE`` so the
facilitator's phase change waits for it. Pages learn of changes by polling
:meth:`~facilitation.store.base.Store.signature` (the same on SQLite), so a commit
sends no ``NOTIFY``: nobody listened, and each one cost a statement in every write.
"""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from facilitation.store.base import Store

__all__ = ["PostgresStore"]


class PostgresStore(Store):
    """A store in a PostgreSQL database (``postgresql+psycopg://`` URL)."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        super().__init__(engine, url)

    def _is_transient(self, exc: OperationalError) -> bool:
        code = getattr(exc.orig, "sqlstate", "") or ""
        return code in {"40001", "40P01", "55P03"}  # serialization, deadlock, lock not available
