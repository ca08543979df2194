"""The collaboration map drawn: layout, colours, sizes and labels, and its static picture.

The interactive map (:mod:`facilitation.ui.network_map`), the pictures for reports
(SVG written directly, PNG through matplotlib) and the network exports all take
positions and colours from here, so every view of a network looks the same. The
layout is stable: a fixed seed, and people already placed stay put on a refresh.
"""

from __future__ import annotations

import io
import math
import random
import re
import warnings
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx

from facilitation.errors import FacilitationError

__all__ = [
    "OTHER_COLOUR",
    "PALETTE",
    "MapData",
    "colour_groups",
    "layout",
    "map_data",
    "node_order",
    "picture_png",
    "picture_svg",
    "write_pictures",
    "xml_safe",
]


def node_order(node: Hashable) -> tuple[int, float, str]:
    """A sort key that puts person ids in numeric order and anything else by its text.

    Examples
    --------
    >>> sorted([10, 2, "b"], key=node_order)
    [2, 10, 'b']
    """
    if isinstance(node, int | float) and not isinstance(node, bool):
        return (0, float(node), "")
    return (1, 0.0, repr(node))


# Paul Tol's "muted" scheme: nine colours told apart with every common colour
# vision deficiency; groups beyond nine share the pale grey.
PALETTE = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
OTHER_COLOUR = "#BBBBBB"


def layout(
    graph: nx.Graph,
    *,
    seed: int = 0,
    previous: Mapping[Hashable, tuple[float, float]] | None = None,
    iterations: int = 50,
) -> dict[Hashable, tuple[float, float]]:
    """Positions for the map: the same seed gives the same picture.

    With ``previous`` (the positions of the last refresh) people already placed
    stay where they were and only newcomers are placed, next to their contacts,
    so the map does not jump while tables add links.

    Examples
    --------
    >>> g = nx.path_graph(4)
    >>> layout(g, seed=1) == layout(g, seed=1)
    True
    >>> first = layout(g, seed=1)
    >>> g.add_edge(3, 4)
    >>> again = layout(g, seed=1, previous=first)
    >>> all(again[n] == first[n] for n in range(4))
    True
    """
    if graph.number_of_nodes() == 0:
        return {}
    known = {n: (float(x), float(y)) for n, (x, y) in (previous or {}).items() if n in graph}
    if len(known) == graph.number_of_nodes():
        return known
    if not known:
        pos = _spring(graph, seed=seed, iterations=iterations)
        return {n: (float(x), float(y)) for n, (x, y) in pos.items()}
    rng = random.Random(seed)
    start: dict[Hashable, tuple[float, float]] = dict(known)
    xs = [p[0] for p in known.values()]
    ys = [p[1] for p in known.values()]
    spread = max(max(xs) - min(xs), max(ys) - min(ys), 0.1)
    for n in sorted((n for n in graph if n not in known), key=node_order):
        near = [known[m] for m in graph.neighbors(n) if m in known]
        cx = sum(p[0] for p in near) / len(near) if near else sum(xs) / len(xs)
        cy = sum(p[1] for p in near) / len(near) if near else sum(ys) / len(ys)
        start[n] = (cx + rng.uniform(-0.05, 0.05) * spread, cy + rng.uniform(-0.05, 0.05) * spread)
    pos = _spring(graph, seed=seed, iterations=iterations, pos=start, fixed=list(known))
    return {n: (float(x), float(y)) for n, (x, y) in pos.items()}


def _spring(graph: nx.Graph, *, seed: int, iterations: int, **kw: Any) -> dict[Hashable, Any]:
    try:
        return nx.spring_layout(graph, seed=seed, iterations=iterations, weight="weight", **kw)
    except ImportError:  # 500 people or more need SciPy; a circle is better than no map
        circle = nx.circular_layout(sorted(graph, key=node_order))
        fixed = kw.get("pos") or {}
        return {n: fixed.get(n, circle[n]) if n in set(kw.get("fixed") or ()) else circle[n] for n in graph}


