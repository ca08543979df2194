"""The priority circle: themes and groups placed on the event's priority areas.

The event's priority areas come from its template (``priority_areas``); the circle
has a sector per area. The facilitator places themes and groups, or the tables do
when the template says ``priority_circle: tables`` (a table only while input is
unlocked). Placing again moves a theme or group; the earlier placement is kept in
the store (``deleted_at``), as every change is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events import Event, load_event
from facilitation.store import Change, Store, now
from facilitation.store import schema as s

__all__ = ["Circle", "Placement", "clear_placement", "place", "priority_circle", "read_circle", "show_circle"]

SUBJECTS = ("theme", "group")


@dataclass(frozen=True)
class Placement:
    """A theme or group on a priority area."""

    subject: str  # "theme" or "group"
    id: int
    name: str
    area: str
    placed_by: str

    def as_dict(self) -> dict[str, Any]:
        """JSON for pages."""
        return {"subject": self.subject, "id": self.id, "name": self.name, "area": self.area}


@dataclass(frozen=True)
class Circle:
    """The event's priority areas and what is placed on each."""

    areas: tuple[str, ...]
    placements: tuple[Placement, ...]
    placed_by: str  # who places: "facilitator" or "tables"

    def on(self, area: str) -> list[Placement]:
        """What is placed on ``area``."""
        return [p for p in self.placements if p.area == area]

    def as_dict(self) -> dict[str, Any]:
        """JSON for pages: the areas (sectors, in order) and the placements."""
        return {"areas": list(self.areas), "placements": [p.as_dict() for p in self.placements]}


def read_circle(conn: Connection, event_id: int) -> Circle:
    """The circle inside a transaction: only live placements of live themes and groups."""
    ev = load_event(conn, event_id)
    p, t, g = s.priority_placements, s.themes, s.groups
    rows = conn.execute(
        select(p, t.c.name.label("theme_name"), g.c.name.label("group_name"))
        .outerjoin(t, (t.c.id == p.c.theme_id) & t.c.deleted_at.is_(None))
        .outerjoin(g, (g.c.id == p.c.group_id) & g.c.deleted_at.is_(None))
        .where(p.c.event_id == int(event_id), p.c.deleted_at.is_(None))
        .order_by(p.c.id)
    ).mappings()
    out = []
    for r in rows:
        if r["theme_id"] is not None and r["theme_name"] is not None:
            out.append(Placement("theme", r["theme_id"], r["theme_name"], r["area"], r["placed_by"]))
        elif r["group_id"] is not None and r["group_name"] is not None:
            out.append(Placement("group", r["group_id"], r["group_name"], r["area"], r["placed_by"]))
    return Circle(ev.priority_areas, tuple(out), ev.priority_circle)


def priority_circle(store: Store, event_id: int) -> Circle:
    """The event's priority circle, read in one snapshot."""
    return store.read(lambda conn: read_circle(conn, event_id))


def _may_place(conn: Connection, actor: Actor, event_id: int) -> Event:
    ev = load_event(conn, event_id, for_share=True)
    if actor.role == "table":
        if ev.priority_circle != "tables":
            raise NotAllowed(
                f"Table {actor.table} cannot place themes on the priority circle: the facilitator places them at this event."
            )
        if ev.input_locked:
            raise FacilitationError(
                "Input is locked by the facilitator. Wait until it is unlocked; nothing was lost."
            )
    return ev


