"""Events: creation from a template, the phase, the timer, the input lock, and keys.

Every page follows the event's current phase; only the facilitator moves it, and a
step back never deletes anything.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from facilitation.access import (
    FACILITATOR,
    Actor,
    derive_key,
    hash_key,
    keys_match,
    new_join_code,
    require,
    table_actor,
)
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.dates import iso_date
from facilitation.events.templates import Phase, VotingRules, load_template
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.store.queries import read_from
from facilitation.text import MAX_ENTRY, MAX_NAME, clean_text

__all__ = [
    "ARCHIVED",
    "MAX_PHASE_MINUTES",
    "MAX_TIMER_MINUTES",
    "PROJECTOR_THEMES",
    "Display",
    "Event",
    "EventKeys",
    "PhaseEdit",
    "TableInfo",
    "archive_event",
    "authenticate",
    "create_event",
    "delete_event",
    "display_settings",
    "edit_event",
    "event_keys",
    "extend_timer",
    "find_event",
    "get_event",
    "list_events",
    "list_tables",
    "load_event",
    "mark_table_done",
    "move_phase",
    "pace_minutes",
    "pause_timer",
    "phase_index",
    "rehearse_event",
    "require_open_for_input",
    "set_display",
    "set_input_lock",
    "set_phase",
    "start_timer",
    "table_for_join_code",
    "timer_minutes",
]


@dataclass(frozen=True)
class TableInfo:
    """A table at an event."""

    id: int
    number: int
    name: str
    done_phase: int | None


@dataclass(frozen=True)
class Event:
    """An event as pages show it: framing, phase, timer, lock and voting state."""

    id: int
    series_id: int | None
    title: str
    template: str
    starts_on: str | None
    challenge: str
    purpose: str
    key_question: str
    success_measures: tuple[str, ...]
    context_briefing: str
    priority_areas: tuple[str, ...]
    phases: tuple[Phase, ...]
    phase_index: int
    timer_ends_at: float | None
    timer_remaining: float | None
    input_locked: bool
    voting_rules: VotingRules
    voting_round: int
    runoff_themes: tuple[int, ...]
    votes_revealed: bool
    join_code: str
    created_at: str
    closed_round: int = 0  # the highest round revealed: its voting is closed for good
    archived_at: str | None = None  # archived: hidden from lists, its pages closed
    priority_circle: str = "facilitator"  # who places themes and groups: facilitator or tables
    circle_shown: bool = False  # the projector shows the priority circle

    @property
    def voting_closed(self) -> bool:
        """Whether the current round's votes were revealed, which closes its voting."""
        return self.closed_round >= self.voting_round

    @property
    def phase(self) -> Phase:
        """The current phase."""
        return self.phases[self.phase_index]

    def seconds_left(self, at: float | None = None) -> float | None:
        """Seconds left on the timer, or None when no timer is set."""
        if self.timer_ends_at is not None:
            return max(0.0, self.timer_ends_at - (at if at is not None else time.time()))
        return self.timer_remaining

    @property
    def timer_running(self) -> bool:
        """Whether the countdown is running (not paused, not unset)."""
        return self.timer_ends_at is not None


@dataclass(frozen=True)
class EventKeys:
    """The secrets of an event, shown to whoever created it. Keep them off the projector."""

    event_id: int
    join_code: str
    facilitator: str
    organiser: str
    tables: dict[int, str]


def load_event(conn: Connection, event_id: int, *, for_share: bool = False) -> Event:
    """Read one event inside a transaction (``for_share`` locks it against phase moves)."""
    q = select(s.events).where(s.events.c.id == int(event_id), s.events.c.deleted_at.is_(None))
    if for_share:
        q = q.with_for_update(read=True)
    row = conn.execute(q).mappings().first()
    if row is None:
        raise NotFound(f"There is no event {event_id}. `facilitate list` shows the events.")
    return _event_from_row(row)


def _event_from_row(row: Any) -> Event:
    rules = json.loads(row["voting_rules"])
    return Event(
        id=row["id"],
        series_id=row["series_id"],
        title=row["title"],
        template=row["template"],
        starts_on=row["starts_on"],
        challenge=row["challenge"],
        purpose=row["purpose"],
        key_question=row["key_question"],
        success_measures=tuple(json.loads(row["success_measures"])),
        context_briefing=row["context_briefing"],
        priority_areas=tuple(json.loads(row["priority_areas"])),
        phases=tuple(Phase(**p) for p in json.loads(row["phases"])),
        phase_index=row["phase_index"],
        timer_ends_at=row["timer_ends_at"],
        timer_remaining=row["timer_remaining"],
        input_locked=bool(row["input_locked"]),
        voting_rules=VotingRules(**rules),
        voting_round=row["voting_round"],
        runoff_themes=tuple(json.loads(row["runoff_themes"])),
        votes_revealed=bool(row["votes_revealed"]),
        priority_circle=row.get("priority_circle") or "facilitator",
        circle_shown=bool(row.get("circle_shown")),
        join_code=row["join_code"],
        created_at=row["created_at"],
        closed_round=int(row.get("closed_round") or 0),
        archived_at=row.get("archived_at"),
    )


