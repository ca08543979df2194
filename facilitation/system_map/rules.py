"""Writes to the system map: tables add elements and arrows; the facilitator merges.

Every write happens only while the event's phase is a ``system-map`` phase: once the
facilitator moves on the map is frozen (going back to the phase opens it again). A
table writes only while input is unlocked, and only as itself; the facilitator may
add, remove and merge while the phase runs, locked or not.
"""

from __future__ import annotations

from sqlalchemy import Connection, update

from facilitation.access import Actor, require, require_table
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import Event, load_event, require_open_for_input, table_id
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.system_map.records import (
    ELEMENT_KINDS,
    RELATIONS,
    Element,
    canonical,
    read_arrows,
    read_elements,
)
from facilitation.text import MAX_NAME, clean_text

__all__ = [
    "INPUT",
    "add_arrow",
    "add_element",
    "check_kind",
    "check_relation",
    "merge_elements",
    "remove_arrow",
    "remove_element",
    "unmerge_element",
]

INPUT = "system-map"  # the phase input during which the map takes writes
MAX_LABEL = MAX_NAME


def check_kind(kind: str) -> str:
    """An element's kind, one of :data:`ELEMENT_KINDS`.

    Examples
    --------
    >>> check_kind("actor")
    'actor'
    >>> check_kind("person")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: An element is a driver, dependency, actor or resource; 'person' is none of these.
    """
    if kind not in ELEMENT_KINDS:
        words = ", ".join(ELEMENT_KINDS[:-1]) + f" or {ELEMENT_KINDS[-1]}"
        raise FacilitationError(f"An element is a {words}; '{kind}' is none of these.")
    return kind


def check_relation(relation: str) -> str:
    """An arrow's relation, one of :data:`RELATIONS`.

    Examples
    --------
    >>> check_relation("helps")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: An arrow drives, depends on or blocks; 'helps' is none of these.
    """
    if relation not in RELATIONS:
        words = ", ".join(RELATIONS[:-1]) + f" or {RELATIONS[-1]}"
        raise FacilitationError(f"An arrow {words}; '{relation}' is none of these.")
    return relation


def _open(conn: Connection, actor: Actor, event_id: int, action: str) -> Event:
    """The event, if the map takes this actor's writes now."""
    if actor.role == "table":
        return require_open_for_input(conn, event_id, (INPUT,), action)
    ev = load_event(conn, event_id, for_share=True)
    if ev.phase.input != INPUT:
        raise FacilitationError(
            f"The system map is open only during its phase; you cannot {action} during '{ev.phase.title}'."
        )
    return ev


def _author(actor: Actor, table: int | None, action: str) -> None:
    if table is None:
        require(actor, "facilitator", action=action)
    else:
        require_table(actor, table, action=action, also=("facilitator",))


def _element(conn: Connection, event_id: int, element_id: object, what: str = "element") -> Element:
    try:
        wanted = int(element_id)  # type: ignore[call-overload]
    except (TypeError, ValueError) as exc:
        raise FacilitationError(f"An {what} is named by its number, not '{element_id}'.") from exc
    found = next((e for e in read_elements(conn, event_id) if e.id == wanted), None)
    if found is None:
        raise NotFound(
            f"Element {wanted} is not on this event's system map (removed, or another event's); "
            "choose one from the list."
        )
    return found


