"""The table page as a lead uses it (issue 18): a phone's width in every phase, kind and
evidence chosen for every entry, withdraw with undo, the join kept across a reload and
the per-theme limit in the "+ dot" button's state.

Each test fails on the page before issue 18: the Enabler/Blocker toggle was wider than
a phone, the kind and evidence stayed at the last choice, Withdraw had no undo and
"+ dot" stayed enabled at the limit.
"""

from __future__ import annotations

import pytest
from liveserver import choose_kind
from playwright.sync_api import expect

from facilitation.access import FACILITATOR, table_actor
from facilitation.capture import add_entry, list_entries
from facilitation.demo import build_demo
from facilitation.events import get_event, set_phase
from facilitation.serving import page_links
from facilitation.themes.grouping import create_theme
from facilitation.voting import set_voting_rules

from .conftest import Pages, Served, axe_violations, build_event, screenshot

pytestmark = pytest.mark.browser

OPEN_MS = 240_000  # a page's first draw on a busy 2-core machine
# what each phase shows (only its own part is built)
PART = {
    "none": ".fac-people-list li",
    "capture": ".fac-entry-kind",
    "ideas": ".fac-entry-kind",
    "grouping": ".fac-dragboard",
    "voting": ".fac-vote-list li",
    "links": ".fac-links-other input",
    "plans": ".fac-plan",
}
WIDE = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('.fac-table-page *')]
    .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > width + 1)
    .slice(0, 5).map((e) => e.className + ': ' + (e.innerText || '').slice(0, 40));
  return {width, scroll: document.documentElement.scrollWidth, wide};
}"""


def test_the_table_page_fits_a_phone_in_every_phase(served: Served, pages: Pages) -> None:
    """At 390x844 nothing is wider than the screen, in every phase of the demo event."""
    keys = build_demo(served.store)
    ev = keys.event_id
    event = get_event(served.store, ev)
    set_phase(served.store, FACILITATOR, ev, event.phases[0].name)
    url = page_links(served.db, ev, served.base).tables["1"]
    page = pages.open(url, width=390, height=844, ready="body")
    page.wait_for_selector(".fac-table-header", timeout=OPEN_MS)
    problems = {}
    for phase in event.phases:
        set_phase(served.store, FACILITATOR, ev, phase.name)
        expect(page.locator(".fac-table-header")).to_contain_text(phase.title, timeout=30_000)
        page.wait_for_selector(PART[phase.input], timeout=60_000)  # the phase's part, drawn after its title
        page.wait_for_timeout(500)
        found = page.evaluate(WIDE)
        screenshot(page, f"table-{phase.name}-390x844")
        if found["scroll"] > found["width"] or found["wide"]:
            problems[phase.name] = found
    assert problems == {}, f"wider than a phone: {problems}"


def test_kind_and_evidence_are_chosen_each_time_and_withdraw_has_undo(served: Served, pages: Pages) -> None:
    store = served.store
    ev = build_event(store).event_id
    page = pages.open(page_links(served.db, ev, served.base).tables["1"], ready=".fac-entry-text input")
    box = page.locator(".fac-entry-text input")
    expect(page.locator(".fac-entry-kind input:checked")).to_have_count(0)  # nothing chosen for the lead
    box.fill("Shared care record")
    box.press("Enter")
    saved = page.locator(".fac-saved-state")
    expect(saved).to_contain_text("Choose Enabler or Blocker or Asset", timeout=15_000)
    expect(box).to_have_value("Shared care record")  # nothing typed is lost
    page.get_by_role("radio", name="Blocker").check()
    box.press("Enter")
    expect(saved).to_contain_text("evidence level", timeout=15_000)
    page.locator(".fac-entry-evidence select").select_option(label="anecdote")
    page.locator(".fac-entry-source input").fill("Ward manager, <b>Tuesday</b>")  # a source, typed
    box.press("Enter")
    expect(saved).to_contain_text("Saved", timeout=15_000)
    assert [(e.kind, e.evidence, e.source) for e in list_entries(store, ev, table=1)] == [
        ("blocker", "anecdote", "Ward manager, <b>Tuesday</b>")
    ]
    expect(page.locator(".fac-entry-source input")).to_have_value("")  # the next entry names its own
    assert axe_violations(page) == []  # the source box is labelled like the rest of the form
    # the next entry asks again: nothing stays chosen from the last one
    expect(page.locator(".fac-entry-kind input:checked")).to_have_count(0, timeout=10_000)
    expect(page.locator(".fac-entry-evidence select")).to_have_value("")

    row = page.locator(".fac-entry-list li", has_text="Shared care record")
    row.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".fac-entry-list .fac-list-withdrawn")).to_contain_text("Withdrawn", timeout=15_000)
    assert list_entries(store, ev, table=1) == []
    screenshot(page, "table-withdrawn-undo-1366x768")
    page.locator(".fac-entry-undo").click()
    expect(page.locator(".fac-entry-list .fac-entry-withdraw")).to_have_count(1, timeout=15_000)
    expect(page.locator(".fac-entry-list .fac-list-withdrawn")).to_have_count(0)
    assert [e.text for e in list_entries(store, ev, table=1)] == ["Shared care record"]


def test_the_join_by_code_survives_a_reload(served: Served, pages: Pages) -> None:
    keys = build_event(served.store)
    ev = keys.event_id
    join = pages.open(page_links(served.db, ev, served.base).join, ready=".fac-join-code-input input")
    join.locator(".fac-join-code-input input").fill(keys.join_code.lower())
    join.locator(".fac-join-table select").select_option(label="Table 2")
    join.locator(".fac-join-submit").click()
    join.wait_for_selector(".fac-entry-text input", timeout=120_000)
    join.reload()
    join.wait_for_selector(".fac-table-header", timeout=120_000)
    expect(join.locator(".fac-table-header")).to_contain_text("Table 2")
    expect(join.locator(".fac-join-code-input")).to_have_count(0)


def test_the_per_theme_limit_shows_and_disables_plus_dot(served: Served, pages: Pages) -> None:
    store = served.store
    keys = build_event(store)
    ev = keys.event_id
    set_phase(store, FACILITATOR, ev, "ideas")
    for table, name in ((2, "Shared care records"), (3, "Volunteer drivers")):
        entry = add_entry(store, table_actor(table), ev, table, "idea", f"{name}: an idea")
        set_phase(store, FACILITATOR, ev, "grouping")
        create_theme(store, table_actor(table), ev, table, name, [entry])
        set_phase(store, FACILITATOR, ev, "ideas")
    set_voting_rules(store, FACILITATOR, ev, dots_per_voter=3, max_per_theme=1)
    set_phase(store, FACILITATOR, ev, "voting")
    page = pages.open(page_links(served.db, ev, served.base).tables["1"], ready="body")
    page.wait_for_selector(".fac-vote-list .fac-dot-add", timeout=OPEN_MS)
    expect(page.locator(".fac-dots-left")).to_contain_text("At most 1 dot on one theme")
    row = page.locator(".fac-vote-list li", has_text="Volunteer drivers")
    row.locator(".fac-dot-add").click()
    expect(row.locator(".fac-dot-add")).to_be_disabled(timeout=15_000)
    expect(row).to_contain_text("the most on one theme")
    other = page.locator(".fac-vote-list li", has_text="Shared care records")
    expect(other.locator(".fac-dot-add")).to_be_enabled()
    screenshot(page, "table-voting-limit-1366x768")


def test_choose_kind_helper_is_what_a_lead_does(served: Served, pages: Pages) -> None:
    """The helper the other browser tests use chooses through the page, as a lead would."""
    ev = build_event(served.store).event_id
    page = pages.open(page_links(served.db, ev, served.base).tables["3"], ready=".fac-entry-text input")
    choose_kind(page, "Enabler")
    box = page.locator(".fac-entry-text input")
    box.fill("Chosen by the helper")
    box.press("Enter")
    expect(page.locator(".fac-saved-state")).to_contain_text("Saved", timeout=15_000)
    assert [(e.kind, e.evidence) for e in list_entries(served.store, ev, table=3)] == [("enabler", None)]
