"""The facilitator's console in real Chromium against a real ``facilitate serve``: grouping
controls that tell the truth (labels by name, ticks cleared, promoted marked), un-merge,
undo and hide the result with the projector following, reveal and run-off that ask first,
and a plan form and lead-table picker for a group that has no table."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from facilitation.access import FACILITATOR, table_actor
from facilitation.capture import add_entry
from facilitation.events import get_event, set_input_lock, set_phase, start_timer
from facilitation.plans import list_groups
from facilitation.serving import page_links
from facilitation.store import schema as s
from facilitation.themes.grouping import create_theme, list_themes, merge_themes
from facilitation.voting import add_dot

from .conftest import Pages, Served, axe_violations, build_event, screenshot

pytestmark = pytest.mark.browser


def grouped_event(served: Served) -> tuple[int, dict[str, int]]:
    """An event of its own at grouping: three tables' themes, two of them merged."""
    store = served.store
    ev = build_event(store).event_id
    texts = {1: "GPs see the hospital record", 2: "One care record for carers", 3: "Volunteer drivers"}
    ids = {t: add_entry(store, table_actor(t), ev, t, "idea", x) for t, x in texts.items()}
    extra = add_entry(store, table_actor(3), ev, 3, "idea", "Bus passes for carers")
    set_phase(store, FACILITATOR, ev, "grouping")
    themes = {
        "Records": create_theme(store, table_actor(1), ev, 1, "Records", [ids[1]]),
        "Care record": create_theme(store, table_actor(2), ev, 2, "Care record", [ids[2]]),
        "Transport": create_theme(store, table_actor(3), ev, 3, "Transport", [ids[3], extra]),
        "Carers": create_theme(store, table_actor(3), ev, 3, "Carers", []),
    }
    themes["Shared care records"] = merge_themes(
        store, FACILITATOR, ev, [themes["Records"], themes["Care record"]], "Shared care records"
    )
    return ev, themes


