"""Reopening a voted theme: the facilitator's way past the freeze, with a reason, on the record.

A theme that holds dots is frozen (:func:`facilitation.themes.checks.refuse_if_frozen`).
:func:`reopen_theme` lifts the freeze on one theme until the facilitator closes it
(:func:`close_reopening`), the phase moves or a new voting round opens. Each reopening
keeps the theme as the room voted on it (its name and its entries: the freeze kept
them as they were when the dots were cast), so the tally, the decision log and the
outcome pack show that round's result as voted and as amended (:func:`amendments`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import load_event
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.store.queries import read_from
from facilitation.text import clean_text
from facilitation.themes.checks import dotted_rounds, open_reopenings
from facilitation.themes.records import Theme, list_themes

__all__ = [
    "MAX_REASON",
    "Amendment",
    "Reopening",
    "VotedTheme",
    "amendments",
    "close_reopening",
    "list_reopenings",
    "reopen_theme",
    "voted_themes",
]

MAX_REASON = 500

VotedEntry = tuple[str, str, int]  # (kind, text, table number)


@dataclass(frozen=True)
class Reopening:
    """One reopening of a voted theme, with the theme as the room voted on it."""

    id: int
    theme_id: int
    rounds: tuple[int, ...]
    reason: str
    voted_name: str
    voted_entries: tuple[VotedEntry, ...]
    reopened_by: str
    reopened_at: str
    closed_at: str | None


@dataclass(frozen=True)
class Amendment:
    """What became of a voted theme after a reopening, for one round's result.

    ``voted_name`` and ``voted_entries`` are the theme as voted on; ``note`` says in
    one line what changed since and why (the reasons given); ``entries_now`` are
    its live entries now.
    """

    theme_id: int
    round: int
    voted_name: str
    voted_entries: tuple[VotedEntry, ...]
    entries_now: tuple[VotedEntry, ...]
    note: str


def _entries(conn: Connection, theme_ids: list[int]) -> list[VotedEntry]:
    if not theme_ids:
        return []
    rows = conn.execute(
        select(s.entries.c.kind, s.entries.c.text, s.event_tables.c.number)
        .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
        .where(s.entries.c.theme_id.in_(theme_ids), s.entries.c.deleted_at.is_(None))
        .order_by(s.entries.c.id)
    ).all()
    return [(str(r.kind), str(r.text), int(r.number)) for r in rows]


def _members(conn: Connection, theme_id: int) -> list[int]:
    """A theme and the table themes merged into it (live or not: a dissolved theme's are freed)."""
    kids = conn.execute(
        select(s.themes.c.id).where(s.themes.c.merged_into == theme_id, s.themes.c.deleted_at.is_(None))
    ).scalars()
    return [int(theme_id), *(int(k) for k in kids)]


def reopen_theme(
    store: Store,
    actor: Actor,
    event_id: int,
    theme_id: int,
    reason: str,
    *,
    client_token: str | None = None,
) -> int:
    """Reopen a voted (frozen) theme so that it can change; returns the reopening's id.

    Facilitator only, with a reason, written to the activity log. The theme stays open
    until :func:`close_reopening`, the next phase move or the next voting round.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> store, ev = scratch_event(phase="voting")
    >>> reopen_theme(store, table_actor(1), ev, 1, "typo")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console can reopen a voted theme; table 1 cannot.
    >>> reopen_theme(store, FACILITATOR, ev, 1, "  ")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Write the reason for reopening the theme: it goes on the record.
    """
    require(actor, "facilitator", action="reopen a voted theme")
    if reason is None or not str(reason).strip():
        raise FacilitationError("Write the reason for reopening the theme: it goes on the record.")
    why = clean_text(reason, field="reason", max_length=MAX_REASON)

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        by_id = {t.id: t for t in list_themes(conn, event_id)}
        theme = by_id.get(int(theme_id))
        if theme is None:
            raise NotFound(f"This event has no theme {theme_id} (dissolved or merged?); check its number.")
        rounds = dotted_rounds(conn, ev.id, [theme.id]).get(theme.id, [])
        if not rounds:
            holder = _holder(conn, ev.id, theme, by_id)
            if holder is not None:
                raise FacilitationError(
                    f"'{theme.name}' is frozen by '{holder.name}' (theme {holder.id}), which holds the dots: "
                    f"reopen '{holder.name}'."
                )
            raise FacilitationError(f"'{theme.name}' holds no dots, so it is not frozen: change it as it is.")
        if theme.id in open_reopenings(conn, ev):
            raise FacilitationError(f"'{theme.name}' is already reopened; change it, then close it.")
        voted = _entries(conn, _members(conn, theme.id))
        reopening_id = int(
            conn.execute(
                insert(s.theme_reopenings)
                .values(
                    event_id=ev.id,
                    theme_id=theme.id,
                    rounds=json.dumps(rounds),
                    reason=why,
                    voted_name=theme.name,
                    voted_entries=json.dumps(voted),
                    reopened_by=actor.label,
                    created_at=now(),
                )
                .returning(s.theme_reopenings.c.id)
            ).scalar_one()
        )
        detail = {"theme": theme.id, "name": theme.name, "rounds": rounds, "reason": why}
        return Change("reopen theme", "theme", theme.id, detail, reopening_id)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def _holder(conn: Connection, event_id: int, theme: Theme, by_id: dict[int, Theme]) -> Theme | None:
    """The theme whose dots freeze ``theme`` (the one it is merged into, or a member)."""
    family = [i for i in [theme.merged_into, *theme.member_theme_ids] if i is not None]
    dotted = dotted_rounds(conn, event_id, family)
    return next((by_id[i] for i in family if i in dotted), None)


def close_reopening(
    store: Store, actor: Actor, event_id: int, theme_id: int, *, client_token: str | None = None
) -> int:
    """Freeze a reopened theme again (the facilitator is done changing it); returns the theme id.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event(phase="voting")
    >>> close_reopening(store, FACILITATOR, ev, 1)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Theme 1 is not reopened, so there is nothing to close.
    """
    require(actor, "facilitator", action="close a reopened theme")

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        if int(theme_id) not in open_reopenings(conn, ev):
            raise FacilitationError(f"Theme {theme_id} is not reopened, so there is nothing to close.")
        conn.execute(
            update(s.theme_reopenings)
            .where(
                s.theme_reopenings.c.event_id == ev.id,
                s.theme_reopenings.c.theme_id == int(theme_id),
                s.theme_reopenings.c.closed_at.is_(None),
            )
            .values(closed_at=now())
        )
        return Change("close reopening", "theme", int(theme_id), {"theme": int(theme_id)}, int(theme_id))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def _read(conn: Connection, event_id: int) -> list[Reopening]:
    t = s.theme_reopenings
    rows = conn.execute(select(t).where(t.c.event_id == event_id).order_by(t.c.id)).all()
    return [
        Reopening(
            int(r.id),
            int(r.theme_id),
            tuple(int(x) for x in json.loads(r.rounds)),
            str(r.reason),
            str(r.voted_name),
            tuple((str(k), str(x), int(n)) for k, x, n in json.loads(r.voted_entries)),
            str(r.reopened_by),
            str(r.created_at),
            r.closed_at,
        )
        for r in rows
    ]


def list_reopenings(store: Store | Connection, event_id: int) -> list[Reopening]:
    """Every reopening of the event's voted themes, oldest first.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> list_reopenings(store, ev)
    []
    """
    return read_from(store, lambda conn: _read(conn, event_id))


@dataclass(frozen=True)
class VotedTheme:
    """A live theme that holds dots: frozen unless ``reopened``."""

    theme: Theme
    rounds: tuple[int, ...]
    reopened: bool


def voted_themes(store: Store | Connection, event_id: int) -> list[VotedTheme]:
    """The event's live themes that hold dots, each with its rounds and whether it is reopened.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(phase="voting")
    >>> voted_themes(store, ev)
    []
    """

    def q(conn: Connection) -> list[VotedTheme]:
        themes = list_themes(conn, event_id)
        dotted = dotted_rounds(conn, event_id, [t.id for t in themes])
        reopened = open_reopenings(conn, load_event(conn, event_id))
        return [VotedTheme(t, tuple(dotted[t.id]), t.id in reopened) for t in themes if t.id in dotted]

    return read_from(store, q)


def amendments(conn: Connection, event_id: int) -> dict[tuple[int, int], Amendment]:
    """What became of each reopened theme, by (theme id, round), read in the caller's transaction."""
    found = _read(conn, event_id)
    if not found:
        return {}
    rows = {
        int(r.id): r
        for r in conn.execute(
            select(s.themes.c.id, s.themes.c.name, s.themes.c.merged_into, s.themes.c.deleted_at).where(
                s.themes.c.event_id == event_id
            )
        )
    }
    out: dict[tuple[int, int], Amendment] = {}
    for theme_id in dict.fromkeys(r.theme_id for r in found):
        mine = [r for r in found if r.theme_id == theme_id]
        first = mine[0]
        row = rows[theme_id]
        now_entries = tuple(_entries(conn, _members(conn, theme_id))) if row.deleted_at is None else ()
        changes: list[str] = []
        if row.deleted_at is not None:
            changes.append("dissolved")
        elif row.name != first.voted_name:
            changes.append(f"renamed '{row.name}'")
        if (
            row.merged_into is not None
            and row.merged_into in rows
            and rows[row.merged_into].deleted_at is None
        ):
            changes.append(f"merged into '{rows[row.merged_into].name}'")
        if row.deleted_at is None and now_entries != first.voted_entries:
            changes.append(f"entries changed ({len(first.voted_entries)} as voted, {len(now_entries)} now)")
        reasons = "; ".join(dict.fromkeys(r.reason for r in mine))
        said = ", ".join(changes) if changes else "no change yet"
        note = f"Amended after the vote: {said} (reopened by the facilitator: {reasons})"
        for round_ in sorted({x for r in mine for x in r.rounds}):
            out[(theme_id, round_)] = Amendment(
                theme_id, round_, first.voted_name, first.voted_entries, now_entries, note
            )
    return out
