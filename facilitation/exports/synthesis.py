"""The annual synthesis of a series, as one self-contained HTML page and as Markdown.

``facilitate export --series SERIES --format synthesis --out DIR`` writes both:
themes that recur across meetings, the people network's growth, actions done, open
and overdue by group, measures over time (each a line chart drawn here as inline SVG:
no script, no CDN), reviews due at 1, 3 and 8 years, assets found, and what the
room's entries rested on at each meeting. Typed text is escaped by Jinja2's
autoescape in HTML, by :func:`~facilitation.exports._report.md` in Markdown, and by
:func:`html.escape` in the charts.

This module has no ``FORMAT``: it is a series' export, not one of an event's formats.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from facilitation.exports._files import safe_filename, write_atomic
from facilitation.exports._report import environment
from facilitation.store import Store
from facilitation.synthesis import MeasureRun, Synthesis, gather_synthesis

__all__ = [
    "SERIES_FORMAT",
    "context",
    "measure_chart_svg",
    "render_html",
    "render_markdown",
    "write_synthesis",
]

SERIES_FORMAT = "synthesis"


def _number(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{x:.3g}"


def measure_chart_svg(run: MeasureRun, *, width: int = 640, height: int = 200) -> str:
    """One measure's values across the meetings as a line chart (inline SVG, labels escaped).

    Examples
    --------
    >>> from facilitation.series.measures import SeriesPoint
    >>> run = MeasureRun("<b>Falls</b>", [SeriesPoint(1, "2027-01-12", "One", 31.0, ""),
    ...                                   SeriesPoint(2, "2027-02-09", "Two", 27.5, "")])
    >>> svg = measure_chart_svg(run)
    >>> "<b>" in svg, "&lt;b&gt;Falls&lt;/b&gt;" in svg, svg.count("<circle")
    (False, True, 2)
    """
    left, right, top, bottom = 56, 24, 16, 40
    values = [p.value for p in run.points]
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    span_x = width - left - right
    span_y = height - top - bottom
    n = len(run.points)

    def x(i: int) -> float:
        return left + (span_x * i / (n - 1) if n > 1 else span_x / 2)

    def y(v: float) -> float:
        return top + span_y * (1 - (v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart">',
        f"<title>{escape(run.name)}: values by meeting</title>",
        f'<line x1="{left}" y1="{top + span_y}" x2="{width - right}" y2="{top + span_y}" stroke="#767676"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + span_y}" stroke="#767676"/>',
        f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" font-size="12">{_number(high)}</text>',
        f'<text x="{left - 6}" y="{top + span_y}" text-anchor="end" font-size="12">{_number(low)}</text>',
    ]
    if n > 1:
        path = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(run.points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#332288" stroke-width="2.5"/>')
    for i, p in enumerate(run.points):
        when = p.starts_on or p.title
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="4.5" fill="#332288">'
            f"<title>{escape(when)}: {_number(p.value)}</title></circle>"
            f'<text x="{x(i):.1f}" y="{y(p.value) - 9:.1f}" text-anchor="middle" font-size="12">'
            f"{_number(p.value)}</text>"
            f'<text x="{x(i):.1f}" y="{height - 14}" text-anchor="middle" font-size="12">{escape(when)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def context(synthesis: Synthesis) -> dict[str, Any]:
    """What the templates read: the synthesis, its charts, and when it was written."""
    return {
        "s": synthesis,
        "charts": [measure_chart_svg(run) for run in synthesis.measures],
        "generated_on": date.today().isoformat(),
    }


def render_html(synthesis: Synthesis) -> str:
    """The synthesis as one self-contained HTML page (autoescaped)."""
    return environment(autoescape=True).get_template("synthesis.html.j2").render(**context(synthesis))


def render_markdown(synthesis: Synthesis) -> str:
    """The synthesis as Markdown, every typed value made inert."""
    return environment(autoescape=False).get_template("synthesis.md.j2").render(**context(synthesis))


def write_synthesis(
    store: Store, series_id: int, out_dir: Path, *, as_of: date | str | None = None
) -> list[Path]:
    """Write ``<series> (series N) synthesis.html`` and ``.md`` into the folder ``out_dir``."""
    synthesis = gather_synthesis(store, series_id, as_of=as_of)
    folder = Path(out_dir)
    stem = f"{safe_filename(synthesis.name, max_length=60) or 'series'} (series {int(series_id)}) synthesis"
    return [
        write_atomic(folder / f"{stem}.html", render_html(synthesis)),
        write_atomic(folder / f"{stem}.md", render_markdown(synthesis)),
    ]
