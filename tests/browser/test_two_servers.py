"""Beyond one machine: two ``facilitate serve`` processes on one PostgreSQL schema.

Each server is what one machine behind a load balancer would run; they share
nothing but the database and ``FACILITATION_SECRET``. A table lead on one server
and the projector on the other must see one event, and the dot limits must hold
for votes arriving through both at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from liveserver import Server, choose_kind, launch
from playwright.sync_api import expect
from sqlalchemy import select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry, list_entries
from facilitation.errors import FacilitationError
from facilitation.events.rules import EventKeys, create_event, set_phase
from facilitation.people.rules import add_person
from facilitation.store import Store, open_store
from facilitation.store import schema as s
from facilitation.themes.grouping import create_theme
from facilitation.voting.rules import add_dot

from .conftest import Pages

pytestmark = pytest.mark.browser

SECRET = "two-servers-secret"


@dataclass
class Pair:
    """Two servers on one PostgreSQL schema, and a store on it for the test."""

    store: Store
    keys: EventKeys
    url: str
    a: Server
    b: Server


def build_event(store: Store) -> EventKeys:
    """Four tables, people at each, at the enablers-and-blockers phase."""
    keys = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Two servers", tables=4
    )
    for t in range(1, 5):
        add_person(store, table_actor(t), keys.event_id, f"Lead {t}", organisation=f"Org {t}", table=t)
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    return keys


@pytest.fixture
def pair(browser: object, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pair]:
    """Two servers on a new schema; ``browser`` first, so no Chromium means no servers started."""
    monkeypatch.setenv("FACILITATION_SECRET", SECRET)
    store = open_store(pg_url)
    keys = build_event(store)
    # no preheated pool: two servers share 2 cores; both start at once, then both are awaited
    a = launch(pg_url, keys.event_id, tmp_path / "a", pool=0)
    b = launch(pg_url, keys.event_id, tmp_path / "b", pool=0)
    try:
        a.wait_ready()
        b.wait_ready()
        assert a.links["projector"] != b.links["projector"]
        yield Pair(store, keys, pg_url, a, b)
    finally:
        a.stop()
        b.stop()
        store.close()


WATCH_WALL = """
texts => {
  window.__seen = window.__seen || {};
  const look = () => {
    for (const e of document.querySelectorAll('.fac-projector-wall .fac-entry-body')) {
      if (texts.includes(e.textContent) && !(e.textContent in window.__seen)) window.__seen[e.textContent] = Date.now();
    }
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  look();
}
"""


def test_entry_on_one_server_shows_on_the_projector_of_the_other(pair: Pair, pages: Pages) -> None:
    """Typed on server A's table page, shown on server B's projector.

    The latency is printed, not asserted (speed belongs to the benchmarks, where
    benchmarks/live_latency.py measures it); measured here: 0.18-0.24 s.

    Fails when pages keep state per process (a cache, a global) instead of reading the
    shared store, or when a server watches only its own writes (a local change signal,
    SQLite's data_version on a PostgreSQL event): B's projector never shows the entry.
    """
    projector = pages.open(pair.b.links["projector"], width=1920, height=1080, ready=".fac-projector-wall")
    table = pages.open(pair.a.links["table 1"], ready=".fac-entry-text input")
    texts = [f"Typed on server A, entry {n}" for n in range(3)]
    projector.evaluate(WATCH_WALL, texts)
    box = table.locator(".fac-entry-text input")
    latencies = []
    for text in texts:
        box.fill(text)
        choose_kind(table)
        sent = table.evaluate("Date.now()")  # one browser, one clock for both pages
        box.press("Enter")
        projector.wait_for_function("t => window.__seen && t in window.__seen", arg=text, timeout=15_000)
        latencies.append((projector.evaluate("t => window.__seen[t]", text) - sent) / 1000)
        expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
    print(f"\nserver A table -> server B projector: {', '.join(f'{x:.2f}' for x in latencies)} s")
    stored = [e.text for e in list_entries(pair.store, pair.keys.event_id, table=1)]
    assert sorted(stored) == sorted(texts), stored  # each once


def test_votes_through_both_servers_never_exceed_the_cap(pair: Pair, pages: Pages) -> None:
    """Table 1 votes on server A and on server B at once, while writers on the shared
    database spend its dots too: 5 dots in all, at most 2 on a theme, never more.

    Fails with a count-then-insert limit (each server, and each writer, counts 4
    dots, and all insert a fifth) or a limit kept in a page's memory.
    """
    store, ev = pair.store, pair.keys.event_id
    themes = []
    for t in (2, 3, 4):
        entry = add_entry(store, table_actor(t), ev, t, "enabler", f"Enabler of table {t}")
        themes.append(entry)
    set_phase(store, FACILITATOR, ev, "grouping")
    themes = [
        create_theme(store, table_actor(t), ev, t, f"Theme {t}", [e])
        for t, e in zip((2, 3, 4), themes, strict=True)
    ]
    set_phase(store, FACILITATOR, ev, "voting")

    on_a = pages.open(pair.a.links["table 1"], ready=".fac-dot-add")
    on_b = pages.open(pair.b.links["table 1"], ready=".fac-dot-add")
    expect(on_a.locator(".fac-dot-add")).to_have_count(3, timeout=10_000)
    expect(on_b.locator(".fac-dot-add")).to_have_count(3, timeout=10_000)

    # one vote through each server's page, each stored
    on_a.locator(".fac-dot-add").nth(0).click()
    expect(on_a.locator(".fac-saved-state")).to_contain_text("Dot added", timeout=10_000)
    on_b.locator(".fac-dot-add").nth(1).click()
    expect(on_b.locator(".fac-saved-state")).to_contain_text("Dot added", timeout=10_000)
    expect(on_a.locator(".fac-dots-left")).to_contain_text("3 of 5", timeout=5_000)

    # then everyone at once: writers on the database and clicks on both servers
    errors: list[str] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        own = open_store(pair.url)
        try:
            start.wait(timeout=30)
            for i in range(6):
                with suppress(FacilitationError):
                    add_dot(own, table_actor(1), ev, themes[(n + i) % 3], client_token=f"w{n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            own.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    start.wait(timeout=30)
    for _ in range(2):  # every enabled "+ dot" on both pages; the pages disable them at the cap
        for page in (on_a, on_b):
            page.evaluate("document.querySelectorAll('.fac-dot-add').forEach(b => b.click())")
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors

    def live_dots(conn: object) -> list[tuple[str, int]]:
        q = select(s.dots.c.voter, s.dots.c.theme_id).where(
            s.dots.c.event_id == ev, s.dots.c.removed_at.is_(None)
        )
        return [(r.voter, r.theme_id) for r in conn.execute(q)]  # type: ignore[attr-defined]

    time.sleep(2)  # the last clicks' writes
    dots = store.read(live_dots)
    assert len(dots) == 5, dots  # the cap is reached (13 more tries than dots) and never passed
    per_theme = {t: sum(1 for _, x in dots if x == t) for t in themes}
    assert max(per_theme.values()) <= 2, per_theme
    assert {v for v, _ in dots} == {"table:1"}
    expect(on_a.locator(".fac-dots-left")).to_contain_text("0 of 5", timeout=5_000)
    expect(on_b.locator(".fac-dots-left")).to_contain_text("0 of 5", timeout=5_000)
