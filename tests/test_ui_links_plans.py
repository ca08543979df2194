"""The table page's links and plans panels without a browser: build the view, click,
send what a browser could send, and read the store."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import pytest
from sqlalchemy import select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.events.rules import EventKeys, create_event, set_input_lock, set_phase
from facilitation.network.rules import list_links, record_link
from facilitation.people.rules import add_person
from facilitation.plans.rules import add_action, list_groups, promote_theme, update_group
from facilitation.store import Store, open_store
from facilitation.store.schema import activity
from facilitation.themes.grouping import create_theme
from facilitation.ui.links_view import LinksPanel
from facilitation.ui.page import PageParams, open_page
from facilitation.ui.plans_view import PlansPanel
from facilitation.ui.table import TableView
from facilitation.ui.widgets import EntryInput


@dataclass
class Setup:
    store: Store
    keys: EventKeys
    people: dict[str, int]
    entries: dict[str, int]
    groups: dict[str, int]

    @property
    def event_id(self) -> int:
        return self.keys.event_id


@pytest.fixture
def setup(tmp_path: Any) -> Iterator[Setup]:
    """Three tables, four people, an enabler and a blocker, two groups led by tables 1 and 2."""
    store = open_store(str(tmp_path / "links-plans.db"))
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Plans", tables=3)
    ev = keys.event_id
    people = {
        name: add_person(store, table_actor(table), ev, name, organisation=org, table=table)
        for name, org, table in [
            ("Ama Owusu", "Eastbrook City Council", 1),
            ("Tomasz Nowak", "Eastbrook Hospitals", 1),
            ("Priya Shah", "Age Well Eastbrook", 2),
            ("Dev Patel", "Eastbrook GP Federation", 3),
        ]
    }
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    entries = {
        "records": add_entry(store, table_actor(1), ev, 1, "enabler", "Shared care record"),
        "rotas": add_entry(store, table_actor(2), ev, 2, "blocker", "Rotas never line up"),
    }
    set_phase(store, FACILITATOR, ev, "grouping")
    data = create_theme(store, table_actor(1), ev, 1, "Data sharing", [entries["records"]])
    staff = create_theme(store, table_actor(2), ev, 2, "Workforce", [entries["rotas"]])
    groups = {
        "data": promote_theme(store, FACILITATOR, ev, data, lead_table=1),
        "staff": promote_theme(store, FACILITATOR, ev, staff, lead_table=2),
    }
    yield Setup(store, keys, people, entries, groups)
    store.close()


def table_view(s: Setup, table: int) -> TableView:
    ctx = open_page(PageParams(event=s.event_id, key=s.keys.tables[table]), store=s.store)
    return TableView(ctx, table)


def browser_message(widget: w.Widget, content: dict[str, Any]) -> None:
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def walk(widget: Any) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def actors_since(store: Store, revision: int) -> set[str]:
    return store.read(
        lambda c: {r.actor for r in c.execute(select(activity.c.actor).where(activity.c.revision > revision))}
    )


# --- links -----------------------------------------------------------------------------


def links_panel(s: Setup, table: int) -> tuple[TableView, LinksPanel]:
    view = table_view(s, table)
    assert isinstance(view.panel, LinksPanel)
    return view, view.panel


def options(panel: LinksPanel, name: str) -> list[tuple[str, str]]:
    return [tuple(o) for o in next(i for i in panel.form.items if i["name"] == name)["options"]]


def test_links_panel_records_lists_and_withdraws(setup: Setup) -> None:
    s = setup
    set_phase(s.store, FACILITATOR, s.event_id, "collaboration")
    view, panel = links_panel(s, 1)
    assert view.entry_box is None  # only the phase's own part is built
    assert [v for _, v in options(panel, "person")] == [
        "",
        str(s.people["Ama Owusu"]),
        str(s.people["Tomasz Nowak"]),
    ]
    assert [v for _, v in options(panel, "other")] == [
        str(i) for i in s.people.values()
    ]  # by table, then name
    assert next(i for i in panel.form.items if i["name"] == "other")["type"] == "picker"  # searchable
    assert "table 2" in dict((v, k) for k, v in options(panel, "other"))[str(s.people["Priya Shah"])]
    assert panel.form.get("person") == "" and panel.form.get("other") == ""  # nobody chosen for the lead
    browser_message(panel.buttons, {"action": "record", "values": {}})  # nobody chosen yet
    assert view.saved.state == "not-saved" and "Choose someone at your table" in view.saved.value
    assert list_links(s.store, s.event_id) == []

    browser_message(panel.form, {"action": "choose", "name": "person", "value": str(s.people["Ama Owusu"])})
    browser_message(panel.form, {"action": "choose", "name": "other", "value": str(s.people["Priya Shah"])})
    browser_message(panel.form, {"action": "choose", "name": "how", "value": "will work with"})
    browser_message(panel.note, {"event": "submit", "value": "Discharge <pilot> $x$"})  # Enter
    assert view.saved.state == "saved", view.saved.value
    links = list_links(s.store, s.event_id)
    assert [(x.name_a, x.kind, x.name_b, x.note) for x in links] == [
        ("Ama Owusu", "will work with", "Priya Shah", "Discharge <pilot> $x$")
    ]
    assert panel.note.value == ""
    assert panel.rows.rows[0]["cells"][3]["text"] == "\u201cDischarge <pilot> $x$\u201d"  # drawn as text
    assert panel.form.get("person") == ""  # the next link chooses its people again

    panel.buttons.press("record")  # a double click: nobody is chosen, nothing more recorded
    panel.buttons.press("record")
    assert len(list_links(s.store, s.event_id)) == 1

    panel.form.choose("person", str(s.people["Ama Owusu"]))
    panel.form.choose("how", "knew before")
    panel.form.choose("other", str(s.people["Dev Patel"]))
    panel.submit()
    assert len(list_links(s.store, s.event_id, table=1)) == 2
    assert len(panel.rows.rows) == 2
    newest = panel.rows.rows[0]["id"]  # newest first: Ama knew Dev
    browser_message(panel.rows, {"action": "withdraw", "id": newest})
    browser_message(panel.rows, {"action": "withdraw", "id": newest})  # a double click: the same token
    assert view.saved.state == "saved", view.saved.value
    assert [x.name_b for x in list_links(s.store, s.event_id)] == ["Priya Shah"]


def test_links_panel_follows_people_and_keeps_the_draft(setup: Setup) -> None:
    s = setup
    set_phase(s.store, FACILITATOR, s.event_id, "collaboration")
    view, panel = links_panel(s, 1)
    panel.form.choose("person", str(s.people["Tomasz Nowak"]))
    panel.form.choose("other", str(s.people["Dev Patel"]))
    panel.note.value = "half typed"
    newcomer = add_person(
        s.store, table_actor(2), s.event_id, "Zoe Newcomer", organisation="Housing", table=2
    )
    view.ctx.watcher.check()
    assert str(newcomer) in [v for _, v in options(panel, "other")]
    assert (panel.form.get("person"), panel.form.get("other"), panel.note.value) == (
        str(s.people["Tomasz Nowak"]),
        str(s.people["Dev Patel"]),
        "half typed",
    )
    set_input_lock(s.store, FACILITATOR, s.event_id, True)
    view.ctx.watcher.check()
    assert panel.buttons.items[0]["disabled"]
    assert panel.submit() is False
    assert "locked" in view.saved.value
    assert panel.note.value == "half typed"
    assert list_links(s.store, s.event_id) == []


def test_forged_links_for_another_table_write_nothing(setup: Setup) -> None:
    s = setup
    set_phase(s.store, FACILITATOR, s.event_id, "collaboration")
    theirs = record_link(
        s.store, table_actor(2), s.event_id, 2, s.people["Priya Shah"], s.people["Dev Patel"], "worked with"
    )
    before = s.store.signature(s.event_id)[1]
    view, panel = links_panel(s, 1)
    # a person at table 2, as a forged message could ask for
    assert panel.record(s.people["Priya Shah"], s.people["Ama Owusu"], "worked with") is False
    assert view.saved.state == "not-saved"
    assert panel.withdraw(theirs) is False
    # and every button and Enter of the page, clicked as a browser could
    for widget in list(walk(view.widget)):
        if isinstance(widget, w.Button):
            browser_message(widget, {"event": "click"})
        if isinstance(widget, EntryInput):
            browser_message(widget, {"event": "submit", "value": "forged"})
    assert [(x.id, x.name_a, x.name_b) for x in list_links(s.store, s.event_id)] == [
        (theirs, "Priya Shah", "Dev Patel")
    ]
    assert actors_since(s.store, before) <= {"table 1"}


# --- plans -----------------------------------------------------------------------------


def plans_panel(s: Setup, table: int) -> tuple[TableView, PlansPanel]:
    set_phase(s.store, FACILITATOR, s.event_id, "action-plans")
    view = table_view(s, table)
    assert isinstance(view.panel, PlansPanel)
    return view, view.panel


def test_lead_table_drafts_its_plan(setup: Setup) -> None:
    s = setup
    view, panel = plans_panel(s, 1)
    assert panel.form.layout.display == ""
    assert "Data sharing" in panel.note.value
    panel.purpose.value = "One record across <health> and care"
    panel.lead.value = "Ama Owusu"
    panel.sponsor.value = "Director of Adult Social Care"
    panel.key_question.value = "Do fewer people repeat their story?"
    panel.measures.value = "Fewer repeated assessments\n\nStaff trust the record\n"
    panel.dates["first"].value = datetime.date(2027, 1, 15)
    panel.dates["1y"].value = datetime.date(2028, 1, 15)
    panel.destination.value = "exemplar hub"
    assert "not saved yet" in panel.dirty.value
    panel.save_button.click()
    assert view.saved.state == "saved", view.saved.value
    assert "Plan saved" in panel.dirty.value
    assert panel.measures.value == "Fewer repeated assessments\nStaff trust the record"  # as stored
    g = next(g for g in list_groups(s.store, s.event_id) if g.id == s.groups["data"])
    assert (g.purpose, g.lead, g.sponsor, g.destination) == (
        "One record across <health> and care",
        "Ama Owusu",
        "Director of Adult Social Care",
        "exemplar hub",
    )
    assert g.success_measures == ("Fewer repeated assessments", "Staff trust the record")
    # the 3- and 8-year reviews not set default to the first meeting plus 3 and 8 years
    assert g.review_dates == {
        "first": "2027-01-15",
        "1y": "2028-01-15",
        "3y": "2030-01-15",
        "8y": "2035-01-15",
    }
    panel.save_button.click()  # nothing changed: nothing written
    assert view.saved.state == "saved"

    # members: a suggestion is shown, a person is chosen
    suggested = panel.suggestions.rows
    assert suggested and all(r["buttons"][0]["cls"] == "fac-plan-suggest" for r in suggested)
    panel.member_choice.value = s.people["Priya Shah"]
    panel.member_button.click()
    panel.member_button.click()  # twice: still one member
    suggested = panel.suggestions.rows  # redrawn
    assert s.people["Priya Shah"] not in [r["id"] for r in suggested]
    browser_message(panel.suggestions, {"action": "add", "id": suggested[0]["id"]})
    g = next(g for g in list_groups(s.store, s.event_id) if g.id == s.groups["data"])
    assert s.people["Priya Shah"] in [m.person_id for m in g.members]
    assert len({m.person_id for m in g.members}) == len(g.members) == 2

    # enablers to use, blockers to remove
    panel.entry_choice.value = s.entries["rotas"]
    panel.entry_button.click()
    g = next(g for g in list_groups(s.store, s.event_id) if g.id == s.groups["data"])
    assert [(e.entry_id, e.use) for e in g.entries] == [(s.entries["rotas"], "remove")]
    assert panel.linked.rows[0]["cells"][1]["text"] == "Rotas never line up"

    # first actions: Enter adds, Edit changes, a double click adds once
    panel.action_form.owner.value = "Tomasz Nowak"
    panel.action_form.due.value = datetime.date(2027, 2, 1)
    browser_message(panel.action_form.text, {"event": "submit", "value": "Map the data flows"})
    assert view.saved.state == "saved", view.saved.value
    panel.action_form.button.click()  # the box is empty now: nothing more is added
    g = next(g for g in list_groups(s.store, s.event_id) if g.id == s.groups["data"])
    assert [(a.text, a.owner, a.due_on, a.status) for a in g.actions] == [
        ("Map the data flows", "Tomasz Nowak", "2027-02-01", "not started")
    ]
    assert panel.action_form.list.rows[0]["cells"][0]["text"] == "Map the data flows"
    browser_message(panel.action_form.list, {"action": "edit", "id": panel.action_form.list.rows[0]["id"]})
    assert panel.action_form.text.value == "Map the data flows"
    assert panel.action_form.button.description == "Save action"
    panel.action_form.status.value = "in progress"
    panel.action_form.due.value = None
    panel.action_form.button.click()
    g = next(g for g in list_groups(s.store, s.event_id) if g.id == s.groups["data"])
    assert [(a.text, a.due_on, a.status) for a in g.actions] == [("Map the data flows", None, "in progress")]
    assert panel.action_form.button.description == "Add action"


def test_other_changes_redraw_lists_and_keep_the_draft(setup: Setup) -> None:
    s = setup
    view, panel = plans_panel(s, 1)
    panel.purpose.value = "Typed, not saved"
    panel.action_form.text.value = "An action half typed"
    # the facilitator edits the plan and adds an action; table 2 drafts its own
    update_group(s.store, FACILITATOR, s.event_id, s.groups["data"], sponsor="Chief Nurse")
    add_action(s.store, FACILITATOR, s.event_id, s.groups["data"], "Book the first meeting")
    update_group(s.store, table_actor(2), s.event_id, s.groups["staff"], purpose="Rotas that fit")
    assert view.ctx.watcher.check()
    assert panel.purpose.value == "Typed, not saved"
    assert panel.action_form.text.value == "An action half typed"
    assert panel.action_form.list.rows[0]["cells"][0]["text"] == "Book the first meeting"
    panel.save_button.click()  # saves what was typed here, and only that
    g = next(g for g in list_groups(s.store, s.event_id) if g.id == s.groups["data"])
    assert (g.purpose, g.sponsor) == ("Typed, not saved", "Chief Nurse")
    # with nothing typed, the form follows a change made elsewhere
    update_group(s.store, FACILITATOR, s.event_id, s.groups["data"], lead="Ama Owusu")
    view.ctx.watcher.check()
    assert panel.lead.value == "Ama Owusu"
    assert panel.dirty.value == ""


def test_table_leading_no_group_is_told_who_leads(setup: Setup) -> None:
    s = setup
    _view, panel = plans_panel(s, 3)
    assert panel.form.layout.display == "none"
    assert "Your table leads no task-and-finish group" in panel.note.value
    assert "Table 1 leads &#x27;Data sharing&#x27;" in panel.note.value
    assert "Table 2 leads &#x27;Workforce&#x27;" in panel.note.value
    assert panel.save_plan() is False


def test_forged_plan_edits_of_a_group_not_led_are_refused(setup: Setup) -> None:
    s = setup
    before_groups = list_groups(s.store, s.event_id)
    view, panel = plans_panel(s, 1)
    before = s.store.signature(s.event_id)[1]
    # a forged row or message that points the page at table 2's group
    panel.state.group_id = s.groups["staff"]
    panel.purpose.value = "Hijacked by table 1"
    assert panel.save_plan() is False
    assert "cannot" in view.saved.value
    assert panel.add_person(s.people["Ama Owusu"]) is False
    assert panel.link(s.entries["records"]) is False
    panel.action_form.text.value = "Forged action"
    assert panel.action_form.save() is False
    assert panel.action_form.text.value == "Forged action"  # the draft is kept
    assert actors_since(s.store, before) == set()
    # every button and Enter of table 3's page (it leads nothing)
    other_view, _ = plans_panel(s, 3)
    for widget in list(walk(other_view.widget)):
        if isinstance(widget, w.Button):
            browser_message(widget, {"event": "click"})
        if isinstance(widget, EntryInput):
            browser_message(widget, {"event": "submit", "value": "forged"})
    after = {g.id: g for g in list_groups(s.store, s.event_id)}
    for g in before_groups:
        assert (after[g.id].purpose, after[g.id].members, after[g.id].entries, after[g.id].actions) == (
            g.purpose,
            g.members,
            g.entries,
            g.actions,
        )
    assert "table 1" not in actors_since(s.store, before)


def test_the_save_line_shows_in_every_phase_and_forgets_the_last_phase(setup: Setup) -> None:
    """Issue 18: in framing the line was hidden, so "Add person" with no name failed
    silently; "Saved: Dot added" stayed on the next phase's page."""
    s = setup
    set_phase(s.store, FACILITATOR, s.event_id, "framing")
    view = table_view(s, 1)
    assert view.saved.layout.display != "none"
    view.person_name.value = "  "
    assert not view.save_person()
    assert view.saved.state == "not-saved" and "name" in view.saved.value.lower(), view.saved.value
    view.person_name.value = "Dot Adebayo"
    assert view.save_person()
    assert view.saved.state == "saved" and "Dot Adebayo" in view.saved.value
    set_phase(s.store, FACILITATOR, s.event_id, "collaboration")
    view.ctx.watcher.check()
    assert view.saved.layout.display != "none" and view.saved.state == "idle"
    assert "Dot Adebayo" not in view.saved.value
    assert view.entry_list is None  # the table's entries are not shown here
    set_phase(s.store, FACILITATOR, s.event_id, "action-plans")
    view.ctx.watcher.check()
    assert view.panel.form.layout.display == ""
    assert table_view(s, 3).saved.layout.display != "none"  # table 3 leads no group: still shown


