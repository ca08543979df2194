"""Grouping: a table groups its own entries into named themes, and the facilitator merges
table themes from across the room into event-wide themes. Reading themes is
:mod:`facilitation.themes.records` (re-exported here); dots go on themes (:mod:`facilitation.voting.rules`).

Membership of a table theme is ``entries.theme_id``; an event-wide theme is a theme
with no table, and each table theme merged into it has ``merged_into`` set. Nothing
is erased: a dissolved theme is soft-deleted and its entries simply ungrouped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select, update

from facilitation.access import Actor, require, require_table
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import load_event, table_id
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.text import MAX_NAME, clean_text
from facilitation.themes.checks import (
    GROUPING_INPUTS,
    check_entries,
    check_phase,
    ids_of,
    lock_themes,
    move_entries,
    new_theme,
    refuse_duplicate,
    refuse_if_entries_frozen,
    refuse_if_frozen,
    require_theme_owner,
    theme_in,
    write_change,
)
from facilitation.themes.records import Theme, list_themes, votable_themes

# Theme, list_themes and votable_themes live in facilitation.themes.records; named here too,
# so that imports from this module keep working.
__all__ = [
    "GROUPING_INPUTS",
    "UNDOABLE",
    "Theme",
    "add_to_theme",
    "create_theme",
    "dissolve_theme",
    "last_undoable",
    "list_themes",
    "merge_themes",
    "move_entry",
    "rename_theme",
    "split_theme",
    "split_wide_theme",
    "undo_grouping",
    "ungroup",
    "unmerge",
    "votable_themes",
]

# The facilitator's grouping actions that the console's "Undo" takes back, newest first.
# Each writes, in its activity log detail, the rows it changed as they were before and
# after (``"undo"``); :func:`undo_grouping` puts them back if nothing changed them since.
UNDOABLE = (
    "merge themes",
    "unmerge themes",
    "dissolve theme",
    "split theme",
    "move entry",
    "rename theme",
)
UNDO_VERB = "undo grouping"

# --- a table's themes ----------------------------------------------------------------------


def create_theme(
    store: Store,
    actor: Actor,
    event_id: int,
    table: int,
    name: str,
    entry_ids: Iterable[int] = (),
    *,
    client_token: str | None = None,
) -> int:
    """Make a theme of ``table`` and group the given entries into it; returns its id.

    Entries already in another theme of the table move into the new one ("group as").

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(phase="grouping")
    >>> create_theme(store, table_actor(1), ev, 2, "Workforce")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Table 1 cannot make a theme for table 2: each table writes only to its own.
    """
    require_table(actor, table, action="make a theme", also=("facilitator",))
    clean = clean_text(name, field="theme name", max_length=MAX_NAME)
    ids = ids_of(entry_ids)

    def fn(conn: Connection) -> Change:
        ev = check_phase(conn, actor, event_id)
        tid = table_id(conn, event_id, table)
        refuse_duplicate(conn, event_id, int(table), clean)
        check_entries(conn, event_id, ids, int(table))
        refuse_if_entries_frozen(conn, actor, ev, ids, "taking its entries out")
        theme_id = new_theme(conn, event_id, tid, clean)
        move_entries(conn, ids, theme_id)
        detail = {"table": int(table), "name": clean, "entries": list(ids)}
        return Change("create theme", "theme", theme_id, detail, theme_id)

    return int(write_change(store, actor, event_id, fn, client_token))


def rename_theme(
    store: Store, actor: Actor, event_id: int, theme_id: int, name: str, *, client_token: str | None = None
) -> int:
    """Rename a theme (its table, or the facilitator; event-wide: the facilitator only).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(phase="grouping")
    >>> t = create_theme(store, table_actor(1), ev, 1, "Workforse")
    >>> t == rename_theme(store, table_actor(1), ev, t, "Workforce")
    True
    >>> [x.name for x in list_themes(store, ev)]
    ['Workforce']
    """
    clean = clean_text(name, field="theme name", max_length=MAX_NAME)

    def fn(conn: Connection) -> Change:
        theme = theme_in(conn, event_id, theme_id)
        require_theme_owner(actor, theme, "rename")
        ev = check_phase(conn, actor, event_id) if theme.table is not None else load_event(conn, event_id)
        refuse_if_frozen(conn, actor, ev, [theme], "renaming it")
        refuse_duplicate(conn, event_id, theme.table, clean, ignore=[theme.id])
        before = snapshot(conn, event_id, [theme.id])
        conn.execute(update(s.themes).where(s.themes.c.id == theme.id).values(name=clean, updated_at=now()))
        detail = {"from": theme.name, "to": clean, "undo": undo_record(conn, event_id, before)}
        return Change("rename theme", "theme", theme.id, detail, theme.id)

    return int(write_change(store, actor, event_id, fn, client_token))


def add_to_theme(
    store: Store,
    actor: Actor,
    event_id: int,
    theme_id: int,
    entry_ids: Iterable[int],
    *,
    client_token: str | None = None,
) -> int:
    """Group more of the table's entries into one of its themes; returns the theme id.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> from facilitation.capture.rules import add_entry
    >>> store, ev = scratch_event(phase="grouping")
    >>> e = add_entry(store, table_actor(1), ev, 1, "idea", "Joint training days")
    >>> t = create_theme(store, table_actor(1), ev, 1, "Workforce")
    >>> add_to_theme(store, table_actor(1), ev, t, [e]) == t
    True
    """
    ids = ids_of(entry_ids)
    if not ids:
        raise FacilitationError("Select at least one entry to add to the theme.")

    def fn(conn: Connection) -> Change:
        theme = theme_in(conn, event_id, theme_id)
        if theme.table is None:
            raise FacilitationError(
                f"'{theme.name}' is event-wide: it gathers table themes, not entries. Group the "
                "entries into a theme of their table, and merge that theme into it."
            )
        require_table(actor, theme.table, action="change this theme", also=("facilitator",))
        ev = check_phase(conn, actor, event_id)
        check_entries(conn, event_id, ids, theme.table)
        refuse_if_frozen(conn, actor, ev, [theme], "adding entries to it")
        refuse_if_entries_frozen(conn, actor, ev, ids, "taking its entries out")
        move_entries(conn, ids, theme.id)
        return Change("group entries", "theme", theme.id, {"entries": list(ids)}, theme.id)

    return int(write_change(store, actor, event_id, fn, client_token))


def ungroup(
    store: Store, actor: Actor, event_id: int, entry_ids: Iterable[int], *, client_token: str | None = None
) -> int:
    """Take entries out of their themes; returns how many were in a theme.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> from facilitation.capture.rules import add_entry
    >>> store, ev = scratch_event(phase="grouping")
    >>> e = add_entry(store, table_actor(1), ev, 1, "idea", "Joint training days")
    >>> _ = create_theme(store, table_actor(1), ev, 1, "Workforce", [e])
    >>> ungroup(store, table_actor(1), ev, [e])
    1
    """
    ids = ids_of(entry_ids)
    if not ids:
        raise FacilitationError("Select at least one entry to take out of its theme.")

    def fn(conn: Connection) -> Change:
        ev = check_phase(conn, actor, event_id)
        rows = conn.execute(
            select(s.entries.c.id, s.entries.c.theme_id, s.event_tables.c.number)
            .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
            .where(
                s.entries.c.id.in_(ids), s.entries.c.event_id == event_id, s.entries.c.deleted_at.is_(None)
            )
        ).all()
        missing = sorted(set(ids) - {r.id for r in rows})
        if missing:
            raise NotFound(f"Entry {', '.join(map(str, missing))} is not there any more; reload the page.")
        for r in rows:
            require_table(actor, r.number, action="ungroup entries", also=("facilitator",))
        refuse_if_entries_frozen(conn, actor, ev, ids, "taking entries out of it")
        move_entries(conn, ids, None)
        n = sum(1 for r in rows if r.theme_id is not None)
        return Change("ungroup entries", "entry", None, {"entries": list(ids)}, n)

    return int(write_change(store, actor, event_id, fn, client_token))


def split_theme(
    store: Store,
    actor: Actor,
    event_id: int,
    theme_id: int,
    entry_ids: Iterable[int],
    new_name: str,
    *,
    client_token: str | None = None,
) -> int:
    """Move some of a table theme's entries into a new theme of the table; returns its id.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> from facilitation.capture.rules import add_entry
    >>> store, ev = scratch_event(phase="grouping")
    >>> a = add_entry(store, table_actor(1), ev, 1, "idea", "Joint training days")
    >>> b = add_entry(store, table_actor(1), ev, 1, "idea", "Shared rota app")
    >>> t = create_theme(store, table_actor(1), ev, 1, "Workforce", [a, b])
    >>> new = split_theme(store, table_actor(1), ev, t, [b], "Digital tools")
    >>> [(x.name, len(x.entry_ids)) for x in list_themes(store, ev)]
    [('Workforce', 1), ('Digital tools', 1)]
    """
    clean = clean_text(new_name, field="theme name", max_length=MAX_NAME)
    ids = ids_of(entry_ids)
    if not ids:
        raise FacilitationError("Select the entries that go into the new theme.")

    def fn(conn: Connection) -> Change:
        theme = theme_in(conn, event_id, theme_id)
        if theme.table is None:
            raise FacilitationError(
                f"'{theme.name}' is event-wide; unmerge table themes from it instead of splitting it."
            )
        require_table(actor, theme.table, action="split this theme", also=("facilitator",))
        ev = check_phase(conn, actor, event_id)
        refuse_if_frozen(conn, actor, ev, [theme], "splitting it")
        outside = sorted(set(ids) - set(theme.entry_ids))
        if outside:
            raise FacilitationError(
                f"Entry {', '.join(map(str, outside))} is not in '{theme.name}'; split only its own entries."
            )
        if set(ids) == set(theme.entry_ids):
            raise FacilitationError(
                f"That takes every entry out of '{theme.name}'; rename it instead, or leave some behind."
            )
        refuse_duplicate(conn, event_id, theme.table, clean)
        before = snapshot(conn, event_id, [], ids)
        new_id = new_theme(conn, event_id, table_id(conn, event_id, theme.table), clean)
        before["themes"][str(new_id)] = {"merged_into": None, "deleted": True, "name": clean}
        move_entries(conn, ids, new_id)
        detail = {
            "from": theme.id,
            "name": clean,
            "entries": list(ids),
            "undo": undo_record(conn, event_id, before),
        }
        return Change("split theme", "theme", new_id, detail, new_id)

    return int(write_change(store, actor, event_id, fn, client_token))


def dissolve_theme(
    store: Store, actor: Actor, event_id: int, theme_id: int, *, client_token: str | None = None
) -> int:
    """Dissolve a theme (soft delete): its entries, or its table themes, are ungrouped.

    Refused while the theme, or the theme it is merged into, holds dots in any round
    and the facilitator has not reopened it (a voted theme is frozen).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(phase="grouping")
    >>> t = create_theme(store, table_actor(1), ev, 1, "Workforce")
    >>> dissolve_theme(store, table_actor(1), ev, t) == t, list_themes(store, ev)
    (True, [])
    """

    def fn(conn: Connection) -> Change:
        lock_themes(conn, [int(theme_id)])
        theme = theme_in(conn, event_id, theme_id)
        require_theme_owner(actor, theme, "dissolve")
        ev = check_phase(conn, actor, event_id) if theme.table is not None else load_event(conn, event_id)
        parent = [theme_in(conn, event_id, theme.merged_into)] if theme.merged_into is not None else []
        refuse_if_frozen(conn, actor, ev, [theme, *parent], "dissolving it")
        before = snapshot(conn, event_id, [theme.id, *theme.member_theme_ids], theme.entry_ids)
        if theme.table is None:
            conn.execute(
                update(s.themes)
                .where(s.themes.c.merged_into == theme.id)
                .values(merged_into=None, updated_at=now())
            )
        else:
            move_entries(conn, theme.entry_ids, None)
        conn.execute(update(s.themes).where(s.themes.c.id == theme.id).values(deleted_at=now()))
        detail = {
            "name": theme.name,
            "entries": list(theme.entry_ids),
            "members": list(theme.member_theme_ids),
            "undo": undo_record(conn, event_id, before),
        }
        return Change("dissolve theme", "theme", theme.id, detail, theme.id)

    return int(write_change(store, actor, event_id, fn, client_token))


# --- event-wide themes (the facilitator) ----------------------------------------------------


def merge_themes(
    store: Store,
    actor: Actor,
    event_id: int,
    theme_ids: Iterable[int],
    name: str | None,
    *,
    into: int | None = None,
    client_token: str | None = None,
) -> int:
    """Merge themes into an event-wide theme (a new one, or ``into``); returns its id.

    ``theme_ids`` may name table themes and event-wide themes; an event-wide theme
    named there hands its table themes over and is dissolved. With ``into``, a
    non-empty ``name`` also renames it. Facilitator only; refused while any theme
    involved is frozen (holds dots in any round and is not reopened).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> store, ev = scratch_event(phase="grouping")
    >>> a = create_theme(store, table_actor(1), ev, 1, "Workforce")
    >>> b = create_theme(store, table_actor(2), ev, 2, "Staffing")
    >>> w = merge_themes(store, FACILITATOR, ev, [a, b], "Workforce and staffing")
    >>> [t.member_theme_ids for t in list_themes(store, ev) if t.event_wide] == [(a, b)]
    True
    >>> merge_themes(store, table_actor(1), ev, [a, b], "Mine")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console can merge themes; table 1 cannot.
    """
    require(actor, "facilitator", action="merge themes")
    ids = tuple(i for i in ids_of(theme_ids, "theme") if into is None or i != int(into))
    if not ids and into is None:
        raise FacilitationError("Choose at least one theme to merge.")
    clean = clean_text(name, field="theme name", max_length=MAX_NAME, required=into is None)

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        lock_themes(conn, [*ids, *([int(into)] if into is not None else [])])
        everything = {t.id: t for t in list_themes(conn, event_id)}
        missing = [i for i in ids if i not in everything]
        if missing or (into is not None and int(into) not in everything):
            gone = missing[0] if missing else into
            raise NotFound(f"Theme {gone} is not there any more (dissolved or merged); reload the page.")
        target = everything[int(into)] if into is not None else None
        if target is not None and not target.event_wide:
            raise FacilitationError(f"'{target.name}' is a table theme; merge into an event-wide theme.")
        sources = [everything[i] for i in ids]
        tables = [t for t in sources if not t.event_wide]
        retired = [t for t in sources if t.event_wide]
        tables += [everything[m] for t in retired for m in t.member_theme_ids]
        parents = [everything[t.merged_into] for t in tables if t.merged_into is not None]
        involved = [*sources, *tables, *parents, *([target] if target else [])]
        refuse_if_frozen(conn, actor, ev, involved, "merging it")
        new_name = clean or (target.name if target else "")
        refuse_duplicate(
            conn,
            event_id,
            None,
            new_name,
            ignore=[t.id for t in retired] + ([target.id] if target else []),
        )
        touched = [t.id for t in [*sources, *tables, *([target] if target else [])]]
        before = snapshot(conn, event_id, touched)
        if target is None:
            target_id = new_theme(conn, event_id, None, new_name)
            before["themes"][str(target_id)] = {"merged_into": None, "deleted": True, "name": new_name}
        else:
            target_id = target.id
            if clean and clean != target.name:
                conn.execute(
                    update(s.themes).where(s.themes.c.id == target_id).values(name=clean, updated_at=now())
                )
        if tables:
            conn.execute(
                update(s.themes)
                .where(s.themes.c.id.in_(sorted({t.id for t in tables})))
                .values(merged_into=target_id, updated_at=now())
            )
        for t in retired:
            conn.execute(update(s.themes).where(s.themes.c.id == t.id).values(deleted_at=now()))
        detail = {
            "name": new_name,
            "themes": list(ids),
            "into": into,
            "undo": undo_record(conn, event_id, before),
        }
        return Change("merge themes", "theme", target_id, detail, target_id)

    return int(write_change(store, actor, event_id, fn, client_token))


def unmerge(
    store: Store, actor: Actor, event_id: int, theme_ids: Iterable[int], *, client_token: str | None = None
) -> int:
    """Take table themes out of their event-wide themes; returns how many were merged.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> store, ev = scratch_event(phase="grouping")
    >>> a = create_theme(store, table_actor(1), ev, 1, "Workforce")
    >>> w = merge_themes(store, FACILITATOR, ev, [a], "Workforce")
    >>> unmerge(store, FACILITATOR, ev, [a])
    1
    """
    require(actor, "facilitator", action="unmerge themes")
    ids = ids_of(theme_ids, "theme")

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        lock_themes(conn, ids)
        everything = {t.id: t for t in list_themes(conn, event_id)}
        for i in ids:
            if i not in everything:
                raise NotFound(f"Theme {i} is not there any more; reload the page.")
            if everything[i].event_wide:
                raise FacilitationError(
                    f"'{everything[i].name}' is event-wide; dissolve it to unmerge all its table themes."
                )
        chosen = [everything[i] for i in ids if everything[i].merged_into is not None]
        parents = [everything[t.merged_into] for t in chosen if t.merged_into is not None]
        refuse_if_frozen(conn, actor, ev, [*chosen, *parents], "unmerging it")
        before = snapshot(conn, event_id, [t.id for t in chosen])
        if chosen:
            conn.execute(
                update(s.themes)
                .where(s.themes.c.id.in_([t.id for t in chosen]))
                .values(merged_into=None, updated_at=now())
            )
        detail = {"themes": list(ids), "undo": undo_record(conn, event_id, before)}
        return Change("unmerge themes", "theme", None, detail, len(chosen))

    return int(write_change(store, actor, event_id, fn, client_token))


def split_wide_theme(
    store: Store,
    actor: Actor,
    event_id: int,
    theme_id: int,
    member_ids: Iterable[int],
    new_name: str,
    *,
    client_token: str | None = None,
) -> int:
    """Move some table themes of an event-wide theme into a new event-wide theme; returns its id.

    Facilitator only; refused while either theme is frozen (voted and not reopened).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> store, ev = scratch_event(phase="grouping")
    >>> a = create_theme(store, table_actor(1), ev, 1, "Workforce")
    >>> b = create_theme(store, table_actor(2), ev, 2, "Rotas")
    >>> w = merge_themes(store, FACILITATOR, ev, [a, b], "Workforce")
    >>> new = split_wide_theme(store, FACILITATOR, ev, w, [b], "Rotas and shifts")
    >>> [(t.name, t.member_theme_ids == (b,)) for t in list_themes(store, ev) if t.id == new]
    [('Rotas and shifts', True)]
    """
    require(actor, "facilitator", action="split an event-wide theme")
    clean = clean_text(new_name, field="theme name", max_length=MAX_NAME)
    ids = ids_of(member_ids, "theme")
    if not ids:
        raise FacilitationError("Tick the table themes that go into the new event-wide theme.")

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        lock_themes(conn, [int(theme_id), *ids])
        theme = theme_in(conn, event_id, theme_id)
        if theme.table is not None:
            raise FacilitationError(
                f"'{theme.name}' is a table theme; split it by moving entries into a new theme."
            )
        outside = [i for i in ids if i not in theme.member_theme_ids]
        if outside:
            names = {t.id: t.name for t in list_themes(conn, event_id)}
            raise FacilitationError(
                f"'{names.get(outside[0], outside[0])}' is not in '{theme.name}'; split only its own themes."
            )
        if set(ids) == set(theme.member_theme_ids):
            raise FacilitationError(
                f"That takes every theme out of '{theme.name}'; rename it instead, or leave some behind."
            )
        refuse_if_frozen(conn, actor, ev, [theme], "splitting it")
        refuse_duplicate(conn, event_id, None, clean)
        before = snapshot(conn, event_id, ids)
        new_id = new_theme(conn, event_id, None, clean)
        before["themes"][str(new_id)] = {"merged_into": None, "deleted": True, "name": clean}
        conn.execute(
            update(s.themes).where(s.themes.c.id.in_(ids)).values(merged_into=new_id, updated_at=now())
        )
        detail = {
            "from": theme.id,
            "name": clean,
            "themes": list(ids),
            "undo": undo_record(conn, event_id, before),
        }
        return Change("split theme", "theme", new_id, detail, new_id)

    return int(write_change(store, actor, event_id, fn, client_token))


def move_entry(
    store: Store,
    actor: Actor,
    event_id: int,
    entry_id: int,
    theme_id: int | None,
    *,
    client_token: str | None = None,
) -> int | None:
    """Move one entry into another theme of its table (``None``: out of any theme); returns the theme.

    Its table (while grouping) or the facilitator (at any time); refused when the entry's
    theme or the new one is frozen. An entry goes only into a theme of its own table: an
    event-wide theme gathers table themes.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> from facilitation.capture import add_entry
    >>> store, ev = scratch_event(phase="grouping")
    >>> e = add_entry(store, table_actor(1), ev, 1, "idea", "Shared rota app")
    >>> a = create_theme(store, table_actor(1), ev, 1, "Workforce", [e])
    >>> b = create_theme(store, table_actor(1), ev, 1, "Digital tools")
    >>> move_entry(store, FACILITATOR, ev, e, b) == b
    True
    >>> [(t.name, len(t.entry_ids)) for t in list_themes(store, ev)]
    [('Workforce', 0), ('Digital tools', 1)]
    """
    (eid,) = ids_of([entry_id])

    def fn(conn: Connection) -> Change:
        row = conn.execute(
            select(s.entries.c.id, s.entries.c.theme_id, s.entries.c.text, s.event_tables.c.number)
            .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
            .where(s.entries.c.id == eid, s.entries.c.event_id == event_id, s.entries.c.deleted_at.is_(None))
        ).first()
        if row is None:
            raise NotFound(f"Entry {eid} is not there any more (withdrawn?); reload the page.")
        require_table(actor, row.number, action="move this entry", also=("facilitator",))
        ev = check_phase(conn, actor, event_id)
        target = theme_in(conn, event_id, theme_id) if theme_id is not None else None
        if target is not None and target.table is None:
            raise FacilitationError(
                f"'{target.name}' is event-wide: it gathers table themes, not entries. Move the entry "
                f"into a theme of table {row.number}, or merge that theme into '{target.name}'."
            )
        if target is not None and target.table != row.number:
            raise FacilitationError(
                f"'{target.name}' is table {target.table}'s theme; this entry is table {row.number}'s. "
                f"Move it into a theme of table {row.number}."
            )
        if row.theme_id == (target.id if target else None):
            where = f"in '{target.name}'" if target else "in no theme"
            raise FacilitationError(f"The entry is already {where}: nothing to move.")
        refuse_if_entries_frozen(conn, actor, ev, [eid], "taking its entries out")
        if target is not None:
            refuse_if_frozen(conn, actor, ev, [target], "adding entries to it")
        before = snapshot(conn, event_id, [], [eid])
        move_entries(conn, (eid,), target.id if target else None)
        detail = {
            "entry": eid,
            "from": row.theme_id,
            "to": target.id if target else None,
            "undo": undo_record(conn, event_id, before),
        }
        return Change("move entry", "entry", eid, detail, target.id if target else None)

    out = write_change(store, actor, event_id, fn, client_token)
    return None if out is None else int(out)


# --- undo ------------------------------------------------------------------------------------

Snapshot = dict[str, dict[str, Any]]


def snapshot(
    conn: Connection, event_id: int, theme_ids: Iterable[int], entry_ids: Iterable[int] = ()
) -> Snapshot:
    """Themes (membership, deleted, name) and entries (theme) as they are now, by id (JSON-able)."""
    out: Snapshot = {"themes": {}, "entries": {}}
    tids = sorted({int(i) for i in theme_ids})
    eids = sorted({int(i) for i in entry_ids})
    if tids:
        for r in conn.execute(
            select(s.themes.c.id, s.themes.c.merged_into, s.themes.c.deleted_at, s.themes.c.name).where(
                s.themes.c.event_id == event_id, s.themes.c.id.in_(tids)
            )
        ):
            out["themes"][str(r.id)] = {
                "merged_into": r.merged_into,
                "deleted": r.deleted_at is not None,
                "name": r.name,
            }
    if eids:
        for r in conn.execute(
            select(s.entries.c.id, s.entries.c.theme_id).where(
                s.entries.c.event_id == event_id, s.entries.c.id.in_(eids)
            )
        ):
            out["entries"][str(r.id)] = {"theme_id": r.theme_id}
    return out


def undo_record(conn: Connection, event_id: int, before: Snapshot) -> dict[str, Snapshot]:
    """The rows ``before`` names, as they were and as they are now (after the change)."""
    after = snapshot(conn, event_id, [int(i) for i in before["themes"]], [int(i) for i in before["entries"]])
    return {"before": before, "after": after}


def _undoable(conn: Connection, event_id: int) -> Any:
    """The facilitator's newest grouping action not yet undone (an activity row), or None."""
    a = s.activity
    rows = conn.execute(
        select(a.c.revision, a.c.verb, a.c.detail, a.c.at)
        .where(a.c.event_id == event_id, a.c.actor == "facilitator", a.c.verb.in_([*UNDOABLE, UNDO_VERB]))
        .order_by(a.c.revision.desc())
    ).all()
    undone: set[int] = set()
    for r in rows:
        detail = json.loads(r.detail or "{}")
        if r.verb == UNDO_VERB:
            undone.add(int(detail.get("revision", 0)))
        elif r.revision not in undone and "undo" in detail:
            return r
    return None


