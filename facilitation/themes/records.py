"""Reading themes: the table themes and event-wide themes of an event, and the ballot.

Changing themes is :mod:`facilitation.themes.grouping`; dots on them, :mod:`facilitation.voting.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from facilitation.events.rules import Event, load_event
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.store.queries import read_from

__all__ = [
    "Theme",
    "author_tables",
    "list_themes",
    "votable_among",
    "votable_themes",
]


@dataclass(frozen=True)
class Theme:
    """A theme as pages show it.

    ``table`` is the table number of a table theme and None for an event-wide theme;
    ``entry_ids`` of an event-wide theme are those of all its member table themes.
    """

    id: int
    table: int | None
    name: str
    merged_into: int | None
    entry_ids: tuple[int, ...]
    member_theme_ids: tuple[int, ...] = ()

    @property
    def event_wide(self) -> bool:
        """Whether this is an event-wide theme (one that merges table themes)."""
        return self.table is None


def _all_themes(conn: Connection, event_id: int) -> list[Theme]:
    """Every live theme of an event: table themes by table, then event-wide themes."""
    rows = conn.execute(
        select(s.themes.c.id, s.themes.c.name, s.themes.c.merged_into, s.event_tables.c.number)
        .select_from(s.themes.outerjoin(s.event_tables, s.event_tables.c.id == s.themes.c.table_id))
        .where(s.themes.c.event_id == event_id, s.themes.c.deleted_at.is_(None))
        .order_by(s.themes.c.id)
    ).all()
    members: dict[int, list[int]] = {}
    for entry, theme in conn.execute(
        select(s.entries.c.id, s.entries.c.theme_id)
        .where(
            s.entries.c.event_id == event_id,
            s.entries.c.deleted_at.is_(None),
            s.entries.c.theme_id.is_not(None),
        )
        .order_by(s.entries.c.id)
    ).all():  # one fetch, not row by row: a tally and a projector redraw read every entry here
        members.setdefault(theme, []).append(entry)
    wide = {r.id for r in rows if r.number is None}
    children: dict[int, list[int]] = {}
    for r in rows:
        if r.number is not None and r.merged_into in wide:
            children.setdefault(r.merged_into, []).append(r.id)
    out = []
    for r in rows:
        if r.number is None:
            kids = tuple(children.get(r.id, ()))
            entry_ids = tuple(sorted(i for k in kids for i in members.get(k, ())))
            out.append(Theme(r.id, None, r.name, None, entry_ids, kids))
        else:
            parent = r.merged_into if r.merged_into in wide else None
            out.append(Theme(r.id, r.number, r.name, parent, tuple(members.get(r.id, ()))))
    return sorted(out, key=lambda t: (t.table is None, t.table or 0, t.id))


def list_themes(store: Store | Connection, event_id: int, *, table: int | None = None) -> list[Theme]:
    """The themes of an event: table themes by table, then event-wide themes.

    With ``table``, only that table's own themes (merged or not). Given a connection,
    reads inside the caller's transaction (what the rules do).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> from facilitation.capture.rules import add_entry
    >>> from facilitation.events.rules import set_phase
    >>> from facilitation.access import FACILITATOR
    >>> from facilitation.themes.grouping import create_theme
    >>> store, ev = scratch_event(phase="ideas")
    >>> store.read(lambda conn: list_themes(conn, ev))
    []
    >>> e1 = add_entry(store, table_actor(1), ev, 1, "idea", "One shared care record")
    >>> _ = set_phase(store, FACILITATOR, ev, "grouping")
    >>> tid = create_theme(store, table_actor(1), ev, 1, "Information sharing", [e1])
    >>> [(t.table, t.name, t.entry_ids == (e1,)) for t in list_themes(store, ev)]
    [(1, 'Information sharing', True)]
    """

    def q(conn: Connection) -> list[Theme]:
        found = _all_themes(conn, event_id)
        if table is not None:
            found = [t for t in found if t.table == int(table)]
        return found

    return read_from(store, q)


def votable_among(themes: list[Theme], ev: Event) -> list[Theme]:
    """Those of ``themes`` that dots can go on in the event's current round.

    Themes not merged into another, each with at least one entry; during a run-off,
    only the themes in the run-off.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.events.rules import get_event
    >>> store, ev = scratch_event(phase="voting")
    >>> empty = Theme(1, 1, "Workforce", None, ())
    >>> full = Theme(2, 2, "Transport", None, (7,))
    >>> [t.name for t in votable_among([empty, full], get_event(store, ev))]
    ['Transport']
    """
    top = [t for t in themes if t.merged_into is None and t.entry_ids]
    if ev.runoff_themes:
        runoff = set(ev.runoff_themes)
        top = [t for t in top if t.id in runoff]
    return top


def votable_themes(store: Store | Connection, event_id: int) -> list[Theme]:
    """The themes dots can go on now.

    Event-wide themes and table themes not merged into one, each with at least one
    entry; during a run-off, only the themes in the run-off.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(phase="voting")
    >>> votable_themes(store, ev)
    []
    """

    def q(conn: Connection) -> list[Theme]:
        return votable_among(list_themes(conn, event_id), load_event(conn, event_id))

    return read_from(store, q)


def author_tables(theme: Theme, by_id: dict[int, Theme]) -> set[int]:
    """The table numbers of a theme's authors: its own table, or its member themes' tables.

    ``by_id`` holds the event's themes by id, as :func:`list_themes` returns them.

    Examples
    --------
    >>> a = Theme(1, 1, "Workforce", 3, (10,))
    >>> b = Theme(2, 4, "Staffing", 3, (11,))
    >>> wide = Theme(3, None, "Workforce and staffing", None, (10, 11), (1, 2))
    >>> sorted(author_tables(wide, {t.id: t for t in (a, b, wide)})), author_tables(a, {})
    ([1, 4], {1})
    """
    if theme.table is not None:
        return {theme.table}
    return {n for m in theme.member_theme_ids if (n := by_id[m].table) is not None}
