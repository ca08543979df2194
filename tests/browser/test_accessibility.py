"""axe-core on every page, in every phase, and on every tab of the organiser page.

One server (the session's), one demo event, one page of each kind: the projector at
1920x1080, the facilitator's console, a table page, the join page and the organiser
page at 1366x768. The event steps through its phases with the rules between audits,
and each page is audited as it redraws, never reopened. A violation of any impact
fails the test, listed with where it is (state, page, rule, impact, target, snippet); the
projector's text is held to 7:1 contrast (axe's enhanced rule), the house target for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from facilitation.access import FACILITATOR, table_actor
from facilitation.demo import build_demo, demo_people_csv
from facilitation.events.rules import get_event, set_input_lock, set_phase
from facilitation.plans.rules import list_groups
from facilitation.serving.server import page_links
from facilitation.voting.rules import add_dot, open_runoff, reveal_votes, tally

from .conftest import Pages, Served, axe_violations, describe_violations, screenshot

pytestmark = pytest.mark.browser

ORGANISER_TABS = ["People", "Seating", "Join cards", "Inclusion", "Exports", "Series", "New event"]


class Audit:
    """Runs axe on pages and keeps every violation with the state and page it was found on."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.audited: list[str] = []

    def __call__(self, state: str, name: str, page: Any) -> None:
        self.audited.append(f"{state} / {name}")
        # the projector is read from the back of a room: its text is held to 7:1, not 4.5:1
        found = axe_violations(page, enhanced_contrast=name == "projector")
        self.found += [f"{state} / {name}: {line}" for line in describe_violations(found)]


# what each page draws for a phase, beyond its title: audited only once it is there
DRAWN = {
    "grouping": {"table": ".fac-dragboard .fac-drag-column", "projector": ".fac-projector-wall .fac-card"},
    "voting": {"table": ".fac-voting", "facilitator": ".fac-voting-rules"},
    "collaboration": {"table": ".fac-links-person", "projector": ".fac-netmap svg[aria-label]"},
    "action-plans": {"table": ".fac-plan-purpose", "projector": ".fac-projector-wall .fac-card"},
    "close": {"projector": ".fac-projector-wall .fac-card"},
}


def _show_phase(pages: dict[str, Any], name: str, title: str) -> None:
    """Wait until every page that follows the phase shows ``title`` and what it draws for the phase."""
    expect(pages["projector"].locator(".fac-phase-title h1")).to_have_text(title, timeout=20_000)
    expect(pages["facilitator"].locator(".fac-console-header")).to_contain_text(title, timeout=20_000)
    expect(pages["table"].locator(".fac-table-header")).to_contain_text(title, timeout=20_000)
    for page, selector in DRAWN.get(name, {}).items():
        expect(pages[page].locator(selector).first).to_be_visible(timeout=30_000)


def _audit_state(audit: Audit, pages: dict[str, Any], state: str, shots: bool = False) -> None:
    for name, page in pages.items():
        page.wait_for_timeout(300)  # a redraw sends its widgets in a few messages
        # a page that lost its kernel is dimmed on purpose: say so, not fifty contrast lines
        expect(page.locator(".fac-reload-banner"), f"{name} lost its connection ({state})").to_have_count(0)
        audit(state, name, page)
        if shots:
            size = "1920x1080" if name == "projector" else "1366x768"
            screenshot(page, f"a11y-{state.replace(' ', '-')}-{name}-{size}")