def test_plan_changes_not_saved_come_back_after_the_phase_moves_away_and_back(setup: Setup) -> None:
    s = setup
    set_phase(s.store, FACILITATOR, s.event_id, "action-plans")
    view = table_view(s, 1)
    plans = view.panel
    assert isinstance(plans, PlansPanel)
    plans.purpose.value = "Fewer falls at home"
    assert "not saved yet" in plans.dirty.value
    set_phase(s.store, FACILITATOR, s.event_id, "collaboration")
    view.ctx.watcher.check()
    set_phase(s.store, FACILITATOR, s.event_id, "action-plans")
    view.ctx.watcher.check()
    back = view.panel
    assert isinstance(back, PlansPanel) and back is not plans
    assert back.purpose.value == "Fewer falls at home"
    assert "not saved yet" in back.dirty.value and view.saved.state == "not-saved"
    assert back.save_plan()
    assert next(g for g in list_groups(s.store, s.event_id) if g.id == s.groups["data"]).purpose == (
        "Fewer falls at home"
    )


def test_hostile_names_and_notes_stay_text(setup: Setup) -> None:
    s = setup
    bad = '<img src=x onerror="alert(1)">$x$'
    mallory = add_person(s.store, table_actor(2), s.event_id, bad, organisation=bad, table=2)
    set_phase(s.store, FACILITATOR, s.event_id, "collaboration")
    view, panel = links_panel(s, 1)
    assert panel.record(s.people["Ama Owusu"], mallory, "worked with", bad)
    set_phase(s.store, FACILITATOR, s.event_id, "action-plans")
    view.ctx.watcher.check()
    plans = view.panel
    assert isinstance(plans, PlansPanel)
    assert plans.add_person(mallory)
    plans.action_form.text.value = bad
    plans.action_form.owner.value = bad
    assert plans.action_form.save()
    html = [x.value for x in walk(view.widget) if isinstance(x, w.HTML)]
    assert any("&lt;img src=x" in v for v in html)
    assert not any("<img" in v for v in html)


