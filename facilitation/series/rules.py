"""Series of events: a community of practice meets about ten times a year, and an
innovation programme runs several challenges; people keep one identity across them.

An event joins a series when it is created (``create_event(..., series_id=...)``) or
afterwards with :func:`add_event_to_series`, before anyone is imported into it: a
person's identity belongs to the series, so moving an event that already has people
would split or merge identities behind the organiser's back.
"""

from __future__ import annotations

import calendar
import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, Select, func, insert, select, update

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.dates import iso_date
from facilitation.events.rules import load_event
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.store.queries import read_from
from facilitation.text import MAX_ENTRY, MAX_LONG, MAX_NAME, clean_text

__all__ = [
    "MAX_MEETINGS",
    "ROLES",
    "PlannedMeeting",
    "Review",
    "Series",
    "SlotPlan",
    "action_reviews",
    "add_event_to_series",
    "create_series",
    "get_series",
    "list_series",
    "parse_slot",
    "plan_dates",
    "plan_series",
    "review_action",
    "series_plan",
    "set_meeting",
    "set_series_roles",
]

# The series' roles, as the community of practice names them (column: words).
ROLES = {
    "convenor": "convenor",
    "curator": "curator",
    "facilitator": "facilitator",
    "administration_lead": "administration lead",
}
MAX_MEETINGS = 60  # five years of monthly meetings in one plan
MAX_MINUTES = 720
DEFAULT_SKIP = (8, 12)  # the summer and winter breaks: August and December


@dataclass(frozen=True)
class Series:
    """A series of events, with how many events it holds so far."""

    id: int
    name: str
    description: str
    events: int
    created_at: str
    convenor: str = ""
    curator: str = ""
    facilitator: str = ""
    administration_lead: str = ""

    @property
    def roles(self) -> dict[str, str]:
        """The series' roles by their words ("administration lead"), named or ""."""
        return {words: getattr(self, col) for col, words in ROLES.items()}


def create_series(
    store: Store,
    actor: Actor,
    name: str,
    description: str = "",
    *,
    client_token: str | None = None,
) -> int:
    """Create a series of events (organiser or facilitator); returns its id.

    Examples
    --------
    >>> import os, tempfile
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER, table_actor
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> sid = create_series(store, ORGANISER, "Systems leadership community of practice")
    >>> [x.name for x in list_series(store)]
    ['Systems leadership community of practice']
    >>> create_series(store, table_actor(1), "Mine")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the organiser's page or the facilitator's console can create a series; table 1 cannot.
    """
    require(actor, "organiser", "facilitator", action="create a series")
    clean_name = clean_text(name, field="series name", max_length=MAX_NAME)
    clean_description = clean_text(
        description, field="description", max_length=MAX_LONG, multiline=True, required=False
    )

    def fn(conn: Connection) -> Change:
        sid = conn.execute(
            insert(s.series)
            .values(
                name=clean_name,
                description=clean_description,
                created_at=now(),
                calendar_nonce=secrets.token_hex(16),
            )
            .returning(s.series.c.id)
        ).scalar_one()
        return Change("create series", "series", sid, {"name": clean_name}, sid)

    return int(store.write(fn, actor=actor, event_id=None, client_token=client_token).result)


