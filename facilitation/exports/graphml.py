"""The collaboration network as GraphML, for Gephi, yEd, Cytoscape and networkx.

People are ``person-<id>`` nodes with their name, organisation, sector, role,
table, colour (``r``, ``g``, ``b`` as Gephi reads them) and position; ties carry
their kinds, ``weight`` (how many kinds of tie, as in every network export),
whether new or renewed, and notes. ``y`` grows upward, as in Gephi and the GEXF
file: the top of the map has the largest ``y``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import networkx as nx

from facilitation.exports._files import write_atomic
from facilitation.exports._network import edge_id, event_network, hex_rgb, node_id, xml_safe
from facilitation.exports._system_map import write_beside
from facilitation.network.picture import MapData, map_data, node_order

__all__ = ["DESCRIPTION", "FORMAT", "render", "write"]

FORMAT = "graphml"
DESCRIPTION = "Collaboration network as GraphML (Gephi, yEd, Cytoscape, networkx), coloured by organisation"

# Positions are stored on a 1,000-unit square, a comfortable scale in Gephi.
_SCALE = 1000.0


def _portable(graph: nx.Graph, drawing: MapData) -> nx.Graph:
    """A copy with string ids and only the scalar, XML-safe values GraphML holds."""
    drawn = {n["id"]: n for n in drawing.nodes}
    out = nx.Graph()
    for key in ("title", "event_id", "series_id", "starts_on"):
        value = graph.graph.get(key)
        if value not in (None, ""):
            out.graph[key] = xml_safe(value) if isinstance(value, str) else value
    for n, d in sorted(graph.nodes(data=True), key=lambda t: node_order(t[0])):
        look = drawn[str(n)]
        r, g, b = hex_rgb(look["colour"])
        attrs: dict[str, Any] = {
            "label": xml_safe(d.get("name", n)),
            "organisation": xml_safe(d.get("organisation")),
            "sector": xml_safe(d.get("sector")),
            "role": xml_safe(d.get("role")),
            "ties": int(look["ties"]),
            "colour": look["colour"],
            "r": r,
            "g": g,
            "b": b,
            "x": round(look["x"] * _SCALE, 2),
            "y": round(-look["y"] * _SCALE, 2),  # the map's y grows downward; Gephi's upward
            "size": round(4 + 16 * look["radius"], 2),
        }
        if d.get("table") is not None:
            attrs["table"] = int(d["table"])
        if d.get("events"):
            attrs["events"] = " ".join(str(e) for e in d["events"])
        out.add_node(node_id(n), **attrs)
    for u, v, d in sorted(graph.edges(data=True), key=lambda t: (node_order(t[0]), node_order(t[1]))):
        ou, ov = graph.nodes[u].get("organisation"), graph.nodes[v].get("organisation")
        attrs = {
            "id": edge_id(u, v),
            "kinds": "; ".join(d.get("kinds", ())),
            "status": str(d.get("status", "new")),
            "weight": int(d.get("weight", 1)),
            "cross_organisation": bool(ou and ov and ou != ov),
            "notes": xml_safe(" | ".join(d.get("notes", ()))),
        }
        if d.get("events"):
            attrs["events"] = " ".join(str(e) for e in d["events"])
        out.add_edge(node_id(u), node_id(v), **attrs)
    return out


def render(graph: nx.Graph, drawing: MapData | None = None) -> bytes:
    """The GraphML file of a network (from :func:`facilitation.network.rules.event_graph`).

    Examples
    --------
    >>> g = nx.Graph(title="Demo")
    >>> g.add_node(1, name="Ama <Council>", organisation="Council", sector="", role="", table=1)
    >>> g.add_node(2, name="Ben", organisation="Hospital", sector="acute", role="", table=2)
    >>> g.add_edge(1, 2, kinds=("worked with",), status="new", weight=1, notes=())
    >>> back = nx.read_graphml(io.BytesIO(render(g)))
    >>> back.nodes["person-1"]["label"], back.edges["person-1", "person-2"]["kinds"]
    ('Ama <Council>', 'worked with')
    """
    buf = io.BytesIO()
    nx.write_graphml(_portable(graph, drawing or map_data(graph)), buf, encoding="utf-8")
    return buf.getvalue()


def write(store: Any, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) network.graphml`` into ``out_dir`` (and ``... system map.graphml``)."""
    net = event_network(store, event_id)
    path = Path(out_dir) / f"{net.stem} network.graphml"
    paths = [write_atomic(path, render(net.graph, net.drawing))]
    return paths + write_beside("graphml", store, event_id, out_dir, net.stem, net.title)
