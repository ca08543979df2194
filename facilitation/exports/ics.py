"""``ics``: a calendar with each task-and-finish group's first meeting and its review
dates on the 1, 3 and 8-year horizon, for the organiser to send as invitations.

All-day events, one per date set on a group; the same group and date always get the
same UID, so importing a newer export updates the calendar instead of doubling it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from facilitation.events import get_event
from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.plans import Group, list_groups
from facilitation.store import Store

__all__ = ["DESCRIPTION", "FORMAT", "render", "write"]

FORMAT = "ics"
DESCRIPTION = "calendar: each group's first meeting and 1, 3 and 8-year reviews"

_WHAT = {"first": "first meeting", "1y": "1-year review", "3y": "3-year review", "8y": "8-year review"}


def _stamp(text: str | None) -> datetime:
    try:
        return datetime.fromisoformat(text or "").astimezone(UTC)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)


def _description(event_title: str, g: Group) -> str:
    lines = [f"Task-and-finish group from {event_title}."]
    for label, value in (
        ("Purpose", g.purpose), ("Lead", g.lead), ("Sponsor", g.sponsor), ("Key question", g.key_question),
    ):  # fmt: skip
        if value:
            lines.append(f"{label}: {value}")
    if g.success_measures:
        lines.append("Success measures: " + "; ".join(g.success_measures))
    open_actions = [a for a in g.actions if a.status not in ("done", "dropped")]
    if open_actions:
        lines.append("Open actions:")
        lines.extend(
            f"- {a.text} ({a.owner or 'no owner'}{', due ' + a.due_on if a.due_on else ''})"
            for a in open_actions
        )
    return "\n".join(lines)


def render(store: Store, event_id: int) -> bytes:
    """The calendar file's bytes (text/calendar, UTF-8).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> render(store, ev).splitlines()[0]
    b'BEGIN:VCALENDAR'
    """
    ev = get_event(store, event_id)
    cal = Calendar()
    cal.add("prodid", "-//facilitation//task-and-finish groups//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{ev.title}: task-and-finish groups")
    for g in list_groups(store, event_id):
        for key in ("first", "1y", "3y", "8y"):
            day = g.review_dates.get(key)
            if not day:
                continue
            item = CalendarEvent()
            item.add("uid", f"event-{ev.id}-group-{g.id}-{key}@facilitation")
            item.add("dtstamp", _stamp(g.updated_at or g.created_at))
            item.add("dtstart", date.fromisoformat(day))
            item.add("summary", f"{g.name}: {_WHAT[key]}")
            item.add("description", _description(ev.title, g))
            item.add("categories", ["task-and-finish group"])
            item.add("transp", "TRANSPARENT")
            cal.add_component(item)
    return cal.to_ical()


def write(store: Store, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) groups.ics`` into ``out_dir``."""
    ev = get_event(store, event_id)
    name = f"{base_name(ev.title, ev.id, ev.starts_on)} groups.ics"
    return [write_atomic(Path(out_dir) / name, render(store, event_id))]
