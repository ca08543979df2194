"""The system map as pages and exports read it: elements, arrows, the event-wide map.

Tables add elements (a driver, dependency, actor or resource, with a label) and
arrows between them ("drives", "depends on", "blocks"). The facilitator merges an
element into another; the event-wide map (:func:`event_map`) shows each element that
is merged into nothing, with every arrow moved onto the elements its ends were merged
into (an arrow whose ends became one element, or that repeats another, is counted
on the first, not drawn twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from facilitation.store import Store
from facilitation.store import schema as s

__all__ = [
    "ELEMENT_KINDS",
    "RELATIONS",
    "Arrow",
    "Element",
    "EventMap",
    "MapArrow",
    "MapElement",
    "event_map",
    "read_arrows",
    "read_elements",
    "system_map",
]

ELEMENT_KINDS = s.SYSTEM_ELEMENT_KINDS
RELATIONS = s.SYSTEM_RELATIONS


@dataclass(frozen=True)
class Element:
    """One element as a table (or the facilitator) added it."""

    id: int
    table: int | None  # the table's number; None: added by the facilitator
    kind: str
    label: str
    merged_into: int | None
    created_at: str


@dataclass(frozen=True)
class Arrow:
    """One arrow as it was drawn, between the elements it was drawn between."""

    id: int
    table: int | None
    source: int
    target: int
    relation: str
    created_at: str


@dataclass(frozen=True)
class MapElement:
    """An element of the event-wide map, with the elements merged into it."""

    id: int
    kind: str
    label: str
    tables: tuple[int, ...]  # the tables whose elements it holds
    merged: tuple[int, ...]  # ids of the elements merged into it

    def as_dict(self) -> dict[str, Any]:
        """JSON for pages and exports."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "tables": list(self.tables),
            "merged": list(self.merged),
        }


@dataclass(frozen=True)
class MapArrow:
    """An arrow of the event-wide map; ``count``: how many tables' arrows it stands for."""

    source: int
    target: int
    relation: str
    count: int

    def as_dict(self) -> dict[str, Any]:
        """JSON for pages and exports."""
        return {"source": self.source, "target": self.target, "relation": self.relation, "count": self.count}


@dataclass(frozen=True)
class EventMap:
    """The event-wide system map."""

    elements: tuple[MapElement, ...] = ()
    arrows: tuple[MapArrow, ...] = ()
    raw_elements: tuple[Element, ...] = field(default=(), repr=False)
    raw_arrows: tuple[Arrow, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON for pages: the event-wide elements and arrows."""
        return {
            "elements": [e.as_dict() for e in self.elements],
            "arrows": [a.as_dict() for a in self.arrows],
        }

    def label_of(self, element_id: int) -> str:
        """The label of an event-wide element."""
        return next((e.label for e in self.elements if e.id == element_id), "")


def read_elements(conn: Connection, event_id: int) -> list[Element]:
    """The event's live elements, oldest first."""
    t = s.system_elements
    rows = conn.execute(
        select(t, s.event_tables.c.number)
        .outerjoin(s.event_tables, s.event_tables.c.id == t.c.table_id)
        .where(t.c.event_id == int(event_id), t.c.deleted_at.is_(None))
        .order_by(t.c.id)
    ).mappings()
    return [
        Element(r["id"], r["number"], r["kind"], r["label"], r["merged_into"], r["created_at"]) for r in rows
    ]


def read_arrows(conn: Connection, event_id: int) -> list[Arrow]:
    """The event's live arrows, oldest first."""
    t = s.system_arrows
    rows = conn.execute(
        select(t, s.event_tables.c.number)
        .outerjoin(s.event_tables, s.event_tables.c.id == t.c.table_id)
        .where(t.c.event_id == int(event_id), t.c.deleted_at.is_(None))
        .order_by(t.c.id)
    ).mappings()
    return [
        Arrow(r["id"], r["number"], r["source_id"], r["target_id"], r["relation"], r["created_at"])
        for r in rows
    ]


def canonical(elements: list[Element] | tuple[Element, ...]) -> dict[int, int]:
    """Each element's id to the id of the element it shows as (itself, or what it was merged into).

    Examples
    --------
    >>> a = Element(1, 1, "driver", "Funding", None, "")
    >>> b = Element(2, 2, "driver", "Money", 1, "")
    >>> canonical([a, b])
    {1: 1, 2: 1}
    """
    parent = {e.id: e.merged_into for e in elements}
    out: dict[int, int] = {}
    for e in elements:
        at, seen = e.id, set()
        while parent.get(at) is not None and parent[at] in parent and at not in seen:
            seen.add(at)
            at = parent[at]  # type: ignore[assignment]
        out[e.id] = at
    return out


def event_map(
    elements: list[Element] | tuple[Element, ...], arrows: list[Arrow] | tuple[Arrow, ...]
) -> EventMap:
    """Build the event-wide map from the elements and arrows as drawn.

    Examples
    --------
    >>> els = [Element(1, 1, "driver", "Funding", None, ""), Element(2, 2, "driver", "Money", 1, ""),
    ...        Element(3, 1, "actor", "GPs", None, "")]
    >>> arr = [Arrow(1, 1, 1, 3, "drives", ""), Arrow(2, 2, 2, 3, "drives", "")]
    >>> m = event_map(els, arr)
    >>> [(e.label, e.merged) for e in m.elements]
    [('Funding', (2,)), ('GPs', ())]
    >>> [(a.source, a.target, a.relation, a.count) for a in m.arrows]
    [(1, 3, 'drives', 2)]
    """
    to = canonical(elements)
    by_id = {e.id: e for e in elements}
    shown = [e for e in elements if to[e.id] == e.id]
    members: dict[int, list[Element]] = {e.id: [] for e in shown}
    for e in elements:
        if to[e.id] != e.id:
            members[to[e.id]].append(e)
    out_elements = tuple(
        MapElement(
            e.id,
            e.kind,
            e.label,
            tuple(sorted({x.table for x in (e, *members[e.id]) if x.table is not None})),
            tuple(x.id for x in members[e.id]),
        )
        for e in shown
    )
    counts: dict[tuple[int, int, str], int] = {}
    for a in arrows:
        if a.source not in by_id or a.target not in by_id:
            continue
        key = (to[a.source], to[a.target], a.relation)
        if key[0] == key[1]:
            continue
        counts[key] = counts.get(key, 0) + 1
    out_arrows = tuple(MapArrow(src, dst, rel, n) for (src, dst, rel), n in counts.items())
    return EventMap(out_elements, out_arrows, tuple(elements), tuple(arrows))


def system_map(store: Store, event_id: int) -> EventMap:
    """The event-wide system map, read in one snapshot."""

    def fn(conn: Connection) -> EventMap:
        return event_map(read_elements(conn, event_id), read_arrows(conn, event_id))

    return store.read(fn)
