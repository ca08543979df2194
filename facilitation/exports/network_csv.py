"""The collaboration network as Gephi node and edge tables (CSV), with time intervals.

For an event in a series the tables cover the series up to that event: each person
and tie carries a ``Time Interval`` with one closed interval per event where it
appeared, so Gephi's timeline shows the network growing. Ids are ``person-<id>``
and ``tie-<a>-<b>``, stable across the series. ``Weight`` is how many kinds of tie
join the two people over the events the file covers (as in every network export);
``Events`` is in how many events they were tied.

These files are often opened in a spreadsheet first, so they keep the CSV rule of
the CSV zip: UTF-8 with a byte-order mark, and typed text that a spreadsheet would
evaluate (a leading ``=``, ``+``, ``-``, ``@``, tab or newline) gets a leading
apostrophe. GEXF, GraphML and Kumu carry names exactly as typed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from facilitation.exports._files import neutralise_cell, write_atomic
from facilitation.exports._network import edge_id, node_id, xml_safe
from facilitation.network.graph import TIE_KINDS
from facilitation.network.picture import node_order

__all__ = ["DESCRIPTION", "EDGE_COLUMNS", "FORMAT", "NODE_COLUMNS", "render", "time_points", "write"]

FORMAT = "network-csv"
DESCRIPTION = "Collaboration network as Gephi node and edge CSV tables, with time intervals across a series"

NODE_COLUMNS = ("Id", "Label", "Organisation", "Sector", "Role", "Events", "First event", "Time Interval")
EDGE_COLUMNS = (
    "Id",
    "Source",
    "Target",
    "Type",
    "Weight",
    "Kinds",
    "Cross organisation",
    "Events",
    "First event",
    "Time Interval",
)


def time_points(per_event: Sequence[nx.Graph]) -> dict[int, str]:
    """Each event's point in time: its date when every event has one, else 1, 2, 3...

    Examples
    --------
    >>> time_points([nx.Graph(event_id=4, starts_on="2026-01-15"), nx.Graph(event_id=9, starts_on="")])
    {4: '1', 9: '2'}
    """
    dates = [g.graph.get("starts_on") or "" for g in per_event]
    if all(dates):
        return {g.graph["event_id"]: d for g, d in zip(per_event, dates, strict=True)}
    return {g.graph["event_id"]: str(i) for i, g in enumerate(per_event, start=1)}


def _interval(events: Sequence[int], points: dict[int, str]) -> str:
    return "<" + ";".join(f"[{points[e]},{points[e]}]" for e in events) + ">"


def _csv(columns: Sequence[str], rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO(newline="")
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(columns)
    for row in rows:
        out.writerow([neutralise_cell(row[c]) for c in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render(per_event: Sequence[nx.Graph]) -> dict[str, bytes]:
    """``{"nodes.csv": ..., "edges.csv": ...}`` for the events' graphs, oldest first.

    Examples
    --------
    >>> a = nx.Graph(event_id=1, starts_on="2026-01-15")
    >>> a.add_node(1, name="Ama", organisation="Council"); a.add_node(2, name="Ben", organisation="Trust")
    >>> a.add_edge(1, 2, kinds=("sat together",))
    >>> b = nx.Graph(event_id=2, starts_on="2026-03-12")
    >>> b.add_node(1, name="Ama", organisation="Council")
    >>> files = render([a, b])
    >>> files["nodes.csv"].decode("utf-8-sig").splitlines()[1]
    'person-1,Ama,Council,,,2,2026-01-15,"<[2026-01-15,2026-01-15];[2026-03-12,2026-03-12]>"'
    """
    points = time_points(per_event)
    people: dict[Any, dict[str, Any]] = {}
    ties: dict[tuple[Any, Any], dict[str, Any]] = {}
    for g in per_event:
        ev = g.graph["event_id"]
        for n, d in g.nodes(data=True):
            p = people.setdefault(n, {"events": []})
            p.update({k: d.get(k) for k in ("name", "organisation", "sector", "role")})
            p["events"].append(ev)
        for u, v, d in g.edges(data=True):
            key = (u, v) if node_order(u) <= node_order(v) else (v, u)
            t = ties.setdefault(key, {"events": [], "kinds": set()})
            t["events"].append(ev)
            t["kinds"].update(d.get("kinds", ()))
    node_rows = [
        {
            "Id": node_id(n),
            "Label": xml_safe(p["name"] if p["name"] is not None else n),
            "Organisation": xml_safe(p["organisation"]),
            "Sector": xml_safe(p["sector"]),
            "Role": xml_safe(p["role"]),
            "Events": len(p["events"]),
            "First event": points[p["events"][0]],
            "Time Interval": _interval(p["events"], points),
        }
        for n, p in sorted(people.items(), key=lambda t: node_order(t[0]))
    ]
    order = {k: i for i, k in enumerate(TIE_KINDS)}
    edge_rows = []
    for (u, v), t in sorted(ties.items(), key=lambda kv: (node_order(kv[0][0]), node_order(kv[0][1]))):
        ou, ov = people[u]["organisation"], people[v]["organisation"]
        edge_rows.append(
            {
                "Id": edge_id(u, v),
                "Source": node_id(u),
                "Target": node_id(v),
                "Type": "Undirected",
                "Weight": len(t["kinds"]),
                "Kinds": "; ".join(sorted(t["kinds"], key=lambda k: (order.get(k, len(order)), k))),
                "Cross organisation": "yes" if ou and ov and ou != ov else "no",
                "Events": len(t["events"]),
                "First event": points[t["events"][0]],
                "Time Interval": _interval(t["events"], points),
            }
        )
    return {"nodes.csv": _csv(NODE_COLUMNS, node_rows), "edges.csv": _csv(EDGE_COLUMNS, edge_rows)}


def write(store: Any, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<stem> network nodes.csv`` and ``... edges.csv`` (the series so far) into ``out_dir``."""
    from facilitation.events.rules import get_event
    from facilitation.exports import base_name
    from facilitation.network.rules import event_graph, series_graph

    ev = get_event(store, event_id)
    if ev.series_id is not None:
        _, per_event = series_graph(store, ev.series_id, until_event=ev.id)
    else:
        per_event = [event_graph(store, ev.id)]
    stem = base_name(ev.title, ev.id, ev.starts_on)
    files = render(per_event)
    return [write_atomic(Path(out_dir) / f"{stem} network {name}", data) for name, data in files.items()]
