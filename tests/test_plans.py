"""Task-and-finish groups: promotion with the tally, drafting rights, the decision log,
open actions carried to the next event of a series. Run on SQLite and PostgreSQL.

``planned_event`` builds a small event with every kind of row (entries, themes, dots,
ties, groups, members, linked entries, actions); the frame and export tests use it.
Themes, dots and ties are written as rows here, so these tests do not depend on the
grouping, voting and network modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import Connection, insert, select

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, table_actor
from facilitation.capture.rules import add_entry
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import create_event, set_phase, table_id
from facilitation.people.rules import add_person
from facilitation.plans.rules import (
    add_action,
    add_member,
    decision_log,
    link_entry,
    list_groups,
    open_actions_from_earlier_events,
    promote_theme,
    remove_member,
    suggested_members,
    update_action,
    update_group,
)
from facilitation.store import Change, Store, now
from facilitation.store import schema as s


@dataclass
class Planned:
    """Ids of what :func:`planned_event` made."""

    event_id: int
    people: list[int] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=dict)
    themes: dict[str, int] = field(default_factory=dict)
    groups: list[int] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)


PEOPLE = [
    ("Ama Owusu", "Eastbrook City Council", "local authority", 1),
    ("Kwame O'Brien", "Age Together (charity)", "voluntary sector", 1),
    ("Siân Llewellyn", "Eastbrook Hospitals NHS Trust", "acute", 2),
    ("Ben Nguyen", "Public Health Eastbrook", "public health", 2),
    ("Zofia Nowak", "Riverside Primary Care Network", "primary care", 3),
    ("Dev Patel", "Eastbrook City Council", "local authority", 3),
]


def _rows(store: Store, event_id: int, fn) -> object:  # type: ignore[no-untyped-def]
    def write(conn: Connection) -> Change:
        return Change("test rows", result=fn(conn))

    return store.write(write, actor=SYSTEM, event_id=event_id).result


def planned_event(
    store: Store,
    *,
    text: str | None = None,
    series_id: int | None = None,
    starts_on: str | None = "2026-11-26",
    title: str = "Frailty in the community",
) -> Planned:
    """An event at its action-plans phase with two groups; ``text`` goes in every text field."""

    def t(default: str) -> str:
        return text if text is not None else default

    keys = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title=title if text is None else text[:200],
        tables=3, series_id=series_id, starts_on=starts_on, challenge=t("Keep frail people well at home"),
        purpose=t("One system"), key_question=t("Do fewer people fall?"), success_measures=[t("Falls down 10%")],
    )  # fmt: skip
    ev = keys.event_id
    p = Planned(ev)
    for name, org, sector, table in PEOPLE:
        who = name if text is None else f"{text[:150]} {name}"
        p.people.append(add_person(store, ORGANISER, ev, who, organisation=org, sector=sector, table=table))
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    for key, table, kind, words in [
        ("e1", 1, "enabler", "Shared care record"),
        ("b1", 2, "blocker", "Information governance delays"),
        ("e2", 3, "enabler", "Community connectors"),
        ("b2", 1, "blocker", "Short-term funding"),
    ]:
        p.entries[key] = add_entry(
            store, table_actor(table), ev, table, kind, t(words), evidence="local data"
        )
    set_phase(store, FACILITATOR, ev, "ideas")
    p.entries["i1"] = add_entry(store, table_actor(2), ev, 2, "idea", t("Falls huddle across teams"))
    p.entries["i2"] = add_entry(store, table_actor(3), ev, 3, "idea", t("Joint frailty register"))

    def themes(conn: Connection) -> dict[str, int]:
        at = now()
        made = {}
        for key, name in [("data", "Joined-up data"), ("people", "Community capacity")]:
            made[key] = conn.execute(
                insert(s.themes).values(event_id=ev, name=t(name), created_at=at).returning(s.themes.c.id)
            ).scalar_one()
        for table, key, entry_keys in [
            (1, "data", ["e1", "b2"]),
            (2, "data", ["b1", "i1"]),
            (3, "people", ["e2", "i2"]),
        ]:
            tid = table_id(conn, ev, table)
            sub = conn.execute(
                insert(s.themes)
                .values(
                    event_id=ev,
                    table_id=tid,
                    name=t(f"table {table} {key}"),
                    merged_into=made[key],
                    created_at=at,
                )
                .returning(s.themes.c.id)
            ).scalar_one()
            for k in entry_keys:
                conn.execute(s.entries.update().where(s.entries.c.id == p.entries[k]).values(theme_id=sub))
        # five dots on data, three on people, one removed dot that must not count
        for n, (table, key) in enumerate([(1, "data"), (2, "data"), (3, "data"), (1, "data"), (2, "data"),
                                          (3, "people"), (1, "people"), (2, "people")]):  # fmt: skip
            conn.execute(
                insert(s.dots).values(
                    event_id=ev, round=1, voter=f"table:{table}", voter_table_id=table_id(conn, ev, table),
                    theme_id=made[key], slot=n, theme_slot=n, created_at=at,
                )
            )  # fmt: skip
        conn.execute(
            insert(s.dots).values(
                event_id=ev, round=1, voter="table:3", voter_table_id=table_id(conn, ev, 3),
                theme_id=made["people"], slot=99, theme_slot=99, created_at=at, removed_at=at,
            )
        )  # fmt: skip
        for a, b, kind in [(0, 2, "worked with"), (1, 4, "will work with"), (0, 5, "knew before")]:
            conn.execute(
                insert(s.links).values(
                    event_id=ev, kind=kind, person_a=p.people[a], person_b=p.people[b], note=t("met at table"),
                    recorded_by="table 1", created_at=at,
                )
            )  # fmt: skip
        return made

    p.themes = _rows(store, ev, themes)  # type: ignore[assignment]
    set_phase(store, FACILITATOR, ev, "action-plans")
    for key, lead in [("data", 1), ("people", 3)]:
        gid = promote_theme(store, FACILITATOR, ev, p.themes[key], lead_table=lead)
        p.groups.append(gid)
        update_group(
            store, table_actor(lead), ev, gid, purpose=t("Make it happen"), lead=t("Ama Owusu"),
            sponsor=t("Director of Adult Social Care"), key_question=t("Do fewer people fall?"),
            success_measures=[t("Falls admissions down 10%"), t("Staff say it helps")],
            review_dates={"first": "2026-12-10", "1y": "2027-11-26", "3y": "2029-11-26", "8y": "2034-11-26"},
            destination="exemplar hub" if lead == 1 else "board",
        )  # fmt: skip
        add_member(store, table_actor(lead), ev, gid, p.people[0 if lead == 1 else 4], role="lead")
        add_member(store, table_actor(lead), ev, gid, p.people[2 if lead == 1 else 5])
        p.actions.append(
            add_action(
                store,
                table_actor(lead),
                ev,
                gid,
                t("Map the data flows"),
                owner=t("Siân"),
                due_on="2027-01-15",
            )
        )
        p.actions.append(
            add_action(
                store, FACILITATOR, ev, gid, t("Book the first meeting"), owner=t("Ben"), status="in progress"
            )
        )
    link_entry(store, table_actor(1), ev, p.groups[0], p.entries["e1"])
    link_entry(store, table_actor(1), ev, p.groups[0], p.entries["b1"])
    link_entry(store, table_actor(3), ev, p.groups[1], p.entries["e2"])
    return p


# --- rules -----------------------------------------------------------------------------


def test_promote_records_tally_and_only_facilitator_promotes(store: Store) -> None:
    p = planned_event(store)
    groups = list_groups(store, p.event_id)
    assert [(g.name, g.tally, g.lead_table) for g in groups] == [
        ("Joined-up data", 5, 1),
        ("Community capacity", 3, 3),
    ]
    with pytest.raises(NotAllowed):
        promote_theme(store, table_actor(1), p.event_id, p.themes["data"])
    with pytest.raises(NotAllowed):
        promote_theme(store, ORGANISER, p.event_id, p.themes["data"])
    with pytest.raises(FacilitationError, match="already the task-and-finish group"):
        promote_theme(store, FACILITATOR, p.event_id, p.themes["data"])
    with pytest.raises(NotFound):
        promote_theme(store, FACILITATOR, p.event_id, 999_999)


def test_group_holds_the_whole_plan(store: Store) -> None:
    p = planned_event(store)
    g = list_groups(store, p.event_id)[0]
    assert g.purpose == "Make it happen"
    assert g.sponsor == "Director of Adult Social Care"
    assert g.success_measures == ("Falls admissions down 10%", "Staff say it helps")
    assert g.review_dates == {
        "first": "2026-12-10",
        "1y": "2027-11-26",
        "3y": "2029-11-26",
        "8y": "2034-11-26",
    }
    assert g.destination == "exemplar hub"
    assert [(m.name, m.role) for m in g.members] == [("Ama Owusu", "lead"), ("Siân Llewellyn", "member")]
    assert [(e.kind, e.use) for e in g.entries] == [("enabler", "use"), ("blocker", "remove")]
    assert [(a.text, a.due_on, a.status) for a in g.actions] == [
        ("Map the data flows", "2027-01-15", "not started"),
        ("Book the first meeting", None, "in progress"),
    ]


def test_only_the_lead_table_drafts_and_only_in_the_plans_phase(store: Store) -> None:
    p = planned_event(store)
    gid = p.groups[0]
    with pytest.raises(NotAllowed, match="drafted by table 1"):
        update_group(store, table_actor(2), p.event_id, gid, purpose="hijack")
    with pytest.raises(NotAllowed):
        add_action(store, table_actor(3), p.event_id, gid, "not mine")
    with pytest.raises(NotAllowed):
        update_group(store, ORGANISER, p.event_id, gid, purpose="organiser")
    with pytest.raises(NotAllowed):
        update_group(store, table_actor(1), p.event_id, gid, lead_table=2)
    set_phase(store, FACILITATOR, p.event_id, "close")
    with pytest.raises(FacilitationError, match="cannot edit this group's plan during"):
        update_group(store, table_actor(1), p.event_id, gid, purpose="late")
    # the facilitator can edit at any time, including moving the lead
    update_group(store, FACILITATOR, p.event_id, gid, purpose="late but fine", lead_table=2)
    g = list_groups(store, p.event_id)[0]
    assert (g.purpose, g.lead_table) == ("late but fine", 2)


def test_validation_messages(store: Store) -> None:
    p = planned_event(store)
    gid = p.groups[0]
    with pytest.raises(FacilitationError, match="exemplar hub or to the board"):
        update_group(store, FACILITATOR, p.event_id, gid, destination="cabinet")
    with pytest.raises(FacilitationError, match="Review dates are for"):
        update_group(store, FACILITATOR, p.event_id, gid, review_dates={"2y": "2028-01-01"})
    with pytest.raises(FacilitationError, match="a date like"):
        update_group(store, FACILITATOR, p.event_id, gid, review_dates={"1y": "next year"})
    with pytest.raises(FacilitationError, match="no field"):
        update_group(store, FACILITATOR, p.event_id, gid, colour="red")
    with pytest.raises(FacilitationError, match="status is one of"):
        update_action(store, FACILITATOR, p.event_id, p.actions[0], status="finished")
    with pytest.raises(FacilitationError, match="cannot be to use"):
        link_entry(store, FACILITATOR, p.event_id, gid, p.entries["b2"], use="use")


def test_members_links_and_actions_are_idempotent_and_soft(store: Store) -> None:
    p = planned_event(store)
    gid = p.groups[0]
    first = add_member(store, FACILITATOR, p.event_id, gid, p.people[3])
    assert add_member(store, FACILITATOR, p.event_id, gid, p.people[3], role="sponsor") == first
    remove_member(store, FACILITATOR, p.event_id, gid, p.people[3])
    assert p.people[3] not in [m.person_id for m in list_groups(store, p.event_id)[0].members]
    with pytest.raises(NotFound):
        remove_member(store, FACILITATOR, p.event_id, gid, p.people[3])
    again = link_entry(store, FACILITATOR, p.event_id, gid, p.entries["e1"])
    assert len(list_groups(store, p.event_id)[0].entries) == 2 and again
    token_a = add_action(store, table_actor(1), p.event_id, gid, "Once", client_token="tok-1")
    assert add_action(store, table_actor(1), p.event_id, gid, "Once", client_token="tok-1") == token_a
    update_action(
        store, table_actor(1), p.event_id, token_a, status="done", owner="Zofia", due_on="2027-02-01"
    )
    act = next(a for a in list_groups(store, p.event_id)[0].actions if a.id == token_a)
    assert (act.status, act.owner, act.due_on) == ("done", "Zofia", "2027-02-01")
    # the removed member is still in the store: deletes are soft
    kept = store.read(
        lambda c: c.execute(
            select(s.group_members.c.deleted_at).where(s.group_members.c.person_id == p.people[3])
        ).all()
    )
    assert kept and kept[0][0] is not None


def test_decision_log_is_an_unbroken_chain(store: Store) -> None:
    p = planned_event(store)
    log = decision_log(store, p.event_id)
    assert len(log) == 4  # two actions in each of two groups
    first = log[0]
    assert (first.theme, first.tally, first.group) == ("Joined-up data", 5, "Joined-up data")
    assert {e[0] for e in first.entries} == {p.entries[k] for k in ("e1", "b2", "b1", "i1")}
    assert first.action is not None and first.action.text == "Map the data flows"
    # a group without actions still shows, with a gap
    gid = promote_theme(
        store, FACILITATOR, p.event_id, _rows(store, p.event_id, _new_theme(p.event_id)), name="Empty"
    )
    assert [d.action for d in decision_log(store, p.event_id) if d.group_id == gid] == [None]


def _new_theme(event_id: int):  # type: ignore[no-untyped-def]
    def fn(conn: Connection) -> int:
        return int(
            conn.execute(
                insert(s.themes)
                .values(event_id=event_id, name="Later", created_at=now())
                .returning(s.themes.c.id)
            ).scalar_one()
        )

    return fn


def test_open_actions_carry_to_the_next_event_of_a_series(store: Store) -> None:
    from facilitation.series.rules import create_series

    sid = create_series(store, ORGANISER, "Frailty community of practice")
    first = planned_event(store, series_id=sid, starts_on="2026-09-01", title="September")
    update_action(store, FACILITATOR, first.event_id, first.actions[0], status="done")
    update_action(store, FACILITATOR, first.event_id, first.actions[3], status="dropped")
    nxt = create_event(
        store, ORGANISER, template="community-of-practice-online-90", title="October", series_id=sid,
        starts_on="2026-10-06",
    ).event_id  # fmt: skip
    open_ = open_actions_from_earlier_events(store, nxt)
    assert [o.action.id for o in open_] == [first.actions[1], first.actions[2]]
    assert {o.event_title for o in open_} == {"September"}
    assert open_actions_from_earlier_events(store, first.event_id) == []


def test_suggested_members_mix_organisations(store: Store) -> None:
    p = planned_event(store)
    gid = p.groups[0]
    got = suggested_members(store, p.event_id, gid, k=3, seed=1)
    assert got == suggested_members(store, p.event_id, gid, k=3, seed=1)
    members = {m.person_id for m in list_groups(store, p.event_id)[0].members}
    assert len(got) == 3 and not members & {x.person_id for x in got}
    # the members' organisations (council, acute trust) come last
    assert got[0].organisation not in {"Eastbrook City Council", "Eastbrook Hospitals NHS Trust"}


def _dates(store: Store, event_id: int, gid: int) -> dict[str, str]:
    return next(g.review_dates for g in list_groups(store, event_id) if g.id == gid)


def test_review_dates_default_to_the_first_meeting_plus_1_3_and_8_years(store: Store) -> None:
    p = planned_event(store)
    gid = p.groups[1]
    update_group(store, FACILITATOR, p.event_id, gid, review_dates=dict.fromkeys(("first", "1y", "3y", "8y")))
    assert _dates(store, p.event_id, gid) == {}  # each given as None: cleared
    update_group(store, FACILITATOR, p.event_id, gid, review_dates={"first": "2027-02-01"})
    assert _dates(store, p.event_id, gid) == {
        "first": "2027-02-01", "1y": "2028-02-01", "3y": "2030-02-01", "8y": "2035-02-01",
    }  # fmt: skip
    # the plan form sends every date: those sent as stored still follow the first meeting
    form = {"first": "2027-03-01", "1y": "2028-02-01", "3y": "2030-02-01", "8y": "2035-02-01"}
    update_group(store, FACILITATOR, p.event_id, gid, review_dates=form)
    assert _dates(store, p.event_id, gid) == {
        "first": "2027-03-01", "1y": "2028-03-01", "3y": "2030-03-01", "8y": "2035-03-01",
    }  # fmt: skip
    update_group(store, FACILITATOR, p.event_id, gid, review_dates={"1y": "2028-05-05"})
    update_group(store, FACILITATOR, p.event_id, gid, review_dates={"first": "2027-04-01"})
    # a review set by hand stays; those still at their default follow the first meeting
    assert _dates(store, p.event_id, gid) == {
        "first": "2027-04-01", "1y": "2028-05-05", "3y": "2030-04-01", "8y": "2035-04-01",
    }  # fmt: skip


def test_setting_one_review_date_never_clears_the_others(store: Store) -> None:
    p = planned_event(store)
    gid = p.groups[0]
    before = _dates(store, p.event_id, gid)
    update_group(store, FACILITATOR, p.event_id, gid, review_dates={"3y": "2030-01-15"})
    assert _dates(store, p.event_id, gid) == {**before, "3y": "2030-01-15"}
    update_group(store, FACILITATOR, p.event_id, gid, review_dates={"8y": None})  # cleared on purpose
    assert _dates(store, p.event_id, gid) == {
        k: v for k, v in {**before, "3y": "2030-01-15"}.items() if k != "8y"
    }


@pytest.mark.parametrize("horizon", ["first", "1y", "3y", "8y"])
def test_a_review_before_the_event_is_refused(store: Store, horizon: str) -> None:
    p = planned_event(store)  # on 2026-11-26
    gid = p.groups[0]
    before = _dates(store, p.event_id, gid)
    with pytest.raises(FacilitationError, match=r"\(2026-11-25\) is before the event \(2026-11-26\)"):
        update_group(store, FACILITATOR, p.event_id, gid, review_dates={horizon: "2026-11-25"})
    assert _dates(store, p.event_id, gid) == before
    update_group(store, FACILITATOR, p.event_id, gid, review_dates={horizon: "2026-11-26"})  # the day itself
    assert _dates(store, p.event_id, gid)[horizon] == "2026-11-26"


@pytest.mark.parametrize("day", ["31/12/2026", "not a date", "20270101"])
def test_review_and_due_dates_are_iso(store: Store, day: str) -> None:
    p = planned_event(store)
    with pytest.raises(FacilitationError, match=r"a date like 2026-03-12 \(year-month-day\)"):
        update_group(store, FACILITATOR, p.event_id, p.groups[0], review_dates={"1y": day})
    with pytest.raises(FacilitationError, match=r"a date like 2026-03-12 \(year-month-day\)"):
        add_action(store, FACILITATOR, p.event_id, p.groups[0], "Later", due_on=day)
