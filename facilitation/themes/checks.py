"""What the theme rules check and write inside one transaction: the phase, row locks,
who owns a theme, a table's own entries, duplicate names and voted themes (frozen).

Shared by :mod:`facilitation.themes.grouping` (a table's themes and the facilitator's merges),
:mod:`facilitation.capture.rules` (editing or withdrawing an entry) and
:mod:`facilitation.themes.reopening`; not for pages, which call the rules.

**A voted theme is frozen.** A theme that holds dots in any round (not taken back),
an event-wide theme whose member themes hold dots, and a table theme merged into a
theme that holds dots, cannot be renamed, split, ungrouped, dissolved, merged or
unmerged, gain entries, nor have its entries edited or withdrawn, by anyone, until
the facilitator reopens the theme that holds the dots with a reason
(:func:`facilitation.themes.reopening.reopen_theme`). :func:`refuse_if_frozen` is that rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select, update

from facilitation.access import Actor, require, require_table
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import Event, load_event, require_open_for_input
from facilitation.store import Store, now
from facilitation.store import schema as s
from facilitation.themes.records import Theme, list_themes

__all__ = [
    "GROUPING_INPUTS",
    "check_entries",
    "check_phase",
    "dotted_rounds",
    "ids_of",
    "lock_themes",
    "move_entries",
    "new_theme",
    "open_reopenings",
    "refuse_duplicate",
    "refuse_if_entries_frozen",
    "refuse_if_frozen",
    "require_theme_owner",
    "theme_in",
    "write_change",
]

# The phase inputs during which a table may change its themes.
GROUPING_INPUTS = ("grouping",)


def ids_of(values: Iterable[Any], what: str = "entry") -> tuple[int, ...]:
    out: list[int] = []
    for v in values:
        try:
            i = int(v)
        except (TypeError, ValueError) as exc:
            raise FacilitationError(f"An {what} is named by its number, not '{v}'.") from exc
        if i not in out:
            out.append(i)
    return tuple(out)


def check_phase(conn: Connection, actor: Actor, event_id: int) -> Event:
    # The facilitator may tidy a table's themes at any time; a table only while grouping.
    if actor.role == "table":
        return require_open_for_input(conn, event_id, GROUPING_INPUTS, "change themes")
    return load_event(conn, event_id)


def lock_themes(conn: Connection, theme_ids: Iterable[int]) -> None:
    """Lock theme rows against a concurrent vote (PostgreSQL; SQLite writes are serial)."""
    ids = sorted(set(theme_ids))
    if ids:
        conn.execute(select(s.themes.c.id).where(s.themes.c.id.in_(ids)).with_for_update()).all()


def theme_in(conn: Connection, event_id: int, theme_id: int) -> Theme:
    for t in list_themes(conn, event_id):
        if t.id == int(theme_id):
            return t
    raise NotFound(f"Theme {theme_id} is not there any more (dissolved or merged); reload the page.")


def require_theme_owner(actor: Actor, theme: Theme, action: str) -> None:
    if theme.table is None:
        require(actor, "facilitator", action=f"{action} an event-wide theme")
    else:
        require_table(actor, theme.table, action=action, also=("facilitator",))


def check_entries(conn: Connection, event_id: int, ids: tuple[int, ...], table: int) -> None:
    """Every entry exists, is live, and belongs to ``table``."""
    if not ids:
        return
    rows = conn.execute(
        select(s.entries.c.id, s.event_tables.c.number)
        .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
        .where(
            s.entries.c.id.in_(ids),
            s.entries.c.event_id == event_id,
            s.entries.c.deleted_at.is_(None),
        )
    ).all()
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        names = ", ".join(map(str, missing))
        raise NotFound(f"Entry {names} is not there any more (withdrawn?); reload the page.")
    for r in rows:
        if r.number != table:
            raise NotAllowed(
                f"Entry {r.id} belongs to table {r.number}: a theme of table {table} "
                f"holds only table {table}'s own entries."
            )


def refuse_duplicate(
    conn: Connection, event_id: int, table: int | None, name: str, *, ignore: Iterable[int] = ()
) -> None:
    # Two laptops of one table naming a theme at once queue on the table's row
    # (PostgreSQL; SQLite writes are serial anyway), so the second sees the first.
    owner = select(s.event_tables.c.id).where(s.event_tables.c.event_id == event_id)
    if table is not None:
        conn.execute(owner.where(s.event_tables.c.number == table).with_for_update()).all()
    skip = set(ignore)
    for t in list_themes(conn, event_id):
        if t.table == table and t.id not in skip and t.name.casefold() == name.casefold():
            where = f"Table {table}" if table is not None else "The event"
            raise FacilitationError(
                f"{where} already has a theme called '{t.name}'. Add the entries to it, or choose another name."
            )


def dotted_rounds(conn: Connection, event_id: int, theme_ids: Iterable[int]) -> dict[int, list[int]]:
    """The rounds in which each of ``theme_ids`` holds dots not taken back (themes with none left out)."""
    ids = sorted(set(theme_ids))
    out: dict[int, list[int]] = {}
    if not ids:
        return out
    for theme_id, round_ in conn.execute(
        select(s.dots.c.theme_id, s.dots.c.round)
        .where(s.dots.c.event_id == event_id, s.dots.c.removed_at.is_(None), s.dots.c.theme_id.in_(ids))
        .distinct()
        .order_by(s.dots.c.theme_id, s.dots.c.round)
    ).tuples():
        out.setdefault(int(theme_id), []).append(int(round_))
    return out


def open_reopenings(conn: Connection, ev: Event) -> dict[int, int]:
    """The themes the facilitator has reopened and not yet closed: theme id -> reopening id.

    A reopening lasts until the facilitator closes it, the phase moves or a new voting
    round opens (those rules set ``closed_at``); one made in an earlier round never counts.
    """
    rows = conn.execute(
        select(s.theme_reopenings.c.id, s.theme_reopenings.c.theme_id).where(
            s.theme_reopenings.c.event_id == ev.id, s.theme_reopenings.c.closed_at.is_(None)
        )
    ).all()
    return {int(r.theme_id): int(r.id) for r in rows}


def _frozen_message(actor: Actor, ev: Event, theme: Theme, rounds: list[int], action: str) -> str:
    which = f"round {rounds[0]}" if len(rounds) == 1 else "rounds " + ", ".join(map(str, rounds))
    said = f"'{theme.name}' holds dots from {which}, so it is frozen: {action} would change what the room voted on."
    if actor.role == "facilitator":
        return (
            f"{said} Reopen it first with a reason (Reopen a voted theme on the console, or "
            f'facilitate reopen {ev.id} {theme.id} --reason "...").'
        )
    return f"{said} Ask the facilitator if it must change: only they can reopen it."


def refuse_if_frozen(conn: Connection, actor: Actor, ev: Event, themes: Iterable[Theme], action: str) -> None:
    """Refuse to change ``themes`` when any of them is frozen (see the module's docstring).

    A theme counts with the theme it is merged into and the themes merged into it: a
    change to one changes what was voted on as the other. Themes the facilitator has
    reopened are not frozen. ``action`` says the change as "renaming it".
    """
    everything = {t.id: t for t in list_themes(conn, ev.id)}
    chosen = [t for t in themes if t is not None]
    family: dict[int, Theme] = {}
    for t in chosen:
        family[t.id] = t
        if t.merged_into is not None and t.merged_into in everything:
            family[t.merged_into] = everything[t.merged_into]
        for m in t.member_theme_ids:
            if m in everything:
                family[m] = everything[m]
    if not family:
        return
    # A dot in flight holds its theme FOR SHARE: wait for it, then see it.
    lock_themes(conn, family)
    dotted = dotted_rounds(conn, ev.id, family)
    if not dotted:
        return
    reopened = open_reopenings(conn, ev)
    for tid, t in family.items():
        if tid in dotted and tid not in reopened:
            raise FacilitationError(_frozen_message(actor, ev, t, dotted[tid], action))


def refuse_if_entries_frozen(
    conn: Connection, actor: Actor, ev: Event, entry_ids: Iterable[int], action: str
) -> None:
    """Refuse to change entries grouped in a frozen theme (see :func:`refuse_if_frozen`)."""
    ids = sorted({int(i) for i in entry_ids})
    if not ids:
        return
    theme_ids = set(
        conn.execute(
            select(s.entries.c.theme_id)
            .where(s.entries.c.id.in_(ids), s.entries.c.theme_id.is_not(None))
            .distinct()
        ).scalars()
    )
    if theme_ids:
        themes = [t for t in list_themes(conn, ev.id) if t.id in theme_ids]
        refuse_if_frozen(conn, actor, ev, themes, action)


def move_entries(conn: Connection, ids: tuple[int, ...], theme_id: int | None) -> None:
    if ids:
        conn.execute(
            update(s.entries).where(s.entries.c.id.in_(ids)).values(theme_id=theme_id, updated_at=now())
        )


def new_theme(conn: Connection, event_id: int, table_row: int | None, name: str) -> int:
    return int(
        conn.execute(
            insert(s.themes)
            .values(event_id=event_id, table_id=table_row, name=name, created_at=now())
            .returning(s.themes.c.id)
        ).scalar_one()
    )


def write_change(store: Store, actor: Actor, event_id: int, fn: Any, client_token: str | None) -> Any:
    """Run ``fn`` as one write of ``actor`` (a repeated ``client_token`` replays the first)."""
    return store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result