def colour_groups(
    graph: nx.Graph, by: str = "organisation"
) -> tuple[dict[Hashable, str], list[tuple[str, str]]]:
    """A colour for each person by ``by`` ("organisation" or "sector"), and the legend.

    The nine largest groups get the palette's colours (ties broken by name); the
    rest, and people with no value, share the grey "other".

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from([(1, {"sector": "acute"}), (2, {"sector": "acute"}), (3, {"sector": ""})])
    >>> colour_groups(g, "sector")
    ({1: '#332288', 2: '#332288', 3: '#BBBBBB'}, [('acute', '#332288'), ('other', '#BBBBBB')])
    """
    if by not in ("organisation", "sector"):
        raise FacilitationError(f"Colour the map by organisation or sector, not '{by}'.")
    sizes = Counter(str(d.get(by) or "") for _, d in graph.nodes(data=True))
    named = sorted((g for g in sizes if g), key=lambda g: (-sizes[g], g.casefold(), g))
    colours = {g: PALETTE[i] for i, g in enumerate(named[: len(PALETTE)])}
    node_colours = {n: colours.get(str(d.get(by) or ""), OTHER_COLOUR) for n, d in graph.nodes(data=True)}
    legend = [(g, colours[g]) for g in named[: len(PALETTE)]]
    if len(named) > len(PALETTE) or sizes.get(""):
        legend.append(("other", OTHER_COLOUR))
    return node_colours, legend


# XML 1.0 allows tab, newline, carriage return and most of the rest of Unicode;
# other control characters make GraphML, GEXF and SVG files that no tool opens.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: object) -> str:
    """Text that any XML file can hold: characters XML 1.0 forbids are removed.

    Examples
    --------
    >>> xml_safe("bell\\x07 and <b>")
    'bell and <b>'
    """
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


@dataclass(frozen=True)
class MapData:
    """Everything needed to draw a network: JSON-able, shared by the widget and pictures.

    ``nodes`` hold ``id``, ``label`` (the full name), ``organisation``, ``sector``,
    ``table``, ``colour``, ``radius`` (0-1, by ties), ``x`` and ``y`` (0-1),
    ``ties`` and ``show_label``; ``edges`` hold ``source``, ``target``, ``status``
    ("new" or "renewed"), ``cross`` (across organisations) and ``weight``.
    """

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    legend: list[tuple[str, str]]
    positions: dict[Hashable, tuple[float, float]]
    colour_by: str


def map_data(
    graph: nx.Graph,
    *,
    colour_by: str = "organisation",
    seed: int = 0,
    previous: Mapping[Hashable, tuple[float, float]] | None = None,
    label_count: int = 25,
) -> MapData:
    """Lay out, colour and size a network for drawing.

    Up to ``label_count`` people are labelled, those with most ties first, skipping
    a name that would overlap one already placed; the rest show theirs on hover. ``positions`` in the result is what to
    pass as ``previous`` on the next refresh.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_node(1, name="Ama", organisation="Council", sector="local authority", table=1)
    >>> g.add_node(2, name="<b>Ben</b>", organisation="Hospital", sector="acute", table=1)
    >>> g.add_edge(1, 2, status="new", weight=1)
    >>> d = map_data(g)
    >>> [(n["label"], n["colour"]) for n in d.nodes]
    [('Ama', '#332288'), ('<b>Ben</b>', '#88CCEE')]
    >>> d.edges[0]["cross"], d.edges[0]["status"]
    (True, 'new')
    """
    positions = layout(graph, seed=seed, previous=previous)
    colours, legend = colour_groups(graph, colour_by)
    degree = dict(graph.degree())
    most = max(degree.values(), default=0) or 1
    ranked = sorted(graph, key=lambda n: (-degree[n], str(graph.nodes[n].get("name", "")), node_order(n)))
    if positions:
        xs = [p[0] for p in positions.values()]
        ys = [p[1] for p in positions.values()]
        x0, y0 = min(xs), min(ys)
        span = max(max(xs) - x0, max(ys) - y0) or 1.0
    else:
        x0 = y0 = 0.0
        span = 1.0
    unit = {n: ((positions[n][0] - x0) / span, (positions[n][1] - y0) / span) for n in graph}
    labelled = _labels_that_fit(graph, ranked, unit, degree, most, label_count)
    nodes = []
    for n in sorted(graph, key=node_order):
        d = graph.nodes[n]
        nodes.append(
            {
                "id": str(n),
                "label": str(d.get("name", n)),
                "organisation": str(d.get("organisation") or ""),
                "sector": str(d.get("sector") or ""),
                "table": d.get("table"),
                "colour": colours[n],
                "radius": round(math.sqrt(degree[n] / most), 4),
                "x": round(unit[n][0], 5),
                "y": round(unit[n][1], 5),
                "ties": degree[n],
                "show_label": n in labelled,
            }
        )
    edges = []
    for u, v, e in sorted(graph.edges(data=True), key=lambda t: (node_order(t[0]), node_order(t[1]))):
        ou, ov = graph.nodes[u].get("organisation") or "", graph.nodes[v].get("organisation") or ""
        edges.append(
            {
                "source": str(u),
                "target": str(v),
                "status": e.get("status", "new"),
                "cross": bool(ou and ov and ou != ov),
                "weight": int(e.get("weight", 1)),
            }
        )
    return MapData(nodes, edges, legend, positions, colour_by)


