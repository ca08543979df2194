"""The figures a systems leader reads off a collaboration network, each with its plain sentence.

Also the layout (stable: a fixed seed, and positions kept between refreshes) and
the colour-blind-safe palette that the map, the static picture and the exports
share. Everything random takes ``seed``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx

from facilitation.network.picture import node_order

__all__ = [
    "EXPLANATIONS",
    "Bridge",
    "EventGrowth",
    "Figure",
    "NetworkFigures",
    "SeriesFigures",
    "brokerage",
    "ei_index",
    "event_figures",
    "network_figures",
    "organisation_graph",
    "series_figures",
]

EXPLANATIONS: dict[str, str] = {
    "people": "How many people took part and appear on the map.",
    "ties": "How many pairs of people are connected: they sat at one table, worked together, plan to work together or knew each other (and, where shown, shared a theme or a vote).",
    "organisations": "How many different organisations the people came from.",
    "cross_organisation_ties": "Ties between people from different organisations: the connections across the system this work is for.",
    "cross_sector_ties": "Ties between people from different sectors, such as a hospital and a housing association.",
    "new_ties": "Ties between people who had no tie at an earlier event of the series and did not say they knew each other before.",
    "renewed_ties": "Ties between people who were already connected before this event.",
    "density": "The share of all possible pairs of people who are connected: 0% means nobody, 100% means everybody with everybody.",
    "ei_index": "External-internal index: +1 when every tie crosses an organisation's boundary, -1 when every tie stays inside one.",
    "organisation_ei": "For each organisation, +1 when all its ties reach other organisations and -1 when they all stay inside it.",
    "bridging_people": "People who sit on the shortest paths between others (betweenness) and connect contacts from different organisations who are not otherwise connected (brokerage).",
    "bridging_organisations": "Organisations that sit between other organisations in the network of who is connected to whom.",
    "communities": "Groups of people more connected to each other than to the rest, found by the Louvain method.",
    "modularity": "How clearly the network splits into communities: near 0 is one mixed network, above 0.3 are distinct clusters.",
    "isolates": "People with no tie beyond their own table: worth an introduction at the next event.",
    "cumulative_people": "Everyone who has come to at least one event of the series so far.",
    "cumulative_ties": "Every pair of people connected at one or more events of the series so far.",
    "cumulative_cross_organisation_ties": "Every pair from different organisations connected at one or more events so far.",
}

_LABELS = {
    "people": "People",
    "ties": "Ties",
    "organisations": "Organisations",
    "cross_organisation_ties": "Ties across organisations",
    "cross_sector_ties": "Ties across sectors",
    "new_ties": "New ties",
    "renewed_ties": "Renewed ties",
    "density": "Density",
    "ei_index": "E-I index",
    "modularity": "Modularity",
    "communities": "Communities",
    "isolates": "No tie beyond their table",
}


@dataclass(frozen=True)
class Figure:
    """One figure as a page shows it: a label, a value, the value as text, and its sentence."""

    key: str
    label: str
    value: float | int | None
    text: str
    explanation: str


@dataclass(frozen=True)
class Bridge:
    """A person (``id`` the person id) or an organisation (``id`` its name) that bridges groups."""

    id: int | str
    name: str
    organisation: str
    betweenness: float
    brokerage: int


@dataclass(frozen=True)
class NetworkFigures:
    """The figures of one network; ``headline()`` gives them with their sentences."""

    people: int
    ties: int
    organisations: int
    cross_organisation_ties: int
    cross_sector_ties: int
    new_ties: int
    renewed_ties: int
    density: float
    ei_index: float | None
    organisation_ei: dict[str, float | None]
    bridging_people: list[Bridge]
    bridging_organisations: list[Bridge]
    communities: list[tuple[Hashable, ...]]
    modularity: float | None
    isolates: list[Hashable]
    explanations: dict[str, str] = field(default_factory=lambda: dict(EXPLANATIONS))

    def headline(self) -> list[Figure]:
        """The figures shown beside the map, in reading order."""

        def pct(x: float | None) -> str:
            return "-" if x is None else f"{x:.0%}"

        def signed(x: float | None) -> str:
            return "-" if x is None else f"{x:+.2f}"

        ties = self.ties or 0
        rows: list[tuple[str, float | int | None, str]] = [
            ("people", self.people, f"{self.people:,}"),
            ("ties", ties, f"{ties:,}"),
            (
                "cross_organisation_ties",
                self.cross_organisation_ties,
                f"{self.cross_organisation_ties:,} ({pct(self.cross_organisation_ties / ties if ties else None)})",
            ),
            ("cross_sector_ties", self.cross_sector_ties, f"{self.cross_sector_ties:,}"),
            ("new_ties", self.new_ties, f"{self.new_ties:,}"),
            ("density", self.density, pct(self.density)),
            ("ei_index", self.ei_index, signed(self.ei_index)),
            ("communities", len(self.communities), f"{len(self.communities):,}"),
            ("isolates", len(self.isolates), f"{len(self.isolates):,}"),
        ]
        return [Figure(k, _LABELS[k], v, t, self.explanations[k]) for k, v, t in rows]


# --- the figures ---------------------------------------------------------------------------


def ei_index(
    graph: nx.Graph, attribute: str = "organisation"
) -> tuple[float | None, dict[str, float | None]]:
    """Krackhardt and Stern's E-I index, overall and for each group of ``attribute``.

    For a group, E counts its members' ties to people outside it and I the ties
    between its members (each once); E-I = (E - I) / (E + I). People with no value
    for ``attribute`` belong to no group: their ties count for the other end only.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from([(1, {"organisation": "A"}), (2, {"organisation": "A"}), (3, {"organisation": "B"})])
    >>> g.add_edges_from([(1, 2), (2, 3)])
    >>> ei_index(g)
    (0.0, {'A': 0.0, 'B': 1.0})
    """
    external: Counter[str] = Counter()
    internal: Counter[str] = Counter()
    groups = {str(d.get(attribute) or "") for _, d in graph.nodes(data=True)} - {""}
    total_e = total_i = 0
    for u, v in graph.edges():
        gu, gv = graph.nodes[u].get(attribute) or "", graph.nodes[v].get(attribute) or ""
        if gu and gv and gu == gv:
            internal[gu] += 1
            total_i += 1
            continue
        if gu and gv:
            total_e += 1
        for g in (gu, gv):
            if g:
                external[g] += 1
    per_group: dict[str, float | None] = {}
    for g in sorted(groups):
        e, i = external[g], internal[g]
        per_group[g] = None if e + i == 0 else (e - i) / (e + i)
    overall = None if total_e + total_i == 0 else (total_e - total_i) / (total_e + total_i)
    return overall, per_group


def brokerage(graph: nx.Graph, node: Hashable, attribute: str = "organisation") -> int:
    """Pairs of ``node``'s contacts from different groups who have no tie to each other.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from([(1, {"organisation": "A"}), (2, {"organisation": "B"}), (3, {"organisation": "C"})])
    >>> g.add_edges_from([(1, 2), (2, 3)])
    >>> brokerage(g, 2), brokerage(g, 1)
    (1, 0)
    """
    contacts = sorted(graph.neighbors(node), key=node_order)
    count = 0
    for a, b in combinations(contacts, 2):
        ga, gb = graph.nodes[a].get(attribute) or "", graph.nodes[b].get(attribute) or ""
        if ga and gb and ga != gb and not graph.has_edge(a, b):
            count += 1
    return count


_SAMPLE = 300  # people whose shortest paths estimate betweenness on big networks


def _betweenness(graph: nx.Graph, seed: int, exact_up_to: int) -> dict[Hashable, float]:
    if graph.number_of_nodes() <= exact_up_to:
        return nx.betweenness_centrality(graph, normalized=True)
    # Beyond that, paths from a seeded sample of people estimate it: a whole series
    # of 600 people and 14,000 ties takes 3 s instead of 6 s on two cores.
    k = min(_SAMPLE, graph.number_of_nodes())
    return nx.betweenness_centrality(graph, k=k, normalized=True, seed=seed)


def _communities(graph: nx.Graph, seed: int) -> tuple[list[tuple[Hashable, ...]], float | None]:
    if graph.number_of_nodes() == 0:
        return [], None
    if graph.number_of_edges() == 0:
        return [(n,) for n in sorted(graph, key=node_order)], None
    parts = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    modularity = nx.community.modularity(graph, parts, weight="weight")
    ordered = sorted(
        (tuple(sorted(p, key=node_order)) for p in parts), key=lambda p: (-len(p), node_order(p[0]))
    )
    return ordered, float(modularity)


def _isolates(graph: nx.Graph) -> list[Hashable]:
    out = []
    for n, d in graph.nodes(data=True):
        table = d.get("table")
        beyond = any(
            table is None or graph.nodes[m].get("table") is None or graph.nodes[m].get("table") != table
            for m in graph.neighbors(n)
        )
        if not beyond:
            out.append(n)
    return sorted(out, key=node_order)


def network_figures(
    graph: nx.Graph, *, seed: int = 0, top: int = 5, exact_up_to: int = 500
) -> NetworkFigures:
    """Every figure of a network built by :func:`facilitation.network.rules.event_graph`.

    Parameters
    ----------
    graph : networkx.Graph
        Nodes with ``organisation``, ``sector``, ``table`` and ``name``; edges with
        ``status`` ("new" or "renewed") and ``weight``.
    seed : int
        For the community detection (and sampled betweenness on big networks).
    top : int
        How many bridging people and organisations to list.
    exact_up_to : int
        Betweenness is exact up to this many people; beyond, estimated from the
        shortest paths of 300 people drawn with ``seed``.

    Examples
    --------
    >>> g = nx.Graph()
    >>> for n, org, table in [(1, "A", 1), (2, "A", 1), (3, "B", 2), (4, "B", 2)]:
    ...     g.add_node(n, name=f"P{n}", organisation=org, sector="", table=table)
    >>> g.add_edges_from([(1, 2), (2, 3), (3, 4)], status="new", weight=1)
    >>> f = network_figures(g)
    >>> f.ties, f.cross_organisation_ties, round(f.density, 2), f.ei_index
    (3, 1, 0.5, -0.3333333333333333)
    >>> [b.name for b in f.bridging_people[:2]], f.isolates
    (['P2', 'P3'], [1, 4])
    """
    nodes = graph.nodes
    cross_org = cross_sector = new = renewed = 0
    for u, v, d in graph.edges(data=True):
        ou, ov = nodes[u].get("organisation") or "", nodes[v].get("organisation") or ""
        su, sv = nodes[u].get("sector") or "", nodes[v].get("sector") or ""
        cross_org += bool(ou and ov and ou != ov)
        cross_sector += bool(su and sv and su != sv)
        if d.get("status") == "renewed":
            renewed += 1
        else:
            new += 1
    overall, per_org = ei_index(graph)
    between = _betweenness(graph, seed, exact_up_to)
    people = [
        Bridge(
            n,
            str(nodes[n].get("name", n)),
            str(nodes[n].get("organisation") or ""),
            float(between.get(n, 0.0)),
            brokerage(graph, n),
        )
        for n in graph
    ]
    people = [p for p in people if p.betweenness > 0 or p.brokerage > 0]
    people.sort(key=lambda p: (-p.betweenness, -p.brokerage, p.name, node_order(p.id)))
    communities, modularity = _communities(graph, seed)
    return NetworkFigures(
        people=graph.number_of_nodes(),
        ties=graph.number_of_edges(),
        organisations=len({d.get("organisation") for _, d in graph.nodes(data=True)} - {"", None}),
        cross_organisation_ties=cross_org,
        cross_sector_ties=cross_sector,
        new_ties=new,
        renewed_ties=renewed,
        density=nx.density(graph) if graph.number_of_nodes() > 1 else 0.0,
        ei_index=overall,
        organisation_ei=per_org,
        bridging_people=people[:top],
        bridging_organisations=_bridging_organisations(graph, top),
        communities=communities,
        modularity=modularity,
        isolates=_isolates(graph),
    )


def organisation_graph(graph: nx.Graph) -> nx.Graph:
    """Organisations as nodes, joined when any of their people are; weight = person ties."""
    og = nx.Graph()
    for _, d in graph.nodes(data=True):
        if d.get("organisation"):
            og.add_node(d["organisation"], sector=d.get("sector") or "")
    for u, v in graph.edges():
        ou, ov = graph.nodes[u].get("organisation") or "", graph.nodes[v].get("organisation") or ""
        if ou and ov and ou != ov:
            w = og.edges[ou, ov]["weight"] + 1 if og.has_edge(ou, ov) else 1
            og.add_edge(ou, ov, weight=w)
    return og


def _bridging_organisations(graph: nx.Graph, top: int) -> list[Bridge]:
    og = organisation_graph(graph)
    if og.number_of_nodes() == 0:
        return []
    between = nx.betweenness_centrality(og, normalized=True)
    orgs = [Bridge(o, o, o, float(between[o]), _org_brokerage(og, o)) for o in og if og.degree(o) > 0]
    orgs.sort(key=lambda b: (-b.betweenness, -b.brokerage, b.name))
    return orgs[:top]


def _org_brokerage(og: nx.Graph, org: Hashable) -> int:
    partners = sorted(og.neighbors(org), key=node_order)
    return sum(1 for a, b in combinations(partners, 2) if not og.has_edge(a, b))


def event_figures(store: Any, event_id: int, *, seed: int = 0, top: int = 5) -> NetworkFigures:
    """The figures of one event's network (see :func:`facilitation.network.rules.event_graph`)."""
    from facilitation.network.rules import event_graph

    return network_figures(event_graph(store, event_id), seed=seed, top=top)


