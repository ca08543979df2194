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
