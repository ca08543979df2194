"""What the theme rules check and write inside one transaction: the phase, row locks,
who owns a theme, a table's own entries, duplicate names and themes that carry dots.

Shared by :mod:`facilitation.grouping` (a table's themes and the facilitator's merges);
not for pages, which call the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select, update

from facilitation.access import Actor, require, require_table
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events import Event, load_event, require_open_for_input
from facilitation.store import Store, now
from facilitation.store import schema as s
from facilitation.themes import Theme, read_themes

__all__ = [
    "GROUPING_INPUTS",
    "check_entries",
    "check_phase",
    "ids_of",
    "lock_themes",
    "move_entries",
    "new_theme",
    "refuse_duplicate",
    "refuse_if_dotted",
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
    for t in read_themes(conn, event_id):
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
    for t in read_themes(conn, event_id):
        if t.table == table and t.id not in skip and t.name.casefold() == name.casefold():
            where = f"Table {table}" if table is not None else "The event"
            raise FacilitationError(
                f"{where} already has a theme called '{t.name}'. Add the entries to it, or choose another name."
            )


def refuse_if_dotted(conn: Connection, ev: Event, themes: list[Theme], action: str) -> None:
    """Refuse to change themes that already carry dots in this round."""
    ids = {t.id for t in themes}
    if not ids:
        return
    dotted = set(
        conn.execute(
            select(s.dots.c.theme_id)
            .where(
                s.dots.c.event_id == ev.id,
                s.dots.c.round == ev.voting_round,
                s.dots.c.removed_at.is_(None),
                s.dots.c.theme_id.in_(sorted(ids)),
            )
            .distinct()
        ).scalars()
    )
    if dotted:
        names = ", ".join(f"'{t.name}'" for t in themes if t.id in dotted)
        raise FacilitationError(
            f"{names} already has dots in this voting round, so {action} now would change "
            "votes people have cast. Take those dots off first, or open a new round."
        )


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
