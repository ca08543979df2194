"""Restore: rebuild a backed-up event, after checking the file as the rules check typed input.

A backup file is input like any other. :func:`check_backup` checks every field of
every row (its type, its range, that it is a value the rules know, the rules' own
length limits and text cleaning) and that every reference points at a row of the
file; the first problem is named in one line (``backup.json: themes[2].name: ...``).
:func:`restore` writes only a checked file, in one transaction, as a new event with
new ids, a new join code and new keys, so a refused file writes nothing.

What a backup holds comes from :mod:`facilitation.exports.backup` (``KINDS``, the
references from the schema's foreign keys). A column needs a check here only when it
holds text or a value with a meaning (:data:`FIELDS`); whole numbers, flags, times
and references are checked from the schema.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Float, Integer, String, Table, insert, select, update
from sqlalchemy.exc import DataError

from facilitation.access import Actor, derive_key, hash_key, new_join_code, require
from facilitation.capture.rules import _check_evidence, _check_kind, _check_source
from facilitation.errors import FacilitationError
from facilitation.events.dates import iso_date
from facilitation.events.templates import parse_template, parse_voting
from facilitation.exports.backup import (
    EVENT_LEFT_OUT,
    JSON_COLUMNS,
    KINDS,
    LEFT_OUT,
    MAGIC,
    MEETING_FIELDS,
    SERIES_FIELDS,
    VERSION,
    references,
)
from facilitation.network.rules import LINK_KINDS
from facilitation.people.importing import MAX_FILE_BYTES
from facilitation.people.rules import name_key
from facilitation.plans.rules import MEMBER_ROLES, _check_status, _clean_group_fields
from facilitation.series.rules import MAX_MINUTES
from facilitation.series.rules import ROLES as SERIES_ROLES
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.text import MAX_ENTRY, MAX_LONG, MAX_NAME, clean_text
from facilitation.themes.reopening import MAX_REASON

__all__ = ["EVENT_FIELDS", "FIELDS", "check_backup", "restore"]

Check = Callable[[Any, "_Context"], Any]


class _Bad(Exception):
    """A field's problem, said without its place (the caller adds ``kind[i].field``)."""


class _Placed(FacilitationError):
    """A problem already said with its place (a rule's validator that names it)."""


class _Context:
    """What the checks of one row need to know of the rest of the file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.phases = 0
        self.voting_round = 1
        self.event: dict[str, Any] = {}
        self.positions: dict[str, dict[int, int]] = {}  # kind -> row id -> its place in the file


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "..."
        return repr(shown)
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"a {'list' if isinstance(value, list) else 'record' if isinstance(value, dict) else type(value).__name__}"


# --- the checks of one field ----------------------------------------------------------------------


def _text(field: str, max_length: int, *, multiline: bool = False, required: bool = True) -> Check:
    """Text as the rules take it: the same cleaning and the same longest length."""

    def check(value: Any, ctx: _Context) -> str:
        if not isinstance(value, str):
            raise _Bad(f"must be text, not {_describe(value)}")
        # Cleaning only drops characters, and composing never makes text much longer:
        # a far too long text is refused before it is cleaned, character by character.
        if len(value) > 4 * max_length + 64:
            raise _Bad(f"The {field} is {len(value):,} characters long; the most is {max_length:,}.")
        return clean_text(value, field=field, max_length=max_length, multiline=multiline, required=required)

    return check


def _whole(low: int = 0, high: Callable[[_Context], int] | None = None, what: str = "") -> Check:
    def check(value: Any, ctx: _Context) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(f"must be a whole number, not {_describe(value)}")
        top = high(ctx) if high is not None else None
        if value < low or (top is not None and value > top):
            if what:
                raise _Bad(f"{value} is not {what} ({low}-{top})")
            span = f"between {low} and {top}" if top is not None else f"at least {low}"
            raise _Bad(f"must be {span}, not {value}")
        return value

    return check


def _number(value: Any, ctx: _Context) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Bad(f"must be a number, not {_describe(value)}")
    return float(value)


def _seconds(value: Any, ctx: _Context) -> float:
    value = _number(value, ctx)
    if value < 0:
        raise _Bad(f"must be a number of seconds, not {value}")
    return value


def _flag(value: Any, ctx: _Context) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"must be true or false, not {_describe(value)}")
    return value


def _time(value: Any, ctx: _Context) -> str:
    if not isinstance(value, str) or len(value) > 32:
        raise _Bad(f"must be a time like 2026-03-12T09:30:00+00:00, not {_describe(value)}")
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise _Bad(f"must be a time like 2026-03-12T09:30:00+00:00, not {_describe(value)}") from exc
    return value


def _rule(validate: Callable[[Any], Any]) -> Check:
    """A rule's own validator of one value (it raises the rule's own message)."""

    def check(value: Any, ctx: _Context) -> Any:
        if value is not None and not isinstance(value, str):
            raise _Bad(f"must be text, not {_describe(value)}")
        return validate(value)

    return check


def _one_of(values: Iterable[str], what: str) -> Check:
    known = tuple(values)

    def check(value: Any, ctx: _Context) -> str:
        if value not in known:
            raise _Bad(f"{_describe(value)} is not {what} ({', '.join(known)})")
        return str(value)

    return check


def _list_of(item: Check) -> Check:
    def check(value: Any, ctx: _Context) -> list[Any]:
        if not isinstance(value, list):
            raise _Bad(f"must be a list, not {_describe(value)}")
        out = []
        for i, x in enumerate(value):
            try:
                out.append(item(x, ctx))
            except (_Bad, FacilitationError) as exc:
                raise _Bad(f"item {i}: {exc}") from exc
        return out

    return check


def _group_field(name: str) -> Check:
    """One field of a group, through the rule that cleans a group's plan."""

    def check(value: Any, ctx: _Context) -> Any:
        if name == "success_measures":
            texts = value if isinstance(value, list) else [None]
        elif name == "review_dates":
            texts = list(value.values()) if isinstance(value, dict) else [None]
        else:
            texts = [value]
        for x in texts:
            if not isinstance(x, str):
                what = {"success_measures": "a list of text", "review_dates": "a record of dates"}
                raise _Bad(f"must be {what.get(name, 'text')}, not {_describe(value)}")
            if len(x) > 4 * MAX_LONG:
                raise _Bad(
                    f"The {name.replace('_', ' ')} is {len(x):,} characters long; the most is {MAX_LONG:,}."
                )
        out = _clean_group_fields({name: value})[name]
        return json.loads(out) if name in JSON_COLUMNS and isinstance(out, str) else out

    return check


