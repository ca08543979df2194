"""``md``: the outcome pack as Markdown, for a wiki, an email or a pull request.

Every character of typed text that Markdown gives a meaning (``[``, ``<``, ``*``,
``#``, ``|``, ``:`` and the rest) is backslash-escaped, so nothing a person typed
renders as a link, an image, HTML or a heading. Template:
``templates/reports/outcome.md.j2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.exports._report import environment, report_context
from facilitation.store import Store

__all__ = ["DESCRIPTION", "FORMAT", "render", "write"]

FORMAT = "md"
DESCRIPTION = "outcome pack as Markdown (typed text escaped)"


def render(context: dict[str, Any]) -> str:
    """The outcome pack's Markdown from a report context.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.exports._report import report_context
    >>> store, ev = scratch_event()
    >>> render(report_context(store, ev, pictures=False)).splitlines()[0]
    '# Scratch event'
    """
    return environment(autoescape=False).get_template("outcome.md.j2").render(**context)


def write(store: Store, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) outcome pack.md`` into ``out_dir``."""
    context = report_context(store, event_id, pictures=False)
    ev = context["event"]
    name = f"{base_name(ev.title, ev.id, ev.starts_on)} outcome pack.md"
    return [write_atomic(Path(out_dir) / name, render(context))]
