"""The views without a browser: build them, click buttons, send the messages a browser
could send, and read the store."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import pytest
from testdata import hostile_strings

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry, list_entries
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.events.rules import (
    EventKeys,
    create_event,
    get_event,
    list_tables,
    set_input_lock,
    set_phase,
)
from facilitation.live import Watcher
from facilitation.people import list_people
from facilitation.store import Store, open_store
from facilitation.text import clean_text
from facilitation.ui.console import ConsoleView
from facilitation.ui.join import JoinView
from facilitation.ui.lists import Controls, ListWidget
from facilitation.ui.page import PageContext, PageParams, open_page, page_url, read_params
from facilitation.ui.projector import ProjectorView
from facilitation.ui.table import TableView
from facilitation.ui.widgets import EntryInput


@pytest.fixture
def event(tmp_path: Any) -> Iterator[tuple[Store, EventKeys]]:
    store = open_store(str(tmp_path / "ui.db"))
    keys = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="UI event", tables=3
    )
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    yield store, keys
    store.close()


def ctx_for(store: Store, keys: EventKeys, key: str | None, **extra: Any) -> PageContext:
    return open_page(PageParams(event=keys.event_id, key=key, **extra), store=store, need_key=key is not None)


def table_view(store: Store, keys: EventKeys, table: int) -> TableView:
    return TableView(ctx_for(store, keys, keys.tables[table]), table)


def choose(view: TableView, kind: str = "enabler", evidence: str = "not-given") -> None:
    """What the lead does before each entry: choose its kind (and, for enablers and blockers, the evidence)."""
    view.choices.choose("kind", kind)
    view.choices.choose("evidence", evidence)


def browser_message(widget: w.Widget, content: dict[str, Any]) -> None:
    """What a browser sends for a custom event (Enter in a Text, a button click)."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def browser_update(widget: w.Widget, state: dict[str, Any]) -> None:
    """What a browser sends when it changes a widget's value."""
    widget._handle_msg(
        {"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []}
    )


def walk(widget: Any) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def test_params_from_query_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.setenv("QUERY_STRING", "event=4&key=k&table=2")
    assert read_params() == PageParams(4, "k", 2, None)
    monkeypatch.setenv("QUERY_STRING", "")
    monkeypatch.setenv("FACILITATION_EVENT", "7")
    monkeypatch.setenv("FACILITATION_KEY", "fk")
    assert read_params() == PageParams(7, "fk", None, None)
    assert (
        page_url("table", "http://h:1", event=1, key="a b")
        == "http://h:1/voila/render/table.ipynb?event=1&key=a+b"
    )


def test_keys_decide_the_role(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    assert ctx_for(store, keys, keys.tables[2]).actor == table_actor(2)
    assert ctx_for(store, keys, keys.facilitator).actor == FACILITATOR
    with pytest.raises(NotAllowed):
        ctx_for(store, keys, "wrong-key")
    with pytest.raises(NotAllowed):
        ctx_for(store, keys, keys.tables[2], table=3)
    with pytest.raises(FacilitationError):
        open_page(PageParams(event=keys.event_id), store=store)  # no key


def test_enter_and_click_store_entries_and_show_saved(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    view = table_view(store, keys, 1)
    choose(view)
    browser_update(view.entry_text, {"value": "Shared care"})  # a value update, then Enter with the text
    browser_message(view.entry_text, {"event": "submit", "value": "Shared care record"})
    assert view.saved.state == "saved"
    browser_message(view.choices, {"action": "choose", "name": "kind", "value": "blocker"})
    browser_message(view.choices, {"action": "choose", "name": "evidence", "value": "anecdote"})
    view.entry_text.value = "Rotas never line up"
    browser_message(view.entry_buttons, {"action": "add", "values": {}})
    entries = list_entries(store, keys.event_id, table=1)
    assert [(e.kind, e.text, e.evidence) for e in entries] == [
        ("enabler", "Shared care record", None),
        ("blocker", "Rotas never line up", "anecdote"),
    ]
    assert view.entry_text.value == ""
    assert [r["id"] for r in view.entry_list.rows] == [e.id for e in reversed(entries)]
    view.entry_buttons.press("add")  # a double click on an empty box adds nothing
    assert len(list_entries(store, keys.event_id, table=1)) == 2
    assert view.saved.state == "not-saved"


def test_kind_and_evidence_are_chosen_for_every_entry_never_by_default(
    event: tuple[Store, EventKeys],
) -> None:
    """Issue 18: the kind and evidence stayed at the last choice, so a fifth enabler was
    silently tagged "assumption". Each entry asks for both; saving without asks for them."""
    store, keys = event
    view = table_view(store, keys, 1)
    said: list[dict[str, Any]] = []
    view.entry_text.send = lambda content, buffers=None: said.append(content)  # type: ignore[method-assign]
    browser_message(view.entry_text, {"event": "submit", "value": "No kind chosen", "draft": "d-1"})
    assert view.saved.state == "not-saved" and "Choose Enabler or Blocker" in view.saved.value
    assert said[-1]["refused"] and said[-1]["text"] == "No kind chosen"  # the text goes back into the box
    view.choices.choose("kind", "enabler")
    browser_message(view.entry_text, {"event": "submit", "value": "No kind chosen", "draft": "d-1"})
    assert view.saved.state == "not-saved" and "evidence level" in view.saved.value
    assert list_entries(store, keys.event_id) == []
    view.choices.choose("evidence", "assumption")
    browser_message(view.entry_text, {"event": "submit", "value": "Chosen", "draft": "d-2"})
    assert [(e.kind, e.evidence) for e in list_entries(store, keys.event_id)] == [("enabler", "assumption")]
    assert view.choices.get("kind") == "" and view.choices.get("evidence") == ""  # asked again next time
    assert view.choices.values.get("kind") is None  # and the browser shows nothing chosen
    browser_message(view.entry_text, {"event": "submit", "value": "Fifth enabler", "draft": "d-3"})
    assert len(list_entries(store, keys.event_id)) == 1


def test_withdraw_offers_undo_and_undo_brings_the_entry_back(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    view = table_view(store, keys, 2)
    choose(view)
    view.entry_text.value = "Joint training"
    view.entry_buttons.press("add")
    entry = list_entries(store, keys.event_id, table=2)[0]
    browser_message(view.entry_list, {"action": "withdraw", "id": entry.id})
    assert list_entries(store, keys.event_id, table=2) == []
    row = view.entry_list.rows[0]
    assert row["id"] == entry.id and [b["action"] for b in row["buttons"]] == ["undo"]
    assert row["cells"][0]["text"] == "Withdrawn" and "Undo" in view.saved.value
    # another table cannot bring it back, nor can this one once input is locked
    other = table_view(store, keys, 1)
    assert other.undo_withdraw(entry.id) is False
    set_input_lock(store, FACILITATOR, keys.event_id, True)
    assert view.undo_withdraw(entry.id) is False and "locked" in view.saved.value
    set_input_lock(store, FACILITATOR, keys.event_id, False)
    view.ctx.watcher.check()
    browser_message(view.entry_list, {"action": "undo", "id": entry.id})
    assert [e.text for e in list_entries(store, keys.event_id, table=2)] == ["Joint training"]
    assert [b["action"] for b in view.entry_list.rows[0]["buttons"]] == ["edit", "withdraw"]


def test_locked_input_keeps_the_draft(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    view = table_view(store, keys, 1)
    set_input_lock(store, FACILITATOR, keys.event_id, True)
    view.ctx.watcher.check()
    assert view.entry_text.disabled
    choose(view)
    view.entry_text.value = "typed while locked"
    view.submit()
    assert view.saved.state == "not-saved"
    assert "locked" in view.saved.value
    assert view.entry_text.value == "typed while locked"
    assert list_entries(store, keys.event_id) == []


def test_edit_and_withdraw_own_entries(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    view = table_view(store, keys, 2)
    choose(view)
    view.entry_text.value = "Joint trainng"
    view.entry_buttons.press("add")
    row = view.entry_list.rows[0]
    assert [b["action"] for b in row["buttons"]] == ["edit", "withdraw"]
    browser_message(view.entry_list, {"action": "edit", "id": row["id"]})
    assert view.entry_text.value == "Joint trainng"
    assert view.choices.get("kind") == "enabler"  # the edit shows the entry's own choices
    view.entry_text.value = "Joint training"
    view.entry_buttons.press("add")
    assert [e.text for e in list_entries(store, keys.event_id, table=2)] == ["Joint training"]
    browser_message(view.entry_list, {"action": "withdraw", "id": row["id"]})
    assert list_entries(store, keys.event_id, table=2) == []


def test_a_click_on_a_row_counts_after_another_laptop_redraws_the_list(
    event: tuple[Store, EventKeys],
) -> None:
    """A click names its row by id, so it counts after another laptop redrew the list.

    A click naming a row by its place would withdraw the wrong entry once the table's
    second laptop adds one above it; a list remade as new widgets would drop it.
    """
    store, keys = event
    view = table_view(store, keys, 2)
    choose(view)
    view.entry_text.value = "Joint training"
    view.entry_buttons.press("add")
    clicked = view.entry_list.rows[0]["id"]
    add_entry(store, table_actor(2), keys.event_id, 2, "blocker", "From the second laptop")
    view.ctx.watcher.check()
    assert len(view.entry_list.rows) == 2 and view.entry_list.rows[1]["id"] == clicked
    assert view.entry_list.comm is not None
    browser_message(view.entry_list, {"action": "withdraw", "id": clicked})
    assert [e.text for e in list_entries(store, keys.event_id, table=2)] == ["From the second laptop"]


def test_people_at_the_table(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    set_phase(store, FACILITATOR, keys.event_id, "framing")
    view = table_view(store, keys, 3)
    view.person_name.value = "Ama Owusu"
    browser_message(
        view.person_form, {"action": "add-person", "values": {"organisation": "Eastbrook City Council"}}
    )
    assert [p.name for p in view.state.shown_people] == ["Ama Owusu"]
    assert view.people_list.rows[0]["cells"][0]["text"] == "Ama Owusu"
    browser_message(view.people_list, {"action": "edit", "id": view.people_list.rows[0]["id"]})
    assert view.person_form.get("organisation") == "Eastbrook City Council"
    browser_message(
        view.person_form, {"action": "choose", "name": "organisation", "value": "Eastbrook Council"}
    )
    view.person_form.press("add-person")
    assert view.state.shown_people[0].organisation == "Eastbrook Council"
    assert len(list_people(store, keys.event_id, table=3)) == 1
    browser_message(view.people_list, {"action": "remove", "id": view.people_list.rows[0]["id"]})
    assert list_people(store, keys.event_id, table=3) == []


def test_forged_messages_from_a_table_page_change_nothing_elsewhere(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    other = add_entry(store, table_actor(1), keys.event_id, 1, "enabler", "Table 1's entry")
    view = table_view(store, keys, 2)
    choose(view)
    view.entry_text.value = "Table 2's entry"
    view.entry_buttons.press("add")
    before = get_event(store, keys.event_id)
    # a browser can send any widget message: click every button, submit every text,
    # and every action of every list and form naming table 1's entry
    for widget in list(walk(view.widget)):
        if isinstance(widget, w.Button):
            browser_message(widget, {"event": "click"})
        if isinstance(widget, (w.Text, EntryInput)):
            browser_message(widget, {"event": "submit", "value": "forged"})
        if isinstance(widget, (ListWidget, Controls)):
            for action in ("edit", "withdraw", "undo", "remove", "add", "add-person", "choose"):
                for row_id in (other, True, "1", None, -1):
                    browser_message(widget, {"action": action, "id": row_id, "values": {"table": "1"}})
    # and call the handlers with another table's entry, as a forged row would
    assert view.withdraw(other) is False
    view.state.editing_entry = other
    view.entry_text.value = "rewritten by table 2"
    assert view.submit() is False
    after = get_event(store, keys.event_id)
    assert (after.phase_index, after.input_locked, after.votes_revealed, after.timer_ends_at) == (
        before.phase_index,
        before.input_locked,
        before.votes_revealed,
        before.timer_ends_at,
    )
    assert [e.text for e in list_entries(store, keys.event_id, table=1)] == ["Table 1's entry"]
    # the console's handlers, run with a table's actor, are refused by the rules
    forged = ConsoleView(ctx_for(store, keys, keys.tables[2]))
    assert forged.next_phase() is False
    assert forged.toggle_lock() is False
    assert forged.start() is False
    assert "fac-projector-link" not in forged.header.value  # the projector's key is not a table's to see
    assert get_event(store, keys.event_id).phase_index == before.phase_index


def test_projector_follows_and_escapes_hostile_text(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    projector = ProjectorView(ctx_for(store, keys, None))
    assert "Enablers and blockers" in projector.phase.value
    assert keys.join_code in projector.join.value
    strings = [s for s in hostile_strings() if len(s) <= 1000]
    for i, s in enumerate(strings[:10]):  # the projector shows the newest five of each kind
        add_entry(store, table_actor(1), keys.event_id, 1, ("enabler", "blocker")[i % 2], s)
    assert projector.ctx.watcher.check()
    for s in strings[:10]:
        assert html.escape(clean_text(s), quote=True) in projector.wall.value
    assert "<script" not in projector.wall.value.lower()
    assert "<img" not in projector.wall.value.lower()


def test_console_moves_the_event_and_pages_follow(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    table = table_view(store, keys, 1)
    console.next_button.click()
    table.ctx.watcher.check()
    assert "Ideas" in table.header.value
    assert [v for _, v in table.choices.items[0]["options"]] == ["idea", "question", "asset"]
    console.prev_button.click()
    console.start_button.click()
    assert get_event(store, keys.event_id).timer_running
    console.extend5_button.click()
    console.pause_button.click()
    assert not get_event(store, keys.event_id).timer_running
    console.lock_button.click()
    assert get_event(store, keys.event_id).input_locked
    assert console.lock_button.description == "Unlock input"
    assert "fac-status-table" in console.status.value


def test_console_shows_the_projector_link_with_its_read_only_key(
    event: tuple[Store, EventKeys], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without it the facilitator could open the projector only from the CLI's printout."""
    from facilitation.access import VIEWER
    from facilitation.serving.gate import PageQuery, check_page, event_projector_key

    store, keys = event
    monkeypatch.setenv("FACILITATION_PUBLIC_URL", "http://venue.example:8866")
    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    key = event_projector_key(store, ORGANISER, keys.event_id)
    href = html.unescape(
        console.header.value.split('class="fac-projector-link"')[1].split('href="')[1].split('"')[0]
    )
    assert href == f"http://venue.example:8866/voila/render/projector.ipynb?event={keys.event_id}&key={key}"
    assert f"event={keys.event_id}&amp;key={key}" in console.header.value  # escaped in the markup
    assert keys.facilitator not in console.header.value  # never the console's own key
    assert check_page(store, "projector", PageQuery(keys.event_id, key)) is VIEWER


def test_watcher_calls_back_only_on_change(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    watcher = Watcher(store, keys.event_id)
    calls: list[int] = []
    watcher.on_change(lambda: calls.append(1))
    assert watcher.check() is False
    add_entry(store, table_actor(1), keys.event_id, 1, "enabler", "x")
    assert watcher.check() is True
    assert watcher.check() is False
    assert calls == [1]
    assert watcher.start() is False  # not served: nothing runs in the background


def test_join_by_code(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    join = JoinView(store, PageParams(event=keys.event_id))
    join.code.value = "WRONG1"
    join.join_button.click()
    assert "join code" in join.message.value
    join.code.value = keys.join_code.lower()
    join.table.value = 2
    join.join_button.click()
    assert join.table_view is not None and join.table_view.ctx.actor == table_actor(2)
    choose(join.table_view)
    join.table_view.entry_text.value = "Joined by code"
    join.table_view.entry_buttons.press("add")
    assert [e.table for e in list_entries(store, keys.event_id)] == [2]


def test_grouping_and_voting_by_buttons(event: tuple[Store, EventKeys]) -> None:
    store, keys = event
    pytest.importorskip("facilitation.voting.rules")
    for table in (1, 2):
        add_entry(store, table_actor(table), keys.event_id, table, "enabler", f"Shared records {table}")
    set_phase(store, FACILITATOR, keys.event_id, "grouping")
    view = table_view(store, keys, 1)
    board = view.panel
    assert board is not None
    board.select(board.entry_rows.rows[0]["id"])
    board.theme_name.value = "Data sharing"
    board.controls.press("group")
    assert view.saved.state == "saved", view.saved.value
    t2 = table_view(store, keys, 2)
    t2.panel.select(t2.panel.entry_rows.rows[0]["id"])
    t2.panel.theme_name.value = "Records"
    t2.panel.group_as_new()
    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    set_phase(store, FACILITATOR, keys.event_id, "voting")
    view.ctx.watcher.check()
    panel = view.panel
    assert "dots left" in panel.left.value
    before = panel.left.value
    browser_message(panel.rows, {"action": "add", "id": panel.rows.rows[0]["id"]})  # + dot
    assert view.saved.state == "saved", view.saved.value
    assert panel.left.value != before
    console.ctx.watcher.check()
    assert "Dots left" in console.status.value
    projector = ProjectorView(ctx_for(store, keys, None))
    assert "hidden" in projector.wall.value
    console.reveal_button.click()  # tables still hold dots: the console asks first
    projector.ctx.watcher.check()
    assert "fac-bars" not in projector.wall.value
    assert console.reveal_ask.layout.display == ""
    assert "still hold dots" in console.reveal_question.value
    assert "Table 1 (4 left)" in console.reveal_question.value
    console.reveal_confirm.click()
    projector.ctx.watcher.check()
    assert "fac-bars" in projector.wall.value
    assert len(list_tables(store, keys.event_id)) == 3


def test_a_retried_draft_is_stored_once_and_the_next_draft_is_new(
    event: tuple[Store, EventKeys], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The browser's draft id with the text is the client token: a retry after a lost
    reply (Enter again, or the Add button, which names the browser's current draft) is
    stored once and confirmed to the browser each time; after the browser renews its
    draft, the next entry is a new one. Fails when the token is made in the kernel per
    attempt (a retry doubles), when Add and Enter name different drafts, or when a
    confirmed draft id lingers with new text (the next is lost)."""
    store, keys = event
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    view = TableView(ctx_for(store, keys, keys.tables[1]), 1)
    choose(view)
    box = view.entry_text
    said: list[dict[str, Any]] = []
    monkeypatch.setattr(box, "send", lambda content, buffers=None: said.append(content))
    browser_update(box, {"draft": "d-1"})
    for _ in range(2):  # the reply to the first was lost: the browser sends it again
        box._on_message(box, {"event": "submit", "value": "Shared care record", "draft": "d-1"}, [])
    box.value = "Shared care record"  # and the lead clicks Add as well, for the same draft
    view.entry_buttons.press("add")
    assert [m["draft"] for m in said if m["stored"]] == ["d-1"] * 3
    # the browser missed that confirmation: its next entry still carries the old id
    choose(view)
    box._on_message(box, {"event": "submit", "value": "Falls clinic at the library", "draft": "d-1"}, [])
    choose(view)
    browser_update(box, {"draft": "d-2", "value": "Rotas that never line up"})
    view.entry_buttons.press("add")
    texts = [e.text for e in list_entries(store, keys.event_id, table=1)]
    assert texts.count("Shared care record") == 1
    assert "Falls clinic at the library" in texts and "Rotas that never line up" in texts
    assert said[-1] == {
        "draft": "d-2",
        "text": "Rotas that never line up",
        "stored": True,
        "saved": "Enabler \u201cRotas that never line up\u201d",
    }


def test_the_entry_form_offers_the_levels_a_source_and_assets(event: tuple[Store, EventKeys]) -> None:
    from facilitation.store.schema import EVIDENCE_LEVELS

    store, keys = event
    view = table_view(store, keys, 1)
    items = {i["name"]: i for i in view.choices.items if "name" in i}
    assert [v for _, v in items["evidence"]["options"]] == ["", "not-given", *EVIDENCE_LEVELS]
    assert [v for _, v in items["kind"]["options"]] == ["enabler", "blocker", "asset"]
    assert items["source"]["type"] == "text" and items["source"]["max_length"] > 300  # the rule speaks
    choose(view, "asset", "sample evaluation")
    browser_message(view.choices, {"action": "choose", "name": "source", "value": "Audit of 40 discharges"})
    view.entry_text.value = "Handypersons fit rails in a day, Harbour Housing"
    view.entry_buttons.press("add")
    assert view.choices.get("source") == "" and view.choices.values.get("source") is None  # cleared
    choose(view, "enabler", "regional data")
    view.choices.choose("source", "s" * 301)  # too long: one line, nothing stored, the text and source kept
    view.entry_text.value = "ICB falls figures"
    view.entry_buttons.press("add")
    assert view.saved.state != "saved" and "the most is 300" in view.saved.value
    assert view.choices.get("source") == "s" * 301 and view.choices.get("evidence") == "regional data"
    assert view.entry_text.value == "ICB falls figures"
    view.choices.choose("source", "ICB dashboard")
    view.entry_buttons.press("add")
    entries = list_entries(store, keys.event_id, table=1)
    assert [(e.kind, e.evidence, e.source) for e in entries] == [
        ("asset", "sample evaluation", "Audit of 40 discharges"),
        ("enabler", "regional data", "ICB dashboard"),
    ]
    assert view.choices.get("source") == ""  # the next entry names its own
    # an edit shows the entry's source; clearing it there clears it in the store
    browser_message(view.entry_list, {"action": "edit", "id": entries[1].id})
    assert view.choices.values.get("source") == "ICB dashboard"
    assert view.choices.get("evidence") == "regional data"
    browser_message(view.entry_buttons, {"action": "add", "values": {}})
    assert list_entries(store, keys.event_id, table=1)[1].source == "ICB dashboard"  # kept unchanged
    browser_message(view.entry_list, {"action": "edit", "id": entries[1].id})
    browser_message(view.choices, {"action": "choose", "name": "source", "value": ""})
    browser_message(view.choices, {"action": "choose", "name": "evidence", "value": "not-given"})
    view.entry_buttons.press("add")
    assert [(e.evidence, e.source) for e in list_entries(store, keys.event_id, table=1)][1] == (None, None)

    set_phase(store, FACILITATOR, keys.event_id, "ideas")
    view.refresh()
    items = {i["name"]: i for i in view.choices.items if "name" in i}
    assert [v for _, v in items["kind"]["options"]] == ["idea", "question", "asset"]
    assert {"evidence", "source"} <= set(items)  # an asset in ideas carries them too
    view.choices.choose("kind", "idea")
    view.choices.choose("source", "Someone said")  # an idea has no source: refused, not dropped
    view.entry_text.value = "Falls champions on every ward"
    view.entry_buttons.press("add")
    assert "has no evidence level or source" in view.saved.value
    view.choices.choose("source", "")
    view.entry_buttons.press("add")
    choose(view, "asset", "local data")
    view.choices.choose("source", "Ward audit")
    view.entry_text.value = "Volunteer drivers, Age UK"
    view.entry_buttons.press("add")
    assert [(e.kind, e.evidence, e.source) for e in list_entries(store, keys.event_id, table=1)][2:] == [
        ("idea", None, None),
        ("asset", "local data", "Ward audit"),
    ]


def test_an_earlier_phase_entry_keeps_its_kind_and_evidence_when_edited_later(
    event: tuple[Store, EventKeys],
) -> None:
    """In ideas, an enabler's words are edited; it stays an enabler with its evidence and source."""
    store, keys = event
    view = table_view(store, keys, 1)
    choose(view, "enabler", "research")
    view.choices.choose("source", "Annual audit")
    view.entry_text.value = "Shared rota acros teams"
    view.entry_buttons.press("add")
    set_phase(store, FACILITATOR, keys.event_id, "ideas")
    view.refresh()
    row = next(r for r in view.entry_list.rows if "rota" in str(r))
    browser_message(view.entry_list, {"action": "edit", "id": row["id"]})
    view.entry_text.value = "Shared rota across teams"
    view.entry_buttons.press("add")
    (entry,) = [e for e in list_entries(store, keys.event_id, table=1) if "rota" in e.text]
    assert (entry.text, entry.kind, entry.evidence, entry.source) == (
        "Shared rota across teams",
        "enabler",
        "research",
        "Annual audit",
    )
