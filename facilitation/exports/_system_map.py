"""The system map beside the people network: GEXF 1.3, GraphML and Kumu files.

Each network format writes ``<stem> system map.<ext>`` next to its people network
when the event has a system map (an event with none gets no extra file). Nodes are
``element-<id>`` (the event-wide elements, merged ones folded in), with their kind,
the tables whose elements they hold and how many were merged into them; edges are
directed, labelled with their relation, weighted by how many tables drew them.
Positions are the projector's (the collaboration map's seeded layout).
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx

from facilitation.exports._files import write_atomic
from facilitation.exports._network import hex_rgb, xml_safe
from facilitation.system_map.picture import KIND_COLOURS, map_graph, picture_data
from facilitation.system_map.records import EventMap, system_map

__all__ = ["gexf", "graphml", "kumu", "write_beside"]

NS = "http://gexf.net/1.3"
NS_VIZ = "http://gexf.net/1.3/viz"
_SCALE = 1000.0


def _node(element_id: object) -> str:
    return f"element-{element_id}"


def _positions(m: EventMap) -> dict[str, tuple[float, float]]:
    return {_node(n["id"]): (n["x"], n["y"]) for n in picture_data(m).nodes}


def _graph(m: EventMap, title: str) -> nx.DiGraph:
    """The map as a directed graph whose node ids are ``element-<id>``, XML-safe text."""
    g = nx.relabel_nodes(map_graph(m, xml_safe(title)), lambda n: _node(str(n)[1:]))
    for _, d in g.nodes(data=True):
        d["label"] = xml_safe(d["label"])
    return g


def gexf(m: EventMap, title: str = "") -> bytes:
    """GEXF 1.3 of the map (directed), with colours by kind and positions.

    Examples
    --------
    >>> from facilitation.system_map.records import Element, Arrow, event_map
    >>> m = event_map([Element(1, 1, "driver", "Funding & co", None, ""),
    ...     Element(2, 2, "actor", "GPs", None, "")], [Arrow(1, 1, 1, 2, "blocks", "")])
    >>> back = nx.read_gexf(io.BytesIO(gexf(m, "Frailty")), version="1.3")
    >>> back.is_directed(), back.nodes["element-1"]["label"], back.edges["element-1", "element-2"]["label"]
    (True, 'Funding & co', 'blocks')
    """
    g = _graph(m, title)
    at = _positions(m)
    ET.register_namespace("", NS)
    ET.register_namespace("viz", NS_VIZ)
    q = lambda tag, ns=NS: f"{{{ns}}}{tag}"  # noqa: E731
    root = ET.Element(q("gexf"), {"version": "1.3"})
    meta = ET.SubElement(root, q("meta"))
    ET.SubElement(meta, q("creator")).text = "facilitation"
    ET.SubElement(meta, q("description")).text = f"System map: {xml_safe(title)}" if title else "System map"
    graph = ET.SubElement(root, q("graph"), {"defaultedgetype": "directed", "mode": "static"})
    for cls, spec in (
        ("node", (("kind", "string"), ("tables", "string"), ("merged", "integer"))),
        ("edge", (("relation", "string"),)),
    ):
        block = ET.SubElement(graph, q("attributes"), {"class": cls, "mode": "static"})
        for name, kind in spec:
            ET.SubElement(block, q("attribute"), {"id": name, "title": name, "type": kind})
    nodes = ET.SubElement(graph, q("nodes"), {"count": str(g.number_of_nodes())})
    for n, d in g.nodes(data=True):
        node = ET.SubElement(nodes, q("node"), {"id": n, "label": d["label"]})
        values = ET.SubElement(node, q("attvalues"))
        for key in ("kind", "tables", "merged"):
            ET.SubElement(values, q("attvalue"), {"for": key, "value": str(d[key])})
        r, gg, b = hex_rgb(KIND_COLOURS[d["kind"]])
        ET.SubElement(node, q("color", NS_VIZ), {"r": str(r), "g": str(gg), "b": str(b), "a": "1.0"})
        x, y = at[n]
        ET.SubElement(
            node, q("position", NS_VIZ), {"x": f"{x * _SCALE:.2f}", "y": f"{-y * _SCALE:.2f}", "z": "0.0"}
        )
    edges = ET.SubElement(graph, q("edges"), {"count": str(g.number_of_edges())})
    for i, (u, v, d) in enumerate(g.edges(data=True), start=1):
        edge = ET.SubElement(
            edges,
            q("edge"),
            {
                "id": f"arrow-{i}",
                "source": u,
                "target": v,
                "weight": f"{float(d['weight']):.1f}",
                "label": d["relation"],
            },
        )
        values = ET.SubElement(edge, q("attvalues"))
        ET.SubElement(values, q("attvalue"), {"for": "relation", "value": d["relation"]})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def graphml(m: EventMap, title: str = "") -> bytes:
    """GraphML of the map (directed), with positions ``x``/``y`` (``y`` grows upward).

    Examples
    --------
    >>> from facilitation.system_map.records import Element, Arrow, event_map
    >>> m = event_map([Element(1, 1, "driver", "Funding", None, ""),
    ...     Element(2, 2, "actor", "GPs", None, "")], [Arrow(1, 1, 2, 1, "depends on", "")])
    >>> back = nx.read_graphml(io.BytesIO(graphml(m)))
    >>> back.is_directed(), back.edges["element-2", "element-1"]["relation"]
    (True, 'depends on')
    """
    g = _graph(m, title)
    for n, (x, y) in _positions(m).items():
        g.nodes[n]["x"], g.nodes[n]["y"] = round(x * _SCALE, 2), round(-y * _SCALE, 2)
        g.nodes[n]["colour"] = KIND_COLOURS[g.nodes[n]["kind"]]
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue()


def kumu(m: EventMap, title: str = "") -> dict[str, bytes]:
    """Kumu's blueprint JSON and workbook of the map (elements and directed connections).

    Examples
    --------
    >>> from facilitation.system_map.records import Element, Arrow, event_map
    >>> m = event_map([Element(1, 1, "driver", "=SUM(A1)", None, ""),
    ...     Element(2, 2, "actor", "GPs", None, "")], [Arrow(1, 1, 1, 2, "drives", "")])
    >>> blueprint = json.loads(kumu(m)["system map kumu.json"])
    >>> blueprint["elements"][0], blueprint["connections"][0]["type"]
    ({'id': 'element-1', 'label': '=SUM(A1)', 'type': 'driver', 'tables': '1'}, 'drives')
    """
    from openpyxl import Workbook

    from facilitation.exports._tabular import keep_as_typed

    g = _graph(m, title)
    elements = [
        {"id": n, "label": d["label"], "type": d["kind"], "tables": d["tables"]}
        for n, d in g.nodes(data=True)
    ]
    connections = [
        {
            "id": f"arrow-{i}",
            "from": u,
            "to": v,
            "type": d["relation"],
            "direction": "directed",
            "weight": d["weight"],
        }
        for i, (u, v, d) in enumerate(g.edges(data=True), start=1)
    ]
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Elements"
    sheet.append(["ID", "Label", "Type", "Tables"])
    for e in elements:
        sheet.append([e["id"], e["label"], e["type"], e["tables"]])
    links = wb.create_sheet("Connections")
    links.append(["ID", "From", "To", "Type", "Direction", "Weight"])
    for c in connections:
        links.append([c["id"], c["from"], c["to"], c["type"], c["direction"], c["weight"]])
    for ws in (sheet, links):
        keep_as_typed(ws)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    blueprint = {"elements": elements, "connections": connections}
    return {
        "system map kumu.xlsx": out.getvalue(),
        "system map kumu.json": json.dumps(blueprint, ensure_ascii=False, indent=1).encode("utf-8"),
    }


def write_beside(fmt: str, store: Any, event_id: int, out_dir: Path, stem: str, title: str) -> list[Path]:
    """Write the system map in ``fmt`` ("gexf", "graphml" or "kumu") beside the people network.

    Nothing when the event has no system map.
    """
    m = system_map(store, event_id)
    if not m.elements:
        return []
    if fmt == "kumu":
        files = kumu(m, title)
    else:
        files = {f"system map.{fmt}": gexf(m, title) if fmt == "gexf" else graphml(m, title)}
    return [write_atomic(Path(out_dir) / f"{stem} {name}", data) for name, data in files.items()]
