"""What the outcome pack says, gathered once for the HTML and Markdown reports.

Everything a person typed stays plain text here; each template escapes it for its
own format (Jinja2 autoescape for HTML, :func:`md` for Markdown). The two pictures
(vote chart, network) are SVG built with every label escaped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from facilitation.access import SYSTEM
from facilitation.capture.rules import evidence_summary
from facilitation.events import get_event, list_tables
from facilitation.exports._maps import circle_section, system_map_section
from facilitation.frames import frames
from facilitation.plans.rules import decision_log, list_groups, open_actions_from_earlier_events
from facilitation.store import Store

__all__ = [
    "ThemeResult",
    "environment",
    "md",
    "md_block",
    "network_section",
    "report_context",
    "vote_chart_svg",
]

_MD_SPECIAL = set('\\`*_{}[]()#+-.!|<>&~:="@$%^')


def md(value: object) -> str:
    """Typed text made inert in Markdown: every significant character backslash-escaped.

    Newlines become spaces, so a typed ``#`` or ``-`` never starts a heading or list;
    ``:`` and ``.`` are escaped so no address turns into a link.

    Examples
    --------
    >>> md("[click](javascript:alert(1)) <b>x</b>")
    '\\\\[click\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\) \\\\<b\\\\>x\\\\</b\\\\>'
    """
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def md_block(value: object) -> str:
    """Like :func:`md`, keeping the typed line breaks (as Markdown hard breaks).

    Examples
    --------
    >>> md_block("# one\\n    two").splitlines()
    ['\\\\# one  ', 'two']
    """
    lines = [md(line) for line in str(value or "").splitlines()]
    return "  \n".join(line for line in lines if line)


def _templates_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "templates" / "reports", here / "_templates" / "reports"):
        if candidate.is_dir():
            return candidate
    return here.parent / "templates" / "reports"


def environment(*, autoescape: bool) -> jinja2.Environment:
    """The Jinja2 environment of the report templates (autoescape on for HTML)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_templates_dir())),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["md_block"] = md_block
    return env


@dataclass(frozen=True)
class ThemeResult:
    """A theme's place in a voting round; tied themes share a rank."""

    theme_id: int
    name: str
    dots: int
    rank: int
    tied: bool
    amended: str | None = None  # what changed after the vote, and why (a reopened theme)

    @property
    def rank_text(self) -> str:
        """``1`` or ``=2`` for a tie."""
        return f"={self.rank}" if self.tied else str(self.rank)


def _results(store: Store, event_id: int, voting_round: int) -> dict[int, list[ThemeResult]]:
    try:
        from facilitation.voting.rules import tally
    except ImportError:  # pragma: no cover - voting ships with the package
        return {}
    out: dict[int, list[ThemeResult]] = {}
    for r in range(1, voting_round + 1):
        rows = tally(store, SYSTEM, event_id, round=r)
        if rows:
            out[r] = [ThemeResult(x.theme_id, x.name, x.dots, x.rank, x.tied, x.amended) for x in rows]
    return out


