"""Fixtures shared by every layer of tests: a store on each engine.

``store`` is parametrised over SQLite and PostgreSQL. PostgreSQL comes from
``FACILITATION_TEST_PG_URL``; each test gets a schema of its own on that server, so
tests never see each other's rows. Without the variable the PostgreSQL half is
skipped, except under ``CI=true``, where a missing server is a failure.
"""

from __future__ import annotations

import os
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: files with browser or slow tests first (a stable sort), so the longest
    units start at once and the short files fill the other worker meanwhile, instead of
    a 140 s test starting last. Each worker sorts the same collection the same way."""
    if hasattr(config, "workerinput"):
        slow = {
            item.path
            for item in items
            if item.get_closest_marker("browser") or item.get_closest_marker("slow")
        }
        items.sort(key=lambda item: item.path not in slow)  # a file's own order is kept


# Browser test files that start servers of their own: any worker may run them. Every
# other file in tests/browser uses the session's ``served`` event.
OWN_SERVERS = ("tests/browser/test_kill_rounds.py", "tests/browser/test_two_servers.py")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist with ``--dist loadfile`` (as ``tests/run`` runs): each file on
    one worker, in order, and the browser files that share the session's ``served``
    event as one unit, in the order they run without workers (each test finds the
    event as the tests before it left it, and one server is started, not one per worker).

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
            path = nodeid.split("::", 1)[0]
            if path.startswith("tests/browser/") and path not in OWN_SERVERS:
                return "tests/browser (the session's served event)"
            return path

    return SharedServerScheduling(config, log)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema (dropped afterwards)."""
    base = _require_pg()
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={name}')}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    """A path for a new SQLite database file."""
    return str(tmp_path / "event.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each engine, as a --db value."""
    if request.param == "sqlite":
        yield str(tmp_path / "event.db")
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open store on each engine."""
    s = open_store(db_url)
    yield s
    s.close()
