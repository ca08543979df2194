"""Who collaborated: links recorded at tables, and the networks they make.

A table lead records links for people at their own table (worked with, will work
with next, knew before, sat together), each with an optional note, while the phase
takes links; the facilitator and the organiser at any time. The networks, with the
ties derived from what happened at the event (seating, co-authored themes, votes),
come from :mod:`facilitation.network.graph` and are re-exported here; figures from
:mod:`facilitation.network.figures`; the map drawn from :mod:`facilitation.network.picture`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, and_, or_, select, update

from facilitation.access import Actor, require, require_table
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import load_event, require_open_for_input, table_id
from facilitation.network.graph import (
    CO_AUTHORED,
    DEFAULT_KINDS,
    SAT_TOGETHER,
    TIE_KINDS,
    VOTED_FOR,
    event_graph,
    series_events,
    series_graph,
)
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.store.queries import read_from, seat_of
from facilitation.text import MAX_ENTRY, clean_text

__all__ = [
    "CO_AUTHORED",
    "DEFAULT_KINDS",
    "LINK_KINDS",
    "SAT_TOGETHER",
    "TIE_KINDS",
    "VOTED_FOR",
    "Link",
    "event_graph",
    "list_links",
    "record_link",
    "series_events",
    "series_graph",
    "withdraw_link",
]

LINK_KINDS = s.LINK_KINDS


@dataclass(frozen=True)
class Link:
    """A link recorded at a table: ``person_a`` (at the recording table) and ``person_b``."""

    id: int
    kind: str
    person_a: int
    person_b: int
    name_a: str
    name_b: str
    note: str
    recorded_by: str
    created_at: str


# --- capture -----------------------------------------------------------------------


def _seat(conn: Connection, event_id: int, person_id: int) -> int | None:
    """The table number of a person at the event (None: unseated); raises if not there."""
    seat = seat_of(conn, event_id, person_id)
    if seat is None:
        raise NotFound(f"Person {person_id} is not at this event; reload the page to see who is.")
    return seat.number


def record_link(
    store: Store,
    actor: Actor,
    event_id: int,
    table: int | None,
    person_a: int,
    person_b: int,
    kind: str,
    note: str = "",
    *,
    client_token: str | None = None,
) -> int:
    """Record that two people are linked; returns the link's id.

    A table lead records links for people at their own table (``person_a`` sits at
    ``table``) to anyone at the event, while the phase takes links and input is not
    locked. The facilitator and the organiser may record at any time (``table`` may
    then be None). Recording the same kind of link between the same two people
    again returns the first link (a new note replaces the old one).

    Parameters
    ----------
    store, actor, event_id
        The event store, who is acting, and the event.
    table : int or None
        The recording table's number; ``person_a`` must sit there.
    person_a, person_b : int
        Person ids; both at the event, not the same person.
    kind : str
        One of :data:`LINK_KINDS`.
    note : str
        Optional, up to 1,000 characters.
    client_token : str, optional
        A repeated token records nothing twice.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> from facilitation.people.rules import add_person
    >>> store, ev = scratch_event(phase="collaboration")
    >>> ama = add_person(store, table_actor(1), ev, "Ama", organisation="Council", table=1)
    >>> ben = add_person(store, table_actor(2), ev, "Ben", organisation="Hospital", table=2)
    >>> lid = record_link(store, table_actor(1), ev, 1, ama, ben, "will work with", "Discharge pilot")
    >>> [(x.name_a, x.name_b, x.kind, x.note) for x in list_links(store, ev)]
    [('Ama', 'Ben', 'will work with', 'Discharge pilot')]
    >>> record_link(store, table_actor(2), ev, 1, ama, ben, "worked with")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Table 2 cannot record a link for table 1: each table writes only to its own.
    """
    staff = actor.role in ("facilitator", "organiser", "system")
    if table is None and not staff:
        raise FacilitationError("Choose the table the link is recorded at.")
    if table is not None:
        require_table(actor, table, action="record a link", also=("facilitator", "organiser"))
    else:
        require(actor, "facilitator", "organiser", action="record a link without a table")
    if kind not in LINK_KINDS:
        raise FacilitationError(f"A link is one of: {', '.join(LINK_KINDS)}; '{kind}' is none of these.")
    body = clean_text(note, field="note", max_length=MAX_ENTRY, multiline=True, required=False)
    a, b = int(person_a), int(person_b)
    if a == b:
        raise FacilitationError("A link joins two different people; choose someone else.")

    def fn(conn: Connection) -> Change:
        if staff:
            load_event(conn, event_id)
        else:
            require_open_for_input(conn, event_id, ("links",), "record links")
        if table is not None:
            table_id(conn, event_id, table)
            if _seat(conn, event_id, a) != int(table):
                raise FacilitationError(
                    f"Person {a} does not sit at table {table}. Record links for people at your own table."
                )
        else:
            _seat(conn, event_id, a)
        _seat(conn, event_id, b)
        existing = conn.execute(
            select(s.links.c.id, s.links.c.note).where(
                s.links.c.event_id == event_id,
                s.links.c.kind == kind,
                s.links.c.deleted_at.is_(None),
                or_(
                    and_(s.links.c.person_a == a, s.links.c.person_b == b),
                    and_(s.links.c.person_a == b, s.links.c.person_b == a),
                ),
            )
        ).first()
        if existing is not None:
            if body and body != existing.note:
                conn.execute(update(s.links).where(s.links.c.id == existing.id).values(note=body))
            detail = {"table": table, "kind": kind, "again": True}
            return Change("record link", "link", int(existing.id), detail, int(existing.id))
        link_id = conn.execute(
            s.links.insert()
            .values(
                event_id=event_id,
                kind=kind,
                person_a=a,
                person_b=b,
                note=body,
                recorded_by=actor.label,
                created_at=now(),
            )
            .returning(s.links.c.id)
        ).scalar_one()
        detail = {"table": table, "kind": kind, "person_a": a, "person_b": b}
        return Change("record link", "link", int(link_id), detail, int(link_id))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def withdraw_link(
    store: Store, actor: Actor, event_id: int, link_id: int, *, client_token: str | None = None
) -> int:
    """Withdraw a link (soft: kept in the store and the activity log); returns its id.

    A table lead withdraws links whose ``person_a`` sits at their table, while the
    phase takes links; the facilitator and the organiser at any time.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> from facilitation.people.rules import add_person
    >>> store, ev = scratch_event()
    >>> a = add_person(store, FACILITATOR, ev, "Ama", table=1)
    >>> b = add_person(store, FACILITATOR, ev, "Ben", table=2)
    >>> lid = record_link(store, FACILITATOR, ev, None, a, b, "knew before")
    >>> withdraw_link(store, FACILITATOR, ev, lid) == lid, list_links(store, ev)
    (True, [])
    """
    staff = actor.role in ("facilitator", "organiser", "system")

    def fn(conn: Connection) -> Change:
        row = conn.execute(
            select(s.links.c.id, s.links.c.person_a).where(
                s.links.c.id == int(link_id),
                s.links.c.event_id == event_id,
                s.links.c.deleted_at.is_(None),
            )
        ).first()
        if row is None:
            raise NotFound(f"Link {link_id} is not there any more; reload the page to see the latest.")
        if not staff:
            seat = _seat(conn, event_id, row.person_a)
            require_table(actor, seat if seat is not None else -1, action="withdraw this link")
            require_open_for_input(conn, event_id, ("links",), "withdraw links")
        conn.execute(update(s.links).where(s.links.c.id == row.id).values(deleted_at=now()))
        return Change("withdraw link", "link", int(row.id), {}, int(row.id))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def list_links(
    store: Store | Connection, event_id: int, *, table: int | None = None, kinds: Iterable[str] | None = None
) -> list[Link]:
    """The links recorded at an event (those whose ``person_a`` sits at ``table``), oldest first."""

    def q(conn: Connection) -> list[Link]:
        pa = s.people.alias("pa")
        pb = s.people.alias("pb")
        query = (
            select(s.links, pa.c.name.label("name_a"), pb.c.name.label("name_b"))
            .join(pa, pa.c.id == s.links.c.person_a)
            .join(pb, pb.c.id == s.links.c.person_b)
            .where(s.links.c.event_id == event_id, s.links.c.deleted_at.is_(None))
            .order_by(s.links.c.id)
        )
        if kinds is not None:
            query = query.where(s.links.c.kind.in_(list(kinds)))
        if table is not None:
            seated = (
                select(s.attendance.c.person_id)
                .join(s.event_tables, s.event_tables.c.id == s.attendance.c.table_id)
                .where(
                    s.attendance.c.event_id == event_id,
                    s.attendance.c.deleted_at.is_(None),
                    s.event_tables.c.number == int(table),
                )
            )
            query = query.where(s.links.c.person_a.in_(seated))
        return [
            Link(
                r["id"],
                r["kind"],
                r["person_a"],
                r["person_b"],
                r["name_a"],
                r["name_b"],
                r["note"],
                r["recorded_by"],
                r["created_at"],
            )
            for r in conn.execute(query).mappings()
        ]

    return read_from(store, q)
