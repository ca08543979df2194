"""The questions asked in several places, answered once (facilitation/store/queries.py):
who counts as attending, who is on an event's list, where a person sits, and what a
removed or deleted person is (nobody, anywhere)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from facilitation.access import FACILITATOR, ORGANISER
from facilitation.errors import NotFound
from facilitation.events.rules import create_event, set_phase
from facilitation.network.rules import event_graph
from facilitation.people.rules import add_person, list_people, remove_from_event, seat_person
from facilitation.store import Store, now
from facilitation.store import schema as s
from facilitation.store.queries import Seat, attending, listed, read_from, seat_of


@pytest.fixture
def room(store: Store) -> tuple[Store, int, dict[str, int]]:
    """Five people: came, invited but did not come, unseated, removed, deleted."""
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Roster", tables=2
    ).event_id
    who = {
        name: add_person(store, FACILITATOR, ev, name, organisation="Acme", table=table)
        for name, table in [("came", 1), ("invited", 2), ("unseated", None), ("removed", 1), ("deleted", 2)]
    }
    remove_from_event(store, FACILITATOR, ev, who["removed"])
    with store.engine.begin() as conn:  # what an import of invitations and a deletion leave behind
        conn.execute(
            update(s.attendance).where(s.attendance.c.person_id == who["invited"]).values(attended=False)
        )
        conn.execute(update(s.people).where(s.people.c.id == who["deleted"]).values(deleted_at=now()))
    return store, ev, who


def _ids(store: Store, conditions: list) -> set[int]:
    query = (
        select(s.attendance.c.person_id)
        .select_from(s.attendance.join(s.people, s.people.c.id == s.attendance.c.person_id))
        .where(*conditions)
    )
    return set(store.read(lambda c: c.execute(query).scalars().all()))


def test_who_counts_as_attending_and_who_is_listed(room: tuple[Store, int, dict[str, int]]) -> None:
    store, ev, who = room
    assert _ids(store, attending(ev)) == {who["came"], who["unseated"]}
    assert _ids(store, listed(ev)) == {who["came"], who["invited"], who["unseated"]}
    # The readers ask the same question: the list of people, and the network (drawn from who came).
    assert {p.id for p in list_people(store, ev)} == _ids(store, listed(ev))
    set_phase(store, FACILITATOR, ev, "collaboration")
    assert set(event_graph(store, ev).nodes) == _ids(store, attending(ev))


def test_where_a_person_sits_and_that_removed_or_deleted_people_sit_nowhere(
    room: tuple[Store, int, dict[str, int]],
) -> None:
    store, ev, who = room
    seats = {name: read_from(store, lambda c, p=pid: seat_of(c, ev, p)) for name, pid in who.items()}
    assert seats["came"] is not None and seats["came"].number == 1
    assert seats["invited"] is not None and seats["invited"].number == 2  # listed, so seated
    assert seats["unseated"] == Seat(None, None)
    assert seats["removed"] is None and seats["deleted"] is None
    # Every rule that asks "where does this person sit" gets the same answer for a deleted person.
    with pytest.raises(NotFound):
        seat_person(store, FACILITATOR, ev, who["deleted"], 1)
    with pytest.raises(NotFound):
        seat_person(store, FACILITATOR, ev, who["removed"], 1)
