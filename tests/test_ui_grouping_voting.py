"""Grouping and voting on the pages without a browser: build the views, click, drop,
send what a forged page could send, and read the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry, list_entries
from facilitation.errors import NotAllowed
from facilitation.events.rules import EventKeys, create_event, get_event, set_phase
from facilitation.people.rules import add_person
from facilitation.store import Store, open_store
from facilitation.store.schema import activity
from facilitation.themes.grouping import create_theme, list_themes
from facilitation.themes.suggestions import suggest_merges
from facilitation.ui.board import ConsoleBoard, TableBoard
from facilitation.ui.console import ConsoleView
from facilitation.ui.page import PageContext, PageParams, open_page
from facilitation.ui.projector import ProjectorView
from facilitation.ui.table import TableView
from facilitation.ui.voting_view import VotingControls, VotingPanel
from facilitation.voting.rules import (
    TallyRow,
    add_dot,
    dots_left,
    reveal_votes,
    set_voting_rules,
    voter_label,
)


@pytest.fixture
def event(tmp_path: Any) -> Iterator[tuple[Store, EventKeys]]:
    store = open_store(str(tmp_path / "gv.db"))
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="GV", tables=3)
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    yield store, keys
    store.close()


def ctx_for(store: Store, keys: EventKeys, key: str | None) -> PageContext:
    return open_page(PageParams(event=keys.event_id, key=key), store=store, need_key=key is not None)


def board_of(store: Store, keys: EventKeys, table: int) -> tuple[TableView, TableBoard]:
    view = TableView(ctx_for(store, keys, keys.tables[table]), table)
    assert isinstance(view.panel, TableBoard)
    return view, view.panel


def verbs(store: Store, event_id: int, verb: str) -> int:
    return int(
        store.read(
            lambda c: c.execute(
                select(func.count()).where(activity.c.event_id == event_id, activity.c.verb == verb)
            ).scalar_one()
        )
    )


def theme_of(store: Store, event_id: int, entry_id: int) -> int | None:
    return next(e.theme_id for e in list_entries(store, event_id) if e.id == entry_id)


def seed_similar_themes(store: Store, keys: EventKeys) -> None:
    """Two tables with a theme on shared care records, one on transport (as the rules would)."""
    for t, name, text in [
        (1, "Shared care record", "One care record across GP and hospital"),
        (2, "Care records", "GP and hospital care record sharing"),
        (3, "Volunteer drivers", "Transport to appointments"),
    ]:
        e = add_entry(store, table_actor(t), keys.event_id, t, "idea", text)
        set_phase(store, FACILITATOR, keys.event_id, "grouping")
        create_theme(store, table_actor(t), keys.event_id, t, name, [e])
        set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    set_phase(store, FACILITATOR, keys.event_id, "grouping")


def test_drag_and_drop_groups_through_the_rules(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    ev = keys.event_id
    a = add_entry(store, table_actor(1), ev, 1, "enabler", "Shared <b>records</b>")
    b = add_entry(store, table_actor(1), ev, 1, "blocker", "Rotas never line up")
    other = add_entry(store, table_actor(2), ev, 2, "idea", "Table two's idea")
    set_phase(store, FACILITATOR, ev, "grouping")
    view, board = board_of(store, keys, 1)
    assert [e["text"] for e in board.drag.entries] == ["Shared <b>records</b>", "Rotas never line up"]
    assert "fac-dragboard" in board.drag._dom_classes

    board.drag.drop(a, "new", "Data sharing", "drag-1")
    assert view.saved.state == "saved", view.saved.value
    (theme,) = list_themes(store, ev, table=1)
    assert theme.name == "Data sharing" and theme_of(store, ev, a) == theme.id
    assert board.drag.themes == [{"id": theme.id, "name": "Data sharing"}]

    board.drag.drop(b, theme.id, "", "drag-2")
    board.drag.drop(b, theme.id, "", "drag-2")  # the same drop sent twice: stored once
    assert theme_of(store, ev, b) == theme.id
    assert verbs(store, ev, "group entries") == 1

    board.drag.drop(b, "none", "", "drag-3")
    assert theme_of(store, ev, b) is None
    board.drag.drop(b, "new", "", "drag-4")  # no name typed: a default one
    assert {t.name for t in list_themes(store, ev, table=1)} == {"Data sharing", "Theme 2"}

    # forged drops: another table's entry, malformed messages
    board.drag.drop(other, theme.id, "", "drag-5")
    assert view.saved.state == "not-saved" and theme_of(store, ev, other) is None
    before = len(list_themes(store, ev))
    for forged in [
        {"event": "drop", "entry": "1; drop table", "target": "new"},
        {"event": "drop", "entry": a, "target": "<script>"},
        {"event": "drop", "entry": True, "target": "none"},
        {"event": "drop", "entry": a, "target": "none", "token": "x" * 500},
    ]:
        board.drag._on_message(board.drag, forged, [])
    assert len(list_themes(store, ev)) == before and theme_of(store, ev, a) == theme.id


def test_keyboard_rename_split_and_ungroup(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    ev = keys.event_id
    ids = [add_entry(store, table_actor(1), ev, 1, "idea", f"Idea {n}") for n in range(3)]
    set_phase(store, FACILITATOR, ev, "grouping")
    view, board = board_of(store, keys, 1)
    for i in ids:  # the keyboard path: each entry's checkbox, one list widget
        board.entry_rows._on_message(board.entry_rows, {"action": "check", "id": i, "checked": True}, [])
    board.theme_name._on_message(board.theme_name, {"event": "submit", "value": "Workforse"}, [])  # Enter
    (theme,) = list_themes(store, ev, table=1)
    assert theme.name == "Workforse" and board.theme_name.value == ""
    assert board.selected == set() and not any(r["check"]["checked"] for r in board.entry_rows.rows)  # untick
    # the last keystroke's update arriving after the Enter does not put the name back
    board.theme_name._handle_msg(
        {"content": {"data": {"method": "update", "state": {"value": "Workforse"}, "buffer_paths": []}}}
    )
    assert board.theme_name.value == ""
    board.controls._on_message(
        board.controls, {"action": "choose", "name": "theme", "value": str(theme.id)}, []
    )
    board.rename_name.value = "Workforce"
    board.controls.press("rename")
    assert view.saved.state == "saved", view.saved.value
    assert [t.name for t in list_themes(store, ev, table=1)] == ["Workforce"]
    board.select(ids[2])
    board.controls.choose("theme", str(theme.id))
    board.theme_name.value = "Digital tools"
    board.controls.press("split")
    assert view.saved.state == "saved", view.saved.value
    assert sorted((t.name, len(t.entry_ids)) for t in list_themes(store, ev, table=1)) == [
        ("Digital tools", 1),
        ("Workforce", 2),
    ]
    board.select(ids[0])
    board.controls.press("ungroup")
    assert theme_of(store, ev, ids[0]) is None
    assert verbs(store, ev, "rename theme") == 1 and verbs(store, ev, "split theme") == 1


def test_console_accepts_and_dismisses_suggestions_and_renames(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    ev = keys.event_id
    seed_similar_themes(store, keys)
    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    board = console.board
    rows = list(board.suggestion_rows.children)
    assert len(rows) == 1 and "fac-suggestion" in rows[0]._dom_classes
    _text, accept, dismiss = rows[0].children
    assert "fac-suggestion-accept" in accept._dom_classes and "fac-suggestion-dismiss" in dismiss._dom_classes
    accept.click()
    wide = [t for t in list_themes(store, ev) if t.event_wide]
    assert [w.name for w in wide] == ["Shared care record"] and len(wide[0].member_theme_ids) == 2
    assert "Merged" in console.message.value

    board.wide_choice.value = wide[0].id
    board.wide_name.value = "Care records everywhere"
    board.rename_button.click()
    assert [t.name for t in list_themes(store, ev) if t.event_wide] == ["Care records everywhere"]

    # a new look-alike at table 3, dismissed: never suggested again
    e = add_entry(store, table_actor(3), ev, 3, "idea", "GP hospital care record")
    create_theme(store, table_actor(3), ev, 3, "Care record access", [e])
    console.ctx.watcher.check()
    assert suggest_merges(store, ev)
    board.suggestion_rows.children[0].children[2].click()
    assert suggest_merges(store, ev) == [] and verbs(store, ev, "dismiss suggestion") == 1
    assert "No suggested merges" in board.suggestion_rows.children[0].value


def test_rules_before_voting_then_tie_and_runoff(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    ev = keys.event_id
    seed_similar_themes(store, keys)
    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    rules = console.voting
    assert "fac-voting-rules" in rules.rules._dom_classes
    assert console.voting.widget.layout.display == ""  # during grouping, before voting opens
    rules.dots.value, rules.max_per_theme.value = 2, 1
    rules.own_themes.value = False
    rules.save_button.click()
    got = get_event(store, ev).voting_rules
    assert (got.dots_per_voter, got.max_per_theme, got.own_themes) == (2, 1, False)

    set_phase(store, FACILITATOR, ev, "voting")
    themes = {t.name: t.id for t in list_themes(store, ev)}
    t1 = TableView(ctx_for(store, keys, keys.tables[1]), 1)
    panel = t1.panel
    assert isinstance(panel, VotingPanel) and "counts when" in panel.left.value
    assert "At most <b>1</b> dot on one theme" in panel.left.value  # the limit is shown
    panel.add(themes["Care records"])
    # the theme holds the most one voter may put on it: its "+ dot" is off, the rule says no
    row = next(r for r in panel.rows.rows if r["id"] == themes["Care records"])
    assert row["buttons"][0]["disabled"] and "the most on one theme" in row["buttons"][0]["title"]
    assert not any(r["buttons"][0]["disabled"] for r in panel.rows.rows if r["id"] != themes["Care records"])
    assert not panel.add(themes["Care records"])
    assert t1.saved.state == "not-saved"
    panel.add(themes["Volunteer drivers"])
    assert dots_left(store, ev, voter_label(1)).left == 0
    assert all(r["buttons"][0]["disabled"] for r in panel.rows.rows)  # no dots left: + is off
    add_dot(store, table_actor(2), ev, themes["Shared care record"], table=2)
    console.ctx.watcher.check()
    assert "Dots left" in console.status.value
    assert rules.save_button.disabled and "rules are fixed" in rules.rules_note.value
    rules.save_button.click()  # a forged click: dots are cast, the rules no longer change
    assert "fac-message-error" in console.message.value
    assert console.voting.runoff_box.layout.display == "none"

    projector = ProjectorView(ctx_for(store, keys, None))
    assert "hidden" in projector.wall.value
    reveal_votes(store, FACILITATOR, ev)
    console.ctx.watcher.check()
    projector.ctx.watcher.check()
    assert projector.wall.value.count(">tie<") == 3  # three themes with one dot each
    assert console.voting.runoff_box.layout.display == ""
    assert "fac-runoff" in console.voting.runoff_button._dom_classes
    console.voting.runoff_button.click()  # asks first: nothing opens yet
    assert get_event(store, ev).voting_round == 1
    assert console.voting.runoff_ask.layout.display == ""
    assert "Open a run-off between" in console.voting.runoff_question.value
    console.voting.runoff_cancel.click()
    assert console.voting.runoff_ask.layout.display == "none" and get_event(store, ev).voting_round == 1
    console.voting.runoff_button.click()
    console.voting.runoff_confirm.click()
    after = get_event(store, ev)
    assert after.voting_round == 2 and len(after.runoff_themes) == 3 and not after.votes_revealed
    t1.ctx.watcher.check()  # the table page says it is a run-off, and between which themes
    assert "Run-off:</b> vote again between" in panel.left.value
    assert all(f"\u201c{name}\u201d" in panel.left.value for name in ("Care records", "Volunteer drivers"))


def test_forged_table_page_cannot_accept_runoff_or_change_rules(event: tuple[Store, EventKeys]) -> None:
    """A table's kernel holds only its own widgets, but a forged page could hold console
    widgets built with the table's key: the rules refuse every one of them."""
    store, keys = event
    ev = keys.event_id
    seed_similar_themes(store, keys)
    ctx = ctx_for(store, keys, keys.tables[1])
    messages: list[tuple[str, bool]] = []
    board = ConsoleBoard(ctx, lambda text, error: messages.append((text, error)))
    board.refresh()
    assert board.suggestions
    board.suggestion_rows.children[0].children[1].click()
    board.suggestion_rows.children[0].children[2].click()
    assert not [t for t in list_themes(store, ev) if t.event_wide]
    assert verbs(store, ev, "dismiss suggestion") == 0

    controls = VotingControls(ctx, lambda text, error: messages.append((text, error)))
    controls.refresh(get_event(store, ev))
    controls.dots.value = 9
    controls.save_button.click()
    assert get_event(store, ev).voting_rules.dots_per_voter == 5

    set_phase(store, FACILITATOR, ev, "voting")
    themes = [t.id for t in list_themes(store, ev)]
    add_dot(store, table_actor(2), ev, themes[0], table=2)
    add_dot(store, table_actor(3), ev, themes[1], table=3)
    reveal_votes(store, FACILITATOR, ev)
    controls.refresh(get_event(store, ev))  # revealed: anyone may read the tie
    assert sorted(r.theme_id for r in controls.tied) == sorted(themes[:2])
    controls.tied = [TallyRow(themes[0], "a", 1, 1, True, None), TallyRow(themes[1], "b", 1, 1, True, None)]
    controls.runoff_button.click()
    controls.runoff_confirm.click()
    assert get_event(store, ev).voting_round == 1
    assert len(messages) == 4 and all(error for _, error in messages)
    assert all("facilitator" in text for text, _ in messages)


