"""People, organisations, attendance, and series of events."""

from __future__ import annotations

import pytest

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import create_event, get_event, list_events
from facilitation.people.rules import add_person, list_people, remove_from_event, seat_person, update_person
from facilitation.series.rules import add_event_to_series, create_series, get_series, list_series


def _event(store, series_id=None, tables=4):
    return create_event(
        store,
        ORGANISER,
        template="innovation-challenge-half-day",
        title="People",
        tables=tables,
        series_id=series_id,
    ).event_id


def test_add_person_with_organisation_and_sector(store):
    ev = _event(store)
    pid = add_person(
        store, ORGANISER, ev, "  Niamh  Ó Súilleabháin ", organisation="North Vale PCN", sector="Primary Care",
        role="Frailty Nurse", table=2,
    )  # fmt: skip
    (p,) = list_people(store, ev)
    assert (p.id, p.name, p.organisation, p.sector, p.role, p.table) == (
        pid, "Niamh  Ó Súilleabháin", "North Vale PCN", "primary care", "Frailty Nurse", 2,
    )  # fmt: skip


def test_table_lead_adds_to_own_table_only(store):
    ev = _event(store)
    add_person(store, table_actor(1), ev, "Ama Owusu", table=1)
    with pytest.raises(NotAllowed, match="Table 1 cannot add people for table 2"):
        add_person(store, table_actor(1), ev, "Ben", table=2)
    with pytest.raises(NotAllowed):
        add_person(store, table_actor(1), ev, "Unseated")


def test_seat_update_remove(store):
    ev = _event(store)
    pid = add_person(store, ORGANISER, ev, "Ama Owusu", organisation="Council")
    seat_person(store, ORGANISER, ev, pid, 3)
    assert list_people(store, ev, table=3)[0].id == pid
    with pytest.raises(NotAllowed):
        seat_person(store, table_actor(3), ev, pid, 1)
    update_person(store, table_actor(3), ev, pid, role="Commissioner")
    with pytest.raises(NotAllowed):
        update_person(store, table_actor(2), ev, pid, role="Not mine")
    update_person(store, ORGANISER, ev, pid, organisation="Eastbrook City Council", sector="local authority")
    (p,) = list_people(store, ev)
    assert (p.role, p.organisation, p.sector) == ("Commissioner", "Eastbrook City Council", "local authority")
    with pytest.raises(NotFound, match="no table 9"):
        seat_person(store, ORGANISER, ev, pid, 9)
    remove_from_event(store, ORGANISER, ev, pid)
    assert list_people(store, ev) == []
    with pytest.raises(NotFound):
        seat_person(store, ORGANISER, ev, 999, 1)


def test_people_are_sorted_by_table_then_name(store):
    ev = _event(store)
    for name, table in [("Zoe", 1), ("adam", 2), ("Bea", 1), ("Cai", None)]:
        add_person(store, ORGANISER, ev, name, table=table)
    assert [(p.name, p.table) for p in list_people(store, ev)] == [
        ("Bea", 1),
        ("Zoe", 1),
        ("adam", 2),
        ("Cai", None),
    ]


def test_demographics_are_kept_cleaned(store):
    ev = _event(store)
    add_person(store, ORGANISER, ev, "Ama", demographics={"age band": "55-64", "empty": " "})
    assert list_people(store, ev)[0].demographics == {"age band": "55-64"}


def test_empty_name_is_refused(store):
    with pytest.raises(FacilitationError, match="The name is empty"):
        add_person(store, ORGANISER, _event(store), "\u202e ")


def test_series_create_list_get(store):
    sid = create_series(store, ORGANISER, "Systems leadership community of practice", "Meets monthly")
    other = create_series(store, FACILITATOR, "Innovation challenges")
    _event(store, series_id=sid)
    _event(store, series_id=sid)
    found = {x.id: x for x in list_series(store)}
    assert (found[sid].events, found[other].events) == (2, 0)
    assert get_series(store, sid).description == "Meets monthly"
    assert len(list_events(store, series_id=sid)) == 2
    with pytest.raises(NotFound, match="no series 999"):
        get_series(store, 999)


def test_series_is_for_organisers_and_facilitators(store):
    with pytest.raises(NotAllowed):
        create_series(store, table_actor(1), "Mine")
    sid = create_series(store, ORGANISER, "Ours")
    with pytest.raises(NotAllowed):
        add_event_to_series(store, table_actor(1), _event(store), sid)
    with pytest.raises(FacilitationError, match="series name is empty"):
        create_series(store, ORGANISER, " ")


def test_people_keep_one_identity_across_a_series(store):
    sid = create_series(store, ORGANISER, "Community of practice")
    first, second, elsewhere = _event(store, sid), _event(store, sid), _event(store)
    a = add_person(store, ORGANISER, first, "Ama Owusu", organisation="Council")
    b = add_person(store, ORGANISER, second, "ama owusu", organisation="Council")
    c = add_person(store, ORGANISER, elsewhere, "Ama Owusu", organisation="Council")
    d = add_person(store, ORGANISER, second, "Ama Owusu", organisation="Trust")
    assert a == b and c != a and d != a


def test_add_event_to_series_before_people_only(store):
    sid = create_series(store, ORGANISER, "Programme")
    ev = _event(store)
    assert add_event_to_series(store, ORGANISER, ev, sid) == sid
    assert get_event(store, ev).series_id == sid
    assert add_event_to_series(store, ORGANISER, ev, sid) == sid  # again: no change
    busy = _event(store)
    add_person(store, ORGANISER, busy, "Ama")
    with pytest.raises(FacilitationError, match="before importing people"):
        add_event_to_series(store, ORGANISER, busy, sid)
    with pytest.raises(NotFound, match="no series 77"):
        add_event_to_series(store, ORGANISER, ev, 77)
