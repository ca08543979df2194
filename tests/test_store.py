"""The store contract, on both engines: migrations, transactions, tokens, soft deletes, the log."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, table_actor
from facilitation.capture.rules import add_entry, list_entries, withdraw_entry
from facilitation.errors import FacilitationError
from facilitation.events.rules import create_event, set_phase
from facilitation.store import Change, Retry, Store, open_store
from facilitation.store import schema as s
from facilitation.store.migrations import MIGRATIONS, applied, migrate, schema_migrations
from facilitation.store.sqlite import BUSY_TIMEOUT_MS, SQLiteStore


def _event(store: Store, tables: int = 3, phase: str | None = "enablers-blockers") -> int:
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Store", tables=tables
    )
    if phase:
        set_phase(store, FACILITATOR, ev.event_id, phase)
    return ev.event_id


def _count(store: Store, table) -> int:
    return store.read(lambda c: int(c.execute(select(func.count()).select_from(table)).scalar_one()))


def test_migrations_are_recorded_and_applied_once(store, db_url):
    rows = store.read(lambda c: c.execute(select(schema_migrations)).all())
    assert [(r.version, r.name) for r in rows] == [(v, n) for v, n, _ in MIGRATIONS]
    assert migrate(store) == []  # a second run is a no-op
    again = open_store(db_url)  # and so is a second open
    try:
        assert again.read(applied) == {v for v, _, _ in MIGRATIONS}
        assert _count(again, schema_migrations) == len(MIGRATIONS)
    finally:
        again.close()


def test_data_survives_reopening(store, db_url):
    ev = _event(store)
    add_entry(store, table_actor(1), ev, 1, "enabler", "Shared care record")
    again = open_store(db_url)
    try:
        assert [e.text for e in list_entries(again, ev)] == ["Shared care record"]
    finally:
        again.close()


def test_write_is_all_or_nothing(store):
    ev = _event(store)
    before = store.signature(ev)

    def half(conn):
        conn.execute(update(s.events).where(s.events.c.id == ev).values(title="Changed"))
        raise FacilitationError("refused half way")

    with pytest.raises(FacilitationError, match="half way"):
        store.write(half, actor=SYSTEM, event_id=ev)
    assert (
        store.read(lambda c: c.execute(select(s.events.c.title).where(s.events.c.id == ev)).scalar_one())
        == "Store"
    )
    assert store.signature(ev) == before


def test_retry_reruns_the_transaction(store):
    attempts = []

    def fn(conn):
        attempts.append(1)
        if len(attempts) < 3:
            raise Retry()
        return Change("noop", result=len(attempts))

    assert store.write(fn, actor=SYSTEM, event_id=None).result == 3


def test_client_token_returns_the_first_result(store):
    ev = _event(store)
    first = add_entry(store, table_actor(1), ev, 1, "idea", "Joint visits", client_token="tok-1")
    count = store.signature(ev)
    again = add_entry(store, table_actor(1), ev, 1, "idea", "Joint visits", client_token="tok-1")
    assert first == again and store.signature(ev) == count
    assert len(list_entries(store, ev)) == 1
    res = store.write(
        lambda c: Change("noop", result="other"), actor=SYSTEM, event_id=ev, client_token="tok-1"
    )
    assert res.replayed and res.result == first


def test_two_threads_one_token_write_once(store):
    ev = _event(store)
    results: list[int] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def submit() -> None:
        barrier.wait()
        try:
            results.append(
                add_entry(store, table_actor(2), ev, 2, "blocker", "Three referral forms", client_token="dbl")
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(results) == 2 and results[0] == results[1]
    assert len(list_entries(store, ev)) == 1
    tokens = store.read(
        lambda c: c.execute(select(func.count()).where(s.activity.c.client_token == "dbl")).scalar_one()
    )
    assert tokens == 1


def test_soft_delete_keeps_the_row(store):
    ev = _event(store)
    eid = add_entry(store, table_actor(1), ev, 1, "enabler", "Handypersons")
    withdraw_entry(store, table_actor(1), ev, eid)
    assert list_entries(store, ev) == []
    row = store.read(lambda c: c.execute(select(s.entries).where(s.entries.c.id == eid)).mappings().one())
    assert row["text"] == "Handypersons" and row["deleted_at"] is not None
    verbs = store.read(
        lambda c: [
            r.verb
            for r in c.execute(
                select(s.activity.c.verb).where(
                    s.activity.c.object_type == "entry", s.activity.c.object_id == eid
                )
            )
        ]
    )
    assert verbs == ["add entry", "withdraw entry"]


def test_activity_log_and_signature_move_on_every_write(store):
    ev = _event(store)
    seen = {store.signature(ev)}
    writes = [
        lambda: add_entry(store, table_actor(1), ev, 1, "enabler", "One"),
        lambda: add_entry(store, table_actor(2), ev, 2, "blocker", "Two"),
        lambda: set_phase(store, FACILITATOR, ev, "ideas"),
        lambda: add_entry(store, table_actor(3), ev, 3, "idea", "Three"),
    ]
    for write in writes:
        write()
        sig = store.signature(ev)
        assert sig not in seen
        seen.add(sig)
    log = store.read(
        lambda c: c.execute(
            select(s.activity.c.actor, s.activity.c.verb, s.activity.c.at)
            .where(s.activity.c.event_id == ev)
            .order_by(s.activity.c.revision)
        ).all()
    )
    assert [(r.actor, r.verb) for r in log[-4:]] == [
        ("table 1", "add entry"),
        ("table 2", "add entry"),
        ("facilitator", "set phase"),
        ("table 3", "add entry"),
    ]
    assert all(r.at for r in log)


def test_signature_of_another_event_does_not_move(store):
    a, b = _event(store), _event(store)
    before = store.signature(b)
    add_entry(store, table_actor(1), a, 1, "enabler", "Only event a")
    assert store.signature(b) == before


def test_a_clash_is_one_clear_message(store):
    ev = _event(store)

    def dup(conn):
        conn.execute(
            insert(s.event_tables).values(event_id=ev, number=1, name="Again", key_hash="x", created_at="now")
        )
        return Change("dup")

    with pytest.raises(FacilitationError, match="clashes with something already saved"):
        store.write(dup, actor=SYSTEM, event_id=ev)


def test_sqlite_pragmas_are_set(sqlite_path):
    store = SQLiteStore(sqlite_path)
    try:
        with store.engine.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 2,
            "busy_timeout": BUSY_TIMEOUT_MS,
            "foreign_keys": 1,
        }
        assert BUSY_TIMEOUT_MS >= 5000
    finally:
        store.close()


def test_sqlite_writes_begin_immediate(sqlite_path):
    store = SQLiteStore(sqlite_path)
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        store.write(lambda c: Change("noop"), actor=SYSTEM, event_id=None)
        store.read(lambda c: c.execute(select(1)).scalar())
    finally:
        store.close()
    begins = [x for x in statements if x.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_opening_a_migrated_database_waits_for_no_writer(sqlite_path):
    """A page that starts while another holds the write lock opens at once.

    Every page kernel opens the store; in the rush of an event a writer is nearly
    always in a transaction. Naive opening (a write transaction per open, to check
    the migrations) waits out the busy timeout and then fails with "database is
    locked" (seen in the 40-writer fault test).
    """
    SQLiteStore(sqlite_path).close()  # created and migrated
    holder = sqlite3.connect(sqlite_path, isolation_level=None, timeout=1)
    holder.execute("BEGIN IMMEDIATE")  # a writer mid-transaction, for longer than any busy timeout
    try:
        started = time.monotonic()
        store = SQLiteStore(sqlite_path)
        opened_in = time.monotonic() - started
        assert store.read(lambda c: c.execute(select(func.count()).select_from(s.events)).scalar()) == 0
        store.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert opened_in < BUSY_TIMEOUT_MS / 1000 / 2, f"opening waited {opened_in:.1f} s for the writer"


def test_open_store_refuses_other_postgres_drivers():
    with pytest.raises(FacilitationError, match=r"postgresql\+psycopg://"):
        open_store("postgresql://localhost/x")


def test_open_store_names_a_missing_folder(tmp_path):
    with pytest.raises(FacilitationError, match="does not exist"):
        open_store(str(tmp_path / "nope" / "e.db"))


def test_backup_of_a_live_sqlite_file_while_a_writer_writes(tmp_path):
    store = open_store(str(tmp_path / "live.db"))
    ev = _event(store)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        n = 0
        while not stop.is_set() and n < 2_000:
            written.append(add_entry(store, table_actor(1), ev, 1, "enabler", f"Entry {n}"))
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        copy = store.backup(tmp_path / "copy.db")
        during = len(written)
    finally:
        stop.set()
        thread.join(60)
    check = sqlite3.connect(copy)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        texts = [r[0] for r in check.execute("SELECT text FROM entries ORDER BY id")]
        logged = check.execute("SELECT count(*) FROM activity WHERE verb = 'add entry'").fetchone()[0]
    finally:
        check.close()
    # a consistent snapshot: entries are a prefix of what was written, each with its log row
    assert texts == [f"Entry {i}" for i in range(len(texts))] and logged == len(texts)
    assert len(texts) >= 20 and len(texts) <= len(written) and during <= len(written)
    reopened = open_store(str(copy))
    assert len(list_entries(reopened, ev)) == len(texts)
    reopened.close()
    with pytest.raises(FacilitationError, match="cannot overwrite"):
        store.backup(tmp_path / "live.db")
    assert not Path(str(copy) + ".partial").exists()
    store.close()


def test_postgres_backup_is_refused_with_a_pointer(store):
    if store.dialect != "postgresql":
        pytest.skip("SQLite backups are tested above")
    with pytest.raises(FacilitationError, match="engine's own tools"):
        store.backup("x.db")


def test_0008_adds_the_source_and_keeps_local_data(db_url):
    """A database of before 0008 (no ``entries.source``) gains it; its levels stay as they were."""
    from facilitation.store.migrations import EVIDENCE_BEFORE_0008

    store = open_store(db_url)
    try:
        ev = _event(store)
        add_entry(store, table_actor(1), ev, 1, "enabler", "Dashboard", evidence="local data")
        add_entry(store, table_actor(1), ev, 1, "blocker", "Heard it", evidence="anecdote")

        def back_to_0007(conn):
            conn.exec_driver_sql("ALTER TABLE entries DROP COLUMN source")
            conn.execute(schema_migrations.delete().where(schema_migrations.c.version == 8))

        with store._write_conn() as conn:
            back_to_0007(conn)
    finally:
        store.close()
    again = open_store(db_url)  # migrates
    try:
        assert 8 in again.read(applied)
        assert [(e.text, e.evidence, e.source) for e in list_entries(again, ev)] == [
            ("Dashboard", "local data", None),
            ("Heard it", "anecdote", None),
        ]
        assert set(EVIDENCE_BEFORE_0008.values()) <= set(s.EVIDENCE_LEVELS)
        add_entry(again, table_actor(1), ev, 1, "asset", "Falls team", source="Team lead")
        assert list_entries(again, ev)[-1].source == "Team lead"
    finally:
        again.close()