def _demographics(value: Any, ctx: _Context) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _Bad(f"must be a record of text fields, not {_describe(value)}")
    return {
        _text("field name", 60)(k, ctx): _text(str(k), 200, required=False)(v, ctx)
        for k, v in value.items()
        if v.strip()
    }


def _phase(ctx: _Context) -> int:
    return ctx.phases - 1


def _phases(value: Any, ctx: _Context) -> list[dict[str, Any]]:
    """The phases, through the template rule (which numbers them from 1, as a template does)."""
    try:
        template = parse_template(
            {"name": "backup", "title": "backup", "phases": value}, f"{ctx.source}: event"
        )
    except FacilitationError as exc:
        raise _Placed(str(exc)) from None
    return [p.as_dict() for p in template.phases]


def _voting_rules(value: Any, ctx: _Context) -> dict[str, Any]:
    try:
        return parse_voting(value, f"{ctx.source}: event.voting_rules").as_dict()
    except FacilitationError as exc:
        raise _Placed(str(exc)) from None


def _sector(value: Any, ctx: _Context) -> str:
    return _text("sector", 100, required=False)(value, ctx).lower()


def _entry_text(value: Any, ctx: _Context) -> str:
    return _text("entry", MAX_ENTRY)(value, ctx)


def _area(value: Any, ctx: _Context) -> str | None:
    return _text("priority area", MAX_NAME, required=False)(value, ctx) or None


def _voted_entry(value: Any, ctx: _Context) -> list[Any]:
    """One entry of a theme as voted on: [kind, text, table number]."""
    if not isinstance(value, list) or len(value) != 3:
        raise _Bad(f"must be [kind, text, table], not {_describe(value)}")
    kind, text, table = value
    if not isinstance(kind, str):
        raise _Bad(f"the kind must be text, not {_describe(kind)}")
    return [_check_kind(kind), _entry_text(text, ctx), _whole(1)(table, ctx)]


# A group's plan, cleaned by the rule that cleans an edit of it.
_GROUP_PLAN = (
    "name",
    "purpose",
    "lead",
    "sponsor",
    "key_question",
    "success_measures",
    "review_dates",
    "destination",
)