def test_person_voting_spends_each_persons_dots(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    ev = keys.event_id
    ama = add_person(store, table_actor(1), ev, "Ama <Owusu>", table=1)
    tom = add_person(store, table_actor(1), ev, "Tomasz Nowak", table=1)
    priya = add_person(store, table_actor(2), ev, "Priya Shah", table=2)
    seed_similar_themes(store, keys)
    set_voting_rules(store, FACILITATOR, ev, voter="person", dots_per_voter=2, max_per_theme=2)
    set_phase(store, FACILITATOR, ev, "voting")
    theme = next(t.id for t in list_themes(store, ev) if t.table == 3)
    view = TableView(ctx_for(store, keys, keys.tables[1]), 1)
    panel = view.panel
    assert isinstance(panel, VotingPanel) and panel.by_person
    assert "fac-vote-person" in panel.person_choice._dom_classes
    assert {v for _, v in panel.person_choice.options} == {ama, tom}
    assert "Ama &lt;Owusu&gt;" in panel.left.value
    assert (
        panel.person_choice.value is None and "Choose who is voting" in panel.left.value
    )  # nobody by default
    panel.person_choice.value = tom
    while dots_left(store, ev, voter_label(person_id=tom)).left:
        assert panel.rows.rows[2]["buttons"][0]["disabled"] is False
        panel.rows.press("add", panel.rows.rows[2]["id"])
        assert view.saved.state == "saved", view.saved.value
    assert panel.rows.rows[2]["buttons"][0]["disabled"]
    assert "<b>0</b> of 2 dots left" in panel.left.value
    assert dots_left(store, ev, voter_label(person_id=ama)).left == 2

    # forged: the list holds a person seated at another table (as a tampered kernel could)
    panel._drawing = True
    panel.person_choice.options = [("Priya Shah", priya)]
    panel.person_choice.value = priya
    panel._drawing = False
    assert not panel.add(theme)
    assert view.saved.state == "not-saved"
    assert dots_left(store, ev, voter_label(person_id=priya)).left == 2
    with pytest.raises(NotAllowed):
        add_dot(store, table_actor(1), ev, theme, person_id=priya)

    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    assert "Dots left" in console.status.value