_SAY = {
    "merge themes": "the merge into '{name}'",
    "unmerge themes": "the un-merge",
    "dissolve theme": "the un-merge of '{name}'",
    "split theme": "the split into '{name}'",
    "move entry": "the move of an entry",
    "rename theme": "the rename to '{to}'",
}


def _describe(verb: str, detail: dict[str, Any]) -> str:
    try:
        return _SAY[verb].format(**detail)
    except (KeyError, IndexError):
        return verb


def last_undoable(store: Store | Connection, event_id: int) -> str | None:
    """What the console's "Undo" would take back, in words (None: nothing to undo).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> store, ev = scratch_event(phase="grouping")
    >>> a = create_theme(store, table_actor(1), ev, 1, "Workforce")
    >>> last_undoable(store, ev) is None
    True
    >>> w = merge_themes(store, FACILITATOR, ev, [a], "Our workforce")
    >>> last_undoable(store, ev)
    "the merge into 'Our workforce'"
    """

    def q(conn: Connection) -> str | None:
        r = _undoable(conn, event_id)
        return None if r is None else _describe(r.verb, json.loads(r.detail))

    return store.read(q) if isinstance(store, Store) else q(store)


def undo_grouping(store: Store, actor: Actor, event_id: int, *, client_token: str | None = None) -> str:
    """Take back the facilitator's last grouping action (merge, un-merge, split, move, rename).

    Facilitator only. Refused, with nothing changed, when a theme or an entry it touched
    has changed since (undo that by hand), or when a theme involved is frozen (voted and
    not reopened). Undo again takes back the action before. Returns what was undone.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> store, ev = scratch_event(phase="grouping")
    >>> a = create_theme(store, table_actor(1), ev, 1, "Workforce")
    >>> w = merge_themes(store, FACILITATOR, ev, [a], "Our workforce")
    >>> undo_grouping(store, FACILITATOR, ev)
    "the merge into 'Our workforce'"
    >>> [(t.name, t.merged_into) for t in list_themes(store, ev)]
    [('Workforce', None)]
    >>> undo_grouping(store, FACILITATOR, ev)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: There is no grouping action of the console's left to undo.
    """
    require(actor, "facilitator", action="undo a grouping action")

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        row = _undoable(conn, event_id)
        if row is None:
            raise FacilitationError("There is no grouping action of the console's left to undo.")
        detail = json.loads(row.detail)
        what = _describe(row.verb, detail)
        before: Snapshot = detail["undo"]["before"]
        after: Snapshot = detail["undo"]["after"]
        theme_ids = [int(i) for i in before["themes"]]
        entry_ids = [int(i) for i in before["entries"]]
        lock_themes(conn, theme_ids)
        if snapshot(conn, event_id, theme_ids, entry_ids) != after:
            raise FacilitationError(
                f"Cannot undo {what}: its themes or entries have changed since. Change them by hand."
            )
        live = {t.id: t for t in list_themes(conn, event_id)}
        entry_themes = [int(v["theme_id"]) for v in before["entries"].values() if v["theme_id"] is not None]
        involved = [live[i] for i in {*theme_ids, *entry_themes} if i in live]
        refuse_if_frozen(conn, actor, ev, involved, "undoing a change to it")
        for key, was in before["themes"].items():
            conn.execute(
                update(s.themes)
                .where(s.themes.c.id == int(key), s.themes.c.event_id == event_id)
                .values(
                    merged_into=was["merged_into"],
                    name=was["name"],
                    deleted_at=now() if was["deleted"] else None,
                    updated_at=now(),
                )
            )
        for key, was in before["entries"].items():
            conn.execute(
                update(s.entries)
                .where(s.entries.c.id == int(key), s.entries.c.event_id == event_id)
                .values(theme_id=was["theme_id"], updated_at=now())
            )
        return Change(UNDO_VERB, "event", event_id, {"revision": int(row.revision), "undid": row.verb}, what)

    return str(write_change(store, actor, event_id, fn, client_token))