# The fields whose meaning the rules know, by (kind, column); the event's by column.
# A text column that is not here is cleaned as one line (String) or as long text
# (Text) up to its column's length; tests/test_restore.py asks for every text column.
FIELDS: dict[tuple[str, str], Check] = {
    ("tables", "number"): _whole(1),
    ("tables", "name"): _text("table name", 100),
    ("tables", "done_phase"): _whole(0, _phase, "a phase of this event"),
    ("organisations", "name"): _text("organisation", MAX_NAME),
    ("organisations", "sector"): _sector,
    ("people", "name"): _text("name", MAX_NAME),
    ("people", "role"): _text("role", MAX_NAME, required=False),
    ("people", "email"): _text("email", 200, required=False),
    ("people", "demographics"): _demographics,
    ("themes", "name"): _text("theme name", MAX_NAME),
    ("entries", "kind"): _rule(_check_kind),
    ("entries", "text"): _entry_text,
    ("entries", "evidence"): _rule(_check_evidence),
    ("entries", "source"): _rule(_check_source),
    ("entries", "priority_area"): _area,
    ("entries", "phase_index"): _whole(0, _phase, "a phase of this event"),
    ("dots", "round"): _whole(1, lambda c: c.voting_round, "a voting round of this event"),
    ("dots", "voter"): _text("voter", 40),
    ("dots", "slot"): _whole(0),
    ("dots", "theme_slot"): _whole(0),
    ("theme_reopenings", "rounds"): _list_of(
        _whole(1, lambda c: c.voting_round, "a voting round of this event")
    ),
    ("theme_reopenings", "reason"): _text("reason", MAX_REASON),
    ("theme_reopenings", "voted_name"): _text("theme name", MAX_NAME),
    ("theme_reopenings", "voted_entries"): _list_of(_voted_entry),
    ("theme_reopenings", "reopened_by"): _text("reopened by", 40),
    ("links", "kind"): _one_of(LINK_KINDS, "a kind of link"),
    ("links", "note"): _text("note", MAX_ENTRY, multiline=True, required=False),
    ("links", "recorded_by"): _text("recorded by", 40),
    **{("groups", name): _group_field(name) for name in _GROUP_PLAN},
    ("groups", "tally"): _whole(0),
    ("group_members", "role"): _one_of(MEMBER_ROLES, "a member's role"),
    ("group_entries", "use"): _one_of(("use", "remove"), "how a group links an entry"),
    ("actions", "text"): _text("action", 1000),
    ("actions", "owner"): _text("owner", MAX_NAME, required=False),
    ("actions", "due_on"): _rule(lambda v: iso_date(v, "due date")),
    ("actions", "status"): _rule(_check_status),
    ("action_reviews", "meeting_on"): _rule(lambda v: iso_date(v, "meeting's date")),
    ("action_reviews", "outcome"): _one_of(s.REVIEW_OUTCOMES, "a review's outcome"),
    ("action_reviews", "moved_to"): _rule(lambda v: iso_date(v, "new due date")),
    ("action_reviews", "note"): _text("note", MAX_ENTRY, multiline=True, required=False),
    ("action_reviews", "reviewed_by"): _text("reviewed by", 40),
    ("measures", "name"): _text("measure", 1000),
    ("measures", "note"): _text("note", MAX_ENTRY, multiline=True, required=False),
    ("measures", "recorded_by"): _text("recorded by", 40),
    ("system_elements", "kind"): _one_of(s.SYSTEM_ELEMENT_KINDS, "a kind of system map element"),
    ("system_elements", "label"): _text("element", MAX_NAME),
    ("system_arrows", "relation"): _one_of(s.SYSTEM_RELATIONS, "a relation of the system map"),
    ("priority_placements", "area"): _text("priority area", MAX_NAME),
    ("priority_placements", "placed_by"): _text("placed by", 40),
}
# The limits create_event gives the framing (the same numbers as there).
EVENT_FIELDS: dict[str, Check] = {
    "title": _text("title", MAX_NAME),
    "template": _text("template", 100),
    "starts_on": _rule(lambda v: iso_date(v, "event date")),
    "challenge": _text("challenge", MAX_LONG, multiline=True, required=False),
    "purpose": _text("purpose", MAX_LONG, multiline=True, required=False),
    "key_question": _text("key question", 1000, required=False),
    "success_measures": _list_of(_text("success measure", MAX_ENTRY)),
    "context_briefing": _text("context briefing", 8000, multiline=True, required=False),
    "priority_areas": _list_of(_text("priority area", MAX_NAME)),
    "priority_circle": _one_of(s.PRIORITY_CIRCLE_BY, "who places themes on the priority circle"),
    "phases": _phases,
    "phase_index": _whole(0, _phase, "a phase of this event"),
    "timer_ends_at": _number,
    "timer_remaining": _seconds,
    "voting_rules": _voting_rules,
    "voting_round": _whole(1),
    "closed_round": _whole(0),
    "runoff_themes": _list_of(_whole(1)),
}