def add_element(
    store: Store,
    actor: Actor,
    event_id: int,
    table: int | None,
    kind: str,
    label: str,
    *,
    client_token: str | None = None,
) -> int:
    """Add an element for ``table`` (None: the facilitator's own); returns its id.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(template="innovation-challenge-full-day", phase="system-map")
    >>> e = add_element(store, table_actor(1), ev, 1, "driver", "Funding rules")
    >>> add_element(store, table_actor(1), ev, 1, "driver", " funding  RULES ")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Your table has 'Funding rules' on the map already.
    >>> add_element(store, table_actor(1), ev, 2, "actor", "GPs")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Table 1 cannot add an element for table 2: each table writes only to its own.
    """
    _author(actor, table, "add an element")
    kind = check_kind(kind)
    text = clean_text(label, field="element", max_length=MAX_LABEL)

    def fn(conn: Connection) -> Change:
        _open(conn, actor, event_id, "add to the system map")
        tid = table_id(conn, event_id, table) if table is not None else None
        same = " ".join(text.casefold().split())
        for e in read_elements(conn, event_id):
            if e.table == table and " ".join(e.label.casefold().split()) == same:
                who = "Your table has" if table is not None else "The map has"
                raise FacilitationError(f"{who} '{e.label}' on the map already.")
        eid = conn.execute(
            s.system_elements.insert()
            .values(event_id=event_id, table_id=tid, kind=kind, label=text, created_at=now())
            .returning(s.system_elements.c.id)
        ).scalar_one()
        detail = {"table": table, "kind": kind, "label": text}
        return Change("add element", "system element", eid, detail, int(eid))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def add_arrow(
    store: Store,
    actor: Actor,
    event_id: int,
    table: int | None,
    source: int,
    relation: str,
    target: int,
    *,
    client_token: str | None = None,
) -> int:
    """Draw an arrow ``source --relation--> target``; returns its id.

    Both ends are elements of this event's map; an arrow never joins an element to
    itself (nor to an element merged into it), and the same arrow is drawn once.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(template="innovation-challenge-full-day", phase="system-map")
    >>> a = add_element(store, table_actor(1), ev, 1, "driver", "Funding rules")
    >>> b = add_element(store, table_actor(1), ev, 1, "actor", "GPs")
    >>> arrow = add_arrow(store, table_actor(1), ev, 1, a, "drives", b)
    >>> add_arrow(store, table_actor(1), ev, 1, a, "drives", b)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: 'Funding rules' drives 'GPs' is on the map already.
    >>> add_arrow(store, table_actor(1), ev, 1, a, "blocks", a)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: An arrow joins two different elements; 'Funding rules' is at both ends.
    """
    _author(actor, table, "draw an arrow")
    relation = check_relation(relation)

    def fn(conn: Connection) -> Change:
        _open(conn, actor, event_id, "add to the system map")
        tid = table_id(conn, event_id, table) if table is not None else None
        src = _element(conn, event_id, source)
        dst = _element(conn, event_id, target)
        elements = read_elements(conn, event_id)
        to = canonical(elements)
        label = {e.id: e.label for e in elements}
        if to[src.id] == to[dst.id]:
            raise FacilitationError(
                f"An arrow joins two different elements; '{label[to[src.id]]}' is at both ends."
            )
        for a in read_arrows(conn, event_id):
            if (to.get(a.source), to.get(a.target), a.relation) == (to[src.id], to[dst.id], relation):
                raise FacilitationError(
                    f"'{label[to[src.id]]}' {relation} '{label[to[dst.id]]}' is on the map already."
                )
        aid = conn.execute(
            s.system_arrows.insert()
            .values(
                event_id=event_id,
                table_id=tid,
                source_id=src.id,
                target_id=dst.id,
                relation=relation,
                created_at=now(),
            )
            .returning(s.system_arrows.c.id)
        ).scalar_one()
        detail = {"table": table, "source": src.id, "relation": relation, "target": dst.id}
        return Change("add arrow", "system arrow", aid, detail, int(aid))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def _own(actor: Actor, table: int | None, action: str) -> None:
    """A table removes only what it added; the facilitator anything."""
    if actor.role == "table" and table != actor.table:
        whose = f"table {table}'s" if table is not None else "the facilitator's"
        raise FacilitationError(f"Table {actor.table} cannot {action}: it is {whose}.")


