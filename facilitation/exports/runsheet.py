"""``runsheet``: the facilitator's printable run sheet of an event.

Phase by phase: clock times from a start time (``--start 09:30``; without one, times
from the start, ``+0:20``), minutes, what the tables do, the prompt as the room sees it,
and the facilitator's notes, materials and roles from the event's phases (which the
template gave and ``facilitate edit`` may have changed). Jinja2 with autoescape on
(``templates/reports/runsheet.html.j2``); no external assets, so it prints offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from facilitation.errors import FacilitationError
from facilitation.events.rules import Event, TableInfo, get_event, list_tables
from facilitation.events.templates import Phase
from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.exports._report import environment
from facilitation.store import Store

__all__ = ["DESCRIPTION", "FORMAT", "Slot", "parse_start", "render", "schedule", "write"]

FORMAT = "runsheet"
DESCRIPTION = "the facilitator's printable run sheet: phases, clock times, prompts, notes, materials, roles"

# What a table does in each kind of phase, in the words of the run sheet.
_INPUT = {
    "none": "listen and talk (no input on the table page)",
    "capture": "type enablers and blockers, with their evidence",
    "ideas": "type ideas",
    "questions": "type questions and comments",
    "grouping": "group their entries into themes",
    "voting": "spend their dots",
    "links": "record who they worked with",
    "plans": "write task-and-finish plans",
}


def parse_start(text: str | None) -> int | None:
    """Minutes after midnight of a start time typed as ``HH:MM`` (24-hour); None for none.

    Examples
    --------
    >>> parse_start("09:30"), parse_start("9:05"), parse_start(None)
    (570, 545, None)
    >>> parse_start("25:99")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The start time is a time of day like 09:30 (24-hour, 00:00 to 23:59), not '25:99'.
    """
    if text is None:
        return None
    typed = str(text).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", typed)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        shown = typed if len(typed) <= 20 else typed[:20] + "..."
        raise FacilitationError(
            f"The start time is a time of day like 09:30 (24-hour, 00:00 to 23:59), not '{shown}'."
        )
    return int(match[1]) * 60 + int(match[2])


@dataclass(frozen=True)
class Slot:
    """One phase on the run sheet: its number, the phase, and its times as printed."""

    number: int
    phase: Phase
    begins: str
    ends: str
    does: str
    current: bool


def _clock(minutes: int, start: int | None) -> str:
    if start is None:
        return f"+{minutes // 60}:{minutes % 60:02d}"
    at = start + minutes
    day = " (+1 day)" if at >= 24 * 60 else ""
    at %= 24 * 60
    return f"{at // 60:02d}:{at % 60:02d}{day}"


def schedule(event: Event, start: int | None) -> list[Slot]:
    """The phases with their clock times from ``start`` (minutes after midnight) or from 0.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> slots = schedule(get_event(store, ev), parse_start("09:30"))
    >>> [(s.begins, s.ends) for s in slots[:2]], slots[-1].ends
    ([('09:30', '09:50'), ('09:50', '10:15')], '12:10')
    """
    slots, at = [], 0
    for i, phase in enumerate(event.phases):
        slots.append(
            Slot(
                number=i + 1,
                phase=phase,
                begins=_clock(at, start),
                ends=_clock(at + phase.minutes, start),
                does=_INPUT.get(phase.input, phase.input),
                current=i == event.phase_index,
            )
        )
        at += phase.minutes
    return slots


def render(event: Event, tables: list[TableInfo], start: int | None = None) -> str:
    """The run sheet's HTML (every typed value escaped by Jinja2's autoescape).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(tables=2)
    >>> page = render(get_event(store, ev), list_tables(store, ev), parse_start("09:30"))
    >>> page.startswith("<!DOCTYPE html>"), "09:30" in page, "psychological safety" in page
    (True, True, True)
    """
    slots = schedule(event, start)
    materials: list[str] = []
    for phase in event.phases:
        materials += [m for m in phase.materials if m not in materials]
    context: dict[str, Any] = {
        "event": event,
        "tables": tables,
        "slots": slots,
        "start": None if start is None else _clock(0, start),
        "total": sum(p.minutes for p in event.phases),
        "materials": materials,
        "made_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return environment(autoescape=True).get_template("runsheet.html.j2").render(**context)


def write(
    store: Store, event_id: int, out_dir: Path, *, start: str | None = None, file: Path | None = None
) -> list[Path]:
    """Write ``<date> <title> (event N) run sheet.html`` into ``out_dir`` (or to ``file``)."""
    minutes = parse_start(start)
    ev = get_event(store, event_id)
    page = render(ev, list_tables(store, event_id), minutes)
    path = (
        Path(file)
        if file is not None
        else Path(out_dir) / f"{base_name(ev.title, ev.id, ev.starts_on)} run sheet.html"
    )
    return [write_atomic(path, page)]
