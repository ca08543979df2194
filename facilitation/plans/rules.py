"""Task-and-finish groups: the top themes promoted into plans with owners and dates.

The facilitator promotes a theme (its dot tally is recorded at that moment, so the
chain entry -> theme -> dot tally -> group -> action holds up afterwards); the
table that leads the group drafts its plan during the "plans" phase, and the
facilitator may edit any group at any time. Nothing is ever erased: removed
members, links and actions are soft-deleted and stay in the activity log.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.dates import add_years, iso_date
from facilitation.events.rules import load_event, require_open_for_input, table_id
from facilitation.plans.records import (
    Action,
    Decision,
    Group,
    LinkedEntry,
    Member,
    MemberSuggestion,
    OpenAction,
    decision_log,
    list_groups,
    open_actions_from_earlier_events,
    suggested_members,
    theme_entries,
    theme_tally,
)
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.store.queries import live as _live
from facilitation.text import MAX_LONG, MAX_NAME, clean_text

__all__ = [
    "DESTINATIONS",
    "HORIZONS",
    "Action",
    "Decision",
    "Group",
    "LinkedEntry",
    "Member",
    "MemberSuggestion",
    "OpenAction",
    "add_action",
    "add_member",
    "decision_log",
    "link_entry",
    "list_groups",
    "open_actions_from_earlier_events",
    "promote_theme",
    "remove_action",
    "remove_member",
    "review_dates",
    "suggested_members",
    "theme_entries",
    "theme_tally",
    "unlink_entry",
    "update_action",
    "update_group",
]

DESTINATIONS = ("exemplar hub", "board")
# Review dates: the first meeting, then the benefits horizon of 1, 3 and 8 years.
HORIZONS = ("first", "1y", "3y", "8y")
REVIEW_WHAT = {"first": "first meeting", "1y": "1-year review", "3y": "3-year review", "8y": "8-year review"}
_REVIEW_YEARS = {"1y": 1, "3y": 3, "8y": 8}
MEMBER_ROLES = ("member", "lead", "sponsor")
_PLAN_INPUTS = ("plans",)


# --- writing -------------------------------------------------------------------------------


def _load_group(conn: Connection, event_id: int, group_id: int) -> Any:
    row = (
        conn.execute(
            select(s.groups, s.event_tables.c.number.label("lead_number"))
            .outerjoin(s.event_tables, s.event_tables.c.id == s.groups.c.lead_table_id)
            .where(s.groups.c.id == int(group_id), s.groups.c.event_id == event_id, _live(s.groups))
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"There is no task-and-finish group {group_id} at this event; reload the page.")
    return row


def _may_draft(conn: Connection, actor: Actor, event_id: int, group: Any, action: str) -> None:
    """The lead table during the plans phase, or the facilitator (or system) at any time."""
    if actor.role in ("facilitator", "system"):
        load_event(conn, event_id)
        return
    if actor.role != "table":
        require(actor, "facilitator", action=action)
    if group["lead_number"] is None or int(group["lead_number"]) != actor.table:
        raise NotAllowed(
            f"Table {actor.table} cannot {action}: '{group['name']}' is drafted by "
            + (f"table {group['lead_number']}." if group["lead_number"] else "the facilitator.")
        )
    require_open_for_input(conn, event_id, _PLAN_INPUTS, action)


def promote_theme(
    store: Store,
    actor: Actor,
    event_id: int,
    theme_id: int,
    *,
    lead_table: int | None = None,
    name: str | None = None,
    client_token: str | None = None,
) -> int:
    """Make a theme a task-and-finish group (facilitator only); returns the group id.

    The theme's dot tally at this moment is recorded with the group.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR, table_actor
    >>> store, ev = scratch_event()
    >>> promote_theme(store, table_actor(1), ev, 1)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console can promote a theme to a task-and-finish group; table 1 cannot.
    """
    require(actor, "facilitator", action="promote a theme to a task-and-finish group")
    clean_name = clean_text(name, field="group name", max_length=MAX_NAME, required=False) if name else ""

    def fn(conn: Connection) -> Change:
        load_event(conn, event_id)
        theme = conn.execute(
            select(s.themes.c.id, s.themes.c.name).where(
                s.themes.c.id == int(theme_id), s.themes.c.event_id == event_id, _live(s.themes)
            )
        ).first()
        if theme is None:
            raise NotFound(f"There is no theme {theme_id} at this event; reload the page.")
        taken = conn.execute(
            select(s.groups.c.name).where(s.groups.c.theme_id == theme.id, _live(s.groups))
        ).first()
        if taken is not None:
            raise FacilitationError(f"'{theme.name}' is already the task-and-finish group '{taken.name}'.")
        tid = table_id(conn, event_id, lead_table) if lead_table is not None else None
        tally = theme_tally(conn, event_id, theme.id)
        group_name = clean_name or theme.name
        gid = conn.execute(
            insert(s.groups)
            .values(
                event_id=event_id, theme_id=theme.id, lead_table_id=tid, name=group_name,
                tally=tally, created_at=now(),
            )
            .returning(s.groups.c.id)
        ).scalar_one()  # fmt: skip
        detail = {"theme": theme.name, "tally": tally, "lead_table": lead_table, "name": group_name}
        return Change("promote theme", "group", gid, detail, gid)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


_GROUP_FIELDS = (
    "name", "purpose", "lead", "sponsor", "key_question", "success_measures",
    "review_dates", "destination", "lead_table",
)  # fmt: skip


def _clean_group_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(_GROUP_FIELDS))
    if unknown:
        raise FacilitationError(
            f"A group has no field {', '.join(unknown)}; it has {', '.join(_GROUP_FIELDS)}."
        )
    v: dict[str, Any] = {}
    if "name" in fields:
        v["name"] = clean_text(fields["name"], field="group name", max_length=MAX_NAME)
    if "purpose" in fields:
        v["purpose"] = clean_text(
            fields["purpose"], field="purpose", max_length=MAX_LONG, multiline=True, required=False
        )
    for key in ("lead", "sponsor"):
        if key in fields:
            v[key] = clean_text(fields[key], field=key, max_length=MAX_NAME, required=False)
    if "key_question" in fields:
        v["key_question"] = clean_text(
            fields["key_question"], field="key question", max_length=1000, required=False
        )
    if "success_measures" in fields:
        raw = fields["success_measures"] or []
        items = raw.splitlines() if isinstance(raw, str) else list(raw)
        measures = [clean_text(m, field="success measure", max_length=1000) for m in items if str(m).strip()]
        v["success_measures"] = json.dumps(measures, ensure_ascii=False)
    if "review_dates" in fields:
        dates = dict(fields["review_dates"] or {})
        bad = sorted(set(dates) - set(HORIZONS))
        if bad:
            raise FacilitationError(
                f"Review dates are for {', '.join(HORIZONS)} (first meeting, 1, 3 and 8 years), not {', '.join(bad)}."
            )
        # a dict here (None clears a date); update_group merges it with the stored dates
        v["review_dates"] = {k: iso_date(dates[k], REVIEW_WHAT[k]) for k in HORIZONS if k in dates}
    if "destination" in fields:
        dest = (fields["destination"] or "").strip().lower()
        if dest and dest not in DESTINATIONS:
            raise FacilitationError(f"A group goes to an exemplar hub or to the board, not '{dest}'.")
        v["destination"] = dest
    return v


def review_dates(
    stored: dict[str, str], given: dict[str, str | None], event_day: str | None = None
) -> dict[str, str]:
    """A group's review dates after an edit: ``given`` merged into ``stored``.

    Only the dates given change (``None`` clears one); the others stay. A review not
    yet set defaults to the first meeting plus 1, 3 and 8 years, and one still at
    its default follows the first meeting when it moves. A date given before the
    event's own day (``event_day``) is refused.

    Examples
    --------
    >>> review_dates({}, {"first": "2026-12-10"})
    {'first': '2026-12-10', '1y': '2027-12-10', '3y': '2029-12-10', '8y': '2034-12-10'}
    >>> review_dates({'first': '2026-12-10', '1y': '2027-12-10', '3y': '2029-12-10', '8y': '2034-12-10'},
    ...              {"3y": "2030-01-15"})["1y"]
    '2027-12-10'
    >>> review_dates({}, {"1y": "2025-01-01"}, event_day="2026-03-12")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The 1-year review (2025-01-01) is before the event (2026-03-12): choose a date on or after it.
    """
    try:
        event_day = iso_date(event_day, "event's date")
    except FacilitationError:  # an event dated before dates were checked: no bound to hold
        event_day = None
    for key, day in given.items():
        if day and event_day and day < event_day:
            raise FacilitationError(
                f"The {REVIEW_WHAT[key]} ({day}) is before the event ({event_day}): choose a date on or after it."
            )
    out = {k: d for k, d in stored.items() if k in HORIZONS and d}
    old_first = out.get("first")
    # a form sends every date; one sent as it is stored was not changed
    given = {k: d for k, d in given.items() if (d or None) != out.get(k)}
    for key, day in given.items():
        if day:
            out[key] = day
        else:
            out.pop(key, None)
    first = out.get("first")
    if first:
        for key, years in _REVIEW_YEARS.items():
            if given.get(key) or (key in given and key in stored):
                continue  # set or cleared by this edit
            at_default = (
                old_first and out.get(key) == add_years(date.fromisoformat(old_first), years).isoformat()
            )
            if key not in out or at_default:
                out[key] = add_years(date.fromisoformat(first), years).isoformat()
    return {k: out[k] for k in HORIZONS if k in out}


def update_group(
    store: Store,
    actor: Actor,
    event_id: int,
    group_id: int,
    *,
    client_token: str | None = None,
    **fields: Any,
) -> int:
    """Edit a group's plan: purpose, lead, sponsor, key question, success measures, dates, destination.

    ``review_dates`` maps ``first`` (first meeting), ``1y``, ``3y`` and ``8y`` to ISO
    dates, merged with those stored (see :func:`review_dates`: setting one never
    clears another, and reviews not set follow the first meeting by 1, 3 and 8
    years); ``destination`` is "exemplar hub" or "board". The lead table drafts its own
    group in the plans phase; only the facilitator changes ``lead_table``.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> from facilitation.access import FACILITATOR
    >>> update_group(store, FACILITATOR, ev, 1, destination="the moon")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A group goes to an exemplar hub or to the board, not 'the moon'.
    """
    values = _clean_group_fields(fields)
    if "lead_table" in fields:
        require(actor, "facilitator", action="choose which table leads a group")

    def fn(conn: Connection) -> Change:
        group = _load_group(conn, event_id, group_id)
        _may_draft(conn, actor, event_id, group, "edit this group's plan")
        if "lead_table" in fields:
            lt = fields["lead_table"]
            values["lead_table_id"] = table_id(conn, event_id, lt) if lt not in (None, "") else None
        row = dict(values)
        if "review_dates" in row:
            stored = json.loads(group["review_dates"] or "{}")
            dates = review_dates(stored, row["review_dates"], load_event(conn, event_id).starts_on)
            row["review_dates"] = json.dumps(dates, sort_keys=True)
        conn.execute(update(s.groups).where(s.groups.c.id == group["id"]).values(updated_at=now(), **row))
        detail = {
            k: (json.loads(x) if k in ("success_measures", "review_dates") else x) for k, x in row.items()
        }
        return Change("edit group", "group", group["id"], detail, group["id"])

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def add_member(
    store: Store,
    actor: Actor,
    event_id: int,
    group_id: int,
    person_id: int,
    *,
    role: str = "member",
    client_token: str | None = None,
) -> int:
    """Add a person of the event (or its series) to a group; adding twice changes only the role."""
    if role not in MEMBER_ROLES:
        raise FacilitationError(f"A member's role is one of {', '.join(MEMBER_ROLES)}, not '{role}'.")

    def fn(conn: Connection) -> Change:
        group = _load_group(conn, event_id, group_id)
        _may_draft(conn, actor, event_id, group, "add members to this group")
        ev = load_event(conn, event_id)
        person = conn.execute(
            select(s.people.c.id, s.people.c.name, s.people.c.series_id).where(
                s.people.c.id == int(person_id), _live(s.people)
            )
        ).first()
        at_event = conn.execute(
            select(s.attendance.c.id).where(
                s.attendance.c.event_id == event_id, s.attendance.c.person_id == int(person_id),
                _live(s.attendance),
            )
        ).first()  # fmt: skip
        in_series = person is not None and ev.series_id is not None and person.series_id == ev.series_id
        if person is None or (at_event is None and not in_series):
            raise NotFound(f"Person {person_id} is not at this event or its series.")
        row = conn.execute(
            select(s.group_members.c.id).where(
                s.group_members.c.group_id == group["id"], s.group_members.c.person_id == person.id,
                _live(s.group_members),
            )
        ).first()  # fmt: skip
        if row is not None:
            conn.execute(update(s.group_members).where(s.group_members.c.id == row.id).values(role=role))
            mid = row.id
        else:
            mid = conn.execute(
                insert(s.group_members)
                .values(group_id=group["id"], person_id=person.id, role=role, created_at=now())
                .returning(s.group_members.c.id)
            ).scalar_one()
        return Change(
            "add member", "group", group["id"], {"person": person.id, "name": person.name, "role": role}, mid
        )

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def remove_member(
    store: Store,
    actor: Actor,
    event_id: int,
    group_id: int,
    person_id: int,
    *,
    client_token: str | None = None,
) -> int:
    """Take a person out of a group (soft: the membership is marked removed)."""

    def fn(conn: Connection) -> Change:
        group = _load_group(conn, event_id, group_id)
        _may_draft(conn, actor, event_id, group, "remove members from this group")
        res = conn.execute(
            update(s.group_members)
            .where(
                s.group_members.c.group_id == group["id"], s.group_members.c.person_id == int(person_id),
                _live(s.group_members),
            )
            .values(deleted_at=now())
        )  # fmt: skip
        if not res.rowcount:
            raise NotFound(f"Person {person_id} is not a member of '{group['name']}'.")
        return Change("remove member", "group", group["id"], {"person": int(person_id)}, int(person_id))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def link_entry(
    store: Store,
    actor: Actor,
    event_id: int,
    group_id: int,
    entry_id: int,
    *,
    use: str | None = None,
    client_token: str | None = None,
) -> int:
    """Link an enabler the group will ``"use"`` or a blocker it must ``"remove"``.

    Without ``use`` a blocker is one to remove and anything else one to use.
    Linking twice returns the first link.
    """
    if use not in (None, "use", "remove"):
        raise FacilitationError(f"A group either uses an enabler or removes a blocker, not '{use}'.")

    def fn(conn: Connection) -> Change:
        group = _load_group(conn, event_id, group_id)
        _may_draft(conn, actor, event_id, group, "link entries to this group")
        entry = conn.execute(
            select(s.entries.c.id, s.entries.c.kind).where(
                s.entries.c.id == int(entry_id), s.entries.c.event_id == event_id, _live(s.entries)
            )
        ).first()
        if entry is None:
            raise NotFound(f"Entry {entry_id} is not at this event any more; reload the page.")
        how = use or ("remove" if entry.kind == "blocker" else "use")
        if (entry.kind, how) in (("blocker", "use"), ("enabler", "remove")):
            raise FacilitationError(
                f"A group removes blockers and uses enablers; this {entry.kind} cannot be to {how}."
            )
        row = conn.execute(
            select(s.group_entries.c.id).where(
                s.group_entries.c.group_id == group["id"], s.group_entries.c.entry_id == entry.id,
                _live(s.group_entries),
            )
        ).first()  # fmt: skip
        if row is not None:
            conn.execute(update(s.group_entries).where(s.group_entries.c.id == row.id).values(use=how))
            lid = row.id
        else:
            lid = conn.execute(
                insert(s.group_entries)
                .values(group_id=group["id"], entry_id=entry.id, use=how, created_at=now())
                .returning(s.group_entries.c.id)
            ).scalar_one()
        return Change("link entry", "group", group["id"], {"entry": entry.id, "use": how}, lid)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def unlink_entry(
    store: Store,
    actor: Actor,
    event_id: int,
    group_id: int,
    entry_id: int,
    *,
    client_token: str | None = None,
) -> int:
    """Undo :func:`link_entry` (soft)."""

    def fn(conn: Connection) -> Change:
        group = _load_group(conn, event_id, group_id)
        _may_draft(conn, actor, event_id, group, "unlink entries from this group")
        conn.execute(
            update(s.group_entries)
            .where(
                s.group_entries.c.group_id == group["id"], s.group_entries.c.entry_id == int(entry_id),
                _live(s.group_entries),
            )
            .values(deleted_at=now())
        )  # fmt: skip
        return Change("unlink entry", "group", group["id"], {"entry": int(entry_id)}, int(entry_id))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def _check_status(status: str) -> str:
    if status not in s.ACTION_STATUSES:
        raise FacilitationError(
            f"An action's status is one of: {', '.join(s.ACTION_STATUSES)}; not '{status}'."
        )
    return status


def add_action(
    store: Store,
    actor: Actor,
    event_id: int,
    group_id: int,
    text: str,
    *,
    owner: str = "",
    due_on: str | date | None = None,
    status: str = "not started",
    client_token: str | None = None,
) -> int:
    """Add a first action to a group, with owner, due date (ISO) and status; returns its id.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event()
    >>> add_action(store, FACILITATOR, ev, 1, "Map the data flows", due_on="31/03/2027")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The due date is a date like 2026-03-12 (year-month-day), not '31/03/2027'.
    """
    body = clean_text(text, field="action", max_length=1000)
    who = clean_text(owner, field="owner", max_length=MAX_NAME, required=False)
    due = iso_date(due_on, "due date")
    _check_status(status)

    def fn(conn: Connection) -> Change:
        group = _load_group(conn, event_id, group_id)
        _may_draft(conn, actor, event_id, group, "add actions to this group")
        aid = conn.execute(
            insert(s.actions)
            .values(group_id=group["id"], text=body, owner=who, due_on=due, status=status, created_at=now())
            .returning(s.actions.c.id)
        ).scalar_one()
        detail = {"group": group["id"], "text": body, "owner": who, "due_on": due, "status": status}
        return Change("add action", "action", aid, detail, aid)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def _load_action(conn: Connection, event_id: int, action_id: int) -> tuple[Any, Any]:
    row = conn.execute(
        select(s.actions.c.id, s.actions.c.group_id).where(s.actions.c.id == int(action_id), _live(s.actions))
    ).first()
    if row is None:
        raise NotFound(f"There is no action {action_id}; reload the page.")
    return row, _load_group(conn, event_id, row.group_id)


def update_action(
    store: Store,
    actor: Actor,
    event_id: int,
    action_id: int,
    *,
    text: str | None = None,
    owner: str | None = None,
    due_on: str | date | None = None,
    status: str | None = None,
    client_token: str | None = None,
) -> int:
    """Change an action's text, owner, due date or status (its group's drafters).

    At a later event of the series the facilitator updates the status of earlier actions.
    The event given is the action's own event.
    """
    values: dict[str, Any] = {}
    if text is not None:
        values["text"] = clean_text(text, field="action", max_length=1000)
    if owner is not None:
        values["owner"] = clean_text(owner, field="owner", max_length=MAX_NAME, required=False)
    if due_on is not None:
        values["due_on"] = iso_date(due_on, "due date")
    if status is not None:
        values["status"] = _check_status(status)

    def fn(conn: Connection) -> Change:
        row, group = _load_action(conn, event_id, action_id)
        _may_draft(conn, actor, event_id, group, "edit this action")
        conn.execute(update(s.actions).where(s.actions.c.id == row.id).values(updated_at=now(), **values))
        return Change("edit action", "action", row.id, dict(values), row.id)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def remove_action(
    store: Store, actor: Actor, event_id: int, action_id: int, *, client_token: str | None = None
) -> int:
    """Withdraw an action (soft: kept in the store and the log)."""

    def fn(conn: Connection) -> Change:
        row, group = _load_action(conn, event_id, action_id)
        _may_draft(conn, actor, event_id, group, "remove this action")
        conn.execute(update(s.actions).where(s.actions.c.id == row.id).values(deleted_at=now()))
        return Change("remove action", "action", row.id, {"group": group["id"]}, row.id)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)
