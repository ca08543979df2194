"""Drawing the system map: positions from the collaboration map's seeded layout, the
JSON the projector's widget draws, and an SVG file for the outcome pack.

The layout is :func:`facilitation.network.picture.layout` (same seed, same picture;
elements already placed stay where they were). Every label in the SVG is escaped
and stripped of what XML forbids; the file has no script and no outside resource.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

import networkx as nx

from facilitation.network.picture import layout, xml_safe
from facilitation.system_map.records import EventMap

__all__ = ["KIND_COLOURS", "RELATION_STYLES", "MapPicture", "map_graph", "picture_data", "picture_svg"]

# Colour-blind-safe colours (the collaboration map's palette) and line styles that
# differ by more than colour.
KIND_COLOURS = {"driver": "#332288", "dependency": "#117733", "actor": "#882255", "resource": "#999933"}
RELATION_STYLES = {
    "drives": {"key": "drives", "colour": "#1a1a1a", "dash": ""},
    "depends on": {"key": "depends", "colour": "#1d4f91", "dash": "10 6"},
    "blocks": {"key": "blocks", "colour": "#b2182b", "dash": "3 5"},
}


def map_graph(m: EventMap, title: str = "") -> nx.DiGraph:
    """The event-wide map as a directed graph: nodes ``e<id>`` with label and kind,
    one edge per (source, target) with its relations and how many arrows it stands for.

    Examples
    --------
    >>> from facilitation.system_map.records import Element, Arrow, event_map
    >>> g = map_graph(event_map([Element(1, 1, "driver", "Funding", None, ""),
    ...     Element(2, 1, "actor", "GPs", None, "")], [Arrow(1, 1, 1, 2, "drives", "")]))
    >>> list(g.nodes(data="label")), list(g.edges(data="relation"))
    ([('e1', 'Funding'), ('e2', 'GPs')], [('e1', 'e2', 'drives')])
    """
    g = nx.DiGraph(title=title)
    for e in m.elements:
        g.add_node(
            f"e{e.id}",
            label=e.label,
            kind=e.kind,
            tables=", ".join(str(t) for t in e.tables),
            merged=len(e.merged),
        )
    for a in m.arrows:
        u, v = f"e{a.source}", f"e{a.target}"
        if g.has_edge(u, v):
            d = g.edges[u, v]
            d["relation"] = f"{d['relation']}; {a.relation}"
            d["weight"] += a.count
        else:
            g.add_edge(u, v, relation=a.relation, weight=a.count)
    return g


@dataclass(frozen=True)
class MapPicture:
    """What the projector's widget draws, and the positions to keep for the next refresh."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    positions: dict[Hashable, tuple[float, float]]


