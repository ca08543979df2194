"""Series of events: a community of practice meets about ten times a year, and an
innovation programme runs several challenges; people keep one identity across them.

An event joins a series when it is created (``create_event(..., series_id=...)``) or
afterwards with :func:`add_event_to_series`, before anyone is imported into it: a
person's identity belongs to the series, so moving an event that already has people
would split or merge identities behind the organiser's back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, func, insert, select, update

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotFound
from facilitation.events import load_event
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.text import MAX_LONG, MAX_NAME, clean_text

__all__ = ["Series", "add_event_to_series", "create_series", "get_series", "list_series"]


@dataclass(frozen=True)
class Series:
    """A series of events, with how many events it holds so far."""

    id: int
    name: str
    description: str
    events: int
    created_at: str


def create_series(
    store: Store,
    actor: Actor,
    name: str,
    description: str = "",
    *,
    client_token: str | None = None,
) -> int:
    """Create a series of events (organiser or facilitator); returns its id.

    Examples
    --------
    >>> import os, tempfile
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER, table_actor
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> sid = create_series(store, ORGANISER, "Systems leadership community of practice")
    >>> [x.name for x in list_series(store)]
    ['Systems leadership community of practice']
    >>> create_series(store, table_actor(1), "Mine")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the organiser's page or the facilitator's console can create a series; table 1 cannot.
    """
    require(actor, "organiser", "facilitator", action="create a series")
    clean_name = clean_text(name, field="series name", max_length=MAX_NAME)
    clean_description = clean_text(
        description, field="description", max_length=MAX_LONG, multiline=True, required=False
    )

    def fn(conn: Connection) -> Change:
        sid = conn.execute(
            insert(s.series)
            .values(name=clean_name, description=clean_description, created_at=now())
            .returning(s.series.c.id)
        ).scalar_one()
        return Change("create series", "series", sid, {"name": clean_name}, sid)

    return int(store.write(fn, actor=actor, event_id=None, client_token=client_token).result)


def _series_query() -> Select[Any]:
    n_events = (
        select(func.count())
        .where(s.events.c.series_id == s.series.c.id, s.events.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    return select(s.series, n_events.label("n_events")).where(s.series.c.deleted_at.is_(None))


def _from_row(r: Row[Any]) -> Series:
    m = r._mapping
    return Series(m["id"], m["name"], m["description"], int(m["n_events"]), m["created_at"])


def list_series(store: Store) -> list[Series]:
    """Every series, oldest first, with its number of events."""
    return store.read(lambda c: [_from_row(r) for r in c.execute(_series_query().order_by(s.series.c.id))])


def get_series(store: Store, series_id: int) -> Series:
    """One series; raises :class:`NotFound` when there is none."""

    def q(conn: Connection) -> Series:
        row = conn.execute(_series_query().where(s.series.c.id == int(series_id))).first()
        if row is None:
            raise NotFound(f"There is no series {series_id}. `facilitate series list` shows them.")
        return _from_row(row)

    return store.read(q)


def add_event_to_series(
    store: Store, actor: Actor, event_id: int, series_id: int, *, client_token: str | None = None
) -> int:
    """Put an event into a series (organiser or facilitator), before people are imported.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import ORGANISER
    >>> from facilitation.events import get_event
    >>> store, ev = scratch_event()
    >>> sid = create_series(store, ORGANISER, "Frailty programme")
    >>> add_event_to_series(store, ORGANISER, ev, sid) == sid
    True
    >>> get_event(store, ev).series_id == sid
    True
    """
    require(actor, "organiser", "facilitator", action="add an event to a series")

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        exists = conn.execute(
            select(s.series.c.id).where(s.series.c.id == int(series_id), s.series.c.deleted_at.is_(None))
        ).first()
        if exists is None:
            raise NotFound(f"There is no series {series_id}.")
        if ev.series_id == int(series_id):
            return Change("add event to series", "event", event_id, {"series": series_id}, int(series_id))
        people = conn.execute(
            select(func.count()).select_from(s.attendance).where(s.attendance.c.event_id == event_id)
        ).scalar_one()
        if people:
            raise FacilitationError(
                f"Event {event_id} already has {people} people; add an event to a series before "
                "importing people, so that each person keeps one identity across the series."
            )
        conn.execute(update(s.events).where(s.events.c.id == event_id).values(series_id=int(series_id)))
        return Change("add event to series", "event", event_id, {"series": series_id}, int(series_id))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)
