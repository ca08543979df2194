"""What the projector shows, read in one snapshot: one read transaction, one view-model.

The projector redraws on every change of its event (four times a second at most). It
read the event, the tables, the phase's progress and the phase's wall in five or more
transactions, each seeing the store at a different moment; :func:`read_projector`
reads them all inside one ``store.read`` (one consistent snapshot, one connection
checkout), and the view renders from the :class:`ProjectorData` it returns with no
read of its own. Only the rules' read functions run here, each given the connection.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection

from facilitation.access import VIEWER
from facilitation.capture import Entry, list_entries
from facilitation.errors import FacilitationError
from facilitation.events import (
    Display,
    Event,
    TableInfo,
    display_settings,
    list_events,
    list_tables,
    load_event,
)
from facilitation.network import list_links
from facilitation.people import list_people
from facilitation.plans import Group, list_groups
from facilitation.themes import Theme, list_themes, votable_themes
from facilitation.voting import voter_label, voters_with_dots_left
from facilitation.voting.tally import TallyRow, live_dots, tally

__all__ = ["ENTRY_KINDS", "ProjectorData", "read_projector"]

ENTRY_KINDS = {
    "capture": ("enabler", "blocker"),
    "ideas": ("idea", "question"),
    "questions": ("question",),
}


@dataclass(frozen=True)
class ProjectorData:
    """Everything one projector redraw shows, from one snapshot.

    ``noun`` and ``counts`` are the strip's (counts None: only "done" is shown);
    the rest is the phase's wall: its entries, its themes (every theme while
    grouping, the votable ones while voting), the dots placed of the dots there are
    before the reveal, the ranked result after it (``ranked``; None while hidden),
    the task-and-finish groups, and at the close the series' events.
    """

    event: Event
    tables: list[TableInfo]
    noun: tuple[str, str] = ("", "")
    counts: dict[int, int] | None = None
    entries: list[Entry] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    placed: int = 0
    dots: int = 0
    ranked: list[TallyRow] | None = None
    groups: list[Group] = field(default_factory=list)
    series: list[Event] = field(default_factory=list)
    display: Display = field(default_factory=Display)


def _per_table(tables: list[TableInfo], numbers: list[int | None]) -> dict[int, int]:
    counts = {t.number: 0 for t in tables}
    for n in numbers:
        if n is not None:
            counts[n] = counts.get(n, 0) + 1
    return counts


def read_projector(conn: Connection, event_id: int) -> ProjectorData:
    """The projector's view-model with the console's display choices, from one snapshot."""
    return replace(_read_wall(conn, event_id), display=display_settings(conn, event_id))


def _read_wall(conn: Connection, event_id: int) -> ProjectorData:
    """The projector's view-model, read inside the caller's transaction (``store.read``).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> from facilitation.capture import add_entry
    >>> store, ev = scratch_event(tables=2, phase="ideas")
    >>> _ = add_entry(store, table_actor(2), ev, 2, "idea", "Shared rota")
    >>> data = store.read(lambda conn: read_projector(conn, ev))
    >>> data.noun, data.counts, [e.text for e in data.entries]
    (('idea', 'ideas'), {1: 0, 2: 1}, ['Shared rota'])
    """
    event = load_event(conn, event_id)
    tables = list_tables(conn, event_id)
    kind = event.phase.input
    if kind in ENTRY_KINDS:
        entries = list_entries(conn, event_id, kinds=ENTRY_KINDS[kind])
        noun = ("entry", "entries") if kind == "capture" else ("idea", "ideas")
        return ProjectorData(
            event, tables, noun, _per_table(tables, [e.table for e in entries]), entries=entries
        )
    if kind == "grouping":
        themes = list_themes(conn, event_id)
        counts = _per_table(tables, [t.table for t in themes])
        return ProjectorData(event, tables, ("theme", "themes"), counts, themes=themes)
    if kind == "voting":
        return _voting(conn, event, tables)
    if kind == "plans":
        return ProjectorData(event, tables, groups=list_groups(conn, event_id))
    if kind == "links":
        seat = {p.id: p.table for p in list_people(conn, event_id)}
        numbers = [seat.get(link.person_a) for link in list_links(conn, event_id)]
        return ProjectorData(event, tables, ("link", "links"), _per_table(tables, numbers))
    if event.phase_index == 0:
        numbers = [p.table for p in list_people(conn, event_id)]
        return ProjectorData(event, tables, ("person", "people"), _per_table(tables, numbers))
    if event.phase.name == "close":
        series = list_events(conn, event.series_id) if event.series_id is not None else []
        return ProjectorData(event, tables, groups=list_groups(conn, event_id), series=series)
    return ProjectorData(event, tables)


def _voting(conn: Connection, event: Event, tables: list[TableInfo]) -> ProjectorData:
    """Dots left per table; before the reveal the dots placed and the themes, after it the result."""
    left = voters_with_dots_left(conn, event.id)
    if event.voting_rules.voter == "table":
        counts = {t.number: left.get(voter_label(t.number), 0) for t in tables}
    else:
        by_table: Counter[int] = Counter()
        for p in list_people(conn, event.id):
            if p.table is not None:
                by_table[p.table] += left.get(voter_label(person_id=p.id), 0)
        counts = {t.number: by_table.get(t.number, 0) for t in tables}
    noun = ("dot left", "dots left")
    if not event.votes_revealed or event.closed_round < event.voting_round:
        placed = len(live_dots(conn, event, event.voting_round))
        return ProjectorData(
            event,
            tables,
            noun,
            counts,
            themes=votable_themes(conn, event.id),
            placed=placed,
            dots=placed + sum(left.values()),
        )
    try:
        ranked: list[TallyRow] | None = tally(conn, VIEWER, event.id)
    except FacilitationError:
        ranked = None
    return ProjectorData(event, tables, noun, counts, ranked=ranked)
