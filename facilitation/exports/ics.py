"""``ics``: a calendar with each task-and-finish group's first meeting and its review
dates on the 1, 3 and 8-year horizon, for the organiser to send as invitations.

All-day events, one per date set on a group; the same group and date always get the
same UID, so importing a newer export updates the calendar instead of doubling it.
The UID is built from the event's own random nonce (hashed: the nonce is never
shown), not from its id: event 1 of another installation, or of a database rebuilt
from a backup, never overwrites this event's meetings in someone's calendar. An
event with no group meetings gives a message, not an empty calendar.

A series' calendar (:func:`render_series`, ``facilitate export --series SERIES
--format ics``) has one timed VEVENT per planned meeting of the series, its UID a hash
of the series' own random calendar nonce and the meeting's date (one meeting a day
in a series), so re-planning keeps the UIDs of the dates it keeps. Times are
*floating* local times (``DTSTART:20270112T140000``, no zone): the toolkit does not
know where the series meets, and a community of practice meets in one place's local
time, which is what a floating time says. With ``timezone="Europe/London"`` the times
carry that TZID and the file its VTIMEZONE, for invitations sent across zones.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select

from facilitation.errors import FacilitationError
from facilitation.events.rules import get_event
from facilitation.exports import NothingToExport, base_name, safe_filename
from facilitation.exports._files import write_atomic
from facilitation.plans.rules import Group, list_groups
from facilitation.series.rules import get_series, series_plan
from facilitation.store import Store
from facilitation.store import schema as s

__all__ = [
    "DESCRIPTION",
    "FORMAT",
    "calendar_id",
    "render",
    "render_series",
    "series_calendar_id",
    "write",
    "write_series",
]

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


# --- a series' calendar ------------------------------------------------------------------------


def series_calendar_id(store: Store, series_id: int) -> str:
    """The part of every UID of a series' calendar: a hash of the series' random nonce."""
    nonce = store.read(
        lambda c: c.execute(select(s.series.c.calendar_nonce).where(s.series.c.id == int(series_id))).scalar()
    )
    if not nonce:  # every series has one (create_series, restore, migration 0006)
        raise FacilitationError(
            f"Series {series_id} has no calendar nonce; run `facilitate list` to migrate."
        )
    return hashlib.sha256(f"facilitation series calendar:{nonce}".encode()).hexdigest()[:32]


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FacilitationError(
            f"'{name[:40]}' is not a time zone the calendar knows; use a name like Europe/London."
        ) from None


def render_series(store: Store, series_id: int, *, timezone: str | None = None) -> bytes:
    """A series' calendar: one VEVENT per planned meeting, floating local time by default.

    Raises :class:`~facilitation.exports.NothingToExport` when the series has no planned
    meeting yet.

    Examples
    --------
    >>> import os, tempfile
    >>> from icalendar import Calendar
    >>> from facilitation.access import ORGANISER
    >>> from facilitation.series.rules import create_series, parse_slot, plan_series
    >>> from facilitation.store import open_store
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> sid = create_series(store, ORGANISER, "Community of practice")
    >>> render_series(store, sid)
    Traceback (most recent call last):
    ...
    facilitation.exports.NothingToExport: Series 1 has no planned meetings, so there is no calendar to export. Plan them with `facilitate series plan 1 --start 2027-01 --weekday tuesday --week 2 --time 14:00 --minutes 90 --count 10`.
    >>> _ = plan_series(store, ORGANISER, sid, parse_slot("2027-01", "tuesday", 2, "14:00", 90, 2))
    >>> [str(e.decoded("dtstart")) for e in Calendar.from_ical(render_series(store, sid)).walk("VEVENT")]
    ['2027-01-12 14:00:00', '2027-02-09 14:00:00']
    """
    zone = _zone(timezone)
    series = get_series(store, series_id)
    meetings = series_plan(store, series_id)
    if not meetings:
        raise NothingToExport(
            f"Series {series_id} has no planned meetings, so there is no calendar to export. Plan them with "
            f"`facilitate series plan {series_id} --start 2027-01 --weekday tuesday --week 2 --time 14:00 "
            "--minutes 90 --count 10`."
        )
    uid = series_calendar_id(store, series_id)
    stamp = _stamp(series.created_at)
    roles = [f"{words.capitalize()}: {name}" for words, name in series.roles.items() if name]
    cal = Calendar()
    cal.add("prodid", "-//facilitation//series meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", series.name)
    for m in meetings:
        start = datetime.fromisoformat(f"{m.starts_on}T{m.start_time}")
        if zone is not None:
            start = start.replace(tzinfo=zone)
        item = CalendarEvent()
        item.add("uid", f"{uid}-meeting-{m.starts_on}@facilitation")
        item.add("dtstamp", stamp)
        item.add("dtstart", start)
        item.add("dtend", start + timedelta(minutes=m.minutes))
        item.add("summary", f"{series.name}: meeting {m.number} of {len(meetings)}")
        lines = [f"Meeting {m.number} of the series {series.name}."]
        if series.description:
            lines.append(series.description)
        lines.extend(roles)
        if m.senior_leader:
            lines.append(f"Senior leader: {m.senior_leader}")
        if m.held:
            lines.append(f"Held as event {m.event_id}: {m.event_title}")
        item.add("description", "\n".join(lines))
        item.add("categories", ["community of practice"])
        cal.add_component(item)
    if zone is not None:
        cal.add_missing_timezones()
    return cal.to_ical()


def write_series(store: Store, series_id: int, out: Path, *, timezone: str | None = None) -> Path:
    """Write a series' calendar to ``out``: a file, or ``<name> (series N).ics`` in a folder."""
    data = render_series(store, series_id, timezone=timezone)
    target = Path(out)
    if target.is_dir():
        stem = safe_filename(get_series(store, series_id).name, max_length=60) or "series"
        target = target / f"{stem} (series {int(series_id)}).ics"
    elif target.suffix.lower() != ".ics":
        raise FacilitationError(
            f"{target} is neither a folder nor a .ics file; give --out FILE.ics or a folder."
        )
    return write_atomic(target, data)