def _labels_that_fit(
    graph: nx.Graph,
    ranked: list[Hashable],
    unit: dict[Hashable, tuple[float, float]],
    degree: dict[Hashable, int],
    most: int,
    limit: int,
) -> set[Hashable]:
    """Names that fit without overlapping, judged on a nominal 1,200 x 900 map with 22 px type."""
    width, height, font = 1200.0, 900.0, 22.0
    boxes: list[tuple[float, float, float, float]] = []
    chosen: set[Hashable] = set()
    for n in ranked:
        if len(chosen) >= limit:
            break
        r = 7 + 19 * math.sqrt(degree[n] / most)
        w = len(_short(str(graph.nodes[n].get("name", n)))) * 0.55 * font
        cx, cy = unit[n][0] * width, unit[n][1] * height
        box = (cx - w / 2, cy - r - font * 1.3, cx + w / 2, cy - r)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        boxes.append(box)
        chosen.add(n)
    return chosen


# --- the static picture ------------------------------------------------------------------

_INK = "#1a1a1a"
_NEW_EDGE = "#4d4d4d"
_RENEWED_EDGE = "#a6a6a6"


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _fit(
    nodes: list[dict[str, Any]], left: float, top: float, w: float, h: float
) -> dict[str, tuple[float, float]]:
    """Each node's point in the drawing area, centred, proportions kept within a factor 1.5."""
    ex = max((n["x"] for n in nodes), default=0.0)
    ey = max((n["y"] for n in nodes), default=0.0)
    k = min(w / ex if ex > 0 else math.inf, h / ey if ey > 0 else math.inf, max(w, h))
    # A wide picture may stretch the layout by half again, as the projector's map does.
    kx = min(w / ex if ex > 0 else k, 1.5 * k)
    ky = min(h / ey if ey > 0 else k, 1.5 * k)
    ox, oy = left + (w - ex * kx) / 2, top + (h - ey * ky) / 2
    return {n["id"]: (ox + n["x"] * kx, oy + n["y"] * ky) for n in nodes}


def _frame(width: int, height: int) -> tuple[float, float, float, float]:
    """The drawing area: margins for labels, a column on the right for the legend."""
    legend_w = min(440.0, width * 0.28)
    pad = 0.06 * min(width, height)
    return pad, pad, width - legend_w - 2 * pad, height - 2 * pad


