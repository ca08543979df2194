"""People, their organisations and their attendance at events.

A person keeps one identity across the events of a series (matched on name and
organisation, case and accents kept but case ignored), so a tie between two people
at the tenth meeting is known to be renewed rather than new. Demographic fields are
voluntary and only ever reported for groups of five or more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from facilitation.access import Actor, require, require_table
from facilitation.errors import NotFound
from facilitation.events.rules import load_event, table_id
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.store.queries import listed, seat_of
from facilitation.text import MAX_NAME, clean_text

__all__ = [
    "SECTORS",
    "Person",
    "add_person",
    "ensure_organisation",
    "list_people",
    "name_key",
    "remove_from_event",
    "seat_person",
    "update_person",
]

# The sectors of a health and care system, offered as choices; others are accepted.
SECTORS = (
    "acute",
    "primary care",
    "community services",
    "mental health",
    "local authority",
    "public health",
    "social care",
    "voluntary sector",
    "housing",
    "patient representatives",
    "education",
    "other",
)


@dataclass(frozen=True)
class Person:
    """A person at an event, with organisation, sector, role and table."""

    id: int
    name: str
    organisation: str
    sector: str
    role: str
    table: int | None
    organisation_id: int | None = None
    demographics: dict[str, Any] = field(default_factory=dict)


def name_key(name: str) -> str:
    """How two spellings of one name are matched: case and spaces ignored.

    Examples
    --------
    >>> name_key("  Niamh  Ó Súilleabháin ") == name_key("niamh ó súilleabháin")
    True
    """
    return " ".join(name.split()).casefold()


def ensure_organisation(conn: Connection, name: str, sector: str = "") -> int | None:
    """The id of organisation ``name`` inside a write, created when new."""
    name = clean_text(name, field="organisation", max_length=MAX_NAME, required=False)
    if not name:
        return None
    sector = clean_text(sector, field="sector", max_length=100, required=False).lower()
    row = conn.execute(select(s.organisations).where(s.organisations.c.name == name)).mappings().first()
    if row is not None:
        if sector and not row["sector"]:
            conn.execute(
                update(s.organisations).where(s.organisations.c.id == row["id"]).values(sector=sector)
            )
        return int(row["id"])
    return int(
        conn.execute(
            insert(s.organisations)
            .values(name=name, sector=sector, created_at=now())
            .returning(s.organisations.c.id)
        ).scalar_one()
    )


def find_or_create_person(
    conn: Connection,
    series_id: int | None,
    name: str,
    org_id: int | None,
    role: str,
    demographics: dict[str, Any],
) -> int:
    """Inside a write: the id of the person ``name`` at ``org_id``, created when new.

    Within a series, the same name (ignoring case and spacing) at the same
    organisation is the same person, so ties across events are new or renewed.
    """
    key = name_key(name)
    if series_id is not None:
        row = conn.execute(
            select(s.people.c.id).where(
                s.people.c.series_id == series_id,
                s.people.c.name_key == key,
                s.people.c.organisation_id.is_(None)
                if org_id is None
                else s.people.c.organisation_id == org_id,
                s.people.c.deleted_at.is_(None),
            )
        ).first()
        if row is not None:
            if role:
                conn.execute(update(s.people).where(s.people.c.id == row.id).values(role=role))
            return int(row.id)
    return int(
        conn.execute(
            insert(s.people)
            .values(
                series_id=series_id,
                name=name,
                name_key=key,
                organisation_id=org_id,
                role=role,
                demographics=json.dumps(demographics, ensure_ascii=False),
                created_at=now(),
            )
            .returning(s.people.c.id)
        ).scalar_one()
    )


def attend(conn: Connection, event_id: int, person_id: int, table: int | None) -> None:
    """Record (or update) a person's attendance and table, inside a write."""
    tid = table_id(conn, event_id, table) if table is not None else None
    row = conn.execute(
        select(s.attendance.c.id).where(
            s.attendance.c.event_id == event_id, s.attendance.c.person_id == person_id
        )
    ).first()
    if row is None:
        conn.execute(
            insert(s.attendance).values(
                event_id=event_id, person_id=person_id, table_id=tid, created_at=now()
            )
        )
    else:
        conn.execute(
            update(s.attendance).where(s.attendance.c.id == row.id).values(table_id=tid, deleted_at=None)
        )


