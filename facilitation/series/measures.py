"""Measures over time: a value for the event's key question and for each of its success
measures, recorded at the event, and read across the events of a series in date order.

A measure is named as a person types it: its number in the event's list (``facilitate
measure EVENT --list``), ``key question``, or a success measure's text in any case.
Recording a measure again keeps the earlier value (soft-deleted): the history stays.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError
from facilitation.events.rules import Event, load_event
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.text import MAX_ENTRY, clean_text

__all__ = [
    "KEY_QUESTION",
    "MeasureValue",
    "SeriesPoint",
    "event_measures",
    "measure_values",
    "parse_value",
    "record_measure",
    "resolve_measure",
    "series_measures",
]

KEY_QUESTION = "key question"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class MeasureValue:
    """A value recorded for one measure of an event."""

    id: int
    event_id: int
    name: str
    value: float
    note: str
    recorded_by: str
    created_at: str


@dataclass(frozen=True)
class SeriesPoint:
    """One event's value of a measure, in a series' run of it."""

    event_id: int
    starts_on: str | None
    title: str
    value: float
    note: str


def _names(ev: Event) -> list[str]:
    return ([KEY_QUESTION] if ev.key_question.strip() else []) + list(ev.success_measures)


def event_measures(store: Store, event_id: int) -> list[tuple[str, str]]:
    """The event's measures, numbered from 1 as typed: (name, what it says).

    The key question comes first (named ``key question``), then each success measure.
    """
    ev = store.read(lambda c: load_event(c, event_id))
    return [(n, ev.key_question if n == KEY_QUESTION else n) for n in _names(ev)]


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve_measure(names: list[str], typed: str, event_id: int) -> str:
    """The measure ``typed`` names: its number, ``key question``, or its text in any case.

    Examples
    --------
    >>> names = ["key question", "Falls down 10%", "Fewer admissions"]
    >>> resolve_measure(names, "2", 7), resolve_measure(names, "  fewer  ADMISSIONS ", 7)
    ('Falls down 10%', 'Fewer admissions')
    >>> resolve_measure(names, "Key Question", 7)
    'key question'
    >>> resolve_measure(names, "4", 7)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Event 7 has measures 1 to 3, not 4; `facilitate measure 7 --list` lists them.
    >>> resolve_measure(names, "happiness", 7)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: 'happiness' is not a measure of event 7; type its number or its text as `facilitate measure 7 --list` lists them.
    """
    text = str(typed).strip()
    if not names:
        raise FacilitationError(
            f"Event {event_id} has no key question or success measures yet; set them in its framing first."
        )
    if text.isdigit():
        if not 1 <= int(text) <= len(names):
            raise FacilitationError(
                f"Event {event_id} has measures 1 to {len(names)}, not {text}; "
                f"`facilitate measure {event_id} --list` lists them."
            )
        return names[int(text) - 1]
    for name in names:
        if _key(name) == _key(text):
            return name
    shown = text if len(text) <= 40 else text[:40] + "..."
    raise FacilitationError(
        f"'{shown}' is not a measure of event {event_id}; type its number or its text as "
        f"`facilitate measure {event_id} --list` lists them."
    )


def parse_value(typed: Any) -> float:
    """A measure's value as typed: a number, in digits.

    Examples
    --------
    >>> parse_value("12"), parse_value(" -3.5 "), parse_value(7)
    (12.0, -3.5, 7.0)
    >>> parse_value("twelve")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: 'twelve' is not a number: type the value in digits, like 12 or 12.5 (no units, % sign or thousands commas).
    """
    if isinstance(typed, bool):
        raise FacilitationError("A measure's value is a number, like 12 or 12.5.")
    if isinstance(typed, int | float):
        value = float(typed)
    else:
        text = str(typed).strip()
        if not _NUMBER.fullmatch(text):
            shown = text if len(text) <= 30 else text[:30] + "..."
            raise FacilitationError(
                f"'{shown}' is not a number: type the value in digits, like 12 or 12.5 "
                "(no units, % sign or thousands commas)."
            )
        value = float(text)
    if not math.isfinite(value) or abs(value) > 1e15:
        raise FacilitationError(f"{typed} is not a value a measure can hold; type a number like 12 or 12.5.")
    return value


def record_measure(
    store: Store,
    actor: Actor,
    event_id: int,
    name: str,
    value: Any,
    note: str = "",
    *,
    client_token: str | None = None,
) -> int:
    """Record a value of one of the event's measures (organiser or facilitator); returns its id.

    ``name`` is read by :func:`resolve_measure`; an earlier value of the same measure at
    this event is kept, marked replaced.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import ORGANISER, table_actor
    >>> store, ev = scratch_event()
    >>> record_measure(store, table_actor(1), ev, "1", "3")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the organiser's page or the facilitator's console can record a measure; table 1 cannot.
    """
    require(actor, "organiser", "facilitator", action="record a measure")
    number = parse_value(value)
    clean_note = clean_text(note, field="note", max_length=MAX_ENTRY, multiline=True, required=False)

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        measure = resolve_measure(_names(ev), name, event_id)
        at = now()
        live = (
            s.measures.c.event_id == event_id,
            s.measures.c.name == measure,
            s.measures.c.deleted_at.is_(None),
        )
        conn.execute(update(s.measures).where(*live).values(deleted_at=at))
        mid = conn.execute(
            insert(s.measures)
            .values(
                event_id=event_id, name=measure, value=number, note=clean_note,
                recorded_by=actor.label, created_at=at,
            )
            .returning(s.measures.c.id)
        ).scalar_one()  # fmt: skip
        return Change("record measure", "measure", int(mid), {"name": measure, "value": number}, int(mid))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def measure_values(store: Store, event_id: int) -> list[MeasureValue]:
    """The current value of each measure recorded at an event."""

    def q(conn: Connection) -> list[MeasureValue]:
        return [
            MeasureValue(r.id, r.event_id, r.name, float(r.value), r.note, r.recorded_by, r.created_at)
            for r in conn.execute(
                select(s.measures)
                .where(s.measures.c.event_id == event_id, s.measures.c.deleted_at.is_(None))
                .order_by(s.measures.c.id)
            )
        ]

    return store.read(q)


def series_measures(store: Store, series_id: int) -> dict[str, list[SeriesPoint]]:
    """Each measure across the series' events, in date order (undated events last, by id).

    A success measure is the same measure at two events when its text is (in any case).
    Measures come in the order first recorded; an event with no value of one is left out of its run.
    """

    def q(conn: Connection) -> dict[str, list[SeriesPoint]]:
        rows = conn.execute(
            select(
                s.measures.c.name, s.measures.c.value, s.measures.c.note, s.measures.c.id,
                s.events.c.id.label("event_id"), s.events.c.starts_on, s.events.c.title,
            )
            .join(s.events, s.events.c.id == s.measures.c.event_id)
            .where(
                s.events.c.series_id == int(series_id), s.events.c.deleted_at.is_(None),
                s.measures.c.deleted_at.is_(None),
            )
        ).all()  # fmt: skip
        label: dict[str, str] = {}
        for r in sorted(rows, key=lambda r: r.id):
            label.setdefault(_key(r.name), r.name)
        out: dict[str, list[SeriesPoint]] = {name: [] for name in label.values()}
        for r in sorted(rows, key=lambda r: (r.starts_on is None, r.starts_on or "", r.event_id)):
            out[label[_key(r.name)]].append(
                SeriesPoint(r.event_id, r.starts_on, r.title, float(r.value), r.note)
            )
        return out

    return store.read(q)