def test_projector_at_the_close_says_what_happens_next(tmp_path: Any) -> None:
    """The close: each group's lead, first meeting and open first actions, and the series' next date."""
    from test_plans import planned_event

    from facilitation.series.rules import create_series
    from facilitation.ui.projector import ProjectorView

    store = open_store(str(tmp_path / "close.db"))
    series = create_series(store, ORGANISER, "Frailty community of practice")
    planned = planned_event(store, series_id=series, starts_on="2026-11-26")
    create_event(store, ORGANISER, template="community-of-practice-online-90", title="January <meeting>",
                 tables=2, series_id=series, starts_on="2027-01-21")  # fmt: skip
    set_phase(store, FACILITATOR, planned.event_id, "close")
    wall = ProjectorView(
        open_page(PageParams(event=planned.event_id), store=store, need_key=False)
    ).wall.value
    store.close()
    assert "Joined-up data" in wall and "Community capacity" in wall
    assert "Lead Ama Owusu" in wall and "Sponsor Director of Adult Social Care" in wall
    assert "First meeting 10 December 2026" in wall
    assert "Map the data flows" in wall and "by 15 January 2027" in wall
    assert "Reports to the exemplar hub" in wall
    assert "We meet again on 21 January 2027 \u2014 January &lt;meeting&gt;" in wall