def _is_time(col: Column[Any]) -> bool:
    return col.name.endswith("_at") and isinstance(col.type, String)


def _column_check(col: Column[Any], fields: dict[str, Check]) -> Check:
    """The check of one column: the rules' (``fields``), else one read from its type."""
    if col.name in fields:
        return fields[col.name]
    if isinstance(col.type, Boolean):
        return _flag
    if isinstance(col.type, Float):
        return _number
    if isinstance(col.type, Integer):
        return _whole(0)
    if _is_time(col):
        return _time
    length = getattr(col.type, "length", None)
    multiline = length is None
    required = not col.nullable and col.server_default is None
    return _text(col.name.replace("_", " "), length or MAX_LONG, multiline=multiline, required=required)


# --- the file -----------------------------------------------------------------------------------


def _fail(ctx: _Context, where: str, what: object) -> FacilitationError:
    return FacilitationError(f"{ctx.source}: {where}: {what}")


def _check_row(
    ctx: _Context, where: str, row: Any, table: Table, fields: dict[str, Check], skip: Iterable[str]
) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise _fail(ctx, where, f"must be a record of fields, not {_describe(row)}")
    columns = {c.name: c for c in table.c if c.name not in skip}
    unknown = sorted(set(row) - set(columns) - {"id"})
    if unknown:
        raise _fail(ctx, f"{where}.{unknown[0]}", f"is not a field of {table.name} in a backup")
    out: dict[str, Any] = {}
    for name, col in columns.items():
        if name not in row:
            if col.nullable or col.server_default is not None:
                continue  # a backup made before the column existed
            raise _fail(ctx, f"{where}.{name}", "is missing")
        value = row[name]
        if value is None:
            if not col.nullable:
                raise _fail(ctx, f"{where}.{name}", "is empty; it must have a value")
            out[name] = None
            continue
        try:
            out[name] = _column_check(col, fields)(value, ctx)
        except _Placed:
            raise
        except (_Bad, FacilitationError) as exc:
            raise _fail(ctx, f"{where}.{name}", exc) from None
    return out


