"""The system map and the priority circle in real Chromium against a real ``facilitate serve``."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from facilitation.access import FACILITATOR, ORGANISER
from facilitation.events import create_event, set_phase
from facilitation.serving import page_links
from facilitation.system_map import system_map

from .conftest import Pages, Served, axe_violations, describe_violations, screenshot

pytestmark = pytest.mark.browser


def tab_to(page, selector: str, presses: int = 80) -> None:
    """Press Tab until the focus is on ``selector``."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with Tab")


def _full_day(served: Served, phase: str) -> tuple[int, object]:
    ev = create_event(
        served.store,
        ORGANISER,
        template="innovation-challenge-full-day",
        title="Frailty: whole day",
        tables=3,
    ).event_id
    set_phase(served.store, FACILITATOR, ev, phase)
    return ev, page_links(served.db, ev, served.base)


def test_a_table_maps_two_elements_and_an_arrow_by_keyboard_and_the_projector_draws_them(
    served: Served, pages: Pages
) -> None:
    ev, links = _full_day(served, "system-map")
    projector = pages.open(links.projector, width=1920, height=1080, ready=".fac-sysmap-stage svg")
    expect(projector.locator(".fac-sysmap-stage svg")).to_have_attribute(
        "aria-label", "System map: 0 elements, 0 arrows", timeout=20_000
    )
    table = pages.open(links.tables["1"], ready=".fac-sysmap-label")
    # the first element: Tab to the box, type, Enter (the kind stays "driver")
    tab_to(table, ".fac-sysmap-label")
    table.keyboard.type("Funding <b>rules</b>")
    table.keyboard.press("Enter")
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=15_000)
    expect(table.locator(".fac-sysmap-elements")).to_contain_text("Funding <b>rules</b>", timeout=10_000)
    expect(table.locator(".fac-sysmap-label")).to_have_value("")
    # the second: type, Tab to the kind, choose "actor" by its first letter, Tab to Add, Enter
    table.keyboard.type("GPs")
    table.keyboard.press("Tab")
    table.keyboard.press("a")
    expect(table.locator(".fac-sysmap-kind")).to_have_value("actor")
    table.keyboard.press("Tab")
    table.keyboard.press("Enter")
    expect(table.locator(".fac-sysmap-elements li")).to_have_count(2, timeout=15_000)
    # the arrow: From (Funding rules) drives To (GPs), Add arrow
    tab_to(table, ".fac-sysmap-from")
    table.keyboard.press("f")
    table.keyboard.press("Tab")  # the relation: drives
    table.keyboard.press("Tab")
    table.keyboard.press("g")
    expect(table.locator(".fac-sysmap-to")).to_have_value(re.compile(r"\d+"))
    table.keyboard.press("Tab")
    table.keyboard.press("Enter")
    expect(table.locator(".fac-sysmap-arrows")).to_contain_text("drives", timeout=15_000)
    m = system_map(served.store, ev)
    assert sorted((e.label, e.kind) for e in m.elements) == [
        ("Funding <b>rules</b>", "driver"),
        ("GPs", "actor"),
    ]
    assert [(m.label_of(a.source), a.relation, m.label_of(a.target)) for a in m.arrows] == [
        ("Funding <b>rules</b>", "drives", "GPs")
    ]
    # the projector draws both and the arrow; the typed markup is text, not markup
    svg = projector.locator(".fac-sysmap-stage svg")
    expect(svg).to_have_attribute("aria-label", "System map: 2 elements, 1 arrows", timeout=15_000)
    expect(projector.locator(".fac-sysmap-node-label", has_text="Funding <b>rules</b>")).to_have_count(1)
    expect(projector.locator(".fac-sysmap-node-label", has_text="GPs")).to_have_count(1)
    assert projector.locator(".fac-sysmap-stage b").count() == 0
    expect(projector.locator("path.fac-sysmap-arrow")).to_have_count(1)
    screenshot(projector, "projector-system-map-1920x1080")
    screenshot(table, "table-system-map-1366x768")
    table.set_viewport_size({"width": 390, "height": 844})
    table.wait_for_timeout(500)
    screenshot(table, "table-system-map-390x844")
    wide = table.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the phone page scrolls sideways ({wide}px)"
    found = describe_violations(axe_violations(table)) + describe_violations(
        axe_violations(projector, enhanced_contrast=True)
    )
    assert not found, "\n".join(found)
    assert not pages.dialogs


def test_the_facilitator_places_a_theme_and_the_projector_circle_shows_it(
    served: Served, pages: Pages
) -> None:
    from facilitation.access import table_actor
    from facilitation.priority_circle import priority_circle
    from facilitation.themes.grouping import create_theme

    ev, links = _full_day(served, "grouping")
    create_theme(served.store, table_actor(1), ev, 1, "Falls <i>at</i> home")
    projector = pages.open(links.projector, width=1920, height=1080, ready=".fac-projector-wall")
    console = pages.open(links.facilitator, ready=".fac-circle-subject select")
    console.locator(".fac-circle-subject select").select_option(label="Theme: Falls <i>at</i> home (table 1)")
    console.locator(".fac-circle-area-choice select").select_option(label="Housing and health")
    console.locator(".fac-circle-place").click()
    expect(console.locator(".fac-circle-list")).to_contain_text(
        "Housing and health: Falls <i>at</i> home", timeout=15_000
    )
    assert [(p.name, p.area) for p in priority_circle(served.store, ev).placements] == [
        ("Falls <i>at</i> home", "Housing and health")
    ]
    console.locator(".fac-circle-show").click()
    svg = projector.locator(".fac-circle-svg")
    expect(svg).to_have_attribute("aria-label", "Priority circle: 6 priority areas, 1 placed", timeout=20_000)
    expect(projector.locator(".fac-circle-name", has_text="Falls <i>at</i> home")).to_have_count(1)
    expect(projector.locator(".fac-circle-area")).to_have_count(6)
    assert projector.locator(".fac-circle-svg i").count() == 0
    screenshot(projector, "projector-priority-circle-1920x1080")
    screenshot(console, "console-priority-circle-1366x768")
    found = describe_violations(axe_violations(console)) + describe_violations(
        axe_violations(projector, enhanced_contrast=True)
    )
    assert not found, "\n".join(found)
    assert not pages.dialogs
