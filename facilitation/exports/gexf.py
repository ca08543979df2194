"""The collaboration network as GEXF 1.3 with colours, sizes and positions, for Gephi.

networkx writes GEXF 1.2draft; Gephi 0.9.3 and later read 1.3 (namespace
``http://gexf.net/1.3``), so this module writes it with the standard library's
ElementTree. Node ids are ``person-<id>``, stable across the events of a series.
An edge's ``weight`` is how many kinds of tie join the two people, as in every
network export; ``y`` grows upward (the top of the map has the largest ``y``), as
in the GraphML file.

Checked against the GEXF 1.3 schemas of github.com/gephi/gexf (``specs/1.3``): the
RelaxNG grammar, which the XSD is generated from, refused the ``xsi:schemaLocation``
hint on the root, so the file carries none (Gephi does not need it). The XSD refuses
``viz:color``, ``viz:position`` and ``viz:size`` in the viz namespace: its generated
``viz.xsd`` lost that namespace, while the RelaxNG grammar and Gephi put them there,
so they stay in it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from facilitation.exports._files import write_atomic
from facilitation.exports._network import edge_id, event_network, hex_rgb, node_id, xml_safe
from facilitation.exports._system_map import write_beside
from facilitation.network.picture import MapData, map_data, node_order

__all__ = ["DESCRIPTION", "FORMAT", "NS", "NS_VIZ", "render", "write"]

FORMAT = "gexf"
DESCRIPTION = "Collaboration network as GEXF 1.3 (Gephi) with colours, sizes and positions"

NS = "http://gexf.net/1.3"
NS_VIZ = "http://gexf.net/1.3/viz"
_SCALE = 1000.0

_NODE_ATTRIBUTES = (
    ("organisation", "string"),
    ("sector", "string"),
    ("role", "string"),
    ("table", "integer"),
    ("ties", "integer"),
)
_EDGE_ATTRIBUTES = (
    ("kinds", "string"),
    ("status", "string"),
    ("cross_organisation", "boolean"),
    ("notes", "string"),
)


def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def _attributes(parent: ET.Element, cls: str, spec: tuple[tuple[str, str], ...]) -> None:
    block = ET.SubElement(parent, _q("attributes"), {"class": cls, "mode": "static"})
    for name, kind in spec:
        ET.SubElement(block, _q("attribute"), {"id": name, "title": name, "type": kind})


def _attvalues(parent: ET.Element, values: dict[str, Any]) -> None:
    block = ET.SubElement(parent, _q("attvalues"))
    for key, value in values.items():
        if value is None:
            continue
        text = str(value).lower() if isinstance(value, bool) else xml_safe(value)
        ET.SubElement(block, _q("attvalue"), {"for": key, "value": text})


def render(graph: nx.Graph, drawing: MapData | None = None, *, today: str | None = None) -> bytes:
    """The GEXF 1.3 file of a network, every name made XML-safe.

    Examples
    --------
    >>> g = nx.Graph(title="Demo")
    >>> g.add_node(1, name="Ama", organisation="Council", sector="", role="", table=1)
    >>> g.add_node(2, name="Ben & co", organisation="Hospital", sector="acute", role="", table=2)
    >>> g.add_edge(1, 2, kinds=("worked with",), status="new", weight=1, notes=())
    >>> root = ET.fromstring(render(g, today="2026-11-26"))
    >>> root.get("version"), [n.get("label") for n in root.iter(f"{{{NS}}}node")]
    ('1.3', ['Ama', 'Ben & co'])
    >>> [c.get("r") for c in root.iter(f"{{{NS_VIZ}}}color")]
    ['51', '136']
    """
    drawing = drawing or map_data(graph)
    drawn = {n["id"]: n for n in drawing.nodes}
    ET.register_namespace("", NS)
    ET.register_namespace("viz", NS_VIZ)
    root = ET.Element(_q("gexf"), {"version": "1.3"})
    meta = ET.SubElement(
        root, _q("meta"), {"lastmodifieddate": today or datetime.now(UTC).date().isoformat()}
    )
    ET.SubElement(meta, _q("creator")).text = "facilitation"
    title = xml_safe(graph.graph.get("title", ""))
    ET.SubElement(meta, _q("description")).text = (
        f"Collaboration network: {title}" if title else "Collaboration network"
    )
    g = ET.SubElement(root, _q("graph"), {"defaultedgetype": "undirected", "mode": "static"})
    _attributes(g, "node", _NODE_ATTRIBUTES)
    _attributes(g, "edge", _EDGE_ATTRIBUTES)
    nodes = ET.SubElement(g, _q("nodes"), {"count": str(graph.number_of_nodes())})
    for n, d in sorted(graph.nodes(data=True), key=lambda t: node_order(t[0])):
        look = drawn[str(n)]
        node = ET.SubElement(nodes, _q("node"), {"id": node_id(n), "label": xml_safe(d.get("name", n))})
        _attvalues(
            node,
            {
                "organisation": d.get("organisation") or "",
                "sector": d.get("sector") or "",
                "role": d.get("role") or "",
                "table": d.get("table"),
                "ties": look["ties"],
            },
        )
        r, gg, b = hex_rgb(look["colour"])
        ET.SubElement(node, _q("color", NS_VIZ), {"r": str(r), "g": str(gg), "b": str(b), "a": "1.0"})
        ET.SubElement(
            node,
            _q("position", NS_VIZ),
            {"x": f"{look['x'] * _SCALE:.2f}", "y": f"{-look['y'] * _SCALE:.2f}", "z": "0.0"},
        )
        ET.SubElement(node, _q("size", NS_VIZ), {"value": f"{4 + 16 * look['radius']:.2f}"})
    edges = ET.SubElement(g, _q("edges"), {"count": str(graph.number_of_edges())})
    for u, v, d in sorted(graph.edges(data=True), key=lambda t: (node_order(t[0]), node_order(t[1]))):
        kinds = "; ".join(d.get("kinds", ()))
        edge = ET.SubElement(
            edges,
            _q("edge"),
            {
                "id": edge_id(u, v),
                "source": node_id(u),
                "target": node_id(v),
                "weight": f"{float(d.get('weight', 1)):.1f}",
                "label": kinds,
            },
        )
        ou, ov = graph.nodes[u].get("organisation"), graph.nodes[v].get("organisation")
        _attvalues(
            edge,
            {
                "kinds": kinds,
                "status": d.get("status", "new"),
                "cross_organisation": bool(ou and ov and ou != ov),
                "notes": " | ".join(d.get("notes", ())),
            },
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write(store: Any, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) network.gexf`` into ``out_dir`` (and ``... system map.gexf``)."""
    net = event_network(store, event_id)
    path = Path(out_dir) / f"{net.stem} network.gexf"
    paths = [write_atomic(path, render(net.graph, net.drawing))]
    return paths + write_beside("gexf", store, event_id, out_dir, net.stem, net.title)
