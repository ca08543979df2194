"""The projector at 1920x1080 fits one screen in every phase, at 6, 40 and 60 tables.

A projector is read from the back of a room: a page that scrolls shows nobody the
rest. Each event is built through the rules as a room would fill it (people at every
table, enablers and blockers, ideas and questions from every table, table themes
merged into event-wide themes and some left unmerged, dots spent and revealed, a
run-off, links for the map, task-and-finish groups with first actions). One projector
page per table count walks every phase, redrawn in place, and in each the document is
exactly the viewport's height, nothing inside it is cut off, and the per-table strip
stays one line (one grid of fixed rows at 40 tables or more) with no chip broken
across lines. Screenshots of every phase go to ``$FACILITATION_SHOTS`` (default
tests/artifacts/projector).

Also here: after a merge the projector shows the table themes under the theme they
went into (it said "No themes yet." for every table), and the countdown says "Time"
at zero, in another colour in its last minute.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.demo import (
    CHALLENGE,
    ENTRIES,
    EVENT_THEMES,
    KEY_QUESTION,
    ORGANISATIONS,
    PLANS,
    PURPOSE,
    SUCCESS_MEASURES,
    THEMES,
)
from facilitation.events.rules import create_event, get_event, set_input_lock, set_phase, start_timer
from facilitation.network.rules import record_link
from facilitation.people.rules import add_person
from facilitation.plans.rules import add_action, promote_theme, update_group
from facilitation.serving.server import page_links
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.themes.grouping import create_theme, list_themes, merge_themes
from facilitation.voting.rules import add_dot, open_runoff, reveal_votes, tally

from .conftest import ARTIFACTS, Pages, Served

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("FACILITATION_SHOTS") or ARTIFACTS / "projector")
WIDTH, HEIGHT = 1920, 1080
FIRST = ("Ama", "Tomasz", "Priya", "Rhys", "Grace", "Ben", "Ceri", "Wen", "Niamh", "Imran", "Kwame", "Chloé")
LAST = ("Owusu", "Nowak", "Shah", "Evans", "Adeyemi", "Nguyen", "Hughes", "Kowalski", "Murphy", "Qureshi")


def build_room(store: Store, tables: int) -> int:
    """An event with ``tables`` tables filled as a room would fill it; left in framing."""
    ev = create_event(
        store,
        ORGANISER,
        template="innovation-challenge-half-day",
        title=f"Frailty and falls in Eastbrook ({tables} tables)",
        tables=tables,
        challenge=CHALLENGE,
        purpose=PURPOSE,
        key_question=KEY_QUESTION,
        success_measures=list(SUCCESS_MEASURES),
    ).event_id
    orgs = list(ORGANISATIONS)
    seated: dict[int, list[int]] = {}
    for t in range(1, tables + 1):
        seated[t] = [
            add_person(
                store,
                ORGANISER,
                ev,
                f"{FIRST[(t + i) % len(FIRST)]} {LAST[(3 * t + i) % len(LAST)]} {t}",
                organisation=orgs[(t + 3 * i) % len(orgs)],
                table=t,
            )
            for i in range(3)
        ]
    kinds: dict[str, list[tuple[str, str, str | None, str]]] = {}
    for entry in ENTRIES:
        kinds.setdefault(entry[0], []).append(entry)
    written: dict[int, list[tuple[int, str]]] = {t: [] for t in seated}  # table -> [(entry id, theme key)]
    for phase, plan in (
        ("enablers-blockers", (("enabler", 2), ("blocker", 2))),
        ("ideas", (("idea", 2), ("question", 1))),
    ):
        set_phase(store, FACILITATOR, ev, phase)
        for t in seated:
            for kind, count in plan:
                pool = kinds[kind]
                for i in range(count):
                    _, text, evidence, key = pool[(t * 3 + i) % len(pool)]
                    eid = add_entry(store, table_actor(t), ev, t, kind, text, evidence=evidence)
                    written[t].append((eid, key))
    set_phase(store, FACILITATOR, ev, "grouping")
    by_key: dict[str, list[int]] = {}
    for t, items in written.items():
        for key in sorted({k for _, k in items[-3:]}):  # each table groups its ideas and question
            ids = [eid for eid, k in items[-3:] if k == key]
            theme = create_theme(store, table_actor(t), ev, t, THEMES[key][t % len(THEMES[key])], ids)
            if t <= max(2, 2 * tables // 3):  # a third of the room's themes stay unmerged
                by_key.setdefault(key, []).append(theme)
    merged = {
        key: merge_themes(store, FACILITATOR, ev, ids, EVENT_THEMES[key]) for key, ids in by_key.items()
    }
    set_phase(store, FACILITATOR, ev, "voting")
    order = sorted(merged, key=list(THEMES).index)
    for t in seated:
        for i in range(5):
            add_dot(store, table_actor(t), ev, merged[order[(t + i // 2) % len(order)]])
    reveal_votes(store, FACILITATOR, ev, force=True)
    set_phase(store, FACILITATOR, ev, "collaboration")
    for t, people in seated.items():
        other = seated[t % tables + 1]
        record_link(store, table_actor(t), ev, t, people[0], people[1], "worked with")
        record_link(store, table_actor(t), ev, t, people[2], other[0], "will work with", "Meet in May")
    set_phase(store, FACILITATOR, ev, "action-plans")
    key_of = {theme: key for key, theme in merged.items()}
    for n, row in enumerate(tally(store, FACILITATOR, ev)[:3]):
        lead = 1 + n
        gid = promote_theme(store, FACILITATOR, ev, row.theme_id, lead_table=lead)
        purpose, question, measure, actions = PLANS[key_of[row.theme_id]]
        update_group(
            store, table_actor(lead), ev, gid, purpose=purpose, lead=f"Lead of table {lead}",
            sponsor="Grace Adeyemi", key_question=question, success_measures=[measure],
            review_dates={"first": "2026-04-09"}, destination="board",
        )  # fmt: skip
        for text in actions:
            add_action(store, table_actor(lead), ev, gid, text, owner="Ama Owusu", due_on="2026-05-01")
    set_phase(store, FACILITATOR, ev, "framing")
    return ev


# What the projector must fit: the document, its scroller and the page's parts.
MEASURE = """() => {
  const doc = document.documentElement;
  const cells = document.getElementById('rendered_cells');
  const strip = document.querySelector('.fac-strip');
  const chips = strip ? [...strip.querySelectorAll('.fac-strip-cell')] : [];
  const clipped = [...document.querySelectorAll('.fac-projector > *, .fac-projector-wall, .fac-projector-wall *')]
    .filter(e => e.offsetParent !== null && getComputedStyle(e).overflowY !== 'visible'
      && !e.closest('.fac-netmap') && e.scrollHeight > e.clientHeight + 2
      && !e.classList.contains('fac-clamp'))
    .map(e => (e.className || e.tagName) + ' ' + e.scrollHeight + '>' + e.clientHeight);
  const rows = new Set(chips.map(c => Math.round(c.getBoundingClientRect().top)));
  return {
    // the page's height as the room would scroll it: the document, or Voila's cells, which scroll
    page: Math.max(doc.scrollHeight, document.body.scrollHeight, cells ? cells.scrollHeight : 0),
    doc: doc.scrollHeight, body: document.body.scrollHeight, viewport: window.innerHeight,
    cells: cells ? cells.scrollHeight : null, cellsClient: cells ? cells.clientHeight : null,
    width: doc.scrollWidth,
    clipped,
    strip: strip ? strip.getBoundingClientRect().height : null,
    stripRows: rows.size, cellCount: chips.length,
    broken: chips.filter(c => c.getClientRects().length !== 1).length,
    stripOverflow: strip ? strip.scrollWidth > strip.clientWidth + 1 : null,
  };
}"""


def _fits(page: Any, label: str, tables: int) -> dict[str, Any]:
    page.wait_for_timeout(400)  # a redraw arrives in a few messages
    m = page.evaluate(MEASURE)
    assert m["page"] == m["viewport"] == HEIGHT, f"{label}: the projector scrolls: {m}"
    assert m["width"] <= WIDTH, f"{label}: the projector is wider than the screen: {m}"
    assert m["clipped"] == [], f"{label}: parts of the projector are cut off: {m['clipped']}"
    assert m["cellCount"] == tables, f"{label}: the strip shows {m['cellCount']} of {tables} tables"
    assert m["broken"] == 0, f"{label}: {m['broken']} strip cells break across lines"
    assert not m["stripOverflow"], f"{label}: the strip is wider than the screen"
    assert m["stripRows"] == (1 if tables < 40 else 2), f"{label}: the strip has {m['stripRows']} rows: {m}"
    return m


def _open(pages: Pages, url: str) -> Any:
    """The projector at 1920x1080; a kernel may take minutes to start on a loaded machine."""
    context = pages.browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    pages.opened.append(page)
    page.goto(url, timeout=240_000)
    page.wait_for_selector(".fac-projector-wall", timeout=240_000)
    return page


def _shot(page: Any, tables: int, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"projector-{tables}-tables-{name}-{WIDTH}x{HEIGHT}.png"))


def _font_px(page: Any, selector: str) -> float:
    return float(page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


# what the projector draws for a phase: waited for before measuring
DRAWN = {
    "framing": ".fac-framing",
    "enablers-blockers": ".fac-columns .fac-card",
    "ideas": ".fac-idea-wall .fac-card",
    "grouping": ".fac-theme-wall .fac-card",
    "voting": ".fac-bars",
    "collaboration": ".fac-netmap svg[aria-label] circle",
    "action-plans": ".fac-projector-wall .fac-card",
    "close": ".fac-projector-wall .fac-card",
}


@pytest.mark.parametrize("tables", [6, 40, 60])
def test_the_projector_fits_one_screen_in_every_phase(served: Served, pages: Pages, tables: int) -> None:
    store = served.store
    ev = build_room(store, tables)
    start_timer(store, FACILITATOR, ev, 15)
    links = page_links(served.db, ev, served.base)
    page = _open(pages, links.projector)
    for phase in get_event(store, ev).phases:
        set_phase(store, FACILITATOR, ev, phase.name)
        expect(page.locator(".fac-phase-title h1")).to_have_text(phase.title, timeout=30_000)
        index = [p.name for p in get_event(store, ev).phases].index(phase.name)
        expect(page.locator(f".fac-wall-phase-{index}")).to_have_count(1, timeout=30_000)  # this phase's wall
        expect(page.locator(DRAWN[phase.name]).first).to_be_visible(timeout=30_000)
        label = f"{tables} tables, {phase.name}"
        _fits(page, label, tables)
        _shot(page, tables, phase.name)
        if phase.name == "enablers-blockers":
            # newest first across the room: the last table's entry is on the screen
            expect(page.locator(".fac-columns")).to_contain_text(f"Table {tables}")
            expect(page.locator(".fac-evidence-counts").first).to_contain_text("local data")
        if phase.name == "ideas":
            expect(page.locator(".fac-idea-wall")).to_contain_text(f"Table {tables}")
            expect(page.locator(".fac-wall-more")).to_contain_text("more ideas")
            set_input_lock(store, FACILITATOR, ev, True)
            banner = page.locator(".fac-banner-locked")
            expect(banner).to_contain_text("Input is locked", timeout=20_000)
            assert _font_px(page, ".fac-banner-locked") >= 40, "the lock banner is not large"
            _fits(page, f"{label}, locked", tables)
            _shot(page, tables, "ideas-locked")
            set_input_lock(store, FACILITATOR, ev, False)
            expect(banner).to_have_count(0, timeout=20_000)
        if phase.name == "grouping":
            expect(page.locator(".fac-projector-wall")).not_to_contain_text("No themes yet")
        if phase.name == "voting":
            expect(page.locator(".fac-banner-runoff")).to_have_count(0)
            ranked = [row.theme_id for row in tally(store, FACILITATOR, ev)]
            open_runoff(store, FACILITATOR, ev, ranked[:2])
            add_dot(store, table_actor(1), ev, ranked[0])
            expect(page.locator(".fac-banner-runoff")).to_contain_text("Run-off", timeout=20_000)
            assert _font_px(page, ".fac-banner-runoff") >= 40, "the run-off banner is not large"
            expect(page.locator(".fac-vote-progress")).to_contain_text(f"1 of {5 * tables} dots placed")
            expect(page.locator(".fac-bars")).to_have_count(0)
            _fits(page, f"{label}, run-off", tables)
            _shot(page, tables, "voting-runoff")
            reveal_votes(store, FACILITATOR, ev, force=True)
            expect(page.locator(".fac-bars")).to_be_visible(timeout=20_000)
            _fits(page, f"{label}, run-off revealed", tables)
        if phase.name == "collaboration":
            legend = page.locator(".fac-netmap-legend").bounding_box()
            assert legend is not None and legend["y"] + legend["height"] <= HEIGHT, (
                f"legend off screen: {legend}"
            )


def test_the_projector_shows_merged_table_themes_under_their_theme(served: Served, pages: Pages) -> None:
    store = served.store
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Merged themes", tables=3
    ).event_id
    set_phase(store, FACILITATOR, ev, "ideas")
    ids = {t: add_entry(store, table_actor(t), ev, t, "idea", f"Idea from table {t}") for t in (1, 2, 3)}
    set_phase(store, FACILITATOR, ev, "grouping")
    themes = {
        t: create_theme(store, table_actor(t), ev, t, f"Falls at table {t}", [ids[t]]) for t in (1, 2, 3)
    }
    merge_themes(store, FACILITATOR, ev, [themes[1], themes[2]], "One falls pathway")
    page = _open(pages, page_links(served.db, ev, served.base).projector)
    wall = page.locator(".fac-projector-wall")
    merged = wall.locator(".fac-card", has_text="One falls pathway")
    expect(merged).to_be_visible(timeout=30_000)
    # the table themes it holds, under it, and the one not merged yet on its own
    expect(merged).to_contain_text("Falls at table 1")
    expect(merged).to_contain_text("Falls at table 2")
    expect(merged).to_contain_text("2 entries")
    expect(wall).to_contain_text("Falls at table 3")
    expect(wall).not_to_contain_text("No themes yet")
    assert [t.name for t in list_themes(store, ev) if t.merged_into is None and t.table is not None] == [
        "Falls at table 3"
    ]


def test_the_countdown_changes_colour_in_its_last_minute_and_says_time_at_zero(
    served: Served, pages: Pages
) -> None:
    store = served.store
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Timer", tables=2
    ).event_id
    set_phase(store, FACILITATOR, ev, "ideas")
    start_timer(store, FACILITATOR, ev, 5)
    page = _open(pages, page_links(served.db, ev, served.base).projector)
    timer = page.locator(".fac-projector .fac-timer")
    expect(timer).to_have_attribute("data-state", "running", timeout=30_000)
    colour = timer.evaluate("e => getComputedStyle(e).color")
    start_timer(store, FACILITATOR, ev, 1)  # the last minute
    expect(timer).to_have_attribute("data-state", "last-minute", timeout=20_000)
    assert timer.evaluate("e => getComputedStyle(e).color") != colour, "the last minute looks like any other"

    # the end time moved to two seconds from now, then any write: the page follows its end time
    with store.engine.begin() as conn:
        conn.execute(update(s.events).where(s.events.c.id == ev).values(timer_ends_at=time.time() + 2))
    set_input_lock(store, FACILITATOR, ev, True)
    expect(timer).to_have_attribute("data-state", "over", timeout=20_000)
    expect(timer).to_have_text("Time", timeout=5_000)
    assert float(timer.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 96
    assert page.evaluate(MEASURE)["page"] == HEIGHT
    # the flash: an animation, none when the room's screen asks for reduced motion
    assert timer.evaluate("e => getComputedStyle(e).animationName") != "none"
    page.emulate_media(reduced_motion="reduce")
    assert timer.evaluate("e => getComputedStyle(e).animationName") == "none"
    expect(timer).to_have_text("Time")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"projector-timer-time-{WIDTH}x{HEIGHT}.png"))
