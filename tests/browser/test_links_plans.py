"""The table page's links and plans in real Chromium against a real ``facilitate serve``."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from facilitation.access import FACILITATOR, table_actor
from facilitation.capture.rules import add_entry
from facilitation.events.rules import set_phase
from facilitation.network.rules import list_links
from facilitation.people.rules import list_people
from facilitation.plans.rules import list_groups, promote_theme
from facilitation.themes.grouping import create_theme

from .conftest import Pages, Served, axe_violations, screenshot

pytestmark = pytest.mark.browser

TIES = re.compile(r"(\d+) ties")


def map_ties(projector) -> int:
    label = projector.locator(".fac-netmap-stage svg").get_attribute("aria-label") or ""
    found = TIES.search(label)
    assert found, label
    return int(found.group(1))


def tab_to(page, selector: str, presses: int = 60) -> None:
    """Press Tab until the focus is inside ``selector``."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.closest(s) !== null", selector
        ):
            return
    pytest.fail(f"{selector} cannot be reached with Tab")


def test_link_recorded_at_a_table_reaches_the_projector_map(served: Served, pages: Pages) -> None:
    store, ev = served.store, served.keys.event_id
    set_phase(store, FACILITATOR, ev, "collaboration")
    projector = pages.open(served.links["projector"], width=1920, height=1080, ready=".fac-netmap-stage svg")
    before = map_ties(projector)
    table = pages.open(served.links["table 1"], ready=".fac-links-person select")
    table.locator(".fac-links-person select").select_option(label="Ama Owusu (Eastbrook City Council)")
    table.locator(".fac-links-other input").fill("Priya")  # the searchable picker
    table.locator(".fac-links-other .fac-picker-option", has_text="Priya Shah").click()
    expect(table.locator(".fac-links-other")).to_contain_text("Chosen: Priya Shah")
    table.get_by_role("radio", name="Will work with").check()
    note = table.locator(".fac-links-note input")
    note.fill("Falls pathway pilot")
    note.press("Enter")
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
    expect(table.locator(".fac-links-list")).to_contain_text("will work with", timeout=5_000)
    expect(table.locator(".fac-links-list")).to_contain_text("Falls pathway pilot")
    expect(note).to_have_value("")
    # the form asks again for the next link: a double click records nothing more
    table.locator(".fac-links-submit").dblclick()
    expect(table.locator(".fac-saved-state")).to_contain_text("Choose someone at your table", timeout=10_000)
    pairs = [(x.name_a, x.name_b, x.kind) for x in list_links(store, ev)]
    assert pairs.count(("Ama Owusu", "Priya Shah", "will work with")) == 1
    projector.wait_for_function(
        "n => /(\\d+) ties/.test(document.querySelector('.fac-netmap-stage svg').getAttribute('aria-label'))"
        " && +document.querySelector('.fac-netmap-stage svg').getAttribute('aria-label').match(/(\\d+) ties/)[1] > n",
        arg=before,
        timeout=10_000,
    )
    expect(projector.locator(".fac-netmap-aside")).to_contain_text("ties", ignore_case=True)
    screenshot(table, "table-links-1366x768")
    screenshot(projector, "projector-links-1920x1080")
    violations = axe_violations(table)
    assert violations == [], violations
    assert not pages.dialogs


def test_link_by_keyboard_alone(served: Served, pages: Pages) -> None:
    store, ev = served.store, served.keys.event_id
    set_phase(store, FACILITATOR, ev, "collaboration")
    table = pages.open(served.links["table 1"], ready=".fac-links-person select")
    table.locator("body").click(position={"x": 5, "y": 5})
    tab_to(table, ".fac-links-person")
    table.keyboard.press("ArrowDown")  # past "choose..." (nobody is chosen for the lead)
    table.keyboard.press("ArrowDown")  # the second person at the table: Tomasz
    tab_to(table, ".fac-links-other", presses=5)
    table.keyboard.type("Priya")  # the picker's search
    table.keyboard.press("Enter")  # the first match
    expect(table.locator(".fac-links-other")).to_contain_text("Chosen: Priya Shah", timeout=10_000)
    tab_to(table, ".fac-links-kind", presses=5)  # "Worked with" is chosen, the first kind
    tab_to(table, ".fac-links-note", presses=8)
    table.keyboard.type("Typed with the keyboard")
    table.keyboard.press("Enter")
    expect(table.locator(".fac-links-list")).to_contain_text("Typed with the keyboard", timeout=10_000)
    tomasz = next(p.id for p in list_people(store, ev) if p.name == "Tomasz Nowak")
    assert [
        (x.person_a, x.name_b, x.note) for x in list_links(store, ev, table=1) if x.person_a == tomasz
    ] == [(tomasz, "Priya Shah", "Typed with the keyboard")]
    tab_to(table, ".fac-links-withdraw", presses=12)
    table.keyboard.press("Enter")
    expect(table.locator(".fac-links-list")).not_to_contain_text("Typed with the keyboard", timeout=10_000)