def _check_event(ctx: _Context, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(ctx, "event", f"must be a record of fields, not {_describe(raw)}")
    ctx.phases = len(_phases(raw.get("phases"), ctx))  # first: phase_index is checked against them
    ev = _check_row(ctx, "event", raw, s.events, EVENT_FIELDS, EVENT_LEFT_OUT)
    ctx.voting_round = ev.get("voting_round", 1)
    if ev.get("closed_round", 0) > ctx.voting_round:  # a reveal closes its round, never a later one
        raise _fail(ctx, "event.closed_round", f"{ev['closed_round']} is after the event's voting round")
    ctx.event = ev
    return ev


def _check_series(ctx: _Context, raw: Any) -> dict[str, Any] | None:
    """The series record: name, description, roles (a backup before them has none), meetings."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {*SERIES_FIELDS, "meetings"}:
        raise _fail(ctx, "series", "must be a record of a name, a description, roles and meetings")
    checks: dict[str, Check] = {
        "name": _text("series name", MAX_NAME),
        "description": _text("description", MAX_LONG, multiline=True, required=False),
        **{col: _text(words, MAX_NAME, required=False) for col, words in SERIES_ROLES.items()},
    }
    out: dict[str, Any] = {}
    for name, check in checks.items():
        try:
            out[name] = check(raw.get(name, "" if name != "name" else None), ctx)
        except (_Bad, FacilitationError) as exc:
            raise _fail(ctx, f"series.{name}", exc) from None
    meetings = raw.get("meetings", [])
    if not isinstance(meetings, list):
        raise _fail(ctx, "series.meetings", f"must be a list, not {_describe(meetings)}")
    out["meetings"] = []
    seen: set[str] = set()
    for i, m in enumerate(meetings):
        where = f"series.meetings[{i}]"
        if not isinstance(m, dict) or set(m) - set(MEETING_FIELDS):
            raise _fail(ctx, where, "must be a record of starts_on, start_time, minutes and senior_leader")
        row: dict[str, Any] = {}
        for name, check in _MEETING_CHECKS.items():
            try:
                row[name] = check(m.get(name, "" if name == "senior_leader" else None), ctx)
            except (_Bad, FacilitationError) as exc:
                raise _fail(ctx, f"{where}.{name}", exc) from None
        if row["starts_on"] in seen:
            raise _fail(ctx, f"{where}.starts_on", f"{row['starts_on']} is the date of an earlier meeting")
        seen.add(row["starts_on"])
        out["meetings"].append(row)
    return out


def _meeting_date(value: Any, ctx: _Context) -> str:
    if not isinstance(value, str):
        raise _Bad(f"must be a date like 2027-01-12, not {_describe(value)}")
    day = iso_date(value, "meeting's date")
    if day is None:
        raise _Bad("must be a date like 2027-01-12, not empty")
    return day


def _clock(value: Any, ctx: _Context) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise _Bad(f"must be a time like 14:00 (24-hour), not {_describe(value)}")
    return value


_MEETING_CHECKS: dict[str, Check] = {
    "starts_on": _meeting_date,
    "start_time": _clock,
    "minutes": _whole(1, lambda c: MAX_MINUTES, "a meeting's length in minutes"),
    "senior_leader": _text("senior leader", MAX_NAME, required=False),
}


def _check_activity(ctx: _Context, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise _fail(ctx, "activity", f"must be a list, not {_describe(raw)}")
    out = []
    fields = {"actor", "verb", "object_type", "object_id", "detail", "result", "at"}
    for i, a in enumerate(raw):
        where = f"activity[{i}]"
        if not isinstance(a, dict):
            raise _fail(ctx, where, f"must be a record of fields, not {_describe(a)}")
        unknown = sorted(set(a) - fields)
        if unknown:
            raise _fail(ctx, f"{where}.{unknown[0]}", "is not a field of the activity log")
        row: dict[str, Any] = {}
        for name, check in (("actor", _text("actor", 40)), ("verb", _text("verb", 40)), ("at", _time)):
            if not isinstance(a.get(name), str) or check(a[name], ctx) != a[name]:
                raise _fail(
                    ctx,
                    f"{where}.{name}",
                    f"must be text as the toolkit writes it, not {_describe(a.get(name))}",
                )
            row[name] = a[name]
        kind = a.get("object_type", "")
        if not isinstance(kind, str) or len(kind) > 40:
            raise _fail(ctx, f"{where}.object_type", f"must be a short text, not {_describe(kind)}")
        row["object_type"] = kind
        oid = a.get("object_id")
        if oid is not None and (isinstance(oid, bool) or not isinstance(oid, int)):
            raise _fail(ctx, f"{where}.object_id", f"must be a whole number, not {_describe(oid)}")
        row["object_id"] = oid
        detail = a.get("detail", {})
        if not isinstance(detail, dict):
            raise _fail(ctx, f"{where}.detail", f"must be a record, not {_describe(detail)}")
        for name, value in (("detail", detail), ("result", a.get("result"))):
            if len(json.dumps(value, ensure_ascii=False, default=str)) > 2 * MAX_FILE_BYTES:
                raise _fail(ctx, f"{where}.{name}", "is longer than any change the toolkit records")
        row["detail"], row["result"] = detail, a.get("result")
        out.append(row)
    return out


def _check_kinds(ctx: _Context, data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for kind, table in KINDS.items():
        raw = data[kind]
        if not isinstance(raw, list):
            raise _fail(ctx, kind, f"must be a list, not {_describe(raw)}")
        fields = {col: check for (k, col), check in FIELDS.items() if k == kind}
        ctx.positions[kind] = {}
        checked = []
        for i, row in enumerate(raw):
            where = f"{kind}[{i}]"
            out = _check_row(ctx, where, row, table, fields, LEFT_OUT)
            rid = row.get("id")
            if isinstance(rid, bool) or not isinstance(rid, int) or rid < 1:
                raise _fail(ctx, f"{where}.id", f"must be a whole number from 1, not {_describe(rid)}")
            if rid in ctx.positions[kind]:
                raise _fail(ctx, f"{where}.id", f"{rid} is the id of an earlier row of {kind}")
            ctx.positions[kind][rid] = i
            out["id"] = rid
            checked.append(out)
        rows[kind] = sorted(checked, key=lambda r: r["id"])
    return rows


def _check_references(ctx: _Context, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Every reference resolves, and the relations the rules keep hold."""

    def bad(kind: str, row: dict[str, Any], col: str, what: str) -> FacilitationError:
        return _fail(ctx, f"{kind}[{ctx.positions[kind][row['id']]}].{col}", what)

    by_id = {kind: {r["id"]: r for r in rows[kind]} for kind in rows}
    for kind in KINDS:
        for col, target in references(kind).items():
            for r in rows[kind]:
                ref = r.get(col)
                if ref is None:
                    continue
                if isinstance(ref, bool) or not isinstance(ref, int) or ref not in by_id[target]:
                    raise bad(
                        kind,
                        r,
                        col,
                        f"the file is damaged: it refers to {target} {ref}, which it does not hold",
                    )
    tables = {r["id"]: r for r in rows["tables"]}
    numbers = Counter(r["number"] for r in rows["tables"])
    for r in rows["tables"]:
        if numbers[r["number"]] > 1:
            raise bad("tables", r, "number", f"table {r['number']} is in the file twice")
    names = Counter(r["name"] for r in rows["organisations"])
    for r in rows["organisations"]:
        if names[r["name"]] > 1:
            raise bad("organisations", r, "name", f"'{r['name']}' is in the file twice")
    seated = Counter(r["person_id"] for r in rows["attendance"])
    for r in rows["attendance"]:
        if seated[r["person_id"]] > 1:
            raise bad("attendance", r, "person_id", f"person {r['person_id']} attends twice")
    themes = by_id["themes"]
    for r in rows["themes"]:
        parent = r.get("merged_into")
        if parent is None:
            continue
        if r.get("table_id") is None:
            raise bad("themes", r, "merged_into", "an event-wide theme is merged into nothing")
        if themes[parent].get("table_id") is not None:
            raise bad("themes", r, "merged_into", f"theme {parent} is a table's theme, not an event-wide one")
    for r in rows["entries"]:
        theme = r.get("theme_id")
        if theme is not None and themes[theme].get("table_id") != r["table_id"]:
            raise bad("entries", r, "theme_id", f"theme {theme} is not a theme of this entry's table")
    for r in rows["links"]:
        if r["person_a"] == r["person_b"]:
            raise bad("links", r, "person_b", "a link joins two different people")
    for r in rows["group_entries"]:
        entry_kind = by_id["entries"][r["entry_id"]]["kind"]
        if (entry_kind, r["use"]) in (("blocker", "use"), ("enabler", "remove")):
            raise bad("group_entries", r, "use", f"a group cannot {r['use']} a {entry_kind}")
    for r in rows["system_arrows"]:
        if r["source_id"] == r["target_id"]:
            raise bad("system_arrows", r, "target_id", "an arrow joins two different elements")
    for r in rows["priority_placements"]:
        if (r.get("theme_id") is None) == (r.get("group_id") is None):
            raise bad("priority_placements", r, "theme_id", "a placement places one theme or one group")
    for r in rows["action_reviews"]:
        if (r["outcome"] == "moved") != (r.get("moved_to") is not None):
            raise bad("action_reviews", r, "moved_to", "a moved action has a new date, and only a moved one")
    _check_dots(ctx, rows, tables, by_id["people"], bad)
    runoff = ctx.event.get("runoff_themes") or []
    for t in runoff:
        if t not in themes:
            raise _fail(
                ctx,
                "event.runoff_themes",
                f"the file is damaged: it refers to themes {t}, which it does not hold",
            )
    if len(set(runoff)) != len(runoff):
        raise _fail(ctx, "event.runoff_themes", "names a theme twice")


def _check_dots(
    ctx: _Context,
    rows: dict[str, list[dict[str, Any]]],
    tables: dict[int, dict[str, Any]],
    people: dict[int, dict[str, Any]],
    bad: Callable[[str, dict[str, Any], str, str], FacilitationError],
) -> None:
    numbers = {t["number"]: t["id"] for t in tables.values()}
    rules = ctx.event["voting_rules"]
    slots: set[tuple[Any, ...]] = set()
    spent: Counter[str] = Counter()
    on_theme: Counter[tuple[str, int]] = Counter()
    for r in rows["dots"]:
        kind, _, ident = r["voter"].partition(":")
        if kind not in ("table", "person") or not ident.isdigit():
            raise bad("dots", r, "voter", f"'{r['voter']}' is not a voter (table:N or person:N)")
        if kind == "table" and numbers.get(int(ident)) != r.get("voter_table_id"):
            raise bad("dots", r, "voter", f"table {ident} is not the voter's table in the file")
        if kind == "person" and int(ident) not in people:
            raise bad(
                "dots",
                r,
                "voter",
                f"the file is damaged: it refers to people {ident}, which it does not hold",
            )
        if r.get("removed_at") is not None:
            continue
        if r["round"] == ctx.voting_round:  # the current round's rules: dots per voter and per theme
            spent[r["voter"]] += 1
            on_theme[r["voter"], r["theme_id"]] += 1
            if spent[r["voter"]] > rules["dots_per_voter"]:
                raise bad("dots", r, "voter", f"{r['voter']} has more than {rules['dots_per_voter']} dots")
            if on_theme[r["voter"], r["theme_id"]] > rules["max_per_theme"]:
                raise bad(
                    "dots", r, "theme_id",
                    f"{r['voter']} has more than {rules['max_per_theme']} dots on theme {r['theme_id']}",
                )  # fmt: skip
        for key in (("slot", r["round"], r["voter"], r["slot"]),
                    ("theme_slot", r["round"], r["voter"], r["theme_id"], r["theme_slot"])):  # fmt: skip
            if key in slots:
                raise bad("dots", r, key[0], "the voter's dot in this slot is in the file twice")
            slots.add(key)


def _check_exported_at(ctx: _Context, value: Any) -> str | None:
    if value is None:
        return None
    try:
        return _time(value, ctx)
    except _Bad as exc:
        raise _fail(ctx, "exported_at", exc) from None


def check_backup(data: Any, source: str = "backup") -> dict[str, Any]:
    """Check a backup as the rules check typed input; returns it with its text cleaned.

    Raises one :class:`~facilitation.errors.FacilitationError` naming the file, the row
    and the field of the first problem. Nothing is read from or written to a store.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.exports.backup import backup_data
    >>> store, ev = scratch_event(tables=2)
    >>> data = backup_data(store, ev)
    >>> check_backup(data)["tables"][1]["name"]
    'Table 2'
    >>> data["event"]["phase_index"] = 99
    >>> check_backup(data, "backup.json")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: backup.json: event.phase_index: 99 is not a phase of this event (0-7)
    >>> data["event"]["phase_index"] = 0
    >>> data["tables"][0]["name"] = "Table\\x00 \\u202eone\\x07"
    >>> check_backup(data)["tables"][0]["name"]
    'Table one'
    """
    ctx = _Context(source)
    if not isinstance(data, dict) or data.get("format") != MAGIC:
        raise FacilitationError(
            f"{source} is not a facilitation event backup (made by `facilitate backup` or "
            "`facilitate export --format json`)."
        )
    if data.get("version") != VERSION:
        raise FacilitationError(
            f"{source} is a backup of version {data.get('version')!r}; this toolkit reads version {VERSION}."
        )
    missing = [k for k in ("event", "activity", *KINDS) if k not in data]
    if missing:
        raise FacilitationError(f"{source} is damaged: it has no {', '.join(missing)}.")
    unknown = sorted(set(data) - {"format", "version", "exported_at", "series", "event", "activity", *KINDS})
    if unknown:
        raise _fail(ctx, unknown[0], "is not part of a backup")
    event = _check_event(ctx, data["event"])
    rows = _check_kinds(ctx, data)
    _check_references(ctx, rows)
    return {
        "format": MAGIC,
        "version": VERSION,
        "exported_at": _check_exported_at(ctx, data.get("exported_at")),
        "series": _check_series(ctx, data.get("series")),
        "event": event,
        "activity": _check_activity(ctx, data["activity"]),
        **rows,
    }


# --- writing ------------------------------------------------------------------------------------


def _series(conn: Connection, series: dict[str, Any] | None) -> int | None:
    """The series of that name; made, with its roles and planned meetings, when there is none.

    A series the database has already keeps its own roles and plan: the organiser's
    current plan is newer than a backup's.
    """
    if not series:
        return None
    row = conn.execute(
        select(s.series.c.id).where(s.series.c.name == series["name"], s.series.c.deleted_at.is_(None))
    ).first()
    if row is not None:
        return int(row.id)
    at = now()
    values = {k: v for k, v in series.items() if k != "meetings"}
    values.update(created_at=at, calendar_nonce=secrets.token_hex(16))
    sid = int(conn.execute(insert(s.series).values(**values).returning(s.series.c.id)).scalar_one())
    for m in series.get("meetings", []):
        conn.execute(insert(s.series_meetings).values(series_id=sid, created_at=at, **m))
    return sid


def _existing(conn: Connection, kind: str, values: dict[str, Any], series_id: int | None) -> int | None:
    """A shared row the database already has: an organisation by name, a person of the series."""
    if kind == "organisations":
        found = conn.execute(
            select(s.organisations.c.id).where(s.organisations.c.name == values["name"])
        ).first()
        return None if found is None else int(found.id)
    if kind == "people" and series_id is not None:
        org = values.get("organisation_id")
        found = conn.execute(
            select(s.people.c.id).where(
                s.people.c.series_id == series_id,
                s.people.c.name_key == values["name_key"],
                s.people.c.organisation_id.is_(None) if org is None else s.people.c.organisation_id == org,
                s.people.c.deleted_at.is_(None),
            )
        ).first()
        return None if found is None else int(found.id)
    return None


def _write_rows(
    conn: Connection, data: dict[str, Any], event_id: int, series_id: int | None, nonce: str
) -> dict[str, dict[int, int]]:
    new: dict[str, dict[int, int]] = {kind: {} for kind in KINDS}
    later: list[tuple[str, int, str, int]] = []  # a row's reference to its own kind
    for kind, table in KINDS.items():
        refs = references(kind)
        for row in data[kind]:
            values = {k: v for k, v in row.items() if k != "id"}
            for col, target in refs.items():
                old = values.get(col)
                if old is None:
                    continue
                if target == kind:  # a merged theme: its event-wide theme may come later
                    values[col] = None
                    later.append((kind, row["id"], col, old))
                else:
                    values[col] = new[target][old]
            for col in JSON_COLUMNS & set(values):
                values[col] = json.dumps(values[col], ensure_ascii=False)
            if "event_id" in table.c:
                values["event_id"] = event_id
            if kind == "tables":
                values["key_hash"] = hash_key(derive_key(nonce, f"table:{values['number']}"))
            if kind == "dots" and values["voter"].startswith("person:"):
                values["voter"] = f"person:{new['people'][int(values['voter'].split(':')[1])]}"
            if kind == "people":
                values["series_id"] = series_id
                values["name_key"] = name_key(values["name"])
            found = _existing(conn, kind, values, series_id)
            if found is None:
                found = int(conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())
            new[kind][row["id"]] = found
    for kind, old_id, col, old in later:
        table = KINDS[kind]
        conn.execute(update(table).where(table.c.id == new[kind][old_id]).values({col: new[kind][old]}))
    return new


def restore(
    store: Store, actor: Actor, data: Any, *, client_token: str | None = None, source: str = "backup"
) -> int:
    """Check a backup, then rebuild it as a new event with new keys; returns its id.

    The organiser or facilitator (or the toolkit) may restore. A file that fails
    :func:`check_backup` is refused with one line naming the row and the field, and
    nothing is written; a good one is written in one transaction, into an empty
    database or one that has other events (a series is found by its name, and its
    people by name and organisation, as the rules match them).

    Examples
    --------
    >>> import os, tempfile
    >>> from facilitation.access import ORGANISER
    >>> from facilitation.events.rules import get_event
    >>> from facilitation.exports.backup import backup_data
    >>> from facilitation.store import open_store
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(phase="ideas")
    >>> fresh = open_store(os.path.join(tempfile.mkdtemp(), "fresh.db"))
    >>> get_event(fresh, restore(fresh, ORGANISER, backup_data(store, ev))).phase.name
    'ideas'
    """
    require(actor, "organiser", "facilitator", action="restore an event")
    checked = check_backup(data, source)
    ev = checked["event"]
    nonce = secrets.token_hex(16)

    def fn(conn: Connection) -> Change:
        series_id = _series(conn, checked["series"])
        for _ in range(20):
            code = new_join_code()
            if conn.execute(select(s.events.c.id).where(s.events.c.join_code == code)).first() is None:
                break
        values = {k: (json.dumps(v, ensure_ascii=False) if k in JSON_COLUMNS else v) for k, v in ev.items()}
        values.update(
            runoff_themes="[]", series_id=series_id, join_code=code, key_nonce=nonce,
            facilitator_key_hash=hash_key(derive_key(nonce, "facilitator")),
            organiser_key_hash=hash_key(derive_key(nonce, "organiser")),
        )  # fmt: skip
        try:
            event_id = int(
                conn.execute(insert(s.events).values(**values).returning(s.events.c.id)).scalar_one()
            )
            new = _write_rows(conn, checked, event_id, series_id, nonce)
        except DataError as exc:  # a limit of the database the checks do not know
            raise FacilitationError(
                f"{source} could not be restored: the database refused a value ({exc.orig}). Nothing was written."
            ) from exc
        runoff = [new["themes"][t] for t in ev.get("runoff_themes") or []]
        conn.execute(
            update(s.events).where(s.events.c.id == event_id).values(runoff_themes=json.dumps(runoff))
        )
        for a in checked["activity"]:
            conn.execute(
                insert(s.activity).values(
                    event_id=event_id, actor=a["actor"], verb=a["verb"], object_type=a["object_type"],
                    object_id=a["object_id"], detail=json.dumps(a["detail"], ensure_ascii=False, default=str),
                    result=json.dumps(a["result"], default=str), at=a["at"],
                )
            )  # fmt: skip
        detail = {"title": ev["title"], "exported_at": checked["exported_at"]}
        return Change("restore event", "event", event_id, detail, event_id, event_id=event_id)

    return int(store.write(fn, actor=actor, event_id=None, client_token=client_token).result)
