"""The console's widgets without a browser: a table is "active" only for what it did in this
phase, "votes revealed" only while voting, ticks cleared after Promote, and the plan form and
lead-table picker for a group that has no table."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_ui import ctx_for

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture import add_entry, list_entries
from facilitation.events import EventKeys, create_event, set_phase
from facilitation.plans import list_groups
from facilitation.store import Store, open_store
from facilitation.themes.grouping import create_theme, merge_themes
from facilitation.ui.console import ConsoleView
from facilitation.voting import add_dot, reveal_votes


@pytest.fixture
def event(tmp_path: Any) -> Iterator[tuple[Store, EventKeys]]:
    store = open_store(str(tmp_path / "console.db"))
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="C", tables=3)
    set_phase(store, FACILITATOR, keys.event_id, "ideas")
    for t in (1, 2):
        add_entry(store, table_actor(t), keys.event_id, t, "idea", f"Idea of table {t}")
    yield store, keys
    store.close()


def test_active_means_active_in_this_phase(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    assert console.status.value.count("fac-badge-active") == 2  # ideas: tables 1 and 2 wrote
    set_phase(store, FACILITATOR, keys.event_id, "framing")
    console.ctx.watcher.check()
    assert "fac-badge-active" not in console.status.value  # nothing happened in framing
    assert console.status.value.count("nothing yet") == 3


def test_votes_revealed_only_while_voting_and_promote_says_what_it_did(
    event: tuple[Store, EventKeys],
) -> None:
    store, keys = event
    ev = keys.event_id
    set_phase(store, FACILITATOR, ev, "grouping")
    ids = {e.table: e.id for e in list_entries(store, ev)}
    a = create_theme(store, table_actor(1), ev, 1, "Records", [ids[1]])
    b = create_theme(store, table_actor(2), ev, 2, "Care record", [ids[2]])
    wide = merge_themes(store, FACILITATOR, ev, [a, b], "Shared care records")
    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    board = console.board
    # a label holds typed text: an escaped span that MathJax skips (widgets.typed_label)
    labels = [
        html.unescape(re.sub(r"<[^>]+>", "", row.children[0].description)) for row in board.rows.children
    ]
    assert labels[0] == "Select theme 'Shared care records' (event-wide)"
    assert "Select theme 'Records' (table 1, in 'Shared care records')" in labels
    assert not board.promote_selected()
    assert "nothing is selected" in console.message.value
    board.rows.children[0].children[0].value = True  # tick the event-wide theme
    assert board.promote_selected()
    assert [g.name for g in list_groups(store, ev)] == ["Shared care records"]
    assert board.selected == set() and not board.rows.children[0].children[0].value  # the tick cleared
    assert "task-and-finish group: Shared care records" in board.rows.children[0].children[1].value
    assert not board.promote_selected()  # again, with nothing ticked: says so, does nothing
    assert "nothing is selected" in console.message.value

    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, table_actor(3), ev, wide)
    reveal_votes(store, FACILITATOR, ev, force=True)
    console.ctx.watcher.check()
    assert "votes revealed" in console.header.value
    set_phase(store, FACILITATOR, ev, "action-plans")
    console.ctx.watcher.check()
    assert "votes revealed" not in console.header.value

    # the group from a merged theme has no table: the console picks one and drafts its plan
    plans = console.plans
    assert plans.widget.layout.display == ""
    assert "no lead table, no plan yet" in plans.rows.children[0].children[0].value
    plans.pickers[list_groups(store, ev)[0].id].value = 3
    assert list_groups(store, ev)[0].lead_table == 3
    plans.purpose.value = "One record everyone can see"
    assert plans.save_plan()
    assert list_groups(store, ev)[0].purpose == "One record everyone can see"
    assert "plan started: purpose" in plans.rows.children[0].children[0].value