def picture_svg(data: MapData, *, width: int = 1600, height: int = 1000, title: str = "") -> bytes:
    """The map as an SVG file: every name escaped, no script, no outside resource.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_node(1, name="<script>x</script>", organisation="A")
    >>> svg = picture_svg(map_data(g), title="A & B").decode()
    >>> "<script>" in svg, "&lt;script&gt;x&lt;/script&gt;" in svg
    (False, True)
    """
    left, top, w, h = _frame(width, height)
    font = max(14, round(height / 45))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Atkinson Hyperlegible, Verdana, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(
            f'<text x="{left:.1f}" y="{font * 1.4:.1f}" font-size="{font * 1.3:.0f}" fill="{_INK}" '
            f'font-weight="bold">{escape(xml_safe(title))}</text>'
        )
    at = _fit(data.nodes, left, top, w, h)
    out.append('<g stroke-linecap="round">')
    for e in data.edges:
        (x1, y1), (x2, y2) = at[e["source"]], at[e["target"]]
        colour = _NEW_EDGE if e["status"] == "new" else _RENEWED_EDGE
        dash = "" if e["status"] == "new" else ' stroke-dasharray="6 4"'
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-opacity="0.45" stroke-width="{0.8 + 0.6 * e["weight"]:.1f}"{dash}/>'
        )
    out.append("</g>")
    r0, r1 = 0.006 * height, 0.022 * height
    for n in data.nodes:
        x, y = at[n["id"]]
        r = r0 + (r1 - r0) * n["radius"]
        name = escape(xml_safe(n["label"]))
        org = escape(xml_safe(n["organisation"]))
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{n["colour"]}" stroke="{_INK}" '
            f'stroke-width="1"><title>{name} ({org})</title></circle>'
        )
    for n in data.nodes:
        if not n["show_label"]:
            continue
        x, y = at[n["id"]]
        r = r0 + (r1 - r0) * n["radius"]
        out.append(
            f'<text x="{x:.1f}" y="{y - r - 4:.1f}" font-size="{font}" text-anchor="middle" fill="{_INK}" '
            f'stroke="#ffffff" stroke-width="4" paint-order="stroke">{escape(xml_safe(_short(n["label"])))}</text>'
        )
    lx = left + w + 0.06 * min(width, height)
    ly = top + font
    out.append(
        f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{font}" font-weight="bold" fill="{_INK}">'
        f"Colour: {escape(data.colour_by)}</text>"
    )
    for i, (group, colour) in enumerate(data.legend):
        y = ly + (i + 1) * font * 1.6
        out.append(
            f'<circle cx="{lx + font / 2:.1f}" cy="{y - font / 3:.1f}" r="{font / 2:.1f}" '
            f'fill="{colour}" stroke="{_INK}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{lx + font * 1.5:.1f}" y="{y:.1f}" font-size="{font}" fill="{_INK}">'
            f"{escape(xml_safe(_short(group, 26)))}</text>"
        )
    y = ly + (len(data.legend) + 2) * font * 1.6
    out.append(
        f'<line x1="{lx:.1f}" y1="{y - font / 3:.1f}" x2="{lx + font * 1.2:.1f}" y2="{y - font / 3:.1f}" '
        f'stroke="{_NEW_EDGE}" stroke-width="3"/>'
    )
    out.append(f'<text x="{lx + font * 1.5:.1f}" y="{y:.1f}" font-size="{font}" fill="{_INK}">new tie</text>')
    y += font * 1.6
    out.append(
        f'<line x1="{lx:.1f}" y1="{y - font / 3:.1f}" x2="{lx + font * 1.2:.1f}" y2="{y - font / 3:.1f}" '
        f'stroke="{_RENEWED_EDGE}" stroke-width="3" stroke-dasharray="6 4"/>'
    )
    out.append(
        f'<text x="{lx + font * 1.5:.1f}" y="{y:.1f}" font-size="{font}" fill="{_INK}">renewed tie</text>'
    )
    out.append("</svg>")
    return "\n".join(out).encode("utf-8")


