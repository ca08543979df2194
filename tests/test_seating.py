"""Seating: organisations and sectors mix, the same seed gives the same plan, one write applies it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import create_event
from facilitation.people.importing import import_people
from facilitation.people.rules import Person, list_people
from facilitation.people.seating import apply_seating, mixing_score, plan_seating

DATA = Path(__file__).parent / "data"


def _people(orgs: list[str], sectors: list[str] | None = None) -> list[Person]:
    sectors = sectors or [""] * len(orgs)
    return [
        Person(i + 1, f"P{i + 1}", o, sec, "", None)
        for i, (o, sec) in enumerate(zip(orgs, sectors, strict=True))
    ]


def test_same_seed_same_plan_other_seed_other_plan():
    people = _people([f"org{i % 7}" for i in range(40)])
    assert plan_seating(people, 5, seed=4) == plan_seating(people, 5, seed=4)
    assert plan_seating(people, 5, seed=4) != plan_seating(people, 5, seed=5)


def test_input_order_does_not_matter():
    people = _people([f"org{i % 7}" for i in range(40)])
    assert plan_seating(people, 5, seed=4) == plan_seating(people[::-1], 5, seed=4)


def test_tables_are_balanced_and_everyone_is_seated():
    people = _people([f"org{i % 5}" for i in range(23)])
    plan = plan_seating(people, 4, seed=1)
    assert set(plan) == {p.id for p in people}
    sizes = Counter(plan.values())
    assert set(sizes) == {1, 2, 3, 4} and max(sizes.values()) - min(sizes.values()) <= 1


def test_perfect_mix_when_possible():
    # 6 organisations of 4 people at 4 tables: every table can have 6 different organisations
    people = _people([f"org{i // 4}" for i in range(24)], [f"sector{i // 8}" for i in range(24)])
    plan = plan_seating(people, 4, seed=0)
    assert mixing_score(people, plan).organisations == 1.0
    for t in range(1, 5):
        orgs = [p.organisation for p in people if plan[p.id] == t]
        assert len(orgs) == len(set(orgs))


def test_mixes_far_better_than_seating_by_organisation():
    people = _people([f"org{i // 6}" for i in range(36)])
    by_org = {p.id: 1 + (p.id - 1) // 6 for p in people}
    assert mixing_score(people, by_org).organisations == 0.0
    assert mixing_score(people, plan_seating(people, 6, seed=2)).organisations == 1.0


def test_sectors_mix_when_organisations_already_do():
    # two sectors, each of several single-person organisations
    people = _people([f"o{i}" for i in range(8)], ["acute"] * 4 + ["housing"] * 4)
    plan = plan_seating(people, 4, seed=3)
    for t in range(1, 5):
        assert sorted(p.sector for p in people if plan[p.id] == t) == ["acute", "housing"]


def test_fixed_seats_stay():
    people = _people([f"org{i % 3}" for i in range(12)])
    keep = {1: 2, 4: 2}  # two people of org1 kept together on purpose
    plan = plan_seating(people, 3, seed=0, keep=keep)
    assert plan[1] == 2 and plan[4] == 2


def test_fixed_seat_at_a_missing_table_is_refused():
    with pytest.raises(FacilitationError, match="table 9"):
        plan_seating(_people(["a", "b"]), 2, keep={1: 9})


def test_no_tables_is_refused():
    with pytest.raises(FacilitationError, match="no tables"):
        plan_seating(_people(["a"]), [])


def test_table_numbers_may_be_given():
    plan = plan_seating(_people(["a", "b", "c", "d"]), [3, 7], seed=0)
    assert set(plan.values()) == {3, 7}


def test_people_without_organisation_are_not_alike():
    people = _people(["", "", "", ""])
    assert mixing_score(people, {1: 1, 2: 1, 3: 2, 4: 2}).organisations == 1.0


@settings(max_examples=50, deadline=None)
@given(
    orgs=st.lists(st.sampled_from("ABCDEFG"), min_size=0, max_size=60),
    tables=st.integers(1, 10),
    seed=st.integers(0, 2**31),
)
def test_plan_properties(orgs, tables, seed):
    people = _people(list(orgs))
    plan = plan_seating(people, tables, seed=seed)
    assert set(plan) == {p.id for p in people}
    assert set(plan.values()) <= set(range(1, tables + 1))
    sizes = Counter(plan.values())
    if people:
        assert max(sizes.values()) <= -(-len(people) // tables)
    assert plan == plan_seating(people, tables, seed=seed)
    score = mixing_score(people, plan)
    assert 0.0 <= score.organisations <= 1.0 and 0.0 <= score.sectors <= 1.0


def _event_with_people(store, tables=6):
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Seating", tables=tables
    )
    import_people(store, ORGANISER, ev.event_id, (DATA / "attendees.csv").read_bytes(), "attendees.csv")
    return ev.event_id


def test_apply_seating_in_one_write(store):
    ev = _event_with_people(store)
    people = list_people(store, ev)
    plan = plan_seating(people, 6, seed=7)
    before = store.signature(ev)
    assert apply_seating(store, ORGANISER, ev, plan) == 60
    assert store.signature(ev)[0] == before[0] + 1
    seated = list_people(store, ev)
    assert {p.id: p.table for p in seated} == plan
    assert mixing_score(seated).organisations >= 0.95
    assert apply_seating(store, FACILITATOR, ev, plan) == 0  # nothing to move the second time


def test_apply_seating_is_refused_to_tables(store):
    ev = _event_with_people(store)
    plan = plan_seating(list_people(store, ev), 6, seed=7)
    with pytest.raises(NotAllowed):
        apply_seating(store, table_actor(1), ev, plan)
    assert all(p.table is None for p in list_people(store, ev))


def test_apply_seating_with_a_stranger_or_missing_table_changes_nothing(store):
    ev = _event_with_people(store, tables=2)
    people = list_people(store, ev)
    plan = {p.id: 1 for p in people}
    with pytest.raises(NotFound, match="not at this event"):
        apply_seating(store, ORGANISER, ev, {**plan, 99_999: 1})
    with pytest.raises(NotFound, match="no table 5"):
        apply_seating(store, ORGANISER, ev, {**plan, people[0].id: 5})
    assert all(p.table is None for p in list_people(store, ev))


def test_unseat_with_none(store):
    ev = _event_with_people(store)
    people = list_people(store, ev)
    apply_seating(store, ORGANISER, ev, {people[0].id: 2})
    apply_seating(store, ORGANISER, ev, {people[0].id: None})
    assert all(p.table is None for p in list_people(store, ev))
