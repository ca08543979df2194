"""The priority circle as a picture: a sector per priority area, the themes and groups
placed in theirs. :func:`circle_data` is the geometry (JSON for the projector's
widget, which draws it with textContent labels); :func:`circle_svg` is the same
picture as SVG text for the outcome pack, every label escaped.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from facilitation.network.picture import PALETTE, xml_safe
from facilitation.priority_circle.rules import Circle

__all__ = ["circle_data", "circle_svg"]

# Light fills for the sectors (text stays dark on every one).
SECTOR_FILLS = (
    "#e8e4f7",
    "#e0f2f9",
    "#dff2ee",
    "#e2f0e4",
    "#f2f2dd",
    "#f9f3df",
    "#f7e3e6",
    "#f2e0ea",
    "#f4e1f1",
)


def circle_data(circle: Circle) -> dict[str, Any]:
    """Sectors (start and end angles, in degrees clockwise from the top) and where each
    placement sits, in a unit circle centred on (0, 0).

    Examples
    --------
    >>> from facilitation.priority_circle.rules import Circle, Placement
    >>> c = Circle(("A", "B"), (Placement("theme", 1, "Falls", "B", "facilitator"),), "facilitator")
    >>> d = circle_data(c)
    >>> [(s["area"], s["start"], s["end"]) for s in d["sectors"]]
    [('A', 0.0, 180.0), ('B', 180.0, 360.0)]
    >>> p = d["placements"][0]; (p["name"], p["subject"], round(p["x"], 2))  # B: the left half
    ('Falls', 'theme', -0.6)
    """
    areas = list(circle.areas)
    n = max(len(areas), 1)
    sectors = []
    placed = []
    for i, area in enumerate(areas):
        start, end = 360.0 * i / n, 360.0 * (i + 1) / n
        mid = math.radians((start + end) / 2)
        sectors.append(
            {
                "area": area,
                "start": start,
                "end": end,
                "fill": SECTOR_FILLS[i % len(SECTOR_FILLS)],
                "colour": PALETTE[i % len(PALETTE)],
                "label_x": round(math.sin(mid) * 1.12, 4),
                "label_y": round(-math.cos(mid) * 1.12, 4),
            }
        )
        items = circle.on(area)
        for j, p in enumerate(items):
            # spread along the sector's middle, from near the centre outwards
            radius = 0.3 + 0.6 * (j + 0.5) / max(len(items), 1)
            wiggle = math.radians((end - start) * 0.18 * (1 if j % 2 else -1)) if len(items) > 3 else 0.0
            angle = mid + wiggle
            placed.append(
                {
                    **p.as_dict(),
                    "x": round(math.sin(angle) * radius, 4),
                    "y": round(-math.cos(angle) * radius, 4),
                    "colour": PALETTE[i % len(PALETTE)],
                }
            )
    return {"sectors": sectors, "placements": placed}


def _arc(cx: float, cy: float, r: float, start: float, end: float) -> str:
    def at(deg: float) -> tuple[float, float]:
        rad = math.radians(deg)
        return cx + r * math.sin(rad), cy - r * math.cos(rad)

    if end - start >= 359.999:
        return f"M{cx - r:.1f},{cy:.1f} a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0 a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0"
    (x1, y1), (x2, y2) = at(start), at(end)
    large = 1 if end - start > 180 else 0
    return f"M{cx:.1f},{cy:.1f} L{x1:.1f},{y1:.1f} A{r:.1f},{r:.1f} 0 {large},1 {x2:.1f},{y2:.1f} Z"


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def circle_svg(circle: Circle, *, size: int = 760, title: str = "Priority circle") -> str:
    """The circle as SVG text (for the outcome pack).

    Examples
    --------
    >>> from facilitation.priority_circle.rules import Circle, Placement
    >>> svg = circle_svg(Circle(("<A>",), (Placement("group", 2, "<script>", "<A>", "x"),), "facilitator"))
    >>> "<script>" in svg, "&lt;script&gt;" in svg, "&lt;A&gt;" in svg
    (False, True, True)
    """
    d = circle_data(circle)
    font = 15
    pad = 150
    width, height = size + 2 * pad, size + 2 * 60
    cx, cy, r = width / 2, height / 2, size / 2
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="priority-circle" font-family="Atkinson Hyperlegible, Verdana, sans-serif">',
        f"<title>{escape(xml_safe(title))}</title>",
    ]
    for s in d["sectors"]:
        out.append(
            f'<path d="{_arc(cx, cy, r, s["start"], s["end"])}" fill="{s["fill"]}" stroke="#1a1a1a" stroke-width="1.5"/>'
        )
        lx, ly = cx + s["label_x"] * r, cy + s["label_y"] * r
        anchor = "middle" if abs(s["label_x"]) < 0.2 else ("start" if s["label_x"] > 0 else "end")
        out.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{font}" font-weight="bold" text-anchor="{anchor}" '
            f'fill="#111">{escape(xml_safe(_short(s["area"], 34)))}</text>'
        )
    for p in d["placements"]:
        x, y = cx + p["x"] * r, cy + p["y"] * r
        mark = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{p["colour"]}" stroke="#1a1a1a"/>'
            if p["subject"] == "theme"
            else f'<rect x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="{p["colour"]}" stroke="#1a1a1a"/>'
        )
        out.append(mark)
        out.append(
            f'<text x="{x:.1f}" y="{y - 11:.1f}" font-size="{font - 2}" text-anchor="middle" fill="#111" '
            f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(xml_safe(_short(p["name"])))}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
