"""Questions the rules ask in more than one place, answered once, beside the store.

- :func:`live`: a row not soft-deleted (deletes are soft: ``deleted_at`` is set).
- :func:`listed`: the people on an event's list: an attendance row not removed
  (``remove_from_event``) of a person not deleted, whether they came or not.
- :func:`attending`: who counts as attending: listed **and** ``attended`` (an invited
  person who did not come is listed, not attending). The collaboration network is
  drawn from the people attending.
- :func:`seat_of`: where a listed person sits (``None``: not listed; a removed or
  deleted person sits nowhere).
- :func:`read_from`: run a read on a store's snapshot, or on the connection a rule
  already holds.

The conditions of :func:`listed` and :func:`attending` need ``attendance`` joined to
``people`` (``attendance.person_id == people.id``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, select

from facilitation.store import schema as s
from facilitation.store.base import Store

__all__ = ["Seat", "attending", "listed", "live", "read_from", "seat_of"]

T = TypeVar("T")


def live(table: Any) -> ColumnElement[bool]:
    """A row of ``table`` that is not soft-deleted."""
    return table.c.deleted_at.is_(None)


def read_from(source: Store | Connection, q: Callable[[Connection], T]) -> T:
    """``q`` on one snapshot of ``source`` (a store), or on ``source`` itself (a connection in a transaction)."""
    return source.read(q) if isinstance(source, Store) else q(source)


def listed(event_id: int) -> list[ColumnElement[bool]]:
    """Conditions for the people on an event's list (attendance joined to people)."""
    return [s.attendance.c.event_id == int(event_id), live(s.attendance), live(s.people)]


def attending(event_id: int) -> list[ColumnElement[bool]]:
    """Conditions for who counts as attending an event: listed and ``attended``."""
    return [*listed(event_id), s.attendance.c.attended.is_(True)]


@dataclass(frozen=True)
class Seat:
    """Where a listed person sits: the table's row id and number (both ``None``: unseated)."""

    table_id: int | None
    number: int | None


def seat_of(conn: Connection, event_id: int, person_id: int) -> Seat | None:
    """Where a person sits at an event; ``None`` if they are not listed there (removed, deleted, never).

    >>> from facilitation.testing import scratch_event
    >>> from facilitation.people.rules import add_person
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event(tables=2)
    >>> pid = add_person(store, FACILITATOR, ev, "Ada", organisation="Acme", table=2)
    >>> store.read(lambda c: seat_of(c, ev, pid)).number, store.read(lambda c: seat_of(c, ev, 999))
    (2, None)
    """
    row = conn.execute(
        select(s.event_tables.c.id, s.event_tables.c.number)
        .select_from(
            s.attendance.join(s.people, s.people.c.id == s.attendance.c.person_id).outerjoin(
                s.event_tables, s.event_tables.c.id == s.attendance.c.table_id
            )
        )
        .where(*listed(event_id), s.attendance.c.person_id == int(person_id))
    ).first()
    if row is None:
        return None
    return Seat(None if row.id is None else int(row.id), None if row.number is None else int(row.number))