def picture_data(
    m: EventMap, *, seed: int = 0, previous: Mapping[Hashable, tuple[float, float]] | None = None
) -> MapPicture:
    """Lay the map out in a unit box (elements already placed keep their place).

    Examples
    --------
    >>> from facilitation.system_map.records import Element, Arrow, event_map
    >>> m = event_map([Element(1, 1, "driver", "<b>Funding</b>", None, ""),
    ...     Element(2, 1, "actor", "GPs", None, "")], [Arrow(1, 1, 1, 2, "blocks", "")])
    >>> d = picture_data(m)
    >>> [n["label"] for n in d.nodes], d.edges[0]["relation"]
    (['<b>Funding</b>', 'GPs'], 'blocks')
    >>> all(0 <= n["x"] <= 1 and 0 <= n["y"] <= 1 for n in d.nodes)
    True
    """
    g = nx.Graph()
    for e in m.elements:
        g.add_node(e.id)
    for a in m.arrows:
        g.add_edge(a.source, a.target, weight=1)
    positions = layout(g, seed=seed, previous=previous)
    if positions:
        xs = [p[0] for p in positions.values()]
        ys = [p[1] for p in positions.values()]
        x0, y0 = min(xs), min(ys)
        sx, sy = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
    else:
        x0 = y0 = 0.0
        sx = sy = 1.0
    nodes = [
        {
            "id": str(e.id),
            "label": e.label,
            "kind": e.kind,
            "x": round((positions[e.id][0] - x0) / sx, 5) if len(positions) > 1 else 0.5,
            "y": round((positions[e.id][1] - y0) / sy, 5) if len(positions) > 1 else 0.5,
        }
        for e in m.elements
    ]
    edges = [
        {
            "source": str(a.source),
            "target": str(a.target),
            "relation": a.relation,
            "count": a.count,
            "source_label": m.label_of(a.source),
            "target_label": m.label_of(a.target),
        }
        for a in m.arrows
    ]
    return MapPicture(nodes, edges, dict(positions))


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def picture_svg(m: EventMap, *, width: int = 1400, height: int = 900, title: str = "System map") -> str:
    """The map as SVG text (for the outcome pack): escaped labels, no script.

    Examples
    --------
    >>> from facilitation.system_map.records import Element, event_map
    >>> svg = picture_svg(event_map([Element(1, 1, "actor", "<script>x</script>", None, "")], []))
    >>> "<script>" in svg, "&lt;script&gt;" in svg
    (False, True)
    """
    data = picture_data(m)
    font = max(14, round(height / 45))
    left, top = 5 * font, 3 * font
    w, h = width - left - 14 * font, height - top - 3 * font
    at = {n["id"]: (left + n["x"] * w, top + n["y"] * h) for n in data.nodes}
    r = font * 0.6
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(xml_safe(title))}" font-family="Atkinson Hyperlegible, Verdana, sans-serif">',
        f"<title>{escape(xml_safe(title))}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        "<defs>",
    ]
    for st in RELATION_STYLES.values():
        out.append(
            f'<marker id="head-{st["key"]}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
            f'markerHeight="8" orient="auto-start-reverse" markerUnits="strokeWidth">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{st["colour"]}"/></marker>'
        )
    out.append("</defs>")
    for e in data.edges:
        (x1, y1), (x2, y2) = at[e["source"]], at[e["target"]]
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        st = RELATION_STYLES[e["relation"]]
        mx, my = (x1 + x2) / 2 - dy * 0.12, (y1 + y2) / 2 + dx * 0.12
        sx, sy = x1 + dx / length * r, y1 + dy / length * r
        ex, ey = x2 - dx / length * (r + 3), y2 - dy / length * (r + 3)
        dash = f' stroke-dasharray="{st["dash"]}"' if st["dash"] else ""
        out.append(
            f'<path d="M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" fill="none" stroke="{st["colour"]}" '
            f'stroke-width="{2 + min(e["count"], 4)}" marker-end="url(#head-{st["key"]})"{dash}>'
            f"<title>{escape(xml_safe(e['source_label']))} {e['relation']} {escape(xml_safe(e['target_label']))}</title></path>"
        )
    for n in data.nodes:
        x, y = at[n["id"]]
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{KIND_COLOURS[n["kind"]]}" stroke="#1a1a1a">'
            f"<title>{escape(xml_safe(n['label']))} ({n['kind']})</title></circle>"
        )
        out.append(
            f'<text x="{x:.1f}" y="{y - r - 4:.1f}" font-size="{font}" text-anchor="middle" fill="#111" '
            f'stroke="#fff" stroke-width="4" paint-order="stroke">{escape(xml_safe(_short(n["label"])))}</text>'
        )
    lx, ly = width - 12 * font, top
    for i, (kind, colour) in enumerate(KIND_COLOURS.items()):
        y = ly + i * font * 1.6
        out.append(
            f'<circle cx="{lx + font / 2:.1f}" cy="{y - font / 3:.1f}" r="{font / 2:.1f}" fill="{colour}" stroke="#1a1a1a"/>'
        )
        out.append(
            f'<text x="{lx + font * 1.5:.1f}" y="{y:.1f}" font-size="{font}" fill="#111">{kind}</text>'
        )
    for j, (rel, st) in enumerate(RELATION_STYLES.items()):
        y = ly + (len(KIND_COLOURS) + 1 + j) * font * 1.6
        dash = f' stroke-dasharray="{st["dash"]}"' if st["dash"] else ""
        out.append(
            f'<line x1="{lx:.1f}" y1="{y - font / 3:.1f}" x2="{lx + font * 1.2:.1f}" y2="{y - font / 3:.1f}" '
            f'stroke="{st["colour"]}" stroke-width="3"{dash}/>'
        )
        out.append(f'<text x="{lx + font * 1.5:.1f}" y="{y:.1f}" font-size="{font}" fill="#111">{rel}</text>')
    out.append("</svg>")
    return "\n".join(out)