def add_person(
    store: Store,
    actor: Actor,
    event_id: int,
    name: str,
    *,
    organisation: str = "",
    sector: str = "",
    role: str = "",
    table: int | None = None,
    demographics: dict[str, Any] | None = None,
    client_token: str | None = None,
) -> int:
    """Add a person to an event (a table lead adds to their own table); returns the person id.

    Within a series, the same name at the same organisation is the same person.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event()
    >>> pid = add_person(store, table_actor(2), ev, "Ama Owusu", organisation="Eastbrook City Council",
    ...                  sector="local authority", role="Commissioner", table=2)
    >>> [(p.name, p.organisation, p.table) for p in list_people(store, ev)]
    [('Ama Owusu', 'Eastbrook City Council', 2)]
    """
    if table is not None and actor.role == "table":
        require_table(actor, table, action="add people")
    else:
        require(actor, "organiser", "facilitator", action="add people to the event")
    clean_name = clean_text(name, field="name", max_length=MAX_NAME)
    clean_role = clean_text(role, field="role", max_length=MAX_NAME, required=False)
    demo = {
        clean_text(k, field="field name", max_length=60): clean_text(
            v, field=str(k), max_length=200, required=False
        )
        for k, v in (demographics or {}).items()
        if str(v).strip()
    }

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        org_id = ensure_organisation(conn, organisation, sector)
        pid = find_or_create_person(conn, ev.series_id, clean_name, org_id, clean_role, demo)
        attend(conn, event_id, pid, table)
        return Change("add person", "person", pid, {"name": clean_name, "table": table}, pid)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def update_person(
    store: Store,
    actor: Actor,
    event_id: int,
    person_id: int,
    *,
    name: str | None = None,
    organisation: str | None = None,
    sector: str | None = None,
    role: str | None = None,
    client_token: str | None = None,
) -> int:
    """Correct a person's name, organisation or role (their table's lead, or the organiser)."""

    def fn(conn: Connection) -> Change:
        seat = _seat_of(conn, event_id, person_id)
        if actor.role == "table":
            require_table(actor, seat if seat is not None else -1, action="edit this person")
        else:
            require(actor, "organiser", "facilitator", action="edit people")
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = clean_text(name, field="name", max_length=MAX_NAME)
            values["name_key"] = name_key(values["name"])
        if role is not None:
            values["role"] = clean_text(role, field="role", max_length=MAX_NAME, required=False)
        if organisation is not None:
            values["organisation_id"] = ensure_organisation(conn, organisation, sector or "")
        if values:
            conn.execute(update(s.people).where(s.people.c.id == person_id).values(**values))
        return Change(
            "edit person",
            "person",
            person_id,
            {k: v for k, v in values.items() if k != "name_key"},
            person_id,
        )

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def _seat_of(conn: Connection, event_id: int, person_id: int) -> int | None:
    seat = seat_of(conn, event_id, person_id)
    if seat is None:
        raise NotFound(f"Person {person_id} is not at this event.")
    return seat.number


def seat_person(store: Store, actor: Actor, event_id: int, person_id: int, table: int | None) -> int | None:
    """Move a person to a table (or unseat them): the organiser or facilitator."""
    require(actor, "organiser", "facilitator", action="seat people")

    def fn(conn: Connection) -> Change:
        _seat_of(conn, event_id, person_id)
        attend(conn, event_id, person_id, table)
        return Change("seat person", "person", person_id, {"table": table}, table)

    return store.write(fn, actor=actor, event_id=event_id).result


def remove_from_event(store: Store, actor: Actor, event_id: int, person_id: int) -> int:
    """Take a person off an event (soft: their attendance is marked, never erased)."""

    def fn(conn: Connection) -> Change:
        seat = _seat_of(conn, event_id, person_id)
        if actor.role == "table":
            require_table(actor, seat if seat is not None else -1, action="remove this person")
        else:
            require(actor, "organiser", "facilitator", action="remove people")
        conn.execute(
            update(s.attendance)
            .where(s.attendance.c.event_id == event_id, s.attendance.c.person_id == person_id)
            .values(deleted_at=now())
        )
        return Change("remove person", "person", person_id, {}, person_id)

    return int(store.write(fn, actor=actor, event_id=event_id).result)


def list_people(store: Store | Connection, event_id: int, *, table: int | None = None) -> list[Person]:
    """The people at an event (at one table), by table then name."""

    def q(conn: Connection) -> list[Person]:
        query = (
            select(
                s.people.c.id,
                s.people.c.name,
                s.people.c.role,
                s.people.c.demographics,
                s.organisations.c.id.label("org_id"),
                s.organisations.c.name.label("org"),
                s.organisations.c.sector,
                s.event_tables.c.number,
            )
            .select_from(
                s.attendance.join(s.people, s.people.c.id == s.attendance.c.person_id)
                .outerjoin(s.organisations, s.organisations.c.id == s.people.c.organisation_id)
                .outerjoin(s.event_tables, s.event_tables.c.id == s.attendance.c.table_id)
            )
            .where(*listed(event_id))
        )
        if table is not None:
            query = query.where(s.event_tables.c.number == int(table))
        people = [
            Person(
                r.id,
                r.name,
                r.org or "",
                r.sector or "",
                r.role,
                r.number,
                r.org_id,
                json.loads(r.demographics or "{}"),
            )
            for r in conn.execute(query)
        ]
        return sorted(people, key=lambda p: (p.table is None, p.table or 0, name_key(p.name), p.id))

    if isinstance(store, Store):
        return store.read(q)
    return q(store)