def _organiser_tabs(audit: Audit, organiser: Any, tmp: Path) -> None:
    """Each tab of the organiser page with what its button shows, audited in turn."""

    def tab(name: str) -> None:
        organiser.get_by_role("tab", name=name).click()
        expect(organiser.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")

    attendees = tmp / "attendees.csv"
    attendees.write_bytes(demo_people_csv())
    tab("People")
    with organiser.expect_file_chooser() as chooser:
        organiser.locator(".fac-org-upload").click()
    chooser.value.set_files(str(attendees))
    expect(organiser.locator(".fac-org-preview")).not_to_be_empty(timeout=20_000)
    audit("organiser", "People", organiser)
    tab("Seating")
    organiser.locator(".fac-org-plan").click()
    expect(organiser.locator(".fac-org-plan-view")).not_to_be_empty(timeout=20_000)
    audit("organiser", "Seating", organiser)
    tab("Join cards")
    organiser.locator(".fac-org-cards").click()
    expect(organiser.locator(".fac-org-cards-view a.fac-download")).to_be_visible(timeout=20_000)
    audit("organiser", "Join cards", organiser)
    tab("Inclusion")
    audit("organiser", "Inclusion", organiser)
    tab("Exports")
    organiser.locator(".fac-export-md").click()
    expect(organiser.locator(".fac-org-downloads a.fac-download").first).to_be_visible(timeout=30_000)
    audit("organiser", "Exports", organiser)
    screenshot(organiser, "a11y-organiser-exports-1366x768")
    tab("Series")
    expect(organiser.locator(".fac-org-series table").first).to_be_visible(timeout=20_000)
    audit("organiser", "Series", organiser)
    tab("New event")
    audit("organiser", "New event", organiser)
    screenshot(organiser, "a11y-organiser-new-event-1366x768")


def test_every_page_in_every_phase_has_no_axe_violation(served: Served, pages: Pages, tmp_path: Path) -> None:
    store = served.store
    ev = build_demo(store).event_id
    links = page_links(served.db, ev, served.base)
    # the table page of a table that leads a group, so the plan form is audited too
    lead = next(g.lead_table for g in list_groups(store, ev) if g.lead_table is not None)
    set_phase(store, FACILITATOR, ev, "framing")

    opened = {
        "projector": pages.open(links.projector, width=1920, height=1080, ready=".fac-projector-wall"),
        "facilitator": pages.open(links.facilitator, ready=".fac-next-phase"),
        "table": pages.open(links.tables[str(lead)], ready=".fac-table-header"),
    }
    join = pages.open(links.join, ready=".fac-join-code-input input")
    organiser = pages.open(links.organiser, ready=".fac-organiser")
    audit = Audit()

    # the pages that do not follow the phase, once: the join page, every organiser tab
    audit("any phase", "join", join)
    _organiser_tabs(audit, organiser, tmp_path)

    phases = get_event(store, ev).phases
    for phase in phases:
        set_phase(store, FACILITATOR, ev, phase.name)
        _show_phase(opened, phase.name, phase.title)
        if phase.name == "voting":
            # round 1 was revealed when the demo voted: the result
            expect(opened["projector"].locator(".fac-bars")).to_be_visible(timeout=20_000)
            _audit_state(audit, opened, "voting revealed", shots=True)
            # a run-off between the two leaders: voting open, the result hidden, a dot placed
            ranked = [row.theme_id for row in tally(store, FACILITATOR, ev)]
            open_runoff(store, FACILITATOR, ev, ranked[:2])
            add_dot(store, table_actor(lead), ev, ranked[0])
            expect(opened["facilitator"].locator(".fac-reveal-votes")).to_be_enabled(timeout=20_000)
            expect(opened["projector"].locator(".fac-hidden-note")).to_be_visible(timeout=20_000)
            _audit_state(audit, opened, "voting run-off before reveal", shots=True)
            reveal_votes(store, FACILITATOR, ev, force=True)
            expect(opened["facilitator"].locator(".fac-reveal-votes")).to_be_disabled(timeout=20_000)
            expect(opened["projector"].locator(".fac-bars")).to_be_visible(timeout=20_000)
            _audit_state(audit, opened, "voting run-off revealed", shots=True)
        elif phase.name == "ideas":
            # the lock's notes on the projector and the table page, with the wall of ideas
            set_input_lock(store, FACILITATOR, ev, True)
            expect(opened["table"].locator(".fac-lock-note")).to_contain_text("locked", timeout=20_000)
            expect(opened["projector"].locator(".fac-phase-title")).to_contain_text("locked")
            _audit_state(audit, opened, "ideas locked", shots=True)
        else:
            _audit_state(audit, opened, phase.name, shots=True)

    assert len(audit.audited) == 1 + len(ORGANISER_TABS) + 3 * (len(phases) + 2)
    assert not audit.found, f"{len(audit.found)} axe violations:\n" + "\n".join(audit.found)


def test_the_system_map_and_the_priority_circle_have_no_axe_violation(served: Served, pages: Pages) -> None:
    """The system map's table panel and projector picture, the console's map and circle
    controls, and the projector's circle, each audited once drawn with something on it."""
    from facilitation.access import ORGANISER
    from facilitation.events import create_event
    from facilitation.priority_circle import place, show_circle
    from facilitation.system_map import add_arrow, add_element
    from facilitation.themes.grouping import create_theme

    store = served.store
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-full-day", title="Whole day", tables=3
    ).event_id
    links = page_links(served.db, ev, served.base)
    set_phase(store, FACILITATOR, ev, "system-map")
    a = add_element(store, table_actor(1), ev, 1, "driver", "Funding rules")
    b = add_element(store, table_actor(2), ev, 2, "actor", "GPs")
    add_arrow(store, table_actor(1), ev, 1, a, "drives", b)
    audit = Audit()
    projector = pages.open(links.projector, width=1920, height=1080, ready=".fac-sysmap-stage svg")
    expect(projector.locator(".fac-sysmap-node-label")).to_have_count(2, timeout=60_000)
    table = pages.open(links.tables["1"], ready=".fac-sysmap-elements li")
    console = pages.open(links.facilitator, ready=".fac-sysmap-merge-from select")
    audit("system map", "projector", projector)
    audit("system map", "table", table)
    audit("system map", "facilitator", console)
    set_phase(store, FACILITATOR, ev, "grouping")
    place(
        store,
        FACILITATOR,
        ev,
        "theme",
        create_theme(store, table_actor(1), ev, 1, "Falls"),
        "Digital and data",
    )
    show_circle(store, FACILITATOR, ev)
    expect(projector.locator(".fac-circle-name")).to_have_count(1, timeout=30_000)
    expect(console.locator(".fac-circle-list")).to_contain_text("Falls", timeout=30_000)
    audit("priority circle", "projector", projector)
    audit("priority circle", "facilitator", console)
    screenshot(console, "a11y-console-circle-1366x768")
    assert not audit.found, f"{len(audit.found)} axe violations:\n" + "\n".join(audit.found)