def get_event(store: Store | Connection, event_id: int) -> Event:
    """The event with id ``event_id``; raises :class:`NotFound` when there is none.

    Given a connection, reads inside the caller's transaction (as :func:`load_event`, which
    also locks the row when asked: ``for_share``).
    """
    return read_from(store, lambda c: load_event(c, event_id))


def find_event(store: Store, ref: str | int) -> Event:
    """An event by id or by join code, as the command line accepts either."""
    text = str(ref).strip()
    if text.isdigit():
        return get_event(store, int(text))

    def q(conn: Connection) -> Event:
        row = conn.execute(
            select(s.events.c.id).where(s.events.c.join_code == text.upper(), s.events.c.deleted_at.is_(None))
        ).first()
        if row is None:
            raise NotFound(f"No event has the id or join code '{text}'.")
        return load_event(conn, row.id)

    return store.read(q)


def list_events(
    store: Store | Connection, series_id: int | None = None, *, archived: bool = False
) -> list[Event]:
    """Every event (of one series, when given), oldest first; archived ones only with ``archived``."""

    def q(conn: Connection) -> list[Event]:
        query = select(s.events).where(s.events.c.deleted_at.is_(None)).order_by(s.events.c.id)
        if not archived:
            query = query.where(s.events.c.archived_at.is_(None))
        if series_id is not None:
            query = query.where(s.events.c.series_id == series_id)
        return [_event_from_row(r) for r in conn.execute(query).mappings()]

    return store.read(q) if isinstance(store, Store) else q(store)


def list_tables(store: Store | Connection, event_id: int) -> list[TableInfo]:
    """The tables of an event, by number (given a connection, inside the caller's transaction)."""

    def q(conn: Connection) -> list[TableInfo]:
        rows = conn.execute(
            select(s.event_tables)
            .where(s.event_tables.c.event_id == event_id, s.event_tables.c.deleted_at.is_(None))
            .order_by(s.event_tables.c.number)
        ).mappings()
        return [TableInfo(r["id"], r["number"], r["name"], r["done_phase"]) for r in rows]

    return read_from(store, q)


def table_id(conn: Connection, event_id: int, number: int) -> int:
    """The row id of table ``number`` at an event; raises :class:`NotFound`."""
    row = conn.execute(
        select(s.event_tables.c.id).where(
            s.event_tables.c.event_id == event_id,
            s.event_tables.c.number == int(number),
            s.event_tables.c.deleted_at.is_(None),
        )
    ).first()
    if row is None:
        raise NotFound(f"This event has no table {number}.")
    return int(row.id)


def create_event(
    store: Store,
    actor: Actor,
    *,
    template: str,
    title: str,
    tables: int | None = None,
    series_id: int | None = None,
    starts_on: str | None = None,
    challenge: str = "",
    purpose: str = "",
    key_question: str = "",
    success_measures: list[str] | tuple[str, ...] = (),
    context_briefing: str = "",
    client_token: str | None = None,
) -> EventKeys:
    """Create an event from a template and return its keys (shown once, to its creator).

    Examples
    --------
    >>> import tempfile, os
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "e.db"))
    >>> keys = create_event(store, ORGANISER, template="innovation-challenge-half-day",
    ...                     title="Frailty in the community", tables=4)
    >>> sorted(keys.tables)
    [1, 2, 3, 4]
    >>> get_event(store, keys.event_id).phase.name
    'framing'
    """
    require(actor, "organiser", "facilitator", action="create an event")
    tpl = load_template(template)
    title = clean_text(title, field="title", max_length=MAX_NAME)
    starts_on = iso_date(starts_on, "event's date")
    n_tables = tpl.tables if tables is None else int(tables)
    if not 1 <= n_tables <= 60:
        raise FacilitationError(f"An event has 1 to 60 tables, not {n_tables}.")
    measures = [clean_text(m, field="success measure") for m in success_measures if str(m).strip()]
    nonce = secrets.token_hex(16)
    keys = {
        "facilitator": derive_key(nonce, "facilitator"),
        "organiser": derive_key(nonce, "organiser"),
    }
    table_keys = {n: derive_key(nonce, f"table:{n}") for n in range(1, n_tables + 1)}

    def fn(conn: Connection) -> Change:
        for _ in range(20):
            code = new_join_code()
            taken = conn.execute(select(s.events.c.id).where(s.events.c.join_code == code)).first()
            if taken is None:
                break
        at = now()
        event_id = conn.execute(
            insert(s.events)
            .values(
                series_id=series_id,
                title=title,
                template=tpl.name,
                starts_on=starts_on,
                challenge=clean_text(
                    challenge, field="challenge", max_length=4000, multiline=True, required=False
                ),
                purpose=clean_text(purpose, field="purpose", max_length=4000, multiline=True, required=False),
                key_question=clean_text(key_question, field="key question", max_length=1000, required=False),
                success_measures=json.dumps(measures, ensure_ascii=False),
                context_briefing=clean_text(
                    context_briefing,
                    field="context briefing",
                    max_length=8000,
                    multiline=True,
                    required=False,
                ),
                priority_areas=json.dumps(list(tpl.priority_areas), ensure_ascii=False),
                priority_circle=tpl.priority_circle,
                phases=json.dumps([p.as_dict() for p in tpl.phases], ensure_ascii=False),
                phase_index=0,
                timer_remaining=float(tpl.phases[0].minutes * 60),
                input_locked=False,
                voting_rules=json.dumps(tpl.voting.as_dict()),
                voting_round=1,
                votes_revealed=False,
                join_code=code,
                key_nonce=nonce,
                facilitator_key_hash=hash_key(keys["facilitator"]),
                organiser_key_hash=hash_key(keys["organiser"]),
                created_at=at,
            )
            .returning(s.events.c.id)
        ).scalar_one()
        for n, key in table_keys.items():
            conn.execute(
                insert(s.event_tables).values(
                    event_id=event_id, number=n, name=f"Table {n}", key_hash=hash_key(key), created_at=at
                )
            )
        return Change(
            "create event",
            "event",
            event_id,
            {"title": title, "template": tpl.name, "tables": n_tables},
            result={"event_id": event_id, "join_code": code},
            event_id=event_id,
        )

    res = store.write(fn, actor=actor, event_id=None, client_token=client_token).result
    return EventKeys(res["event_id"], res["join_code"], keys["facilitator"], keys["organiser"], table_keys)