def remove_element(
    store: Store, actor: Actor, event_id: int, element_id: int, *, client_token: str | None = None
) -> int:
    """Remove an element and the arrows at it (kept in the store, deletes are soft).

    Elements merged into it come back as themselves. Returns the element's id.
    """
    require(actor, "table", "facilitator", action="remove an element")

    def fn(conn: Connection) -> Change:
        _open(conn, actor, event_id, "change the system map")
        e = _element(conn, event_id, element_id)
        _own(actor, e.table, "remove this element")
        at = now()
        t, a = s.system_elements, s.system_arrows
        conn.execute(update(t).where(t.c.id == e.id).values(deleted_at=at))
        conn.execute(update(t).where(t.c.merged_into == e.id).values(merged_into=None, updated_at=at))
        conn.execute(
            update(a)
            .where((a.c.source_id == e.id) | (a.c.target_id == e.id), a.c.deleted_at.is_(None))
            .values(deleted_at=at)
        )
        return Change("remove element", "system element", e.id, {"label": e.label}, e.id)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def remove_arrow(
    store: Store, actor: Actor, event_id: int, arrow_id: int, *, client_token: str | None = None
) -> int:
    """Remove an arrow (a table its own; the facilitator any). Returns its id."""
    require(actor, "table", "facilitator", action="remove an arrow")

    def fn(conn: Connection) -> Change:
        _open(conn, actor, event_id, "change the system map")
        found = next((a for a in read_arrows(conn, event_id) if a.id == int(arrow_id)), None)
        if found is None:
            raise NotFound(f"Arrow {arrow_id} is not on this event's system map; reload the page.")
        _own(actor, found.table, "remove this arrow")
        conn.execute(update(s.system_arrows).where(s.system_arrows.c.id == found.id).values(deleted_at=now()))
        return Change("remove arrow", "system arrow", found.id, {}, found.id)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def merge_elements(
    store: Store,
    actor: Actor,
    event_id: int,
    element_id: int,
    into: int,
    *,
    label: str | None = None,
    client_token: str | None = None,
) -> int:
    """Merge one element into another: the map shows them as one (facilitator only).

    The arrows of both move to the one kept (``into``); elements already merged into
    ``element_id`` move with it. A non-empty ``label`` renames the one kept.
    Returns the id of the element kept.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> from facilitation.system_map.records import system_map
    >>> store, ev = scratch_event(template="innovation-challenge-full-day", phase="system-map")
    >>> a = add_element(store, table_actor(1), ev, 1, "driver", "Funding")
    >>> b = add_element(store, table_actor(2), ev, 2, "driver", "Money")
    >>> merge_elements(store, FACILITATOR, ev, b, a, label="Funding and money") == a
    True
    >>> [(e.label, e.tables) for e in system_map(store, ev).elements]
    [('Funding and money', (1, 2))]
    >>> merge_elements(store, table_actor(1), ev, a, b)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console can merge elements; table 1 cannot.
    """
    require(actor, "facilitator", action="merge elements")
    new_label = clean_text(label, field="element", max_length=MAX_LABEL, required=False)

    def fn(conn: Connection) -> Change:
        _open(conn, actor, event_id, "merge elements")
        src = _element(conn, event_id, element_id)
        dst = _element(conn, event_id, into)
        to = canonical(read_elements(conn, event_id))
        keep = to[dst.id]
        if to[src.id] == keep:
            raise FacilitationError("Those two are one element on the map already.")
        at = now()
        t = s.system_elements
        moved = to[src.id]
        conn.execute(update(t).where(t.c.id == moved).values(merged_into=keep, updated_at=at))
        conn.execute(update(t).where(t.c.merged_into == moved).values(merged_into=keep, updated_at=at))
        if new_label:
            conn.execute(update(t).where(t.c.id == keep).values(label=new_label, updated_at=at))
        detail = {"element": moved, "into": keep, "label": new_label}
        return Change("merge elements", "system element", keep, detail, keep)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def unmerge_element(
    store: Store, actor: Actor, event_id: int, element_id: int, *, client_token: str | None = None
) -> int:
    """Take an element out of the one it was merged into (facilitator only)."""
    require(actor, "facilitator", action="unmerge elements")

    def fn(conn: Connection) -> Change:
        _open(conn, actor, event_id, "unmerge elements")
        e = _element(conn, event_id, element_id)
        if e.merged_into is None:
            raise FacilitationError(f"'{e.label}' is not merged into another element.")
        t = s.system_elements
        conn.execute(update(t).where(t.c.id == e.id).values(merged_into=None, updated_at=now()))
        return Change("unmerge element", "system element", e.id, {"from": e.merged_into}, e.id)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)