def open_page(pages: Pages, url: str, **kwargs: Any) -> Any:
    """Open a page; on a machine so loaded that the first kernel misses the 120 s load, once more."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        return pages.open(url, **kwargs)
    except PlaywrightTimeout:
        return pages.open(url, **kwargs)


def message(console: object) -> object:
    return console.locator(".fac-console-message")  # type: ignore[attr-defined]


def test_grouping_controls_undo_and_hide_with_the_projector_following(served: Served, pages: Pages) -> None:
    store = served.store
    ev, themes = grouped_event(served)
    links = page_links(served.db, ev, served.base)
    console = open_page(pages, links.facilitator, ready=".fac-console-themes .widget-checkbox")
    projector = open_page(pages, links.projector, width=1920, height=1080, ready=".fac-projector-wall")
    wall = projector.locator(".fac-projector-wall")
    expect(wall).to_contain_text("Shared care records", timeout=10_000)

    # labels by name, never by id; table themes shown under their event-wide theme
    shared = console.get_by_label("Select theme 'Shared care records' (event-wide)")
    expect(shared).to_have_count(1)
    expect(console.get_by_label("Select theme 'Records' (table 1, in 'Shared care records')")).to_have_count(
        1
    )
    expect(console.locator(".fac-console-themes")).not_to_contain_text(re.compile(r"Select theme \d"))

    # Promote with nothing ticked says so; after Promote the tick clears and the theme is marked
    console.locator(".fac-promote-theme").click()
    expect(message(console)).to_contain_text("nothing is selected", timeout=10_000)
    shared.check()
    console.locator(".fac-promote-theme").click()
    expect(message(console)).to_contain_text("Promoted to task-and-finish groups", timeout=10_000)
    expect(console.get_by_label("Select theme 'Shared care records' (event-wide)")).not_to_be_checked()
    expect(console.locator(".fac-console-promoted")).to_contain_text(
        "task-and-finish group: Shared care records"
    )
    console.locator(".fac-promote-theme").click()
    expect(message(console)).to_contain_text("nothing is selected", timeout=10_000)
    assert [g.name for g in list_groups(store, ev)] == ["Shared care records"]

    # Merge with one ticked box works: the table theme becomes event-wide under the typed name
    console.get_by_label("Select theme 'Transport' (table 3)").check()
    console.locator(".fac-merge-name input").fill("Getting there")
    console.locator(".fac-merge-themes").click()
    expect(message(console)).to_contain_text("Merged into 'Getting there'", timeout=10_000)
    expect(wall).to_contain_text("Getting there", timeout=5_000)

    # un-merge it from the console: the projector follows at once; Undo puts it back
    console.get_by_label("Select theme 'Getting there' (event-wide)").check()
    console.locator(".fac-unmerge-themes").click()
    expect(message(console)).to_contain_text("Un-merged 'Getting there'", timeout=10_000)
    expect(wall).not_to_contain_text("Getting there", timeout=5_000)
    assert "Getting there" not in [t.name for t in list_themes(store, ev)]
    undo = console.locator(".fac-undo-grouping")
    expect(undo).to_have_text("Undo the un-merge of 'Getting there'", timeout=10_000)
    undo.click()
    expect(message(console)).to_contain_text("Undone: the un-merge of 'Getting there'", timeout=10_000)
    expect(wall).to_contain_text("Getting there", timeout=5_000)

    # move an entry into another theme of its table
    console.locator(".fac-move-entry-choice select").select_option(
        label="Table 3: Bus passes for carers (in 'Transport')"
    )
    console.locator(".fac-move-entry-target select").select_option(label="'Carers' (table 3)")
    console.locator(".fac-move-entry").click()
    expect(message(console)).to_contain_text("Moved the entry into 'Carers'", timeout=10_000)
    carers = next(t for t in list_themes(store, ev) if t.id == themes["Carers"])
    assert len(carers.entry_ids) == 1
    expect(undo).to_have_text("Undo the move of an entry", timeout=10_000)  # the board drawn again
    console.locator(".fac-console-themes").scroll_into_view_if_needed()
    screenshot(console, "console-grouping-1366x768")
    assert axe_violations(console) == []

    # voting: reveal names the tables still holding dots and asks; the projector waits
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, table_actor(4), ev, themes["Shared care records"])
    add_dot(store, table_actor(4), ev, themes["Shared care records"])
    expect(console.locator(".fac-console-status")).to_contain_text("Dots left", timeout=10_000)
    console.locator(".fac-reveal-votes").click()
    question = console.locator(".fac-reveal-question")
    expect(question).to_contain_text("Table 1 (5 left)", timeout=10_000)
    expect(question).to_contain_text("Table 4 (3 left)")
    expect(question).to_contain_text("still hold dots")
    expect(projector.locator(".fac-bars")).to_have_count(0)
    assert not get_event(store, ev).votes_revealed
    screenshot(console, "console-reveal-asks-1366x768")
    assert axe_violations(console) == []
    console.locator(".fac-reveal-confirm").click()
    expect(projector.locator(".fac-bars")).to_be_visible(timeout=5_000)
    expect(console.locator(".fac-console-header")).to_contain_text("votes revealed")

    # hide the result: the projector hides it at once, and voting does not reopen
    console.locator(".fac-hide-result").click()
    expect(projector.locator(".fac-bars")).to_have_count(0, timeout=5_000)
    expect(wall).to_contain_text("hidden", timeout=5_000)
    after = get_event(store, ev)
    assert not after.votes_revealed and after.closed_round == 1
    console.locator(".fac-reveal-votes").click()  # nobody holds dots that count now: no question
    expect(projector.locator(".fac-bars")).to_be_visible(timeout=5_000)

    # the plans phase: the group from a merged theme gets a lead table and a plan on the console
    set_phase(store, FACILITATOR, ev, "action-plans")
    expect(console.locator(".fac-console-header")).not_to_contain_text("votes revealed", timeout=10_000)
    group = console.locator(".fac-console-group", has_text="Shared care records")
    expect(group).to_contain_text("no lead table, no plan yet", timeout=10_000)
    group.locator("select").select_option(label="Table 2")
    expect(message(console)).to_contain_text("Table 2 leads 'Shared care records'", timeout=10_000)
    console.locator(".fac-console-plan-purpose textarea").fill(
        "One record that GPs, carers and the hospital share"
    )
    console.locator(".fac-console-plan-save").click()
    expect(message(console)).to_contain_text("Plan of 'Shared care records' saved", timeout=10_000)
    (g,) = list_groups(store, ev)
    assert g.lead_table == 2 and g.purpose.startswith("One record")
    screenshot(console, "console-plans-1366x768")
    assert axe_violations(console) == []
    assert not pages.dialogs


def test_a_runoff_asks_first_and_the_projector_says_run_off(served: Served, pages: Pages) -> None:
    store = served.store
    ev, themes = grouped_event(served)
    links = page_links(served.db, ev, served.base)
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, table_actor(4), ev, themes["Shared care records"])
    add_dot(store, table_actor(4), ev, themes["Transport"])
    console = open_page(pages, links.facilitator, ready=".fac-reveal-votes")
    projector = open_page(pages, links.projector, width=1920, height=1080, ready=".fac-projector-wall")
    console.locator(".fac-reveal-votes").click()
    console.locator(".fac-reveal-confirm").click()
    expect(projector.locator(".fac-bars")).to_be_visible(timeout=10_000)
    console.locator(".fac-runoff").click()
    expect(console.locator(".fac-runoff-question")).to_contain_text(
        "Open a run-off between \u2018Shared care records\u2019 and \u2018Transport\u2019", timeout=10_000
    )
    assert get_event(store, ev).voting_round == 1
    console.locator(".fac-runoff-cancel").click()
    expect(message(console)).to_contain_text("No run-off opened", timeout=10_000)
    assert get_event(store, ev).voting_round == 1
    console.locator(".fac-runoff").click()
    console.locator(".fac-runoff-confirm").click()
    expect(projector.locator(".fac-banner-runoff")).to_contain_text("Run-off", timeout=5_000)
    assert get_event(store, ev).voting_round == 2
    screenshot(projector, "projector-runoff-1920x1080")
    assert axe_violations(projector) == []


def minutes_shown(page: object) -> int:
    text = page.locator(".fac-countdown [role=timer]").first.inner_text()  # type: ignore[attr-defined]
    return int(text.split(":")[0])


def test_edit_the_key_question_and_minutes_mid_event_and_every_page_follows(
    served: Served, pages: Pages
) -> None:
    store = served.store
    ev = build_event(store).event_id
    links = page_links(served.db, ev, served.base)
    set_phase(store, FACILITATOR, ev, "framing")
    framing = get_event(store, ev).phase
    console = open_page(pages, links.facilitator, ready=".fac-edit-toggle")
    projector = open_page(pages, links.projector, width=1920, height=1080, ready=".fac-key-question")
    table = open_page(pages, links.tables["1"], ready=".fac-countdown [role=timer]")
    expect(projector.locator(".fac-key-question")).to_have_text(
        "Do fewer people over 75 go to hospital after a fall?"
    )
    start_timer(store, FACILITATOR, ev)  # mid-event: the framing's countdown runs
    for page in (projector, table):
        expect(page.locator(".fac-countdown").first).to_have_attribute(
            "data-state", "running", timeout=10_000
        )
    before = minutes_shown(projector)
    assert before <= framing.minutes  # 20:00 when read in the timer's first second

    console.locator(".fac-edit-toggle").click()
    form = console.locator(".fac-edit-form")
    form.locator(".fac-edit-key-question textarea").fill("Do <fewer> falls end in hospital by next winter?")
    form.locator(".fac-edit-minutes input").fill(str(framing.minutes + 10))
    form.locator(".fac-edit-prompt textarea").fill("Read the challenge aloud; then the key question.")
    form.locator(".fac-edit-save").click()
    expect(console.locator(".fac-console-message")).to_contain_text(
        f"Changed the key question; '{framing.title}': {framing.minutes + 10} minutes, new prompt",
        timeout=10_000,
    )
    # the projector and the table follow: the key question as typed, the countdown ten minutes on
    expect(projector.locator(".fac-key-question")).to_have_text(
        "Do <fewer> falls end in hospital by next winter?", timeout=10_000
    )
    expect(projector.locator(".fac-prompt").first).to_contain_text("Read the challenge aloud", timeout=10_000)
    expect(table.locator(".fac-prompt-small").first).to_contain_text(
        "Read the challenge aloud", timeout=10_000
    )
    for page in (projector, table):
        expect(page.locator(".fac-countdown [role=timer]").first).to_have_text(
            re.compile(rf"^({before + 8}|{before + 9}|{before + 10}):\d\d$"), timeout=10_000
        )
    after = get_event(store, ev)
    assert after.key_question.startswith("Do <fewer>") and after.phase.minutes == framing.minutes + 10
    # bad input: nothing changes and the message says what to do
    form.locator(".fac-edit-key-question textarea").fill("x" * 1200)
    form.locator(".fac-edit-save").click()
    expect(console.locator(".fac-message-error")).to_contain_text("key question", timeout=10_000)
    assert get_event(store, ev).key_question == after.key_question
    expect(form.locator(".fac-edit-key-question textarea")).to_have_value("x" * 1200)  # kept, not lost
    screenshot(console, "console-edit-1366x768")
    screenshot(projector, "projector-framing-edited-1920x1080")
    assert axe_violations(console) == []


def test_chime_and_high_contrast_from_the_console_and_the_timer_reaches_time(
    served: Served, pages: Pages
) -> None:
    store = served.store
    ev = build_event(store).event_id
    links = page_links(served.db, ev, served.base)
    console = open_page(pages, links.facilitator, ready=".fac-chime-switch input")
    projector = open_page(pages, links.projector, width=1920, height=1080, ready=".fac-projector-wall")
    assert axe_violations(projector, enhanced_contrast=True) == []  # the standard theme: 7:1

    console.locator(".fac-chime-switch input").check()
    expect(console.locator(".fac-console-message")).to_contain_text("Chime on", timeout=10_000)
    console.locator(".fac-projector-theme select").select_option(label="High contrast: light on black")
    expect(console.locator(".fac-console-message")).to_contain_text(
        "Projector: high contrast", timeout=10_000
    )
    root = projector.locator(".fac-projector")
    expect(root).to_have_class(re.compile(r"\bfac-theme-contrast\b"), timeout=10_000)
    assert root.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 0, 0)"
    assert projector.locator("h1").first.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    chime = projector.locator(".fac-chime")
    expect(chime).to_have_attribute("data-enabled", "on", timeout=10_000)
    assert axe_violations(projector, enhanced_contrast=True) == []  # the high-contrast theme: 7:1

    # a short timer: the end time three seconds from now, then any write so every page follows
    start_timer(store, FACILITATOR, ev, 1)
    with store.engine.begin() as conn:
        conn.execute(update(s.events).where(s.events.c.id == ev).values(timer_ends_at=time.time() + 3))
    set_input_lock(store, FACILITATOR, ev, False)
    timer = projector.locator(".fac-projector .fac-timer")
    expect(timer).to_have_text("Time", timeout=20_000)
    expect(chime).to_have_attribute("data-chimes", "1", timeout=10_000)  # rang once, made in the browser
    screenshot(projector, "projector-contrast-time-1920x1080")
    assert get_event(store, ev).timer_ends_at is not None
