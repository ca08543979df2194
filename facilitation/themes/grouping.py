"""Grouping: a table groups its own entries into named themes, and the facilitator merges
table themes from across the room into event-wide themes. Reading themes is
:mod:`facilitation.themes.records` (re-exported here); dots go on themes (:mod:`facilitation.voting.rules`).

Membership of a table theme is ``entries.theme_id``; an event-wide theme is a theme
with no table, and each table theme merged into it has ``merged_into`` set. Nothing
is erased: a dissolved theme is soft-deleted and its entries simply ungrouped.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    "Theme",
    "add_to_theme",
    "create_theme",
    "dissolve_theme",
    "list_themes",
    "merge_themes",
    "rename_theme",
    "split_theme",
    "ungroup",
    "unmerge",
    "votable_themes",
]

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
        conn.execute(update(s.themes).where(s.themes.c.id == theme.id).values(name=clean, updated_at=now()))
        return Change("rename theme", "theme", theme.id, {"from": theme.name, "to": clean}, theme.id)

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
        new_id = new_theme(conn, event_id, table_id(conn, event_id, theme.table), clean)
        move_entries(conn, ids, new_id)
        detail = {"from": theme.id, "name": clean, "entries": list(ids)}
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
        if target is None:
            target_id = new_theme(conn, event_id, None, new_name)
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
        detail = {"name": new_name, "themes": list(ids), "into": into}
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
        if chosen:
            conn.execute(
                update(s.themes)
                .where(s.themes.c.id.in_([t.id for t in chosen]))
                .values(merged_into=None, updated_at=now())
            )
        return Change("unmerge themes", "theme", None, {"themes": list(ids)}, len(chosen))

    return int(write_change(store, actor, event_id, fn, client_token))