def event_keys(store: Store, actor: Actor, event_id: int) -> EventKeys:
    """The event's keys again, for links and join cards (organiser or facilitator only)."""
    require(actor, "organiser", "facilitator", action="see the event's keys")

    def q(conn: Connection) -> tuple[str, str, list[int]]:
        row = conn.execute(
            select(s.events.c.key_nonce, s.events.c.join_code).where(s.events.c.id == event_id)
        ).first()
        if row is None:
            raise NotFound(f"There is no event {event_id}.")
        return row.key_nonce, row.join_code, [t.number for t in list_tables(conn, event_id)]

    nonce, code, numbers = store.read(q)
    return EventKeys(
        event_id,
        code,
        derive_key(nonce, "facilitator"),
        derive_key(nonce, "organiser"),
        {n: derive_key(nonce, f"table:{n}") for n in numbers},
    )


def authenticate(store: Store, event_id: int, key: str | None, *, table: int | None = None) -> Actor:
    """The actor a page's key stands for; raises :class:`NotAllowed` for a wrong key.

    With ``table`` given the key must be that table's (or the facilitator's, who may
    open any table page to help).
    """

    def q(conn: Connection) -> Actor:
        ev = conn.execute(
            select(s.events.c.facilitator_key_hash, s.events.c.organiser_key_hash).where(
                s.events.c.id == event_id, s.events.c.deleted_at.is_(None)
            )
        ).first()
        if ev is None:
            raise NotFound(f"There is no event {event_id}. Check the link you were given.")
        if keys_match(key, ev.facilitator_key_hash):
            return FACILITATOR
        if keys_match(key, ev.organiser_key_hash):
            return Actor("organiser")
        for row in conn.execute(
            select(s.event_tables.c.number, s.event_tables.c.key_hash).where(
                s.event_tables.c.event_id == event_id, s.event_tables.c.deleted_at.is_(None)
            )
        ):
            if keys_match(key, row.key_hash):
                if table is not None and int(table) != row.number:
                    raise NotAllowed(
                        f"This link is for table {row.number}, not table {table}. "
                        "Use the link or join card of your own table."
                    )
                return table_actor(row.number)
        raise NotAllowed(
            "This link's key is not right for this event. Ask the facilitator for your table's link."
        )

    actor = store.read(q)
    return actor


def table_for_join_code(store: Store, join_code: str, table: int) -> tuple[int, Actor]:
    """The event and table actor for a join code typed with a choice of table."""
    code = clean_text(join_code, field="join code", max_length=12).upper().replace(" ", "")

    def q(conn: Connection) -> tuple[int, Actor]:
        row = conn.execute(
            select(s.events.c.id, s.events.c.archived_at).where(
                s.events.c.join_code == code, s.events.c.deleted_at.is_(None)
            )
        ).first()
        if row is None:
            raise NotFound(f"No event has the join code {code}. Check the code on the projector.")
        if row.archived_at is not None:
            raise NotAllowed(ARCHIVED)
        table_id(conn, row.id, table)
        return int(row.id), table_actor(table)

    return store.read(q)


# --- the flow ---------------------------------------------------------------------------


def _facilitator_write(
    store: Store,
    actor: Actor,
    event_id: int,
    action: str,
    fn: Any,
    client_token: str | None = None,
) -> Any:
    require(actor, "facilitator", action=action)
    return store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result


def phase_index(phases: tuple[Phase, ...] | list[Phase], target: str) -> int:
    """The index of the phase a person names: its name in any case, or its number as shown.

    Pages and ``facilitate status`` show "phase 3 of 8", so ``"3"`` is the third
    phase (index 2); a name matches without regard to case or surrounding spaces.

    Examples
    --------
    >>> from facilitation.events.templates import load_template
    >>> phases = load_template("innovation-challenge-half-day").phases
    >>> phase_index(phases, "3"), phases[2].name
    (2, 'ideas')
    >>> phase_index(phases, " Voting ") == [p.name for p in phases].index("voting")
    True
    >>> phase_index(phases, "0")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Phases are numbered 1 to 8 as shown ("phase 3 of 8"), not 0.
    """
    text = str(target).strip()
    names = [p.name for p in phases]
    if text.lstrip("+-").isdigit():
        number = int(text)
        if not 1 <= number <= len(phases):
            raise FacilitationError(
                f'Phases are numbered 1 to {len(phases)} as shown ("phase 3 of {len(phases)}"), not {number}.'
            )
        return number - 1
    folded = [n.casefold() for n in names]
    if text.casefold() not in folded:
        raise FacilitationError(
            f"This event has no phase '{text}'. Phases: {', '.join(names)}, or their numbers 1 to {len(names)}."
        )
    return folded.index(text.casefold())


