"""The SQLite store: one file, WAL, ``synchronous=FULL``, ``BEGIN IMMEDIATE`` writes.

pysqlite's own transaction handling is switched off and the ``begin`` event emits
``BEGIN IMMEDIATE`` (SQLAlchemy's documented recipe), so a write takes the lock when
it starts rather than failing when it first writes. Reads begin a deferred
transaction: one consistent snapshot that never blocks writers in WAL mode.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.exc import OperationalError

from facilitation.errors import FacilitationError
from facilitation.store.base import Store

__all__ = ["BUSY_TIMEOUT_MS", "SQLiteStore"]

BUSY_TIMEOUT_MS = 10_000


class SQLiteStore(Store):
    """A store in one SQLite file."""

    dialect = "sqlite"
    _dv_conn: sqlite3.Connection | None = None

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser().resolve()
        if not self.path.parent.is_dir():
            raise FacilitationError(
                f"The folder {self.path.parent} does not exist. Create it or give another --db."
            )
        engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            if conn.get_execution_options().get("facilitation_read"):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        super().__init__(engine, f"sqlite:///{self.path}")

    def _is_transient(self, exc: OperationalError) -> bool:
        return "locked" in str(exc.orig) or "busy" in str(exc.orig)

    def data_version(self) -> int | None:
        """``PRAGMA data_version`` of a connection kept for the purpose.

        It changes when another connection commits, so a page polls it four times a
        second for almost nothing and asks for the signature only when it moves.
        """
        conn = self._dv_conn
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._dv_conn = conn
        return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def backup(self, path: str | Path) -> Path:
        """Copy the live database with SQLite's backup API (never a file copy).

        Examples
        --------
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp()
        >>> s = SQLiteStore(os.path.join(d, "a.db"))
        >>> s.backup(os.path.join(d, "b.db")).name
        'b.db'
        """
        target = Path(path).expanduser().resolve()
        if target == self.path:
            raise FacilitationError("A backup cannot overwrite the database it copies.")
        tmp = target.with_name(target.name + ".partial")
        tmp.unlink(missing_ok=True)
        src = sqlite3.connect(self.path)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        tmp.replace(target)  # whole or not at all
        return target

    def close(self) -> None:
        conn = self._dv_conn
        if conn is not None:
            conn.close()
            self._dv_conn = None
        super().close()
