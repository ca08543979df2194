"""Grouping and dot voting in real Chromium against a real ``facilitate serve``:
group by drag and by keyboard, vote until no dots are left, hide then reveal, a tie."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import expect

from facilitation.access import FACILITATOR, table_actor
from facilitation.capture.rules import add_entry, list_entries
from facilitation.errors import FacilitationError
from facilitation.events.rules import get_event, set_phase
from facilitation.people.rules import list_people
from facilitation.serving.server import page_links
from facilitation.themes.grouping import create_theme, list_themes
from facilitation.voting.rules import dots_left, reveal_votes, set_voting_rules, voter_label

from .conftest import Pages, Served, axe_violations, build_event, screenshot

pytestmark = pytest.mark.browser


def test_group_by_drag_and_keyboard_then_vote_and_reveal_a_tie(served: Served, pages: Pages) -> None:
    # an event of its own: other browser tests add entries to the session's shared event
    store = served.store
    ev = build_event(store).event_id
    links = page_links(served.db, ev, served.base)
    texts = ["Falls <script>alert(1)</script> clinic", "Home adaptations faster", "Volunteer drivers"]
    ids = [add_entry(store, table_actor(3), ev, 3, "enabler", t) for t in texts]
    other = add_entry(store, table_actor(4), ev, 4, "idea", "Falls clinic in every practice")
    set_phase(store, FACILITATOR, ev, "grouping")
    create_theme(store, table_actor(4), ev, 4, "Falls clinics", [other])
    try:
        table = pages.open(links.tables["3"], ready=".fac-dragboard .fac-drag-entry")
        board = table.locator(".fac-dragboard")
        # the hostile text shows as typed (textContent), and nothing ran
        expect(board.locator(".fac-drag-entry").first).to_have_text(texts[0])

        # group by drag: onto "new theme", then onto that theme
        board.locator(".fac-drag-new-name").fill("Falls prevention")
        board.locator(".fac-drag-entry", has_text="Falls").drag_to(board.locator(".fac-drag-new"))
        expect(board.locator(".fac-drag-theme .fac-drag-title")).to_have_text(
            "Falls prevention", timeout=10_000
        )
        board.locator(".fac-drag-entry", has_text="Home adaptations").drag_to(
            board.locator(".fac-drag-theme")
        )
        expect(board.locator(".fac-drag-theme .fac-drag-entry")).to_have_count(2, timeout=10_000)
        (falls,) = list_themes(store, ev, table=3)
        assert falls.name == "Falls prevention" and set(falls.entry_ids) == set(ids[:2])

        # group by keyboard: tick the third entry, name a theme, press the button
        keyboard = table.locator(".fac-board-keyboard")
        keyboard.locator("input[type=checkbox]").nth(2).focus()
        table.keyboard.press("Space")
        keyboard.locator(".fac-theme-name input").focus()
        table.keyboard.type("Transport")
        table.keyboard.press("Enter")  # Enter in the name groups the ticked entries
        expect(board.locator(".fac-drag-theme .fac-drag-title")).to_have_count(2, timeout=10_000)
        assert {t.name: set(t.entry_ids) for t in list_themes(store, ev, table=3)}["Transport"] == {ids[2]}
        expect(keyboard).to_contain_text("Volunteer drivers \u2192 Transport", timeout=10_000)
        expect(keyboard.locator(".fac-theme-name input")).to_have_value("", timeout=10_000)
        expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
        screenshot(table, "grouping-table-1366x768")
        assert axe_violations(table) == []

        console = pages.open(links.facilitator, width=1920, height=1080, ready=".fac-voting-rules")
        expect(console.locator(".fac-suggestion")).to_have_count(1, timeout=10_000)
        expect(console.locator(".fac-suggestion")).to_contain_text("Falls clinics")
        screenshot(console, "grouping-console-1920x1080")
        # rules before voting opens: two dots each
        console.locator(".fac-voting-rules input[type=number]").first.fill("2")
        console.locator(".fac-voting-rules-save").click()
        expect(console.locator(".fac-console-message")).to_contain_text("Voting rules saved", timeout=10_000)
        assert get_event(store, ev).voting_rules.dots_per_voter == 2

        set_phase(store, FACILITATOR, ev, "voting")
        projector = pages.open(links.projector, width=1920, height=1080, ready=".fac-projector-wall")
        expect(table.locator(".fac-vote-limit")).to_contain_text(
            "A dot counts when the line below says", timeout=15_000
        )
        # vote until no dots are left: one on each of two themes
        voting = table.locator(".fac-voting")
        for n, name in enumerate(["Falls prevention", "Transport"], 1):
            row = voting.locator(".fac-vote-list li", has_text=name)
            row.locator(".fac-dot-add").click()
            expect(table.locator(".fac-dots-left")).to_contain_text(f"{2 - n} of 2 dots left", timeout=10_000)
        expect(voting.locator(".fac-dot-add").first).to_be_disabled(timeout=10_000)
        assert dots_left(store, ev, voter_label(3)).left == 0
        screenshot(table, "voting-table-1366x768")

        expect(projector.locator(".fac-projector-wall")).to_contain_text("hidden", timeout=10_000)
        expect(projector.locator(".fac-bars")).to_have_count(0)
        screenshot(projector, "voting-hidden-projector-1920x1080")
        expect(console.locator(".fac-console-status")).to_contain_text("Dots left", timeout=10_000)
        console.locator(".fac-reveal-votes").click()
        # tables 1, 2 and 4 still hold their dots: the console names them and asks first
        expect(console.locator(".fac-reveal-question")).to_contain_text("still hold dots", timeout=10_000)
        console.locator(".fac-reveal-confirm").click()
        bars = projector.locator(".fac-bars")
        expect(bars).to_be_visible(timeout=10_000)
        expect(bars.locator(".fac-badge", has_text="tie")).to_have_count(2)
        # a tie shares its rank: both rows read "=1"
        expect(bars.get_by_role("row", name=re.compile(r"^=1 Falls prevention "))).to_have_count(1)
        expect(bars.get_by_role("row", name=re.compile(r"^=1 Transport "))).to_have_count(1)
        screenshot(projector, "voting-revealed-projector-1920x1080")
        runoff = console.locator(".fac-runoff")
        expect(runoff).to_be_visible(timeout=10_000)
        screenshot(console, "voting-console-1920x1080")
        assert axe_violations(console) == []
        runoff.click()
        console.locator(".fac-runoff-confirm").click()  # a run-off asks first
        expect(projector.locator(".fac-projector-wall")).to_contain_text("hidden", timeout=10_000)
        after = get_event(store, ev)
        assert after.voting_round == 2 and set(after.runoff_themes) == {
            t.id for t in list_themes(store, ev, table=3)
        }

        # the run-off round under new rules: each person votes, chosen by the table's lead
        set_voting_rules(store, FACILITATOR, ev, voter="person")
        lead = pages.open(links.tables["1"], ready=".fac-vote-person select")
        lead.locator(".fac-vote-person select").select_option(label="Tomasz Nowak")
        expect(lead.locator(".fac-dots-left")).to_contain_text("Tomasz Nowak has 2 of 2", timeout=10_000)
        lead.locator(".fac-voting .fac-vote-list li", has_text="Transport").locator(".fac-dot-add").click()
        expect(lead.locator(".fac-dots-left")).to_contain_text("Tomasz Nowak has 1 of 2", timeout=10_000)
        expect(lead.locator(".fac-vote-people")).to_contain_text("Ama Owusu")
        tomasz = next(p.id for p in list_people(store, ev, table=1) if p.name == "Tomasz Nowak")
        assert dots_left(store, ev, voter_label(person_id=tomasz)).left == 1
        screenshot(lead, "voting-person-table-1366x768")
        assert not pages.dialogs
    finally:
        reveal_votes(store, FACILITATOR, ev, False)
        with contextlib.suppress(FacilitationError):  # dots cast: later tests do not vote
            set_voting_rules(store, FACILITATOR, ev, voter="table")
        set_phase(store, FACILITATOR, ev, "enablers-blockers")
        assert [e.text for e in list_entries(store, ev, table=3)][:3] == texts