# --- a series --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventGrowth:
    """One event of a series: its own figures and the network so far."""

    event_id: int
    title: str
    starts_on: str
    figures: NetworkFigures
    cumulative_people: int
    cumulative_ties: int
    cumulative_organisations: int
    cumulative_cross_organisation_ties: int


@dataclass(frozen=True)
class SeriesFigures:
    """The figures of each event of a series and how the whole network grew."""

    series_id: int
    events: list[EventGrowth]
    whole: NetworkFigures | None
    explanations: dict[str, str] = field(default_factory=lambda: dict(EXPLANATIONS))

    def growth_rows(self) -> list[dict[str, Any]]:
        """One row per event: the columns a growth table or chart needs."""
        return [
            {
                "event_id": e.event_id,
                "title": e.title,
                "starts_on": e.starts_on,
                "people": e.figures.people,
                "ties": e.figures.ties,
                "new_ties": e.figures.new_ties,
                "renewed_ties": e.figures.renewed_ties,
                "cross_organisation_ties": e.figures.cross_organisation_ties,
                "density": e.figures.density,
                "ei_index": e.figures.ei_index,
                "cumulative_people": e.cumulative_people,
                "cumulative_ties": e.cumulative_ties,
                "cumulative_organisations": e.cumulative_organisations,
                "cumulative_cross_organisation_ties": e.cumulative_cross_organisation_ties,
            }
            for e in self.events
        ]