def picture_png(
    data: MapData, *, width: int = 1600, height: int = 1000, title: str = "", dpi: int = 100
) -> bytes:
    """The same map as a PNG (needs matplotlib); names are drawn as plain text, never as maths."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.collections import LineCollection
        from matplotlib.figure import Figure as MplFigure
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise FacilitationError(
            "PNG pictures need matplotlib: pip install matplotlib. SVG works without it."
        ) from exc
    fig = MplFigure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    left, top, w, h = _frame(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    at = _fit(data.nodes, left, top, w, h)
    font_px = max(14, round(height / 45))
    pt = font_px * 72 / dpi
    for status, colour, style in (("renewed", _RENEWED_EDGE, (0, (4, 3))), ("new", _NEW_EDGE, "solid")):
        segs = [(at[e["source"]], at[e["target"]]) for e in data.edges if e["status"] == status]
        widths = [0.6 + 0.4 * e["weight"] for e in data.edges if e["status"] == status]
        if segs:
            ax.add_collection(
                LineCollection(segs, colors=colour, linewidths=widths, alpha=0.45, linestyles=style)
            )
    r0, r1 = 0.006 * height, 0.022 * height
    if data.nodes:
        xs = [at[n["id"]][0] for n in data.nodes]
        ys = [at[n["id"]][1] for n in data.nodes]
        # scatter sizes are areas in points squared
        sizes = [((r0 + (r1 - r0) * n["radius"]) * 72 / dpi) ** 2 * math.pi for n in data.nodes]
        ax.scatter(
            xs, ys, s=sizes, c=[n["colour"] for n in data.nodes], edgecolors=_INK, linewidths=0.8, zorder=3
        )
    for n in data.nodes:
        if n["show_label"]:
            x, y = at[n["id"]]
            r = r0 + (r1 - r0) * n["radius"]
            ax.text(
                x,
                y - r - 4,
                _short(n["label"]),
                fontsize=pt,
                ha="center",
                va="bottom",
                color=_INK,
                parse_math=False,
                zorder=4,
                bbox={"facecolor": "white", "alpha": 0.7, "pad": 1, "edgecolor": "none"},
            )
    if title:
        ax.text(left, font_px * 1.4, title, fontsize=pt * 1.3, weight="bold", color=_INK, parse_math=False)
    lx = left + w + 0.06 * min(width, height)
    ly = top + font_px
    ax.text(lx, ly, f"Colour: {data.colour_by}", fontsize=pt, weight="bold", color=_INK, parse_math=False)
    for i, (group, colour) in enumerate(data.legend):
        y = ly + (i + 1) * font_px * 1.6
        ax.scatter(
            [lx + font_px / 2],
            [y - font_px / 3],
            s=(font_px / 2 * 72 / dpi) ** 2 * math.pi,
            c=[colour],
            edgecolors=_INK,
            linewidths=0.8,
        )
        ax.text(
            lx + font_px * 1.5, y, _short(group, 26), fontsize=pt, color=_INK, va="baseline", parse_math=False
        )
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # A name in a script the installed fonts lack is drawn as boxes; the SVG keeps it.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def write_pictures(
    store: Any,
    event_id: int,
    out_dir: Path,
    *,
    colour_by: str = "organisation",
    seed: int = 0,
    formats: tuple[str, ...] = ("svg", "png"),
    kinds: Iterable[str] | None = None,
) -> list[Path]:
    """Write the event's map as SVG and PNG into ``out_dir``; returns the files written.

    The same ties as the projector's map unless ``kinds`` says otherwise.
    """
    from facilitation.exports._files import safe_filename, write_atomic
    from facilitation.network.rules import event_graph

    graph = event_graph(store, event_id, kinds=kinds)
    data = map_data(graph, colour_by=colour_by, seed=seed)
    title = str(graph.graph.get("title", ""))
    stem = safe_filename(f"{title} network map", default="network map")
    written = []
    for fmt in formats:
        if fmt == "svg":
            written.append(write_atomic(Path(out_dir) / f"{stem}.svg", picture_svg(data, title=title)))
        elif fmt == "png":
            written.append(write_atomic(Path(out_dir) / f"{stem}.png", picture_png(data, title=title)))
        else:
            raise FacilitationError(f"The map is drawn as svg or png, not '{fmt}'.")
    return written
