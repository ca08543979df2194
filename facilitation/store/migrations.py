"""Numbered schema migrations, applied in order when a store is opened.

Each migration is a function of a connection, registered under its number and
name (``0001_initial``). A migration that has run is recorded in
``schema_migrations`` and never runs again; new ones are appended, never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, insert, inspect, select

from facilitation.store import schema

T = TypeVar("T")


class Migratable(Protocol):
    """What :func:`migrate` needs of a store (:class:`facilitation.store.base.Store` has it)."""

    dialect: str

    def read(self, fn: Callable[[Connection], T]) -> T: ...

    def schema_transaction(self) -> AbstractContextManager[Connection]: ...


__all__ = ["MIGRATIONS", "applied", "migrate", "up_to_date"]

_meta = MetaData()
schema_migrations = Table(
    "schema_migrations",
    _meta,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False),
    Column("applied_at", String(32), nullable=False),
)


def _0001_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn)


def _0002_closed_round(conn: Connection) -> None:
    """``events.closed_round``: a revealed round stays closed.

    A database made by 0001 after it was added to the schema has it already.
    """
    have = {c["name"] for c in inspect(conn).get_columns(schema.events.name)}
    if "closed_round" not in have:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN closed_round INTEGER NOT NULL DEFAULT 0")
        # A round revealed before this migration was closed by its reveal.
        conn.exec_driver_sql("UPDATE events SET closed_round = voting_round WHERE votes_revealed")


def _0003_theme_reopenings(conn: Connection) -> None:
    """``theme_reopenings``: a voted theme is frozen until the facilitator reopens it.

    A database made by 0001 after it was added to the schema has it already.
    """
    schema.theme_reopenings.create(conn, checkfirst=True)
    for index in schema.theme_reopenings.indexes:
        index.create(conn, checkfirst=True)


def _0004_archived_at(conn: Connection) -> None:
    """``events.archived_at``: an archived event is hidden from lists and its pages closed.

    A database made by 0001 after the column was added has it.
    """
    have = {c["name"] for c in inspect(conn).get_columns(schema.events.name)}
    if "archived_at" not in have:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN archived_at VARCHAR(32)")


def _0006_series_plan(conn: Connection) -> None:
    """A series' roles, its calendar nonce and its planned meetings (``series_meetings``).

    Each step checks what is there, since 0001 creates the current schema. (There is
    no 0005: :func:`migrate` applies every number a database lacks, so a gap is harmless.)
    """
    import secrets

    have = {c["name"] for c in inspect(conn).get_columns(schema.series.name)}
    for name in ("convenor", "curator", "facilitator", "administration_lead"):
        if name not in have:
            conn.exec_driver_sql(f"ALTER TABLE series ADD COLUMN {name} VARCHAR(200) NOT NULL DEFAULT ''")
    if "calendar_nonce" not in have:
        conn.exec_driver_sql("ALTER TABLE series ADD COLUMN calendar_nonce VARCHAR(64)")
    for (sid,) in conn.execute(select(schema.series.c.id).where(schema.series.c.calendar_nonce.is_(None))):
        conn.execute(
            schema.series.update()
            .where(schema.series.c.id == sid)
            .values(calendar_nonce=secrets.token_hex(16))
        )
    schema.series_meetings.create(conn, checkfirst=True)  # with its index


def _0007_reviews_and_measures(conn: Connection) -> None:
    """``action_reviews`` (an open action reviewed at a later meeting) and ``measures``."""
    for table in (schema.action_reviews, schema.measures):
        table.create(conn, checkfirst=True)  # with its index


# What each evidence level of before 0008 is now. Before, "local data" stood for all
# data; no entry says which data it was, so it stays local data.
EVIDENCE_BEFORE_0008 = {
    "local data": "local data",
    "research": "research",
    "anecdote": "anecdote",
    "assumption": "assumption",
}


def _0008_evidence_and_assets(conn: Connection) -> None:
    """``entries.source`` (where an entry's evidence is from) and the practice's levels.

    The levels grow (regional and national data, sample evaluation) and the kinds gain
    ``asset``: both are values, not columns. Existing levels are mapped through
    :data:`EVIDENCE_BEFORE_0008`; a level it does not know is left for a person to see.
    """
    have = {c["name"] for c in inspect(conn).get_columns(schema.entries.name)}
    if "source" not in have:
        conn.exec_driver_sql(f"ALTER TABLE entries ADD COLUMN source VARCHAR({schema.MAX_SOURCE})")
    for before, after in EVIDENCE_BEFORE_0008.items():
        if before != after:
            conn.execute(
                schema.entries.update().where(schema.entries.c.evidence == before).values(evidence=after)
            )


def _0009_system_map(conn: Connection) -> None:
    """The system map (``system_elements``, ``system_arrows``), ``priority_placements``
    ``events.priority_circle`` (who places themes and groups on the circle) and
    ``events.circle_shown`` (the projector shows the circle)."""
    for table in (schema.system_elements, schema.system_arrows, schema.priority_placements):
        table.create(conn, checkfirst=True)  # with its index
    have = {c["name"] for c in inspect(conn).get_columns(schema.events.name)}
    if "priority_circle" not in have:
        conn.exec_driver_sql(
            "ALTER TABLE events ADD COLUMN priority_circle VARCHAR(20) NOT NULL DEFAULT 'facilitator'"
        )
    if "circle_shown" not in have:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN circle_shown BOOLEAN NOT NULL DEFAULT false")


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "0001_initial", _0001_initial),
    (2, "0002_closed_round", _0002_closed_round),
    (3, "0003_theme_reopenings", _0003_theme_reopenings),
    (4, "0004_archived_at", _0004_archived_at),
    (6, "0006_series_plan", _0006_series_plan),
    (7, "0007_reviews_and_measures", _0007_reviews_and_measures),
    (8, "0008_evidence_and_assets", _0008_evidence_and_assets),
    (9, "0009_system_map", _0009_system_map),
]


def applied(conn: Connection) -> set[int]:
    """The versions already applied to the database behind ``conn``."""
    return {r.version for r in conn.execute(select(schema_migrations.c.version))}


_MIGRATION_LOCK = 0x46AC1  # any fixed number: the advisory lock all openers queue on


def _serialise(store: Migratable, conn: Connection) -> None:
    """Make concurrent openers of a new database take turns.

    SQLite's ``BEGIN IMMEDIATE`` already does; PostgreSQL takes a transaction-scoped
    advisory lock, since two ``CREATE TABLE`` of one name would otherwise race.
    """
    if store.dialect == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")


def up_to_date(conn: Connection) -> bool:
    """Whether every migration is applied already (a read: it takes no write lock)."""
    if not inspect(conn).has_table(schema_migrations.name):
        return False
    return {version for version, _name, _step in MIGRATIONS} <= applied(conn)


def migrate(store: Migratable) -> list[str]:
    """Apply every migration the database lacks, each in its own write transaction.

    Two processes opening a new database at once are safe: the write transaction
    serialises them, and the second finds the work done. A database that is up to
    date is only read: every page of an event opens the store when it starts, and
    during the rush of an event those opens must not queue behind the writers.
    """
    done: list[str] = []
    if store.read(up_to_date):
        return done
    with store.schema_transaction() as conn:
        _serialise(store, conn)
        _meta.create_all(conn)
    for version, name, step in MIGRATIONS:
        with store.schema_transaction() as conn:
            _serialise(store, conn)
            if version in applied(conn):
                continue
            step(conn)
            conn.execute(
                insert(schema_migrations).values(
                    version=version, name=name, applied_at=datetime.now(UTC).isoformat()
                )
            )
            done.append(name)
    return done
