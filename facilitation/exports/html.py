"""``html``: the outcome pack, one self-contained file a board can read and print to PDF.

The framing, enablers and blockers, themes, the vote result chart, the network
picture and figures, the task-and-finish groups with their plans, and the decision
log. Jinja2 with autoescape on (``templates/reports/outcome.html.j2``); no external
assets, so it opens the same offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.exports._report import environment, report_context
from facilitation.store import Store

__all__ = ["DESCRIPTION", "FORMAT", "render", "write"]

FORMAT = "html"
DESCRIPTION = "outcome pack as one self-contained HTML page (prints to PDF)"


def render(context: dict[str, Any]) -> str:
    """The outcome pack's HTML from a :func:`~facilitation.exports._report.report_context`.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.exports._report import report_context
    >>> store, ev = scratch_event()
    >>> page = render(report_context(store, ev))
    >>> page.startswith("<!DOCTYPE html>"), "Scratch event" in page
    (True, True)
    """
    return environment(autoescape=True).get_template("outcome.html.j2").render(**context)


def write(store: Store, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) outcome pack.html`` into ``out_dir``."""
    context = report_context(store, event_id)
    ev = context["event"]
    name = f"{base_name(ev.title, ev.id, ev.starts_on)} outcome pack.html"
    return [write_atomic(Path(out_dir) / name, render(context))]