def set_phase(
    store: Store, actor: Actor, event_id: int, target: int | str, *, client_token: str | None = None
) -> str:
    """Move the event to a phase; the timer restarts at its minutes.

    ``target`` is an index from 0 (an ``int``), or what a person types (a ``str``):
    a phase name in any case, or the phase's number as pages show it, from 1
    (see :func:`phase_index`). A step back never deletes anything: entries, themes
    and dots stay where they are.
    """

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        names = [p.name for p in ev.phases]
        index = phase_index(ev.phases, target) if isinstance(target, str) else int(target)
        if not 0 <= index < len(ev.phases):
            raise FacilitationError(
                "That is past the last phase."
                if index >= len(ev.phases)
                else "This is already the first phase."
            )
        phase = ev.phases[index]
        conn.execute(
            update(s.events)
            .where(s.events.c.id == event_id)
            .values(
                phase_index=index,
                timer_ends_at=None,
                timer_remaining=float(phase.minutes * 60),
                input_locked=False,
            )
        )
        # A theme reopened after its vote freezes again when the phase moves.
        conn.execute(
            update(s.theme_reopenings)
            .where(s.theme_reopenings.c.event_id == event_id, s.theme_reopenings.c.closed_at.is_(None))
            .values(closed_at=now())
        )
        return Change(
            "set phase", "event", event_id, {"from": names[ev.phase_index], "to": phase.name}, phase.name
        )

    return _facilitator_write(store, actor, event_id, "move the phase", fn, client_token)


def move_phase(
    store: Store, actor: Actor, event_id: int, step: int, *, client_token: str | None = None
) -> str:
    """Move one phase forward (``step=1``) or back (``step=-1``); returns the new phase name."""
    require(actor, "facilitator", action="move the phase")
    ev = get_event(store, event_id)
    return set_phase(store, actor, event_id, ev.phase_index + step, client_token=client_token)


MAX_TIMER_MINUTES = 240


def timer_minutes(minutes: object, *, what: str = "A timer") -> float:
    """Minutes as a timer takes them: a number from 1 to :data:`MAX_TIMER_MINUTES`.

    Examples
    --------
    >>> timer_minutes("15"), timer_minutes(240)
    (15.0, 240.0)
    >>> timer_minutes(0)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A timer is 1 to 240 minutes, not 0.
    >>> timer_minutes("soon")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A timer is 1 to 240 minutes, not 'soon'.
    """
    shown = repr(minutes) if isinstance(minutes, str) else minutes
    try:
        value = float(minutes) if not isinstance(minutes, bool) else float("nan")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FacilitationError(f"{what} is 1 to {MAX_TIMER_MINUTES} minutes, not {shown}.") from None
    if not 1 <= value <= MAX_TIMER_MINUTES:  # also refuses NaN
        raise FacilitationError(f"{what} is 1 to {MAX_TIMER_MINUTES} minutes, not {shown}.")
    return value


def start_timer(store: Store, actor: Actor, event_id: int, minutes: float | None = None) -> float:
    """Start (or resume) the countdown; returns the epoch second it ends.

    ``minutes`` (1 to 240) sets a new countdown; without it the paused time resumes,
    or the phase's own minutes start.
    """
    chosen = None if minutes is None else timer_minutes(minutes)

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        seconds = chosen * 60 if chosen is not None else (ev.timer_remaining or ev.phase.minutes * 60)
        ends = time.time() + float(seconds)
        conn.execute(
            update(s.events).where(s.events.c.id == event_id).values(timer_ends_at=ends, timer_remaining=None)
        )
        return Change("start timer", "event", event_id, {"seconds": round(seconds)}, ends)

    return _facilitator_write(store, actor, event_id, "start the timer", fn)


def pause_timer(store: Store, actor: Actor, event_id: int) -> float:
    """Pause the countdown; returns the seconds left."""

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        left = ev.seconds_left() or 0.0
        conn.execute(
            update(s.events).where(s.events.c.id == event_id).values(timer_ends_at=None, timer_remaining=left)
        )
        return Change("pause timer", "event", event_id, {"seconds_left": round(left)}, left)

    return _facilitator_write(store, actor, event_id, "pause the timer", fn)