def test_lead_table_drafts_a_plan_that_survives_a_reload(served: Served, pages: Pages) -> None:
    store, ev = served.store, served.keys.event_id
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    blocker = add_entry(store, table_actor(2), ev, 2, "blocker", "Nobody owns the falls pathway")
    theme = create_theme(store, FACILITATOR, ev, 1, "Falls prevention", [])
    gid = promote_theme(store, FACILITATOR, ev, theme, lead_table=1)
    set_phase(store, FACILITATOR, ev, "action-plans")
    table = pages.open(served.links["table 1"], ready=".fac-plan-purpose textarea")
    expect(table.locator(".fac-plan-note")).to_contain_text("Falls prevention")
    table.locator(".fac-plan-purpose textarea").fill("Fewer falls at home, one pathway")
    table.locator(".fac-plan-sponsor input").fill("Director of Public Health")
    expect(table.locator(".fac-plan-dirty")).to_contain_text("not saved yet", timeout=5_000)
    table.locator(".fac-plan-save").click()
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
    expect(table.locator(".fac-plan-dirty")).to_contain_text("Plan saved", timeout=5_000)
    table.locator(".fac-plan-entry-choice select").select_option(
        label="Blocker, table 2: Nobody owns the falls pathway"
    )
    table.locator(".fac-plan-entry-link").click()
    expect(table.locator(".fac-plan-entries")).to_contain_text(
        "Nobody owns the falls pathway", timeout=10_000
    )
    table.locator(".fac-action-owner input").fill("Ama Owusu")
    table.locator(".fac-action-due input").fill("2027-03-31")
    action = table.locator(".fac-action-text input")
    action.fill("Map every falls service in Eastbrook")
    action.press("Enter")
    expect(table.locator(".fac-action-list")).to_contain_text("Map every falls service", timeout=10_000)
    expect(table.locator(".fac-action-list")).to_contain_text("owner Ama Owusu")
    expect(action).to_have_value("")
    table.locator(".fac-action-list").scroll_into_view_if_needed()
    screenshot(table, "table-plans-actions-1366x768")
    table.locator(".fac-table-header").scroll_into_view_if_needed()
    screenshot(table, "table-plans-1366x768")
    violations = axe_violations(table)
    assert violations == [], violations

    table.reload()
    table.wait_for_selector(".fac-action-list", timeout=60_000)
    expect(table.locator(".fac-action-list")).to_contain_text("Map every falls service", timeout=10_000)
    expect(table.locator(".fac-plan-purpose textarea")).to_have_value("Fewer falls at home, one pathway")
    expect(table.locator(".fac-plan-sponsor input")).to_have_value("Director of Public Health")
    g = next(g for g in list_groups(store, ev) if g.id == gid)
    assert g.purpose == "Fewer falls at home, one pathway"
    assert [(a.text, a.owner, a.due_on) for a in g.actions] == [
        ("Map every falls service in Eastbrook", "Ama Owusu", "2027-03-31")
    ]
    assert [e.entry_id for e in g.entries] == [blocker]

    other = pages.open(served.links["table 3"], ready=".fac-plan-note")
    expect(other.locator(".fac-plan-note")).to_contain_text("Table 1 leads 'Falls prevention'")
    screenshot(other, "table-plans-none-1366x768")
    assert not pages.dialogs
