"""The table page's save line tells the truth, in real Chromium against a real ``facilitate serve``.

Issue 18: the theme name, the link note and the first action said "Saving: waiting
for the connection" after their write was stored; fast typing then Enter stored
garbled entries; a plan's Purpose typed but not saved was gone after the phase moved
on and back; "Add person" with an empty name failed silently in framing; the reload
banner stayed after the link came back. Each test here builds an event of its own
(other browser tests add entries to the session's shared event).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from liveserver import choose_kind
from playwright.sync_api import expect

from facilitation.access import FACILITATOR, table_actor
from facilitation.capture.rules import add_entry, list_entries
from facilitation.events.rules import set_phase
from facilitation.network.rules import list_links
from facilitation.plans.rules import list_groups, promote_theme
from facilitation.serving.server import page_links
from facilitation.themes.grouping import create_theme, list_themes

from .conftest import Pages, Served, axe_violations, build_event, screenshot

pytestmark = pytest.mark.browser

WAITING = "waiting for the connection"

# Every text the save line shows, in order, from now on (a MutationObserver in the page).
WATCH = """() => {
  window.__states = [];
  const seen = () => {
    const line = document.querySelector('.fac-saved-state');
    const text = line ? line.innerText.trim() : '';
    if (window.__states[window.__states.length - 1] !== text) window.__states.push(text);
  };
  seen();
  new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def watch(page: Any) -> None:
    page.evaluate(WATCH)


def states(page: Any) -> list[str]:
    return [str(s) for s in page.evaluate("() => window.__states.slice()")]


def settled_saved(page: Any, *, wait: float = 5.5) -> list[str]:
    """Wait ``wait`` seconds after Enter, then the states the line went through; it must end on Saved."""
    time.sleep(wait)
    seen = states(page)
    assert not any(WAITING in s for s in seen), seen
    assert seen and "Saved" in seen[-1] and "Not saved" not in seen[-1], seen
    return seen


def test_theme_name_link_note_and_first_action_say_saved_and_nothing_else(
    served: Served, pages: Pages
) -> None:
    store = served.store
    ev = build_event(store).event_id
    links = page_links(served.db, ev, served.base)
    add_entry(store, table_actor(1), ev, 1, "enabler", "Volunteer drivers")
    set_phase(store, FACILITATOR, ev, "grouping")
    table = pages.open(links.tables["1"], ready=".fac-board-keyboard input[type=checkbox]")

    # grouping: tick the entry, name a theme, Enter
    keyboard = table.locator(".fac-board-keyboard")
    keyboard.locator("input[type=checkbox]").first.check()
    watch(table)
    name = keyboard.locator(".fac-theme-name input")
    name.fill("Transport")
    name.press("Enter")
    settled_saved(table)
    assert [t.name for t in list_themes(store, ev, table=1)] == ["Transport"]
    expect(name).to_have_value("")

    # collaboration: a link with a note, Enter
    set_phase(store, FACILITATOR, ev, "collaboration")
    table.wait_for_selector(".fac-links-note input", timeout=20_000)
    table.locator(".fac-links-person select").select_option(label="Ama Owusu (Eastbrook City Council)")
    table.locator(".fac-links-other input").fill("Priya")  # the searchable picker
    table.locator(".fac-links-other .fac-picker-option", has_text="Priya Shah").click()
    watch(table)
    note = table.locator(".fac-links-note input")
    note.fill("Falls pathway pilot")
    note.press("Enter")
    settled_saved(table)
    assert [x.note for x in list_links(store, ev, table=1)] == ["Falls pathway pilot"]
    expect(note).to_have_value("")

    # action plans: the first action, Enter
    theme = list_themes(store, ev, table=1)[0].id
    gid = promote_theme(store, FACILITATOR, ev, theme, lead_table=1)
    set_phase(store, FACILITATOR, ev, "action-plans")
    table.wait_for_selector(".fac-action-text input", timeout=20_000)
    watch(table)
    action = table.locator(".fac-action-text input")
    action.fill("Map every volunteer driver scheme")
    action.press("Enter")
    settled_saved(table)
    (group,) = [g for g in list_groups(store, ev) if g.id == gid]
    assert [a.text for a in group.actions] == ["Map every volunteer driver scheme"]
    expect(action).to_have_value("")
    assert not pages.dialogs


FIRST = "Volunteer drivers take people home after a fall at night"
SECOND = "Pharmacists review every medicine after discharge from hospital"


def test_fast_typing_then_enter_then_typing_at_once_stores_both_exactly(served: Served, pages: Pages) -> None:
    store = served.store
    ev = build_event(store).event_id
    links = page_links(served.db, ev, served.base)
    table = pages.open(links.tables["1"], ready=".fac-entry-text input")
    box = table.locator(".fac-entry-text input")
    box.click()
    choose_kind(table)
    box.type(FIRST, delay=10)
    box.press("Enter")
    choose_kind(table)  # each entry chooses its kind
    box.type(SECOND, delay=10)  # at once: no wait for "Saved"
    box.press("Enter")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(list_entries(store, ev, table=1)) < 2:
        time.sleep(0.25)
    time.sleep(2)  # anything late would land now
    stored = [e.text for e in list_entries(store, ev, table=1)]
    # main stored the first text, then "first + second" typed into the box it kept
    assert sorted(stored) == sorted([FIRST, SECOND]), (stored, box.input_value())
    expect(box).to_have_value("")
    expect(table.locator(".fac-entry-list")).to_contain_text(SECOND, timeout=10_000)
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved")


def test_plan_purpose_typed_but_not_saved_is_offered_back_after_a_phase_move(
    served: Served, pages: Pages
) -> None:
    store = served.store
    ev = build_event(store).event_id
    links = page_links(served.db, ev, served.base)
    theme = create_theme(store, FACILITATOR, ev, 1, "Falls prevention", [])
    promote_theme(store, FACILITATOR, ev, theme, lead_table=1)
    set_phase(store, FACILITATOR, ev, "action-plans")
    table = pages.open(links.tables["1"], ready=".fac-plan-purpose textarea")
    purpose = table.locator(".fac-plan-purpose textarea")
    purpose.click()
    purpose.type("Fewer falls at home", delay=10)
    time.sleep(1.5)  # the lead looks up; "Save plan" is not pressed
    set_phase(store, FACILITATOR, ev, "collaboration")
    table.wait_for_selector(".fac-links-note input", timeout=20_000)
    set_phase(store, FACILITATOR, ev, "action-plans")
    table.wait_for_selector(".fac-plan-purpose textarea", timeout=20_000)
    expect(table.locator(".fac-plan-purpose textarea")).to_have_value("Fewer falls at home", timeout=10_000)
    (group,) = list_groups(store, ev)
    # kept: either saved as typed, or offered back as a draft that says it is not saved yet
    if group.purpose != "Fewer falls at home":
        expect(table.locator(".fac-plan-dirty")).to_contain_text("not saved", timeout=5_000)


def test_add_person_with_no_name_in_framing_says_why(served: Served, pages: Pages) -> None:
    store = served.store
    ev = build_event(store).event_id
    links = page_links(served.db, ev, served.base)
    set_phase(store, FACILITATOR, ev, "framing")
    table = pages.open(links.tables["3"], ready="button:has-text('Add person')")
    add = table.get_by_role("button", name="Add person")
    add.click()
    line = table.locator(".fac-saved-state")
    expect(line).to_be_visible(timeout=10_000)
    expect(line).to_contain_text("Not saved", timeout=10_000)
    expect(line).to_contain_text("name", ignore_case=True)
    table.get_by_placeholder("Name", exact=True).fill("Dot Adebayo")
    add.click()
    expect(line).to_contain_text("Saved", timeout=10_000)
    expect(line).to_contain_text("Dot Adebayo")
    screenshot(table, "table-framing-person-1366x768")
    assert axe_violations(table) == []
    # the message belongs to framing: the next phase's page does not carry it
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    table.wait_for_selector(".fac-entry-text input:visible", timeout=20_000)
    expect(line).not_to_contain_text("Dot Adebayo", timeout=10_000)


def test_reload_banner_clears_when_the_link_returns(served: Served, pages: Pages) -> None:
    store = served.store
    ev = build_event(store).event_id
    links = page_links(served.db, ev, served.base)
    table = pages.open(links.tables["2"], ready=".fac-entry-text input")
    table.wait_for_selector(".fac-heartbeat", state="attached", timeout=20_000)
    table.context.set_offline(True)  # the venue Wi-Fi drops: the pings stop being answered
    try:
        expect(table.locator(".fac-reload-banner")).to_be_visible(timeout=20_000)
    finally:
        table.context.set_offline(False)
    expect(table.locator(".fac-reload-banner")).to_have_count(0, timeout=30_000)
    assert not table.evaluate("() => document.body.classList.contains('fac-disconnected')")
    box = table.locator(".fac-entry-text input")
    box.fill("Typed after the link came back")
    choose_kind(table)
    box.press("Enter")
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=15_000)