def vote_chart_svg(results: list[ThemeResult], *, width: int = 680) -> str:
    """A horizontal bar chart of a round's dots, labels escaped, for the HTML pack.

    Examples
    --------
    >>> svg = vote_chart_svg([ThemeResult(1, "<b>Data</b>", 5, 1, False)])
    >>> "<b>" in svg, "&lt;b&gt;Data&lt;/b&gt;" in svg
    (False, True)
    """
    bar_h, gap, rank_w, label_w, top = 26, 8, 34, 300, 8
    most = max([r.dots for r in results] + [1])
    height = top * 2 + len(results) * (bar_h + gap)
    span = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart">',
        "<title>Dots per theme</title>",
    ]
    for i, r in enumerate(results):
        y = top + i * (bar_h + gap)
        name = r.name if len(r.name) <= 36 else r.name[:35].rstrip() + "\u2026"
        w = 0 if not r.dots else max(2, round(span * r.dots / most))
        colour = "#332288" if r.rank == 1 else "#88CCEE"
        parts.append(
            f'<text x="{rank_w - 6}" y="{y + bar_h * 0.68:.1f}" text-anchor="end" font-size="13">'
            f"{escape(r.rank_text)}</text>"
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.68:.1f}" text-anchor="end" font-size="13">'
            f"<title>{escape(r.name)}</title>{escape(name)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{colour}" rx="3"/>'
            f'<text x="{label_w + w + 6}" y="{y + bar_h * 0.68:.1f}" font-size="13">{r.dots}'
            f"{' (tie)' if r.tied else ''}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _simple_network_svg(graph: Any, size: int = 520) -> str:
    """A circle of people coloured by organisation: the fallback picture."""
    from facilitation.network.picture import colour_groups

    nodes = sorted(graph.nodes, key=lambda n: (str(graph.nodes[n].get("organisation") or ""), str(n)))
    colours, legend = colour_groups(graph, "organisation")
    r, c = size * 0.38, size / 2
    pos = {
        n: (c + r * math.cos(2 * math.pi * i / max(len(nodes), 1)), c + r * math.sin(2 * math.pi * i / max(len(nodes), 1)))
        for i, n in enumerate(nodes)
    }  # fmt: skip
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{size}" height="{size + 24 * len(legend)}" '
        f'viewBox="0 0 {size} {size + 24 * len(legend)}" class="network"><title>Collaboration network</title>'
    ]
    for u, v in graph.edges:
        (x1, y1), (x2, y2) = pos[u], pos[v]
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#999" stroke-width="1"/>'
        )
    for n in nodes:
        x, y = pos[n]
        label = escape(str(graph.nodes[n].get("name", "")))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colours[n]}"><title>{label}</title></circle>'
        )
    for i, (name, colour) in enumerate(legend):
        y = size + 24 * i + 12
        parts.append(
            f'<rect x="10" y="{y - 9}" width="14" height="14" fill="{colour}"/>'
            f'<text x="30" y="{y + 3}" font-size="13">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def network_section(store: Store, event_id: int, *, picture: bool = True) -> dict[str, Any]:
    """The network picture (SVG text, escaped) and its figures, or nothing when unavailable."""
    try:
        from facilitation.network.figures import network_figures
        from facilitation.network.rules import event_graph
    except ImportError:
        return {"svg": "", "figures": [], "bridging": []}
    graph = event_graph(store, event_id, include_hidden_votes=True)
    figs = network_figures(graph)
    svg = ""
    if picture and graph.number_of_nodes():
        try:
            from facilitation.network.picture import map_data, picture_svg

            drawn = picture_svg(map_data(graph), width=1000, height=640).decode("utf-8")
            svg = drawn[drawn.find("<svg") :] if "<svg" in drawn else ""
        except (ImportError, AttributeError, TypeError):  # an older network module: draw our own
            svg = ""
    if picture and not svg.lstrip().startswith("<svg") and graph.number_of_nodes():
        svg = _simple_network_svg(graph)
    return {
        "svg": svg,
        "figures": [(f.label, f.text, f.explanation) for f in figs.headline()],
        "bridging": [(b.name, b.organisation) for b in figs.bridging_people],
    }


def _records(df: Any) -> list[dict[str, Any]]:
    """Rows as dicts with every missing value None (never NaN or <NA> in a report)."""
    return [{k: (None if _missing(v) else v) for k, v in row.items()} for row in df.to_dict("records")]


def _missing(value: Any) -> bool:
    try:
        return bool(value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)))
    except (TypeError, ValueError):
        return False


def _summary(rows: Any) -> list[tuple[str, str, int]]:
    """(kind, text, how many tables wrote it) for a theme's entries, first seen first."""
    seen: dict[tuple[str, str], int] = {}
    for kind, text in zip(rows["kind"], rows["text"], strict=True):
        key = (str(kind), " ".join(str(text).split()))
        seen[key] = seen.get(key, 0) + 1
    return [(k, x, n) for (k, x), n in seen.items()]


def _chains(decisions: list[Any]) -> list[dict[str, Any]]:
    """The decision log by group: the entries once, then every action."""
    out: dict[int, dict[str, Any]] = {}
    for d in decisions:
        chain = out.setdefault(
            d.group_id,
            {
                "group": d.group,
                "theme": d.theme,
                "tally": d.tally,
                "entries": d.entries,
                "amended": d.amended,
                "entries_now": d.entries_now,
                "actions": [],
            },
        )
        if d.action is not None:
            chain["actions"].append(d.action)
    return list(out.values())


def report_context(store: Store, event_id: int, *, pictures: bool = True) -> dict[str, Any]:
    """Everything the outcome pack shows, as plain values."""
    ev = get_event(store, event_id)
    f = frames(store, event_id)
    entries = f["entries"]

    def kind(k: str) -> list[dict[str, Any]]:
        return _records(entries[entries["kind"] == k])

    results = _results(store, event_id, ev.voting_round)
    themes = f["themes"]
    roots = themes[themes["merged_into"].isna()].sort_values(["dots", "name"], ascending=[False, True])
    theme_entries = {int(t): _summary(entries[entries["theme_id"] == t]) for t in roots["id"]}
    return {
        "event": ev,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "tables": len(list_tables(store, event_id)),
        "people": _records(f["people"]),
        "enablers": kind("enabler"),
        "blockers": kind("blocker"),
        "ideas": kind("idea"),
        "questions": kind("question"),
        "assets": kind("asset"),
        # how much of what the room said rests on each evidence level
        "evidence": evidence_summary(_records(entries)),
        "themes": _records(roots),
        "theme_entries": theme_entries,
        "results": results,
        "charts": {r: vote_chart_svg(rows) for r, rows in results.items()} if pictures else {},
        "network": network_section(store, event_id, picture=pictures),
        "system_map": system_map_section(store, event_id, picture=pictures),
        "priority_circle": circle_section(store, event_id, picture=pictures),
        "groups": list_groups(store, event_id),
        "decisions": _chains(decision_log(store, event_id)),
        "open_actions": open_actions_from_earlier_events(store, event_id),
        "frames": f,
    }
