"""``ics``: a calendar with each task-and-finish group's first meeting and its review
dates on the 1, 3 and 8-year horizon, for the organiser to send as invitations.

All-day events, one per date set on a group; the same group and date always get the
same UID, so importing a newer export updates the calendar instead of doubling it.
The UID is built from the event's own random nonce (hashed: the nonce is never
shown), not from its id: event 1 of another installation, or of a database rebuilt
from a backup, never overwrites this event's meetings in someone's calendar. An
event with no group meetings gives a message, not an empty calendar.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select

from facilitation.events import get_event
from facilitation.exports import NothingToExport, base_name
from facilitation.exports._files import write_atomic
from facilitation.plans import Group, list_groups
from facilitation.store import Store
from facilitation.store import schema as s

__all__ = ["DESCRIPTION", "FORMAT", "calendar_id", "render", "write"]

FORMAT = "ics"
DESCRIPTION = "calendar: each group's first meeting and 1, 3 and 8-year reviews"

_WHAT = {"first": "first meeting", "1y": "1-year review", "3y": "3-year review", "8y": "8-year review"}


def calendar_id(store: Store, event_id: int) -> str:
    """The part of every UID that names this event: a hash of its random nonce.

    Unique across events and installations (128 random bits), stable for the event.
    """
    nonce = store.read(
        lambda c: c.execute(select(s.events.c.key_nonce).where(s.events.c.id == int(event_id))).scalar()
    )
    return hashlib.sha256(f"facilitation calendar:{nonce}".encode()).hexdigest()[:32]


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

    Raises :class:`~facilitation.exports.NothingToExport` when no group has a
    meeting or review date yet.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> render(store, ev)
    Traceback (most recent call last):
    ...
    facilitation.exports.NothingToExport: No task-and-finish group has a first meeting or review date yet, so there is no calendar to export. Promote a theme to a group and set its first meeting in its plan.
    """
    ev = get_event(store, event_id)
    groups = list_groups(store, event_id)
    if not any(g.review_dates.get(key) for g in groups for key in _WHAT):
        raise NothingToExport(
            "No task-and-finish group has a first meeting or review date yet, so there is no calendar "
            "to export. Promote a theme to a group and set its first meeting in its plan."
        )
    uid = calendar_id(store, event_id)
    cal = Calendar()
    cal.add("prodid", "-//facilitation//task-and-finish groups//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{ev.title}: task-and-finish groups")
    for g in groups:
        for key in ("first", "1y", "3y", "8y"):
            day = g.review_dates.get(key)
            if not day:
                continue
            item = CalendarEvent()
            item.add("uid", f"{uid}-group-{g.id}-{key}@facilitation")
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
