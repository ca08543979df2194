"""The collaboration network for Kumu: an XLSX with Elements and Connections, and a JSON blueprint.

Every element has the ID ``person-<id>`` and every connection ``tie-<a>-<b>``: a
person keeps one identity across a series, so importing a later event into the
same Kumu map updates people instead of duplicating them. Names are exactly as
typed, with no apostrophe: the workbook holds them as text cells, which no
spreadsheet evaluates (a name starting with ``=`` stays that name). ``Weight`` is
how many kinds of tie join the two people, as in every network export.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
from openpyxl import Workbook

from facilitation.exports._files import write_atomic
from facilitation.exports._network import edge_id, event_network, node_id, xml_safe
from facilitation.exports._system_map import write_beside
from facilitation.exports._tabular import keep_as_typed
from facilitation.network.picture import MapData, map_data, node_order

__all__ = ["CONNECTION_COLUMNS", "DESCRIPTION", "ELEMENT_COLUMNS", "FORMAT", "render", "write"]

FORMAT = "kumu"
DESCRIPTION = "Collaboration network for Kumu: XLSX (Elements, Connections) and JSON blueprint, stable ids"

ELEMENT_COLUMNS = ("ID", "Label", "Type", "Organisation", "Sector", "Role", "Table", "Ties", "Colour")
CONNECTION_COLUMNS = (
    "ID",
    "From",
    "To",
    "Type",
    "Direction",
    "Tags",
    "Status",
    "Cross organisation",
    "Weight",
    "Notes",
)
_MAX_CELL = 32_000  # Excel holds 32,767 characters in a cell


def _text(value: object) -> str:
    return xml_safe(value)[:_MAX_CELL]


def _records(graph: nx.Graph, drawing: MapData) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    drawn = {n["id"]: n for n in drawing.nodes}
    elements = []
    for n, d in sorted(graph.nodes(data=True), key=lambda t: node_order(t[0])):
        look = drawn[str(n)]
        elements.append(
            {
                "ID": node_id(n),
                "Label": _text(d.get("name", n)),
                "Type": "Person",
                "Organisation": _text(d.get("organisation")),
                "Sector": _text(d.get("sector")),
                "Role": _text(d.get("role")),
                "Table": d.get("table"),
                "Ties": int(look["ties"]),
                "Colour": look["colour"],
            }
        )
    connections = []
    for u, v, d in sorted(graph.edges(data=True), key=lambda t: (node_order(t[0]), node_order(t[1]))):
        ou, ov = graph.nodes[u].get("organisation"), graph.nodes[v].get("organisation")
        connections.append(
            {
                "ID": edge_id(u, v),
                "From": node_id(u),
                "To": node_id(v),
                "Type": "collaboration",
                "Direction": "undirected",
                "Tags": list(d.get("kinds", ())),
                "Status": str(d.get("status", "new")),
                "Cross organisation": bool(ou and ov and ou != ov),
                "Weight": int(d.get("weight", 1)),
                "Notes": _text(" | ".join(d.get("notes", ()))),
            }
        )
    return elements, connections


def _workbook(elements: list[dict[str, Any]], connections: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Elements"
    sheet.append(list(ELEMENT_COLUMNS))
    for e in elements:
        sheet.append([e[c] for c in ELEMENT_COLUMNS])
    links = wb.create_sheet("Connections")
    links.append(list(CONNECTION_COLUMNS))
    for c in connections:
        row = dict(
            c,
            Tags=" | ".join(c["Tags"]),
            **{"Cross organisation": "yes" if c["Cross organisation"] else "no"},
        )
        links.append([row[k] for k in CONNECTION_COLUMNS])
    for ws in (sheet, links):
        keep_as_typed(ws)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _blueprint(elements: list[dict[str, Any]], connections: list[dict[str, Any]]) -> bytes:
    def element(e: dict[str, Any]) -> dict[str, Any]:
        out = {"id": e["ID"], "label": e["Label"], "type": e["Type"]}
        out.update({k: e[k] for k in ELEMENT_COLUMNS[3:] if e[k] not in (None, "")})
        return out

    def connection(c: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": c["ID"],
            "from": c["From"],
            "to": c["To"],
            "type": c["Type"],
            "direction": c["Direction"],
            "tags": c["Tags"],
            **{k: c[k] for k in CONNECTION_COLUMNS[6:] if c[k] not in (None, "")},
        }

    blueprint = {
        "elements": [element(e) for e in elements],
        "connections": [connection(c) for c in connections],
    }
    return json.dumps(blueprint, ensure_ascii=False, indent=1).encode("utf-8")


def render(graph: nx.Graph, drawing: MapData | None = None) -> dict[str, bytes]:
    """The Kumu files of a network: ``{"kumu.xlsx": ..., "kumu.json": ...}``.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_node(1, name="=SUM(A1)", organisation="Council", sector="", role="", table=1)
    >>> g.add_node(2, name="Ben", organisation="Hospital", sector="acute", role="", table=2)
    >>> g.add_edge(1, 2, kinds=("worked with",), status="new", weight=1, notes=())
    >>> files = render(g)
    >>> sorted(files)
    ['kumu.json', 'kumu.xlsx']
    >>> blueprint = json.loads(files["kumu.json"])
    >>> [e["id"] for e in blueprint["elements"]], blueprint["connections"][0]["from"]
    (['person-1', 'person-2'], 'person-1')
    """
    elements, connections = _records(graph, drawing or map_data(graph))
    return {"kumu.xlsx": _workbook(elements, connections), "kumu.json": _blueprint(elements, connections)}


def write(store: Any, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<stem> kumu.xlsx`` and ``<stem> kumu.json`` into ``out_dir`` (and the system map's pair)."""
    net = event_network(store, event_id)
    files = render(net.graph, net.drawing)
    paths = [write_atomic(Path(out_dir) / f"{net.stem} {name}", data) for name, data in files.items()]
    return paths + write_beside("kumu", store, event_id, out_dir, net.stem, net.title)