def _series_query() -> Select[Any]:
    n_events = (
        select(func.count())
        .where(s.events.c.series_id == s.series.c.id, s.events.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    return select(s.series, n_events.label("n_events")).where(s.series.c.deleted_at.is_(None))


def _from_row(r: Row[Any]) -> Series:
    m = r._mapping
    roles = {col: m[col] or "" for col in ROLES}
    return Series(m["id"], m["name"], m["description"], int(m["n_events"]), m["created_at"], **roles)


def list_series(store: Store) -> list[Series]:
    """Every series, oldest first, with its number of events."""
    return store.read(lambda c: [_from_row(r) for r in c.execute(_series_query().order_by(s.series.c.id))])


def get_series(store: Store, series_id: int) -> Series:
    """One series; raises :class:`NotFound` when there is none."""

    def q(conn: Connection) -> Series:
        row = conn.execute(_series_query().where(s.series.c.id == int(series_id))).first()
        if row is None:
            raise NotFound(f"There is no series {series_id}. `facilitate series list` shows them.")
        return _from_row(row)

    return store.read(q)


def add_event_to_series(
    store: Store, actor: Actor, event_id: int, series_id: int, *, client_token: str | None = None
) -> int:
    """Put an event into a series (organiser or facilitator), before people are imported.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import ORGANISER
    >>> from facilitation.events.rules import get_event
    >>> store, ev = scratch_event()
    >>> sid = create_series(store, ORGANISER, "Frailty programme")
    >>> add_event_to_series(store, ORGANISER, ev, sid) == sid
    True
    >>> get_event(store, ev).series_id == sid
    True
    """
    require(actor, "organiser", "facilitator", action="add an event to a series")

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        exists = conn.execute(
            select(s.series.c.id).where(s.series.c.id == int(series_id), s.series.c.deleted_at.is_(None))
        ).first()
        if exists is None:
            raise NotFound(f"There is no series {series_id}.")
        if ev.series_id == int(series_id):
            return Change("add event to series", "event", event_id, {"series": series_id}, int(series_id))
        people = conn.execute(
            select(func.count()).select_from(s.attendance).where(s.attendance.c.event_id == event_id)
        ).scalar_one()
        if people:
            raise FacilitationError(
                f"Event {event_id} already has {people} people; add an event to a series before "
                "importing people, so that each person keeps one identity across the series."
            )
        conn.execute(update(s.events).where(s.events.c.id == event_id).values(series_id=int(series_id)))
        return Change("add event to series", "event", event_id, {"series": series_id}, int(series_id))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


# --- the monthly slot ----------------------------------------------------------------------------

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}


@dataclass(frozen=True)
class SlotPlan:
    """A checked monthly slot: which weekday of which week, when, how long, and how many."""

    year: int
    month: int
    weekday: int  # Monday 0 ... Sunday 6
    week: int  # 1-4, or -1 for the last such weekday of the month
    start_time: str  # HH:MM
    minutes: int
    count: int
    skip_months: tuple[int, ...]

    def describe(self) -> str:
        """The slot in words: "the 2nd Tuesday of each month, 14:00 for 90 minutes"."""
        skip = ", ".join(calendar.month_name[m] for m in self.skip_months) or "none"
        return (
            f"the {_ORDINAL[self.week]} {calendar.day_name[self.weekday]} of each month, "
            f"{self.start_time} for {self.minutes} minutes (months skipped: {skip})"
        )


def plan_dates(
    year: int, month: int, weekday: int, week: int, count: int, skip_months: tuple[int, ...] = DEFAULT_SKIP
) -> list[date]:
    """The dates of ``count`` meetings in one monthly slot, from ``year``-``month`` on.

    ``weekday`` is Monday 0 ... Sunday 6; ``week`` is 1-4 (the 1st to 4th such weekday,
    which every month has) or -1 (the last one, the 4th or 5th). There is no week 5:
    most months have no 5th Tuesday, and a plan that moved those meetings elsewhere, or
    dropped them, would do so silently; "last" says what it means. Months in
    ``skip_months`` (1-12; by default August and December) have no meeting.

    Examples
    --------
    The 2nd Tuesday of each month from January 2027, ten meetings, breaks in August
    and December:

    >>> [d.isoformat() for d in plan_dates(2027, 1, 1, 2, 10)]  # doctest: +NORMALIZE_WHITESPACE
    ['2027-01-12', '2027-02-09', '2027-03-09', '2027-04-13', '2027-05-11', '2027-06-08',
     '2027-07-13', '2027-09-14', '2027-10-12', '2027-11-09']
    >>> [d.isoformat() for d in plan_dates(2027, 7, 4, -1, 3, skip_months=())]  # last Fridays
    ['2027-07-30', '2027-08-27', '2027-09-24']
    >>> plan_dates(2027, 11, 1, 2, 2)  # December skipped: the year turns
    [datetime.date(2027, 11, 9), datetime.date(2028, 1, 11)]
    >>> plan_dates(2027, 1, 1, 5, 1)
    Traceback (most recent call last):
    ...
    ValueError: week must be 1-4 or -1 (the last), not 5
    """
    if week not in (1, 2, 3, 4, -1):
        raise ValueError(f"week must be 1-4 or -1 (the last), not {week}")
    if not set(range(1, 13)) - set(skip_months):
        raise ValueError("every month is skipped")
    out: list[date] = []
    y, m = year, month
    while len(out) < count:
        if m not in skip_months:
            first_weekday, days = calendar.monthrange(y, m)
            first = 1 + (weekday - first_weekday) % 7  # the first such weekday of the month
            day = first + 7 * ((days - first) // 7) if week == -1 else first + 7 * (week - 1)
            out.append(date(y, m, day))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_number(text: str) -> int:
    key = text.strip().lower()
    if key.isdigit() and 1 <= int(key) <= 12:
        return int(key)
    matches = {i for name, i in _MONTHS.items() if len(key) >= 3 and name.startswith(key)}
    if len(matches) != 1:
        raise FacilitationError(
            f"'{text.strip()[:20]}' is not a month: give month numbers or names, "
            "like --skip-months 8,12 or aug,dec."
        )
    return matches.pop()


def parse_slot(
    start: str,
    weekday: str,
    week: str | int,
    start_time: str,
    minutes: str | int,
    count: str | int,
    *,
    skip_months: str | None = None,
    include_august: bool = False,
    include_december: bool = False,
) -> SlotPlan:
    """Check a monthly slot as typed; the first problem is one line that says what to type.

    Examples
    --------
    >>> parse_slot("2027-01", "tuesday", "2", "14:00", "90", "10").describe()
    'the 2nd Tuesday of each month, 14:00 for 90 minutes (months skipped: August, December)'
    >>> parse_slot("2027-01", "Fri", "last", "9:30", 150, 6, include_august=True).skip_months
    (12,)
    >>> parse_slot("2027-01", "tue", 2, "14:00", 90, 10, skip_months="jul, 8").skip_months
    (7, 8)
    >>> parse_slot("2027-13", "tuesday", 2, "14:00", 90, 10)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The start month is a month like 2027-01 (year-month), not '2027-13'.
    >>> parse_slot("2027-01", "funday", 2, "14:00", 90, 10)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: 'funday' is not a weekday: type one like tuesday (or tue).
    >>> parse_slot("2027-01", "tuesday", 5, "14:00", 90, 10)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: --week 5 is refused: most months have no 5th tuesday, and those meetings would move or vanish. Use --week last for the last tuesday of each month, or 1-4.
    >>> parse_slot("2027-01", "tuesday", 2, "25:99", 90, 10)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The start time is a time like 14:00 (24-hour hours:minutes), not '25:99'.
    >>> parse_slot("2027-01", "tuesday", 2, "14:00", 0, 10)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A meeting lasts 1 to 720 minutes, not 0.
    >>> parse_slot("2027-01", "tuesday", 2, "14:00", 90, 0)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Plan 1 to 60 meetings, not 0.
    """
    found = re.fullmatch(r"(\d{4})-(\d{2})", str(start).strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        shown = str(start).strip()[:20]
        raise FacilitationError(f"The start month is a month like 2027-01 (year-month), not '{shown}'.")
    year, month = int(found.group(1)), int(found.group(2))
    day_key = str(weekday).strip().lower()
    matches = {i for name, i in _WEEKDAYS.items() if len(day_key) >= 3 and name.startswith(day_key)}
    if len(matches) != 1:
        shown = str(weekday).strip()[:20]
        raise FacilitationError(f"'{shown}' is not a weekday: type one like tuesday (or tue).")
    day = matches.pop()
    week_text = str(week).strip().lower()
    if week_text == "last":
        week_number = -1
    elif week_text in ("1", "2", "3", "4"):
        week_number = int(week_text)
    elif week_text == "5":
        name = calendar.day_name[day].lower()
        raise FacilitationError(
            f"--week 5 is refused: most months have no 5th {name}, and those meetings would move or "
            f"vanish. Use --week last for the last {name} of each month, or 1-4."
        )
    else:
        raise FacilitationError(f"The week is 1, 2, 3, 4 or last, not '{week_text[:20]}'.")
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", str(start_time).strip())
    if not clock or int(clock.group(1)) > 23 or int(clock.group(2)) > 59:
        shown = str(start_time).strip()[:20]
        raise FacilitationError(
            f"The start time is a time like 14:00 (24-hour hours:minutes), not '{shown}'."
        )
    time_text = f"{int(clock.group(1)):02d}:{clock.group(2)}"
    length = _whole_number(minutes, "A meeting's length in minutes")
    if not 1 <= length <= MAX_MINUTES:
        raise FacilitationError(f"A meeting lasts 1 to {MAX_MINUTES} minutes, not {length}.")
    how_many = _whole_number(count, "The number of meetings")
    if not 1 <= how_many <= MAX_MEETINGS:
        raise FacilitationError(f"Plan 1 to {MAX_MEETINGS} meetings, not {how_many}.")
    if skip_months is not None:
        skip = {_month_number(x) for x in str(skip_months).split(",") if x.strip()}
    else:
        skip = set(DEFAULT_SKIP)
    if include_august:
        skip.discard(8)
    if include_december:
        skip.discard(12)
    if len(skip) == 12:
        raise FacilitationError("Every month is skipped; leave at least one month for meetings.")
    return SlotPlan(year, month, day, week_number, time_text, length, how_many, tuple(sorted(skip)))


def _whole_number(value: str | int, what: str) -> int:
    if isinstance(value, bool):
        raise FacilitationError(f"{what} is a whole number, like 10.")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"-?\d{1,6}", text):
        raise FacilitationError(f"{what} is a whole number, like 10, not '{text[:20]}'.")
    return int(text)


# --- planned meetings and roles ------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedMeeting:
    """A planned meeting of a series, numbered in date order; held when an event has its date."""

    number: int
    id: int
    starts_on: str
    start_time: str
    minutes: int
    senior_leader: str
    event_id: int | None
    event_title: str

    @property
    def held(self) -> bool:
        """Whether an event of the series is on this meeting's date."""
        return self.event_id is not None


def _require_series(conn: Connection, series_id: int) -> Any:
    row = conn.execute(
        select(s.series).where(s.series.c.id == int(series_id), s.series.c.deleted_at.is_(None))
    ).first()
    if row is None:
        raise NotFound(f"There is no series {series_id}. `facilitate series list` shows them.")
    return row


def _event_dates(conn: Connection, series_id: int) -> dict[str, tuple[int, str]]:
    """The series' live events by date (the first made, when two share a date)."""
    out: dict[str, tuple[int, str]] = {}
    for r in conn.execute(
        select(s.events.c.id, s.events.c.title, s.events.c.starts_on)
        .where(s.events.c.series_id == int(series_id), s.events.c.deleted_at.is_(None))
        .order_by(s.events.c.id)
    ):
        if r.starts_on and r.starts_on not in out:
            out[r.starts_on] = (int(r.id), r.title)
    return out


def _meetings(conn: Connection, series_id: int) -> list[PlannedMeeting]:
    held = _event_dates(conn, series_id)
    rows = conn.execute(
        select(s.series_meetings)
        .where(s.series_meetings.c.series_id == int(series_id), s.series_meetings.c.deleted_at.is_(None))
        .order_by(s.series_meetings.c.starts_on, s.series_meetings.c.id)
    ).mappings()
    out = []
    for number, r in enumerate(rows, start=1):
        event_id, title = held.get(r["starts_on"], (None, ""))
        out.append(
            PlannedMeeting(
                number, r["id"], r["starts_on"], r["start_time"], r["minutes"], r["senior_leader"],
                event_id, title,
            )
        )  # fmt: skip
    return out


def series_plan(store: Store | Connection, series_id: int) -> list[PlannedMeeting]:
    """The planned meetings of a series in date order, numbered from 1."""

    def q(conn: Connection) -> list[PlannedMeeting]:
        _require_series(conn, series_id)
        return _meetings(conn, series_id)

    return read_from(store, q)


def plan_series(
    store: Store, actor: Actor, series_id: int, slot: SlotPlan, *, client_token: str | None = None
) -> dict[str, int]:
    """Plan a series' meetings in one monthly slot (organiser only).

    Re-planning replaces the planned meetings no event has held yet: one on a date
    the new plan keeps takes the new time and length (and keeps its senior leader),
    the others are removed (soft: the rows stay). A meeting already held (an event
    of the series is on its date) is never changed or removed. Returns how many
    meetings were ``planned`` (new), ``kept`` (held, untouched), ``updated`` and ``removed``.

    Examples
    --------
    >>> import os, tempfile
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER, FACILITATOR
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> sid = create_series(store, ORGANISER, "Community of practice")
    >>> plan_series(store, ORGANISER, sid, parse_slot("2027-01", "tuesday", 2, "14:00", 90, 10))
    {'planned': 10, 'updated': 0, 'removed': 0, 'kept': 0}
    >>> [m.starts_on for m in series_plan(store, sid)][:2]
    ['2027-01-12', '2027-02-09']
    >>> plan_series(store, FACILITATOR, sid, parse_slot("2027-01", "tuesday", 2, "14:00", 90, 1))
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the organiser's page can plan a series' meetings; facilitator cannot.
    """
    require(actor, "organiser", action="plan a series' meetings")
    dates = [
        d.isoformat()
        for d in plan_dates(slot.year, slot.month, slot.weekday, slot.week, slot.count, slot.skip_months)
    ]

    def fn(conn: Connection) -> Change:
        _require_series(conn, series_id)
        existing = _meetings(conn, series_id)
        at = now()
        counts = {"planned": 0, "updated": 0, "removed": 0, "kept": 0}
        on_date = {m.starts_on: m for m in existing}
        for m in existing:
            if m.held:
                counts["kept"] += 1
            elif m.starts_on in dates:
                conn.execute(
                    update(s.series_meetings)
                    .where(s.series_meetings.c.id == m.id)
                    .values(start_time=slot.start_time, minutes=slot.minutes, updated_at=at)
                )
                counts["updated"] += 1
            else:
                conn.execute(
                    update(s.series_meetings).where(s.series_meetings.c.id == m.id).values(deleted_at=at)
                )
                counts["removed"] += 1
        for day in dates:
            if day in on_date:
                continue
            conn.execute(
                insert(s.series_meetings).values(
                    series_id=int(series_id), starts_on=day, start_time=slot.start_time,
                    minutes=slot.minutes, created_at=at,
                )
            )  # fmt: skip
            counts["planned"] += 1
        detail = {"slot": slot.describe(), "from": slot.year * 100 + slot.month, **counts}
        return Change("plan series", "series", int(series_id), detail, counts)

    return dict(store.write(fn, actor=actor, event_id=None, client_token=client_token).result)


def set_series_roles(
    store: Store, actor: Actor, series_id: int, *, client_token: str | None = None, **roles: str
) -> Series:
    """Name the series' convenor, curator, facilitator or administration lead (organiser only).

    Only the roles given change; "" clears one.

    Examples
    --------
    >>> import os, tempfile
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> sid = create_series(store, ORGANISER, "Community of practice")
    >>> set_series_roles(store, ORGANISER, sid, convenor="Asha Patel", administration_lead="Tom Reid").roles
    {'convenor': 'Asha Patel', 'curator': '', 'facilitator': '', 'administration lead': 'Tom Reid'}
    >>> set_series_roles(store, ORGANISER, sid, chair="Me")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A series has no role 'chair'; its roles are convenor, curator, facilitator, administration lead.
    """
    require(actor, "organiser", action="name a series' roles")
    values: dict[str, str] = {}
    for key, name in roles.items():
        if key not in ROLES:
            raise FacilitationError(
                f"A series has no role '{key}'; its roles are {', '.join(ROLES.values())}."
            )
        values[key] = clean_text(name, field=ROLES[key], max_length=MAX_NAME, required=False)

    def fn(conn: Connection) -> Change:
        _require_series(conn, series_id)
        if values:
            conn.execute(update(s.series).where(s.series.c.id == int(series_id)).values(**values))
        return Change("set series roles", "series", int(series_id), values, int(series_id))

    store.write(fn, actor=actor, event_id=None, client_token=client_token)
    return get_series(store, series_id)


def set_meeting(
    store: Store,
    actor: Actor,
    series_id: int,
    number: int,
    *,
    senior_leader: str,
    client_token: str | None = None,
) -> PlannedMeeting:
    """Name the senior leader of planned meeting ``number`` (as `series show` numbers them).

    Organiser only; a held meeting may still be given its senior leader.
    """
    require(actor, "organiser", action="name a meeting's senior leader")
    leader = clean_text(senior_leader, field="senior leader", max_length=MAX_NAME, required=False)

    def fn(conn: Connection) -> Change:
        _require_series(conn, series_id)
        meetings = _meetings(conn, series_id)
        if not meetings:
            raise FacilitationError(
                f"Series {series_id} has no planned meetings yet: `facilitate series plan {series_id} ...` plans them."
            )
        if isinstance(number, bool) or not 1 <= int(number) <= len(meetings):
            raise FacilitationError(
                f"Series {series_id} has meetings 1 to {len(meetings)}, not {number}; `facilitate series show` lists them."
            )
        m = meetings[int(number) - 1]
        conn.execute(
            update(s.series_meetings)
            .where(s.series_meetings.c.id == m.id)
            .values(senior_leader=leader, updated_at=now())
        )
        detail = {"meeting": m.starts_on, "senior_leader": leader}
        return Change("set senior leader", "series meeting", m.id, detail, m.id)

    store.write(fn, actor=actor, event_id=None, client_token=client_token)
    return series_plan(store, series_id)[int(number) - 1]


# --- reviewing open actions at a later meeting ---------------------------------------------------


@dataclass(frozen=True)
class Review:
    """One review of an action at a meeting of its series: who, when, what and why."""

    id: int
    action_id: int
    meeting_event_id: int | None
    meeting_on: str | None
    outcome: str
    moved_to: str | None
    note: str
    reviewed_by: str
    created_at: str


def _earlier(ev_date: str | None, ev_id: int, other_date: str | None, other_id: int) -> bool:
    """Whether the other event came before this one: an earlier date, else a lower id."""
    if ev_date and other_date and other_date != ev_date:
        return other_date < ev_date
    return other_id < ev_id


def review_action(
    store: Store,
    actor: Actor,
    event_id: int,
    action_id: int,
    outcome: str,
    note: str = "",
    moved_to: str | None = None,
    *,
    client_token: str | None = None,
) -> int:
    """Review an open action of an earlier meeting of this event's series; returns the review's id.

    ``outcome`` is ``done``, ``moved`` (to the new due date ``moved_to``) or ``dropped``;
    the action's status (or due date) follows, and the review is a row of its own, so
    the history stays: a moved action can be reviewed again at the next meeting. The
    organiser or the facilitator reviews; an action of another series, of this meeting
    or a later one, or one already done or dropped is refused.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR, table_actor
    >>> store, ev = scratch_event()
    >>> review_action(store, table_actor(1), ev, 1, "done")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console or the organiser's page can review an action; table 1 cannot.
    >>> review_action(store, FACILITATOR, ev, 1, "finished")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A review is done, moved or dropped, not 'finished'.
    >>> review_action(store, FACILITATOR, ev, 1, "moved")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A moved action needs its new due date, like 2027-03-09.
    """
    require(actor, "facilitator", "organiser", action="review an action")
    if outcome not in s.REVIEW_OUTCOMES:
        raise FacilitationError(f"A review is done, moved or dropped, not '{str(outcome)[:20]}'.")
    new_date = iso_date(moved_to, "new due date")
    if outcome == "moved" and new_date is None:
        raise FacilitationError("A moved action needs its new due date, like 2027-03-09.")
    if outcome != "moved" and new_date is not None:
        raise FacilitationError(f"Only a moved action takes a new date; this one is {outcome}.")
    clean_note = clean_text(note, field="note", max_length=MAX_ENTRY, multiline=True, required=False)

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        if ev.series_id is None:
            raise FacilitationError(
                f"Event {event_id} is not in a series, so it has no actions of earlier meetings to review."
            )
        row = conn.execute(
            select(
                s.actions.c.id, s.actions.c.text, s.actions.c.status, s.actions.c.due_on,
                s.events.c.id.label("event_id"), s.events.c.series_id, s.events.c.starts_on,
            )
            .join(s.groups, s.groups.c.id == s.actions.c.group_id)
            .join(s.events, s.events.c.id == s.groups.c.event_id)
            .where(
                s.actions.c.id == int(action_id), s.actions.c.deleted_at.is_(None),
                s.groups.c.deleted_at.is_(None), s.events.c.deleted_at.is_(None),
            )
        ).first()  # fmt: skip
        if row is None:
            raise NotFound(
                f"There is no action {action_id}; `facilitate series review {event_id}` lists them."
            )
        if row.series_id != ev.series_id:
            raise FacilitationError(
                f"Action {action_id} belongs to another series; a meeting reviews its own series' actions."
            )
        if not _earlier(ev.starts_on, ev.id, row.starts_on, row.event_id):
            raise FacilitationError(
                f"Action {action_id} is from this meeting or a later one (event {row.event_id}); "
                "a meeting reviews the actions of earlier meetings."
            )
        if row.status in ("done", "dropped"):
            raise FacilitationError(
                f"Action {action_id} is already {row.status}; only open actions are reviewed."
            )
        if new_date is not None and ev.starts_on and new_date < ev.starts_on:
            raise FacilitationError(
                f"The new due date {new_date} is before this meeting ({ev.starts_on}); move it to a later date."
            )
        at = now()
        rid = conn.execute(
            insert(s.action_reviews)
            .values(
                action_id=row.id, meeting_event_id=ev.id, meeting_on=ev.starts_on, outcome=outcome,
                moved_to=new_date, note=clean_note, reviewed_by=actor.label, created_at=at,
            )
            .returning(s.action_reviews.c.id)
        ).scalar_one()  # fmt: skip
        values: dict[str, Any] = {"updated_at": at}
        if outcome == "moved":
            values["due_on"] = new_date
        else:
            values["status"] = outcome
        conn.execute(update(s.actions).where(s.actions.c.id == row.id).values(**values))
        detail = {"action": row.id, "outcome": outcome, "moved_to": new_date, "was_due": row.due_on,
                  "note": clean_note}  # fmt: skip
        return Change("review action", "action", row.id, detail, int(rid))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def action_reviews(store: Store | Connection, action_ids: list[int]) -> dict[int, list[Review]]:
    """The reviews of each action, oldest first (every one is kept)."""

    def q(conn: Connection) -> dict[int, list[Review]]:
        out: dict[int, list[Review]] = {int(a): [] for a in action_ids}
        if not out:
            return out
        for r in conn.execute(
            select(s.action_reviews)
            .where(s.action_reviews.c.action_id.in_(list(out)))
            .order_by(s.action_reviews.c.id)
        ).mappings():
            out[r["action_id"]].append(
                Review(
                    r["id"], r["action_id"], r["meeting_event_id"], r["meeting_on"], r["outcome"],
                    r["moved_to"], r["note"], r["reviewed_by"], r["created_at"],
                )
            )  # fmt: skip
        return out

    return read_from(store, q)