def series_figures(store: Any, series_id: int, *, seed: int = 0, top: int = 5) -> SeriesFigures:
    """Each event's figures in date order, the cumulative network, and its figures.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> series_figures(store, 999).events
    []
    """
    from facilitation.network.rules import series_graph

    whole, per_event = series_graph(store, series_id)
    people: set[Hashable] = set()
    orgs: set[str] = set()
    ties: set[tuple[Hashable, Hashable]] = set()
    cross: set[tuple[Hashable, Hashable]] = set()
    rows = []
    for g in per_event:
        people.update(g.nodes)
        orgs.update(d["organisation"] for _, d in g.nodes(data=True) if d.get("organisation"))
        for u, v in g.edges():
            pair = (u, v) if node_order(u) <= node_order(v) else (v, u)
            ties.add(pair)
            ou, ov = g.nodes[u].get("organisation"), g.nodes[v].get("organisation")
            if ou and ov and ou != ov:
                cross.add(pair)
        rows.append(
            EventGrowth(
                event_id=g.graph["event_id"],
                title=g.graph["title"],
                starts_on=g.graph["starts_on"],
                figures=network_figures(g, seed=seed, top=top),
                cumulative_people=len(people),
                cumulative_ties=len(ties),
                cumulative_organisations=len(orgs),
                cumulative_cross_organisation_ties=len(cross),
            )
        )
    whole_figures = network_figures(whole, seed=seed, top=top) if per_event else None
    return SeriesFigures(series_id, rows, whole_figures)
