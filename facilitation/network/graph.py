"""The collaboration network of an event or a series, from ties derived from what happened.

A tie joins two people. It comes from sitting at the same table, co-authoring a
theme (entries grouped under one table theme, or table themes merged into one
event-wide theme), voting for another table's theme, or a link a table lead
recorded. People keep one identity across a series, so a tie at an event is *new*
when the two had no tie at an earlier event of the series (and did not say they
knew each other before), else *renewed*. Read straight from the store's tables, so
it depends on no other rule module's API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import Event, load_event
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.store.queries import attending

if TYPE_CHECKING:  # networkx loads when a graph is built, not with the rules a table page imports
    import networkx as nx

__all__ = [
    "CO_AUTHORED",
    "DEFAULT_KINDS",
    "SAT_TOGETHER",
    "TIE_KINDS",
    "VOTED_FOR",
    "event_graph",
    "series_events",
    "series_graph",
]

SAT_TOGETHER = "sat together"
CO_AUTHORED = "co-authored a theme"
VOTED_FOR = "voted for their theme"
# Every kind of tie, in the order pages list them.
TIE_KINDS = (*s.LINK_KINDS, CO_AUTHORED, VOTED_FOR)
# What the map and its figures show unless asked otherwise: what passed between
# people directly. Shared themes and votes join whole tables to whole tables, so
# at a typical event they tie nearly everyone to everyone and hide the structure;
# they are a layer to switch on (and the exports carry every kind).
DEFAULT_KINDS = s.LINK_KINDS
_KNEW_BEFORE = "knew before"

# --- ties derived from what happened ----------------------------------------------------

Pair = tuple[int, int]


def _pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


@dataclass
class _EventTies:
    event: Event
    people: dict[int, dict[str, Any]]  # person id -> node attributes
    kinds: dict[Pair, set[str]]
    notes: dict[Pair, list[str]]
    votes_included: bool


def _read_people(conn: Connection, event_id: int) -> dict[int, dict[str, Any]]:
    rows = conn.execute(
        select(
            s.people.c.id,
            s.people.c.name,
            s.people.c.role,
            s.organisations.c.name.label("org"),
            s.organisations.c.sector,
            s.event_tables.c.number,
            s.attendance.c.table_id,
        )
        .select_from(
            s.attendance.join(s.people, s.people.c.id == s.attendance.c.person_id)
            .outerjoin(s.organisations, s.organisations.c.id == s.people.c.organisation_id)
            .outerjoin(s.event_tables, s.event_tables.c.id == s.attendance.c.table_id)
        )
        .where(*attending(event_id))
        .order_by(s.people.c.id)
    )
    return {
        int(r.id): {
            "name": r.name,
            "organisation": r.org or "",
            "sector": r.sector or "",
            "role": r.role or "",
            "table": None if r.number is None else int(r.number),
            "_table_id": r.table_id,
        }
        for r in rows
    }


def _theme_roots(conn: Connection, event_id: int) -> dict[int, int]:
    """Each live theme's event-wide theme: follow ``merged_into`` to a theme that merges no further."""
    parent = {
        int(r.id): (None if r.merged_into is None else int(r.merged_into))
        for r in conn.execute(
            select(s.themes.c.id, s.themes.c.merged_into).where(
                s.themes.c.event_id == event_id, s.themes.c.deleted_at.is_(None)
            )
        )
    }
    roots: dict[int, int] = {}
    for theme in parent:
        seen = {theme}
        cur = theme
        # A merge into a withdrawn theme, or a loop, stops at the last live theme.
        while (nxt := parent.get(cur)) is not None and nxt in parent and nxt not in seen:
            seen.add(nxt)
            cur = nxt
        roots[theme] = cur
    return roots


