"""Fixtures shared by every layer of tests: a store on each engine.

``store`` is parametrised over SQLite and PostgreSQL. PostgreSQL comes from
``FACILITATION_TEST_PG_URL``; each test gets a schema of its own on that server, so
tests never see each other's rows. Without the variable the PostgreSQL half is
skipped, except under ``CI=true``, where a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from testdata import DATA, hostile_strings

from facilitation.store import Store, open_store

__all__ = ["DATA", "hostile_strings"]  # kept importable for older tests

PG_URL = os.environ.get("FACILITATION_TEST_PG_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _require_pg() -> str:
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but FACILITATION_TEST_PG_URL is not set: PostgreSQL tests must run in CI")
        pytest.skip("set FACILITATION_TEST_PG_URL to run the PostgreSQL half")
    return PG_URL


# Browser test files that use the session's ``served`` event as the files before them
# left it (its people, phase, links): one unit of work, in this order, on one worker.
# Every other file in tests/browser makes events of its own (on the worker's ``served``
# server, or on servers of its own), so it may run on any worker.
SHARED_EVENT = (
    "tests/browser/test_links_plans.py",
    "tests/browser/test_live.py",
    "tests/browser/test_organiser.py",
)
SHARED_UNIT = "tests/browser (the session's served event)"

# Rough seconds each long unit takes on 2 workers (CI figures where issue 14 gives them,
# the rest scaled from a run on a busy machine, 3 December 2026): the longest start
# first, so the short files fill in around them and the workers end together
# (longest-processing-time-first). Only the order matters; a file not listed counts
# 60 s when it is marked browser or slow, 20 s when it is a notebook, else 0 (in the
# order pytest collects it).
EXPECTED_SECONDS = {
    SHARED_UNIT: 480,
    "tests/browser/test_kill_rounds.py": 165,
    "tests/test_concurrency.py": 160,
    "tests/browser/test_two_servers.py": 150,
    "tests/test_attacks.py": 130,
    "tests/test_lossy_connection.py": 120,
    "tests/test_faults.py": 110,
    "tests/browser/test_hostile_everywhere.py": 66,
    "tests/browser/test_accessibility.py": 65,
    "tests/browser/test_grouping_voting.py": 55,
    "tests/browser/test_projector.py": 50,
    "tests/browser/test_save_state.py": 45,
    "tests/browser/test_layout.py": 15,
}


def work_unit(path: str) -> str:
    """The unit of work a test file belongs to under ``--dist loadfile``: itself, or the shared event's."""
    return SHARED_UNIT if path in SHARED_EVENT else path


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: the units expected to take longest first (a stable sort, so a
    file's own order and the shared event's files' order are kept). Each worker sorts the
    same collection the same way; the scheduler hands out units in this order."""
    if not hasattr(config, "workerinput"):
        return
    root = Path(str(config.rootpath))
    weight: dict[str, float] = {}
    for item in items:
        path = Path(str(item.path)).relative_to(root).as_posix()
        unit = work_unit(path)
        if unit in EXPECTED_SECONDS:
            weight[unit] = EXPECTED_SECONDS[unit]
        elif item.get_closest_marker("browser") or item.get_closest_marker("slow"):
            weight[unit] = max(weight.get(unit, 0), 60)
        elif path.endswith(".ipynb"):
            weight.setdefault(unit, 20)
        else:
            weight.setdefault(unit, 0)

    def unit_of(item: pytest.Item) -> str:
        return work_unit(Path(str(item.path)).relative_to(root).as_posix())

    items.sort(key=lambda item: -weight[unit_of(item)])


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist with ``--dist loadfile`` (as ``tests/run`` runs): each file on
    one worker, in order, and the browser files that share the session's ``served``
    event (SHARED_EVENT) as one unit, in the order they run without workers (each test
    finds the event as the tests before it left it). Units go out longest first
    (``pytest_collection_modifyitems``), each to the first worker free.

    A notebook's cells share one kernel (nbval) and a file's tests may share a module
    fixture (a server, a proxy): a file is never split. (``--dist loadgroup`` with
    ``xdist_group`` marks would say the same, but pytest 9.2 ignores the node ids
    xdist rewrites for it: pytest-xdist issue 1386.)
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False  # the order pytest_collection_modifyitems gives

    class SharedServerScheduling(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid.split("::", 1)[0])

    return SharedServerScheduling(config, log)


def _schema_url(base: str, name: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={name}')}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema (dropped afterwards)."""
    base = _require_pg()
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    yield _schema_url(base, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


# What a schema is made of (read from the catalogs: information_schema is ten times
# slower): a test that changed it (a column, an index, a migration's row) leaves a
# schema that is not a fresh store's, and the next test gets a new one.
_SHAPE = """
SELECT 'r', c.relname, c.relkind::text FROM pg_class c WHERE c.relnamespace = CAST(:s AS regnamespace)
UNION ALL SELECT 'c', c.relname, a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
  || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relnamespace = CAST(:s AS regnamespace) AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL SELECT 'i', c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = CAST(:s AS regnamespace)
UNION ALL SELECT 'k', conname, pg_get_constraintdef(oid) FROM pg_constraint
  WHERE connamespace = CAST(:s AS regnamespace)
UNION ALL SELECT 'f', proname, '' FROM pg_proc WHERE pronamespace = CAST(:s AS regnamespace)
ORDER BY 1, 2, 3
"""

# Every row out, every sequence back to its start: a freshly migrated store. Foreign keys
# are not checked meanwhile (session_replication_role, a superuser's setting): every row
# of every table goes. DELETE on tables of a few rows is ~15 times faster than TRUNCATE,
# which makes new files for every table and index.
_EMPTY = """
DO $$ DECLARE r record; BEGIN
  SET LOCAL lock_timeout = '10s';
  SET LOCAL session_replication_role = replica;
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = '{s}' AND tablename <> 'schema_migrations' LOOP
    EXECUTE format('DELETE FROM %I.%I', '{s}', r.tablename);
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = '{s}' LOOP
    EXECUTE format('ALTER SEQUENCE %I.%I RESTART', '{s}', r.sequencename);
  END LOOP;
END $$
"""


class MigratedSchemas:
    """One migrated PostgreSQL schema per worker, emptied before each test that opens a store.

    Migrating a new schema (the ``store`` fixture's cost) took about 25 times as long
    as the body of a typical rule test: ~30 tables, each ``CREATE`` checked first, under
    one advisory lock that every worker queues on. A schema emptied (every row of every
    table but ``schema_migrations`` deleted, every sequence restarted) is a freshly
    migrated store again, in a small part of the time. Its shape (relations, columns,
    indexes, constraints, functions, the migrations recorded) is checked before each
    reuse: if a test changed it, or the reset cannot take its locks within 10 s (a
    connection left in a transaction), the test gets a new schema, migrated as before.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []
        self.name = ""
        self.shape: list[tuple[str, ...]] = []

    def _shape(self, conn: Any) -> list[tuple[str, ...]]:
        shape = [tuple(map(str, r)) for r in conn.execute(text(_SHAPE), {"s": self.name})]
        versions = conn.execute(text(f'SELECT version FROM "{self.name}".schema_migrations ORDER BY 1'))
        return shape + [("m", str(v), "") for (v,) in versions]

    def _new(self) -> None:
        self.name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        self.made.append(self.name)
        open_store(_schema_url(self.base, self.name)).close()  # migrates it
        with self.admin.connect() as conn:
            self.shape = self._shape(conn)

    def fresh(self) -> str:
        """The URL of a migrated schema with no rows, as a store just opened on a new schema."""
        if not self.name:
            self._new()
            return _schema_url(self.base, self.name)
        try:
            with self.admin.connect() as conn:
                if self._shape(conn) != self.shape:
                    raise LookupError("a test changed the schema")
                conn.execute(text(_EMPTY.format(s=self.name)))  # one statement, one transaction
        except Exception:
            self._new()
        return _schema_url(self.base, self.name)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def _migrated_schemas() -> Iterator[MigratedSchemas]:
    schemas = MigratedSchemas(_require_pg())
    yield schemas
    schemas.drop_all()


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per worker and closed (its WAL checkpointed), to copy."""
    path = tmp_path_factory.mktemp("migrated") / "event.db"
    open_store(str(path)).close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    """A path for a new SQLite database file."""
    return str(tmp_path / "event.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each engine, as a --db value.

    Empty, unless the test opens the ``store`` fixture on it: then a freshly migrated
    one, made by copying (SQLite) or emptying (PostgreSQL) a store migrated once per
    worker, which is what ``open_store`` makes of an empty database, at a fraction of
    the cost.
    """
    migrated = "store" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "event.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), path)
        yield str(path)
    elif migrated:
        yield request.getfixturevalue("_migrated_schemas").fresh()
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open store on each engine."""
    s = open_store(db_url)
    yield s
    s.close()
