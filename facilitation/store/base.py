"""The store contract: every read and write of the toolkit goes through a ``Store``.

Guarantees, on every engine:

* ``write(fn, ...)`` runs ``fn(conn)`` in one transaction, appends one row to the
  activity log in that same transaction, and commits, or changes nothing at all.
* On SQLite the transaction starts with ``BEGIN IMMEDIATE``: writers queue for the
  write lock (busy timeout 10 s) instead of failing half way through.
* A write with a ``client_token`` that already committed returns the first result
  and writes nothing (a double click, a retry after a dropped connection);
  ``written(client_token)`` asks, without writing, whether it committed.
* A unique-constraint conflict that ``fn`` declares retryable (a dot slot taken by a
  concurrent voter) reruns the whole transaction, so ``fn`` sees the new state.
* ``read(fn)`` runs ``fn(conn)`` on one consistent snapshot.
* ``signature(event_id)`` changes whenever anything of that event commits; pages
  poll it and re-render only then.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from facilitation.errors import FacilitationError
from facilitation.store import schema
from facilitation.store.migrations import migrate

__all__ = ["Change", "Retry", "Store", "WriteResult", "now"]

T = TypeVar("T")


def now() -> str:
    """The current UTC time as the store writes it (sortable ISO text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Retry(Exception):
    """Raised inside a write to rerun its transaction (a slot was taken meanwhile)."""


@dataclass
class Change:
    """What a write records in the activity log, returned by the write's callable."""

    verb: str
    object_type: str = ""
    object_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    result: Any = None  # JSON-able; what the rule returns to its caller
    event_id: int | None = None  # for a write that creates its event


@dataclass(frozen=True)
class WriteResult:
    """The outcome of a write: its result and revision, and whether it was a replay."""

    result: Any
    revision: int
    replayed: bool = False


class Labelled(Protocol):
    """Who writes, as the activity log names them (:class:`facilitation.access.Actor`)."""

    @property
    def label(self) -> str: ...


class Store:
    """A handle on one event database. Use :func:`facilitation.store.open_store`."""

    dialect: str = ""
    retries: int = 20

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        migrate(self)

    # -- transactions -------------------------------------------------------------
    @contextmanager
    def _write_conn(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def schema_transaction(self) -> AbstractContextManager[Connection]:
        """A bare write transaction, with no activity row: for schema migrations only.

        Rules write through :meth:`write`, which logs every change.
        """
        return self._write_conn()

    @contextmanager
    def _read_conn(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(facilitation_read=True)
            with conn.begin():
                yield conn

    def read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(conn)`` on one consistent snapshot and return what it returns."""
        with self._read_conn() as conn:
            return fn(conn)

    def write(
        self,
        fn: Callable[[Connection], Change],
        *,
        actor: Labelled,
        event_id: int | None,
        client_token: str | None = None,
    ) -> WriteResult:
        """Run ``fn(conn)`` in one write transaction and log its :class:`Change`.

        ``fn`` may raise :class:`~facilitation.errors.FacilitationError` (nothing is
        written) or :class:`Retry` (the transaction reruns from the start).
        """
        token = client_token or None
        for attempt in range(self.retries):
            try:
                with self._write_conn() as conn:
                    if token is not None:
                        prior = self._replay(conn, token)
                        if prior is not None:
                            return prior
                    change = fn(conn)
                    revision = conn.execute(
                        insert(schema.activity)
                        .values(
                            event_id=change.event_id if change.event_id is not None else event_id,
                            actor=actor.label,
                            verb=change.verb,
                            object_type=change.object_type,
                            object_id=change.object_id,
                            detail=json.dumps(change.detail, ensure_ascii=False, default=str),
                            client_token=token,
                            result=json.dumps(change.result, default=str),
                            at=now(),
                        )
                        .returning(schema.activity.c.revision)
                    ).scalar_one()
                    self._before_commit(conn, change.event_id or event_id)
                return WriteResult(change.result, revision)
            except Retry:
                self._pause(attempt)
            except IntegrityError as exc:
                if token is not None:
                    prior = self.read(lambda c: self._replay(c, token))
                    if prior is not None:
                        return prior
                if _is_slot_conflict(exc):
                    self._pause(attempt)
                    continue
                # Pages and the command line both show this: it names no page to reload.
                raise FacilitationError(
                    "That change clashes with something already saved "
                    f"({_constraint_name(exc)}); nothing was saved. Look at what is there now and try again."
                ) from exc
            except OperationalError as exc:
                if self._is_transient(exc) and attempt < self.retries - 1:
                    self._pause(attempt)
                    continue
                raise FacilitationError(
                    "The event database is busy or unreachable; nothing was saved. Try again in a moment."
                ) from exc
        raise FacilitationError(
            "Too many people changed the same thing at once; nothing was saved. Try again."
        )

    def written(self, client_token: str) -> WriteResult | None:
        """The committed write of ``client_token`` (``replayed``), or ``None``: a read, it writes nothing.

        A page that lost the reply to a write asks this before sending it again, and
        says "Saved" when the store has it.

        Examples
        --------
        >>> from facilitation.testing import scratch_event
        >>> from facilitation.access import SYSTEM
        >>> store, ev = scratch_event()
        >>> store.written("draft-1") is None
        True
        >>> first = store.write(lambda c: Change("noop", result=7), actor=SYSTEM, event_id=ev, client_token="draft-1")
        >>> again = store.written("draft-1")
        >>> again.result, again.revision == first.revision, again.replayed
        (7, True, True)
        """
        if not client_token:
            return None
        return self.read(lambda conn: self._replay(conn, client_token))

    def _replay(self, conn: Connection, token: str) -> WriteResult | None:
        row = conn.execute(
            select(schema.activity.c.revision, schema.activity.c.result).where(
                schema.activity.c.client_token == token
            )
        ).first()
        if row is None:
            return None
        return WriteResult(json.loads(row.result) if row.result else None, row.revision, True)

    @staticmethod
    def _pause(attempt: int) -> None:
        time.sleep(min(0.005 * (attempt + 1), 0.05))

    def _is_transient(self, exc: OperationalError) -> bool:
        return False

    def _before_commit(self, conn: Connection, event_id: int | None) -> None:
        """The last step inside every write transaction, after its activity row: nothing.

        (PostgreSQL's store sent a ``NOTIFY`` here that no page listened to; pages poll
        :meth:`signature`.) Tests hold a write open here to overlap two transactions."""

    # -- change feed ----------------------------------------------------------------
    def signature(self, event_id: int) -> tuple[int, int]:
        """A value that changes whenever a write for ``event_id`` commits.

        The count as well as the newest revision: on PostgreSQL a sequence number
        can commit after a higher one, and the count still moves when it does.
        """

        def q(conn: Connection) -> tuple[int, int]:
            row = conn.execute(
                select(
                    func.count(),
                    func.coalesce(func.max(schema.activity.c.revision), 0),
                ).where(schema.activity.c.event_id == event_id)
            ).one()
            return int(row[0]), int(row[1])

        return self.read(q)

    def data_version(self) -> int | None:
        """A cheap whole-database change counter where the engine has one."""
        return None

    # -- maintenance -----------------------------------------------------------------
    def backup(self, path: str | Path) -> Path:
        """Write a consistent copy of the live database to ``path``."""
        raise FacilitationError(f"Backups of {self.dialect} databases use the engine's own tools.")

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.engine.url.render_as_string(hide_password=True)}>"


def _constraint_name(exc: IntegrityError) -> str:
    diag = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    return str(diag or str(exc.orig).splitlines()[0])


def _is_slot_conflict(exc: IntegrityError) -> bool:
    name = _constraint_name(exc)
    return "uq_dot_" in name or "dots.event_id, dots.round" in name