def extend_timer(store: Store, actor: Actor, event_id: int, minutes: float = 5) -> float | None:
    """Add minutes to the countdown, running or paused; the timer never passes 240 minutes."""
    try:
        if not 0 < float(minutes) <= 120:
            raise ValueError
    except (TypeError, ValueError):
        raise FacilitationError(f"Extend the timer by 1 to 120 minutes, not {minutes!r}.") from None
    minutes = float(minutes)

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        left = ev.seconds_left() or 0.0
        if left + minutes * 60 > MAX_TIMER_MINUTES * 60 + 1:
            raise FacilitationError(
                f"A timer is at most {MAX_TIMER_MINUTES} minutes: {int(left // 60)} are left, "
                f"so add at most {max(0, int(MAX_TIMER_MINUTES - left / 60))}."
            )
        values: dict[str, Any]
        if ev.timer_ends_at is not None:
            values = {"timer_ends_at": max(ev.timer_ends_at, time.time()) + minutes * 60}
        else:
            values = {"timer_remaining": (ev.timer_remaining or 0) + minutes * 60}
        conn.execute(update(s.events).where(s.events.c.id == event_id).values(**values))
        return Change("extend timer", "event", event_id, {"minutes": minutes}, next(iter(values.values())))

    return _facilitator_write(store, actor, event_id, "extend the timer", fn)


def set_input_lock(store: Store, actor: Actor, event_id: int, locked: bool) -> bool:
    """Lock or unlock every table's input."""

    def fn(conn: Connection) -> Change:
        load_event(conn, event_id)
        conn.execute(update(s.events).where(s.events.c.id == event_id).values(input_locked=bool(locked)))
        return Change("lock input" if locked else "unlock input", "event", event_id, {}, bool(locked))

    return _facilitator_write(store, actor, event_id, "lock or unlock input", fn)


# --- the room's display: the projector's theme and the chime at zero -------------------------

# "standard": dark text on white; "contrast": light text on black, for bright rooms.
PROJECTOR_THEMES = ("standard", "contrast")
DISPLAY_VERB = "set display"


@dataclass(frozen=True)
class Display:
    """How the room's pages look and sound: the projector's theme, and a chime at zero."""

    projector_theme: str = "standard"
    chime: bool = False


def _display(conn: Connection, event_id: int) -> Display:
    a = s.activity
    settings: dict[str, Any] = {}
    for detail in conn.execute(
        select(a.c.detail).where(a.c.event_id == event_id, a.c.verb == DISPLAY_VERB).order_by(a.c.revision)
    ).scalars():
        settings.update(json.loads(detail or "{}"))
    return Display(
        projector_theme=str(settings.get("projector_theme", "standard")),
        chime=bool(settings.get("chime", False)),
    )


def display_settings(store: Store | Connection, event_id: int) -> Display:
    """The event's display settings (each the last the facilitator chose; kept in the activity log).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> display_settings(store, ev)
    Display(projector_theme='standard', chime=False)
    """
    return (
        store.read(lambda conn: _display(conn, event_id))
        if isinstance(store, Store)
        else _display(store, event_id)
    )


def set_display(
    store: Store,
    actor: Actor,
    event_id: int,
    *,
    projector_theme: str | None = None,
    chime: bool | None = None,
) -> Display:
    """Switch the projector's theme ("standard" or "contrast") or the chime at zero; facilitator only.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event()
    >>> set_display(store, FACILITATOR, ev, projector_theme="contrast", chime=True)
    Display(projector_theme='contrast', chime=True)
    >>> set_display(store, FACILITATOR, ev, projector_theme="neon")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The projector's theme is standard or contrast, not 'neon'.
    """
    detail: dict[str, Any] = {}
    if projector_theme is not None:
        if projector_theme not in PROJECTOR_THEMES:
            raise FacilitationError(
                f"The projector's theme is {' or '.join(PROJECTOR_THEMES)}, not '{projector_theme}'."
            )
        detail["projector_theme"] = projector_theme
    if chime is not None:
        detail["chime"] = bool(chime)
    if not detail:
        raise FacilitationError("Say what to change: the projector's theme or the chime.")

    def fn(conn: Connection) -> Change:
        load_event(conn, event_id)
        # the new row is not in the log yet: fold it in by hand
        now_shown = _display(conn, event_id)
        shown = Display(
            projector_theme=detail.get("projector_theme", now_shown.projector_theme),
            chime=detail.get("chime", now_shown.chime),
        )
        return Change(DISPLAY_VERB, "event", event_id, detail, [shown.projector_theme, shown.chime])

    theme, on = _facilitator_write(store, actor, event_id, "change the room's display", fn)
    return Display(theme, bool(on))


