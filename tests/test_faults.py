"""Fault tests with real processes: many writers at once, and writers killed with SIGKILL.

A writer acknowledges an entry (appends its id to an ack file) only after
``add_entry`` returned, i.e. after the commit. The tests then check what a table
lead relies on: every acknowledged entry is there exactly once, a retried client
token never makes a second copy, and the database passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM
from facilitation.capture.rules import list_entries
from facilitation.events.rules import create_event, set_phase
from facilitation.exports import export
from facilitation.store import open_store

pytestmark = pytest.mark.slow

WRITER = textwrap.dedent(
    """
    import sys
    from facilitation.access import table_actor
    from facilitation.capture.rules import add_entry
    from facilitation.store import open_store

    url, event_id, writer, start, count, ack_path = sys.argv[1:7]
    event_id, writer, start, count = int(event_id), int(writer), int(start), int(count)
    table = writer % 6 + 1
    store = open_store(url)
    with open(ack_path, "a", buffering=1) as ack:
        for i in range(start, start + count):
            token = f"w{writer}-{i}"
            entry_id = add_entry(store, table_actor(table), event_id, table, "enabler",
                                 f"writer {writer} entry {i}", client_token=token)
            ack.write(f"{i} {entry_id}\\n")
    """
)


def _event(url: str) -> int:
    store = open_store(url)
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Faults", tables=6)
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    store.close()
    return keys.event_id


def _spawn(url: str, event_id: int, writer: int, start: int, count: int, ack: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(event_id), str(writer), str(start), str(count), str(ack)],
        stderr=subprocess.PIPE,
    )


def _acks(path: Path) -> dict[int, int]:
    """Acknowledged entries of one writer: index -> entry id (a torn last line is ignored)."""
    acked: dict[int, int] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2:
                acked[int(parts[0])] = int(parts[1])
    return acked


def _check(url: str, event_id: int, acks: dict[int, dict[int, int]]) -> int:
    store = open_store(url)
    entries = list_entries(store, event_id)
    store.close()
    texts = [e.text for e in entries]
    assert len(texts) == len(set(texts)), "an entry was stored twice"
    by_id = {e.id: e.text for e in entries}
    for writer, acked in acks.items():
        for index, entry_id in acked.items():
            assert by_id.get(entry_id) == f"writer {writer} entry {index}", "an acknowledged entry is missing"
    if not url.startswith("postgresql"):
        conn = sqlite3.connect(url)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    return len(entries)


def test_forty_writers_lose_nothing_while_exports_run(db_url: str, tmp_path: Path) -> None:
    """40 writers x 250 entries at once, with exports (and SQLite backups) running alongside."""
    event_id = _event(db_url)
    writers, per_writer = 40, 250
    stop = threading.Event()
    backups: list[Path] = []
    exported: list[Path] = []

    def back_up() -> None:
        store = open_store(db_url)
        formats = ["json", "xlsx", "csv"]
        while not stop.is_set():
            fmt = formats[len(exported) % len(formats)]
            exported.extend(export(store, SYSTEM, event_id, fmt, tmp_path / "exports"))
            if not db_url.startswith("postgresql"):
                backups.append(store.backup(tmp_path / f"backup-{len(backups)}.db"))
            time.sleep(0.2)
        store.close()

    backer = threading.Thread(target=back_up)
    backer.start()
    procs = [_spawn(db_url, event_id, w, 0, per_writer, tmp_path / f"ack-{w}") for w in range(writers)]
    try:
        for p in procs:
            assert p.wait(timeout=600) == 0, p.stderr.read().decode() if p.stderr else ""
    finally:
        stop.set()
        backer.join()
        for p in procs:
            if p.poll() is None:
                p.kill()
    acks = {w: _acks(tmp_path / f"ack-{w}") for w in range(writers)}
    assert sum(len(a) for a in acks.values()) == writers * per_writer
    assert _check(db_url, event_id, acks) == writers * per_writer
    assert exported, "no export ran while the writers wrote"
    for b in backups:  # every backup taken mid-write is a sound database
        conn = sqlite3.connect(b)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


def test_writers_killed_mid_write_lose_nothing_acknowledged(db_url: str, tmp_path: Path) -> None:
    """Rounds of SIGKILL to every writer mid-stream, then each resumes from its last ack.

    A writer resumes from the entry after its last acknowledged one, so the entry it
    was writing when killed is sent again with the same client token: it may have
    committed without being acknowledged, and must not be stored twice.
    """
    event_id = _event(db_url)
    writers, rounds = 6, 8
    rng = random.Random(20261126)
    for _ in range(rounds):
        procs = []
        for w in range(writers):
            acked = _acks(tmp_path / f"ack-{w}")
            start = max(acked) + 1 if acked else 0
            procs.append(_spawn(db_url, event_id, w, start, 10_000, tmp_path / f"ack-{w}"))
        # kill mid-stream: once every writer has acknowledged something new this round
        before = {w: len(_acks(tmp_path / f"ack-{w}")) for w in range(writers)}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(
            len(_acks(tmp_path / f"ack-{w}")) <= before[w] for w in range(writers)
        ):
            time.sleep(0.05)
        time.sleep(rng.uniform(0.05, 0.4))
        for p in procs:
            os.kill(p.pid, signal.SIGKILL)
        for p in procs:
            p.wait(timeout=30)
        acks = {w: _acks(tmp_path / f"ack-{w}") for w in range(writers)}
        _check(db_url, event_id, acks)
    assert all(len(a) >= rounds for a in acks.values())  # every writer wrote in every round