def _read_event_ties(conn: Connection, event_id: int, include_hidden_votes: bool) -> _EventTies:
    ev = load_event(conn, event_id)
    people = _read_people(conn, event_id)
    kinds: dict[Pair, set[str]] = defaultdict(set)
    notes: dict[Pair, list[str]] = defaultdict(list)

    by_table: dict[int, list[int]] = defaultdict(list)
    for pid, attrs in people.items():
        if attrs["_table_id"] is not None:
            by_table[int(attrs["_table_id"])].append(pid)
    for members in by_table.values():
        for a, b in combinations(members, 2):
            kinds[_pair(a, b)].add(SAT_TOGETHER)

    for r in conn.execute(
        select(s.links.c.kind, s.links.c.person_a, s.links.c.person_b, s.links.c.note)
        .where(s.links.c.event_id == event_id, s.links.c.deleted_at.is_(None))
        .order_by(s.links.c.id)
    ):
        a, b = int(r.person_a), int(r.person_b)
        if a == b or a not in people or b not in people:
            continue
        kinds[_pair(a, b)].add(r.kind)
        if r.note:
            notes[_pair(a, b)].append(r.note)

    # Co-authors: the authors of the entries under one event-wide theme. An entry
    # without a named author was written by its table, so everyone seated there;
    # but across tables only named authors are co-authors, since a merge by the
    # facilitator says nothing about who at an anonymous table did the writing.
    roots = _theme_roots(conn, event_id)
    authors: dict[int, set[int]] = defaultdict(set)
    named: dict[int, set[int]] = defaultdict(set)
    for r in conn.execute(
        select(s.entries.c.theme_id, s.entries.c.table_id, s.entries.c.author_id).where(
            s.entries.c.event_id == event_id,
            s.entries.c.deleted_at.is_(None),
            s.entries.c.theme_id.is_not(None),
        )
    ):
        root = roots.get(int(r.theme_id))
        if root is None:
            continue
        if r.author_id is not None and int(r.author_id) in people:
            authors[root].add(int(r.author_id))
            named[root].add(int(r.author_id))
        else:
            authors[root].update(by_table.get(int(r.table_id), ()))
    for root, writers in authors.items():
        for a, b in combinations(sorted(writers), 2):
            same_table = (
                people[a]["_table_id"] is not None and people[a]["_table_id"] == people[b]["_table_id"]
            )
            if same_table or (a in named[root] and b in named[root]):
                kinds[(a, b)].add(CO_AUTHORED)

    # Votes are ties only once revealed: the map must not give away hidden votes.
    votes_included = bool(ev.votes_revealed or include_hidden_votes)
    if votes_included:
        number_to_table = {int(a["table"]): a["_table_id"] for a in people.values() if a["table"] is not None}
        for r in conn.execute(
            select(s.dots.c.voter, s.dots.c.voter_table_id, s.dots.c.theme_id)
            .where(s.dots.c.event_id == event_id, s.dots.c.removed_at.is_(None))
            .distinct()
        ):
            root = roots.get(int(r.theme_id))
            if root is None or not authors.get(root):
                continue
            voters = _voters(r.voter, r.voter_table_id, people, by_table, number_to_table)
            for v in voters:
                for a in authors[root]:
                    if v == a:
                        continue
                    tv, ta = people[v]["_table_id"], people[a]["_table_id"]
                    if tv is not None and tv == ta:
                        continue  # a vote for one's own table's work is no tie
                    kinds[_pair(v, a)].add(VOTED_FOR)
    return _EventTies(ev, people, dict(kinds), dict(notes), votes_included)


def _voters(
    voter: str,
    voter_table_id: int | None,
    people: dict[int, dict[str, Any]],
    by_table: dict[int, list[int]],
    number_to_table: dict[int, Any],
) -> list[int]:
    kind, _, ref = str(voter).partition(":")
    if kind == "person":
        pid = int(ref) if ref.strip().isdigit() else -1
        return [pid] if pid in people else []
    if kind == "table":
        tid = voter_table_id
        if tid is None and ref.strip().isdigit():
            tid = number_to_table.get(int(ref))
        return list(by_table.get(int(tid), ())) if tid is not None else []
    return []


# --- series ------------------------------------------------------------------------------


def _ordered_series_events(conn: Connection, series_id: int) -> list[Event]:
    rows = conn.execute(
        select(s.events.c.id).where(s.events.c.series_id == series_id, s.events.c.deleted_at.is_(None))
    )
    events = [load_event(conn, int(r.id)) for r in rows]
    return sorted(events, key=lambda e: ((e.starts_on or e.created_at[:10]), e.id))


def series_events(store: Store, series_id: int) -> list[Event]:
    """The events of a series in the order they happened (date, then creation)."""
    return store.read(lambda c: _ordered_series_events(c, series_id))


def _earlier_pairs(conn: Connection, ev: Event, include_hidden_votes: bool, wanted: set[str]) -> set[Pair]:
    """Pairs with a tie of a ``wanted`` kind at an earlier event of the series."""
    if ev.series_id is None:
        return set()
    pairs: set[Pair] = set()
    for other in _ordered_series_events(conn, ev.series_id):
        if other.id == ev.id:
            break
        ties = _read_event_ties(conn, other.id, include_hidden_votes).kinds
        pairs.update(pair for pair, found in ties.items() if found & wanted)
    return pairs


def _wanted(kinds: Iterable[str] | None) -> set[str]:
    wanted = set(DEFAULT_KINDS if kinds is None else kinds)
    unknown = wanted - set(TIE_KINDS)
    if unknown:
        raise FacilitationError(
            f"Ties are of kinds {', '.join(TIE_KINDS)}; not {', '.join(sorted(unknown))}."
        )
    return wanted