def _epoch(at: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(at).timestamp()


def pace_minutes(store: Store | Connection, event_id: int, at: float | None = None) -> float | None:
    """How far behind the plan the event is, in minutes (negative: ahead); None before it starts.

    The plan runs from the event's start (the first time the facilitator started the
    timer, else the first phase move) through each phase's minutes. The current phase
    is projected to end when its timer does (running, or paused: now plus what is
    left), and never before now; the difference from its planned end is the pace.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event()
    >>> pace_minutes(store, ev) is None
    True
    >>> _ = start_timer(store, FACILITATOR, ev)
    >>> round(pace_minutes(store, ev))
    0
    """

    def q(conn: Connection) -> float | None:
        ev = load_event(conn, event_id)
        a = s.activity
        rows = conn.execute(
            select(a.c.verb, a.c.detail, a.c.at)
            .where(a.c.event_id == event_id, a.c.verb.in_(["start timer", "set phase"]))
            .order_by(a.c.revision)
        ).all()
        if not rows:
            return None
        starts = [r for r in rows if r.verb == "start timer"]
        began = _epoch((starts[0] if starts else rows[0]).at)
        entered = began
        for r in rows:
            if r.verb == "set phase" and json.loads(r.detail or "{}").get("to") == ev.phase.name:
                entered = max(began, _epoch(r.at))
        now_ = time.time() if at is None else at
        planned_end = began + 60 * sum(p.minutes for p in ev.phases[: ev.phase_index + 1])
        if ev.timer_ends_at is not None:
            projected = ev.timer_ends_at
        elif ev.timer_remaining is not None and entered < now_ - 1:
            projected = now_ + ev.timer_remaining
        else:
            projected = entered + 60 * ev.phase.minutes
        return (max(projected, now_) - planned_end) / 60

    return store.read(q) if isinstance(store, Store) else q(store)


def mark_table_done(store: Store, actor: Actor, event_id: int, table: int, done: bool = True) -> bool:
    """A table says it has finished the current phase (shown on the console)."""
    from facilitation.access import require_table

    require_table(actor, table, action="mark the table done", also=("facilitator",))

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        tid = table_id(conn, event_id, table)
        conn.execute(
            update(s.event_tables)
            .where(s.event_tables.c.id == tid)
            .values(done_phase=ev.phase_index if done else None)
        )
        return Change("mark done" if done else "mark not done", "table", tid, {"phase": ev.phase.name}, done)

    return store.write(fn, actor=actor, event_id=event_id).result


def require_open_for_input(conn: Connection, event_id: int, inputs: tuple[str, ...], action: str) -> Event:
    """Inside a table's write: the event exists, input is not locked, and the phase allows it.

    On PostgreSQL the event row is read ``FOR SHARE``: a concurrent phase change waits
    for this write to commit, so nothing lands in a phase that has ended.
    """
    ev = load_event(conn, event_id, for_share=True)
    if ev.input_locked:
        raise FacilitationError(
            "Input is locked by the facilitator. Wait until it is unlocked; nothing was lost."
        )
    if ev.phase.input not in inputs:
        raise FacilitationError(
            f"You cannot {action} during '{ev.phase.title}'. The facilitator moves the event on when it is time."
        )
    return ev


def count_events(store: Store) -> int:
    """How many events the store holds (for `facilitate list` and the demo)."""
    return store.read(lambda c: int(c.execute(select(func.count()).select_from(s.events)).scalar_one()))


# --- changing an event's set-up ---------------------------------------------------------

MAX_PHASE_MINUTES = 240
_FRAMING_LIMITS: dict[str, tuple[str, int, bool]] = {
    # column: (field as people know it, longest length, multiline) -- as create_event has them
    "title": ("title", MAX_NAME, False),
    "challenge": ("challenge", 4000, True),
    "purpose": ("purpose", 4000, True),
    "key_question": ("key question", 1000, False),
    "context_briefing": ("context briefing", 8000, True),
}


@dataclass(frozen=True)
class PhaseEdit:
    """A change to one phase: ``phase`` is its name in any case or its number as shown."""

    phase: str
    minutes: object = None
    prompt: str | None = None


def phase_minutes(minutes: object) -> int:
    """A phase's minutes as a person types them: a whole number from 1 to 240.

    Examples
    --------
    >>> phase_minutes("25")
    25
    >>> phase_minutes(0)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A phase is 1 to 240 minutes, not 0.
    >>> phase_minutes("-5")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A phase is 1 to 240 minutes, not -5.
    """
    text = str(minutes).strip()
    if isinstance(minutes, bool) or not text.lstrip("-").isdigit():
        raise FacilitationError(
            f"A phase is 1 to {MAX_PHASE_MINUTES} minutes (a whole number), not {text!r}."
        )
    value = int(text)
    if not 1 <= value <= MAX_PHASE_MINUTES:
        raise FacilitationError(f"A phase is 1 to {MAX_PHASE_MINUTES} minutes, not {value}.")
    return value


def edit_event(
    store: Store,
    actor: Actor,
    event_id: int,
    *,
    title: str | None = None,
    challenge: str | None = None,
    purpose: str | None = None,
    key_question: str | None = None,
    success_measures: Sequence[str] | None = None,
    context_briefing: str | None = None,
    starts_on: str | None = None,
    phases: Sequence[PhaseEdit] = (),
    table_names: Mapping[int, str] | None = None,
    client_token: str | None = None,
) -> dict[str, Any]:
    """Change a live event's framing, date, phases' minutes and prompts, and tables' names.

    Only what is given changes (``starts_on=""`` clears the date; ``success_measures``
    replaces the list). Everything is checked before anything is written, and the
    change is one write, logged as ``edit event``, so every page follows it. Nothing
    the room entered is touched. Changing the current phase's minutes moves its
    countdown by the difference (running or paused, never below zero). Returns what
    changed, by field.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event(tables=2)
    >>> edit_event(store, FACILITATOR, ev, key_question="Fewer falls?",
    ...            phases=[PhaseEdit("ideas", minutes=40)], table_names={2: "Riverside"})
    {'key_question': 'Fewer falls?', 'phases': {'ideas': {'minutes': 40}}, 'tables': {'2': 'Riverside'}}
    >>> edit_event(store, FACILITATOR, ev, phases=[PhaseEdit("lunch", minutes=5)])
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: This event has no phase 'lunch'. Phases: framing, enablers-blockers, ideas, grouping, voting, collaboration, action-plans, close, or their numbers 1 to 8.
    """
    require(actor, "organiser", "facilitator", action="change the event's set-up")
    values: dict[str, Any] = {}
    for column, given in (
        ("title", title),
        ("challenge", challenge),
        ("purpose", purpose),
        ("key_question", key_question),
        ("context_briefing", context_briefing),
    ):
        if given is not None:
            field, longest, multiline = _FRAMING_LIMITS[column]
            values[column] = clean_text(
                given, field=field, max_length=longest, multiline=multiline, required=column == "title"
            )
    if success_measures is not None:
        values["success_measures"] = [
            clean_text(m, field="success measure") for m in success_measures if str(m).strip()
        ]
    if starts_on is not None:
        values["starts_on"] = iso_date(starts_on, "event's date")
    phase_edits = []
    for edit in phases:
        minutes = None if edit.minutes is None else phase_minutes(edit.minutes)
        prompt = (
            None
            if edit.prompt is None
            else clean_text(edit.prompt, field="prompt", max_length=MAX_ENTRY, multiline=True)
        )
        if minutes is None and prompt is None:
            raise FacilitationError(f"Say what changes in phase '{edit.phase}': its minutes or its prompt.")
        phase_edits.append((edit.phase, minutes, prompt))
    names: dict[int, str] = {}
    for number, name in (table_names or {}).items():
        names[int(number)] = clean_text(name, field="table name", max_length=100)
    if not values and not phase_edits and not names:
        raise FacilitationError(
            "Nothing to change: give a title, challenge, purpose, key question, success measures, "
            "briefing, date, a phase's minutes or prompt, or a table's name."
        )

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        changed: dict[str, Any] = {}
        row: dict[str, Any] = {}
        for column, value in values.items():
            old = list(ev.success_measures) if column == "success_measures" else getattr(ev, column)
            if value != old:
                changed[column] = value
                row[column] = json.dumps(value, ensure_ascii=False) if column == "success_measures" else value
        new_phases = list(ev.phases)
        phase_changes: dict[str, dict[str, Any]] = {}
        delta = 0
        for target, minutes, prompt in phase_edits:
            index = phase_index(ev.phases, target)
            phase = new_phases[index]
            what: dict[str, Any] = {}
            if minutes is not None and minutes != phase.minutes:
                what["minutes"] = minutes
                if index == ev.phase_index:
                    delta += minutes - phase.minutes
                phase = replace(phase, minutes=minutes)
            if prompt is not None and prompt != phase.prompt:
                what["prompt"] = prompt
                phase = replace(phase, prompt=prompt)
            new_phases[index] = phase
            if what:
                phase_changes.setdefault(phase.name, {}).update(what)
        if phase_changes:
            changed["phases"] = phase_changes
            row["phases"] = json.dumps([p.as_dict() for p in new_phases], ensure_ascii=False)
        if delta and ev.timer_ends_at is not None:
            row["timer_ends_at"] = max(time.time(), ev.timer_ends_at + delta * 60)
        elif delta and ev.timer_remaining is not None:
            row["timer_remaining"] = max(0.0, ev.timer_remaining + delta * 60)
        tables = {t.number: t for t in list_tables(conn, event_id)}
        renamed: dict[str, str] = {}
        final = {n: t.name for n, t in tables.items()}
        for number, name in names.items():
            if number not in tables:
                raise FacilitationError(
                    f"This event has no table {number}; its tables are 1 to {max(tables)}."
                )
            final[number] = name
        for number, name in sorted(names.items()):
            others = [n for n, other in final.items() if n != number and other.casefold() == name.casefold()]
            if others:
                raise FacilitationError(
                    f"Table {others[0]} is already called '{final[others[0]]}'; give table {number} another name."
                )
        for number, name in names.items():
            if name != tables[number].name:
                conn.execute(
                    update(s.event_tables).where(s.event_tables.c.id == tables[number].id).values(name=name)
                )
                renamed[str(number)] = name
        if renamed:
            changed["tables"] = renamed
        if row:
            conn.execute(update(s.events).where(s.events.c.id == event_id).values(**row))
        return Change("edit event", "event", event_id, changed, changed)

    return store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result


# --- rehearse, archive, delete ----------------------------------------------------------

ARCHIVED = (
    "This event is archived: its pages are closed. The organiser can reopen them with "
    "`facilitate archive EVENT --undo`."
)
REHEARSAL_PREFIX = "Rehearsal: "


def archive_event(store: Store, actor: Actor, event_id: int, *, archived: bool = True) -> str | None:
    """Archive an event (hidden from lists, its pages refused) or, with ``archived=False``,
    bring it back. Nothing of it is changed or lost. Returns the archive time, or None."""
    require(actor, "organiser", "facilitator", action="archive or reopen the event")

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        if archived and ev.archived_at is not None:
            raise FacilitationError(f"Event {event_id} is archived already (since {ev.archived_at[:16]}).")
        if not archived and ev.archived_at is None:
            raise FacilitationError(f"Event {event_id} is not archived; there is nothing to undo.")
        at = now() if archived else None
        conn.execute(update(s.events).where(s.events.c.id == event_id).values(archived_at=at))
        verb = "archive event" if archived else "unarchive event"
        return Change(verb, "event", event_id, {"title": ev.title}, at)

    return store.write(fn, actor=actor, event_id=event_id).result


def delete_event(store: Store, actor: Actor, event_id: int) -> str:
    """Remove an event from every list, page and command (a soft delete, as every delete
    in the toolkit: the row is kept, marked deleted). Write a backup first: the command
    line does (``facilitate delete EVENT --yes``). Returns the event's title."""
    require(actor, "organiser", "facilitator", action="delete the event")

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        at = now()
        conn.execute(update(s.events).where(s.events.c.id == event_id).values(deleted_at=at))
        return Change("delete event", "event", event_id, {"title": ev.title}, ev.title)

    return store.write(fn, actor=actor, event_id=event_id).result


def rehearse_event(store: Store, actor: Actor, event_id: int, *, title: str | None = None) -> EventKeys:
    """A new event with the set-up of ``event_id`` for a dry run; returns its keys.

    It copies the framing, the phases as they are now (edits included), the voting rules,
    the tables and their names, and the people and their seats (as new people, so a
    change during the rehearsal never touches the real event's). It has no entries,
    themes, dots, links or plans, no series (so a series' figures never count it) and
    no date; it starts at the first phase, with new keys and a new join code.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event(tables=3, phase="voting")
    >>> keys = rehearse_event(store, FACILITATOR, ev)
    >>> dry = get_event(store, keys.event_id)
    >>> dry.title, dry.phase.name, sorted(keys.tables)
    ('Rehearsal: Scratch event', 'framing', [1, 2, 3])
    """
    require(actor, "organiser", "facilitator", action="make a rehearsal of the event")
    nonce = secrets.token_hex(16)
    chosen = None if title is None else clean_text(title, field="title", max_length=MAX_NAME)

    def fn(conn: Connection) -> Change:
        src = (
            conn.execute(
                select(s.events).where(s.events.c.id == int(event_id), s.events.c.deleted_at.is_(None))
            )
            .mappings()
            .first()
        )
        if src is None:
            raise NotFound(f"There is no event {event_id}. `facilitate list` shows the events.")
        ev = _event_from_row(src)
        name = chosen or (REHEARSAL_PREFIX + ev.title)[:MAX_NAME].rstrip()
        for _ in range(20):
            code = new_join_code()
            if conn.execute(select(s.events.c.id).where(s.events.c.join_code == code)).first() is None:
                break
        at = now()
        copied = {
            c: src[c]
            for c in (
                "template", "challenge", "purpose", "key_question", "success_measures",
                "context_briefing", "priority_areas", "priority_circle", "phases", "voting_rules",
            )
        }  # fmt: skip
        new_id = conn.execute(
            insert(s.events)
            .values(
                **copied,
                series_id=None,
                title=name,
                starts_on=None,
                phase_index=0,
                timer_remaining=float(ev.phases[0].minutes * 60),
                input_locked=False,
                voting_round=1,
                votes_revealed=False,
                join_code=code,
                key_nonce=nonce,
                facilitator_key_hash=hash_key(derive_key(nonce, "facilitator")),
                organiser_key_hash=hash_key(derive_key(nonce, "organiser")),
                created_at=at,
            )
            .returning(s.events.c.id)
        ).scalar_one()
        new_table: dict[int, int] = {}
        for t in list_tables(conn, event_id):
            new_table[t.id] = conn.execute(
                insert(s.event_tables)
                .values(
                    event_id=new_id,
                    number=t.number,
                    name=t.name,
                    key_hash=hash_key(derive_key(nonce, f"table:{t.number}")),
                    created_at=at,
                )
                .returning(s.event_tables.c.id)
            ).scalar_one()
        seats = conn.execute(
            select(
                s.attendance.c.table_id,
                s.attendance.c.invited,
                s.attendance.c.attended,
                s.people.c.name,
                s.people.c.name_key,
                s.people.c.organisation_id,
                s.people.c.role,
                s.people.c.email,
                s.people.c.demographics,
            )
            .join(s.people, s.people.c.id == s.attendance.c.person_id)
            .where(
                s.attendance.c.event_id == event_id,
                s.attendance.c.deleted_at.is_(None),
                s.people.c.deleted_at.is_(None),
            )
            .order_by(s.attendance.c.id)
        ).mappings()
        people = 0
        for seat in list(seats):
            person = conn.execute(
                insert(s.people)
                .values(
                    series_id=None,
                    name=seat["name"],
                    name_key=seat["name_key"],
                    organisation_id=seat["organisation_id"],
                    role=seat["role"],
                    email=seat["email"],
                    demographics=seat["demographics"],
                    created_at=at,
                )
                .returning(s.people.c.id)
            ).scalar_one()
            conn.execute(
                insert(s.attendance).values(
                    event_id=new_id,
                    person_id=person,
                    table_id=new_table.get(seat["table_id"]),
                    invited=seat["invited"],
                    attended=seat["attended"],
                    created_at=at,
                )
            )
            people += 1
        return Change(
            "rehearse event",
            "event",
            new_id,
            {"from_event": int(event_id), "title": name, "tables": len(new_table), "people": people},
            result={"event_id": new_id, "join_code": code},
            event_id=new_id,
        )

    res = store.write(fn, actor=actor, event_id=None).result
    keys = event_keys(store, actor, res["event_id"])
    return keys