def _subject(conn: Connection, event_id: int, subject: str, subject_id: object) -> tuple[int, str]:
    if subject not in SUBJECTS:
        raise FacilitationError(f"The priority circle places a theme or a group, not a '{subject}'.")
    table = s.themes if subject == "theme" else s.groups
    try:
        wanted = int(subject_id)  # type: ignore[call-overload]
    except (TypeError, ValueError) as exc:
        raise FacilitationError(f"A {subject} is named by its number, not '{subject_id}'.") from exc
    row = conn.execute(
        select(table.c.id, table.c.name).where(
            table.c.id == wanted, table.c.event_id == int(event_id), table.c.deleted_at.is_(None)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"There is no {subject} {wanted} at this event (removed, or another event's); reload the page."
        )
    return int(row.id), str(row.name)


def _retire(conn: Connection, event_id: int, subject: str, sid: int, at: str) -> int:
    p = s.priority_placements
    col = p.c.theme_id if subject == "theme" else p.c.group_id
    return conn.execute(
        update(p).where(p.c.event_id == event_id, col == sid, p.c.deleted_at.is_(None)).values(deleted_at=at)
    ).rowcount


def place(
    store: Store,
    actor: Actor,
    event_id: int,
    subject: str,
    subject_id: int,
    area: str,
    *,
    client_token: str | None = None,
) -> str:
    """Place a theme or group (``subject``) on one of the event's priority areas; returns the area.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR, table_actor
    >>> from facilitation.themes.grouping import create_theme
    >>> store, ev = scratch_event(template="innovation-challenge-full-day", phase="grouping")
    >>> th = create_theme(store, table_actor(1), ev, 1, "Falls at home")
    >>> place(store, FACILITATOR, ev, "theme", th, "Housing and health")
    'Housing and health'
    >>> [(p.name, p.area) for p in priority_circle(store, ev).placements]
    [('Falls at home', 'Housing and health')]
    >>> place(store, FACILITATOR, ev, "theme", th, "Space travel")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: 'Space travel' is not a priority area of this event; the areas are: Prevention and early intervention, Integrated care in the community, Urgent and emergency care, Workforce and talent, Digital and data, Housing and health.
    >>> place(store, table_actor(1), ev, "theme", th, "Digital and data")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Table 1 cannot place themes on the priority circle: the facilitator places them at this event.
    """
    require(actor, "facilitator", "table", action="place themes on the priority circle")
    wanted = " ".join(str(area or "").split())

    def fn(conn: Connection) -> Change:
        ev = _may_place(conn, actor, event_id)
        if not ev.priority_areas:
            raise FacilitationError("This event has no priority areas; its template lists none.")
        match = next((a for a in ev.priority_areas if a.casefold() == wanted.casefold()), None)
        if match is None:
            raise FacilitationError(
                f"'{wanted}' is not a priority area of this event; the areas are: {', '.join(ev.priority_areas)}."
            )
        sid, name = _subject(conn, event_id, subject, subject_id)
        at = now()
        _retire(conn, event_id, subject, sid, at)
        pid = conn.execute(
            s.priority_placements.insert()
            .values(
                event_id=event_id,
                theme_id=sid if subject == "theme" else None,
                group_id=sid if subject == "group" else None,
                area=match,
                placed_by=actor.label,
                created_at=at,
            )
            .returning(s.priority_placements.c.id)
        ).scalar_one()
        detail = {"subject": subject, "id": sid, "name": name, "area": match}
        return Change("place on priority circle", "priority placement", int(pid), detail, match)

    return str(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def clear_placement(
    store: Store,
    actor: Actor,
    event_id: int,
    subject: str,
    subject_id: int,
    *,
    client_token: str | None = None,
) -> bool:
    """Take a theme or group off the circle; returns whether it was on it."""
    require(actor, "facilitator", "table", action="place themes on the priority circle")

    def fn(conn: Connection) -> Change:
        _may_place(conn, actor, event_id)
        sid, name = _subject(conn, event_id, subject, subject_id)
        gone = _retire(conn, event_id, subject, sid, now()) > 0
        return Change("clear priority placement", subject, sid, {"name": name}, gone)

    return bool(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def show_circle(store: Store, actor: Actor, event_id: int, shown: bool = True) -> bool:
    """Show the priority circle on the projector, over the phase's wall (or stop showing it).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR, table_actor
    >>> store, ev = scratch_event()
    >>> show_circle(store, FACILITATOR, ev)
    True
    >>> show_circle(store, table_actor(1), ev, False)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console can show the priority circle; table 1 cannot.
    """
    require(actor, "facilitator", action="show the priority circle")

    def fn(conn: Connection) -> Change:
        load_event(conn, event_id)
        conn.execute(update(s.events).where(s.events.c.id == int(event_id)).values(circle_shown=bool(shown)))
        return Change(
            "show priority circle" if shown else "hide priority circle", "event", event_id, {}, bool(shown)
        )

    return bool(store.write(fn, actor=actor, event_id=event_id).result)
