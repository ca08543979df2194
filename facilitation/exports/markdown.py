"""``md``: the outcome pack as Markdown, for a wiki, an email or a pull request.

Every character of typed text that Markdown gives a meaning (``[``, ``<``, ``*``,
``#``, ``|``, ``:`` and the rest) is backslash-escaped, so nothing a person typed
renders as a link, an image, HTML or a heading. The pack's own dates, times and
ranks are not typed text and stay as they are (``2026-03-12``, not ``2026\\-03\\-12``).
Template: ``templates/reports/outcome.md.j2``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.exports._report import environment, md, report_context
from facilitation.store import Store

__all__ = ["DESCRIPTION", "FORMAT", "md_day", "md_rank", "render", "write"]

FORMAT = "md"
DESCRIPTION = "outcome pack as Markdown (typed text escaped)"


_OWN_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?: UTC)?)?")
_OWN_RANK = re.compile(r"=?\d{1,4}")


def md_day(value: object) -> str:
    r"""A date or time the pack writes (``2026-03-12``, ``2026-03-12 10:05 UTC``) as it is;
    anything else escaped as typed text; nothing for None.

    Examples
    --------
    >>> md_day("2026-03-12"), md_day("2026-12-03 10:05 UTC"), md_day(None)
    ('2026-03-12', '2026-12-03 10:05 UTC', '')
    >>> print(md_day("[soon](x)"))
    \[soon\]\(x\)
    """
    text = "" if value is None else str(value)
    return text if _OWN_DAY.fullmatch(text) else md(text)


def md_rank(value: object) -> str:
    """A rank (``1``, or ``=2`` for a tie) as it is.

    Examples
    --------
    >>> md_rank("=2"), md_rank("3")
    ('=2', '3')
    """
    text = "" if value is None else str(value)
    return text if _OWN_RANK.fullmatch(text) else md(text)


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
    env = environment(autoescape=False)
    env.filters["md_day"] = md_day
    env.filters["md_rank"] = md_rank
    return env.get_template("outcome.md.j2").render(**context)


def write(store: Store, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) outcome pack.md`` into ``out_dir``."""
    context = report_context(store, event_id, pictures=False)
    ev = context["event"]
    name = f"{base_name(ev.title, ev.id, ev.starts_on)} outcome pack.md"
    return [write_atomic(Path(out_dir) / name, render(context))]