def _graph_of(ties: _EventTies, earlier: set[Pair], wanted: set[str]) -> nx.Graph:
    import networkx as nx

    ev = ties.event
    g = nx.Graph(
        event_id=ev.id,
        title=ev.title,
        series_id=ev.series_id,
        starts_on=ev.starts_on or "",
        votes_included=ties.votes_included,
    )
    for pid, attrs in sorted(ties.people.items()):
        g.add_node(pid, **{k: v for k, v in attrs.items() if not k.startswith("_")})
    for pair in sorted(ties.kinds):
        present = tuple(k for k in TIE_KINDS if k in ties.kinds[pair] and k in wanted)
        if not present:
            continue
        a, b = pair
        renewed = pair in earlier or _KNEW_BEFORE in ties.kinds[pair]
        g.add_edge(
            a,
            b,
            kinds=present,
            weight=len(present),
            notes=tuple(ties.notes.get(pair, ())),
            status="renewed" if renewed else "new",
        )
    return g


def event_graph(
    store: Store, event_id: int, *, kinds: Iterable[str] | None = None, include_hidden_votes: bool = False
) -> nx.Graph:
    """The collaboration network of one event: people as nodes, ties as edges.

    Nodes are person ids with ``name``, ``organisation``, ``sector``, ``role`` and
    ``table``; edges carry ``kinds`` (a tuple in :data:`TIE_KINDS` order),
    ``weight`` (how many kinds), ``notes`` and ``status`` ("new" or "renewed").
    ``kinds`` picks the kinds of tie: by default :data:`DEFAULT_KINDS` (seating and
    the links tables recorded); :data:`TIE_KINDS` adds shared themes and votes. Vote
    ties appear only once the facilitator has revealed the votes, unless
    ``include_hidden_votes``.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> from facilitation.people.rules import add_person
    >>> from facilitation.network.rules import record_link
    >>> store, ev = scratch_event()
    >>> a = add_person(store, FACILITATOR, ev, "Ama", organisation="Council", table=1)
    >>> b = add_person(store, FACILITATOR, ev, "Ben", organisation="Hospital", table=1)
    >>> c = add_person(store, FACILITATOR, ev, "Cai", organisation="Hospital", table=2)
    >>> _ = record_link(store, FACILITATOR, ev, 1, b, c, "knew before")
    >>> g = event_graph(store, ev)
    >>> sorted((g.nodes[u]["name"], g.nodes[v]["name"], d["kinds"], d["status"]) for u, v, d in g.edges(data=True))
    [('Ama', 'Ben', ('sat together',), 'new'), ('Ben', 'Cai', ('knew before',), 'renewed')]
    """

    def q(conn: Connection) -> nx.Graph:
        ties = _read_event_ties(conn, event_id, include_hidden_votes)
        wanted = _wanted(kinds)
        earlier = _earlier_pairs(conn, ties.event, include_hidden_votes, wanted)
        return _graph_of(ties, earlier, wanted)

    return store.read(q)


def series_graph(
    store: Store,
    series_id: int,
    *,
    until_event: int | None = None,
    kinds: Iterable[str] | None = None,
    include_hidden_votes: bool = False,
) -> tuple[nx.Graph, list[nx.Graph]]:
    """The network of a whole series (up to ``until_event``) and each event's own graph.

    The whole-series graph has every person who attended; each edge carries
    ``events`` (the event ids where the tie appeared, in order), ``first_event``,
    ``kinds`` (all kinds seen) and ``weight`` (how many events). Nodes carry
    ``events`` too. Each event's graph is as :func:`event_graph` gives it, with new
    and renewed ties judged against the events before it.
    """

    def q(conn: Connection) -> tuple[nx.Graph, list[nx.Graph]]:
        import networkx as nx

        ordered = _ordered_series_events(conn, series_id)
        if until_event is not None:
            ids = [e.id for e in ordered]
            if int(until_event) not in ids:
                raise NotFound(f"Event {until_event} is not part of series {series_id}.")
            ordered = ordered[: ids.index(int(until_event)) + 1]
        whole = nx.Graph(series_id=series_id, event_ids=tuple(e.id for e in ordered))
        per_event: list[nx.Graph] = []
        seen: set[Pair] = set()
        wanted = _wanted(kinds)
        for ev in ordered:
            ties = _read_event_ties(conn, ev.id, include_hidden_votes)
            g = _graph_of(ties, seen, wanted)
            per_event.append(g)
            seen.update((a, b) if a < b else (b, a) for a, b in g.edges())
            for pid, attrs in g.nodes(data=True):
                if pid in whole:
                    whole.nodes[pid].update(attrs)  # the latest organisation and table
                    whole.nodes[pid]["events"] += (ev.id,)
                else:
                    whole.add_node(pid, **attrs, events=(ev.id,))
            for a, b, d in g.edges(data=True):
                if whole.has_edge(a, b):
                    e = whole.edges[a, b]
                    e["events"] += (ev.id,)
                    e["kinds"] = tuple(k for k in TIE_KINDS if k in set(e["kinds"]) | set(d["kinds"]))
                    e["notes"] += d["notes"]
                    e["weight"] = len(e["events"])
                else:
                    whole.add_edge(
                        a, b, events=(ev.id,), first_event=ev.id, kinds=d["kinds"], notes=d["notes"], weight=1
                    )
        return whole, per_event

    return store.read(q)
