"""Dot voting on themes: limits that hold under concurrency, hidden results, honest ties.

Dots are slots. A voter's dot holds one of ``dots_per_voter`` slots and one of
``max_per_theme`` slots on its theme; two partial unique indexes over the dots not
removed (``uq_dot_slot``, ``uq_dot_theme_slot``) make the database refuse a dot
beyond either limit, whatever the isolation level. Two laptops of one voter that
pick the same free slot at once collide on the index; the store reruns the loser's
transaction, which then sees the winner's dot. A count-then-insert cannot give that
under PostgreSQL's READ COMMITTED (see ``tests/test_concurrency.py``).

A voter is ``"table:N"`` (the table votes as one) or ``"person:ID"`` (each person at a
table has their own dots), as the event's voting rules say. Counting the dots is
:mod:`facilitation.voting.tally` (re-exported here).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import Event, load_event, require_open_for_input, table_id
from facilitation.events.templates import VotingRules, parse_voting
from facilitation.store import Change, Retry, Store, now
from facilitation.store import schema as s
from facilitation.store.queries import read_from, seat_of
from facilitation.themes.records import Theme, author_tables, list_themes, votable_among
from facilitation.voting.tally import TallyRow, live_dots, tally

# TallyRow and tally live in facilitation.voting.tally; named here too, so that imports from
# this module keep working.
__all__ = [
    "VOTING_INPUTS",
    "DotsLeft",
    "TallyRow",
    "add_dot",
    "dots_left",
    "open_runoff",
    "remove_dot",
    "require_open_round",
    "reveal_votes",
    "set_voting_rules",
    "tally",
    "voter_label",
    "voters_with_dots_left",
]

VOTING_INPUTS = ("voting",)


@dataclass(frozen=True)
class DotsLeft:
    """A voter's dots in the current round: what is spent where, and what is left."""

    voter: str
    round: int
    total: int
    spent: int
    left: int
    by_theme: dict[int, int] = field(default_factory=dict)
    must_spend_all: bool = False


def voter_label(table: int | None = None, *, person_id: int | None = None) -> str:
    """How the store names a voter.

    Examples
    --------
    >>> voter_label(3), voter_label(person_id=17)
    ('table:3', 'person:17')
    """
    if person_id is not None:
        return f"person:{int(person_id)}"
    if table is None:
        raise FacilitationError("Say which table or person is voting.")
    return f"table:{int(table)}"


def _who(conn: Connection, voter: str, *, lower: bool = False) -> str:
    """A voter as a person reads it: "Table 3" ("table 3" mid-sentence), or the person's name."""
    kind, _, ident = voter.partition(":")
    if kind == "table":
        return f"{'table' if lower else 'Table'} {ident}"
    name = conn.execute(select(s.people.c.name).where(s.people.c.id == int(ident))).scalar()
    return str(name) if name else "Someone no longer on the list"


def _person_name(conn: Connection, person_id: int) -> str:
    name = conn.execute(select(s.people.c.name).where(s.people.c.id == int(person_id))).scalar()
    if name is None:
        raise NotFound("That person is not on this event's list of people.")
    return str(name)


def require_open_round(ev: Event) -> None:
    """Refuse a dot added or taken back once the current round's votes were revealed.

    The reveal closes its round for good: hiding the result again does not reopen
    it; only a run-off (a new round) lets people vote again.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> from facilitation.events.rules import get_event
    >>> store, ev = scratch_event(phase="voting")
    >>> _ = reveal_votes(store, FACILITATOR, ev)
    >>> require_open_round(get_event(store, ev))
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Voting is closed: the result is on the projector. Your dots stay as they were.
    """
    if ev.voting_closed:
        raise FacilitationError(
            "Voting is closed: the result is on the projector. Your dots stay as they were."
        )


# --- inside a transaction -------------------------------------------------------------------


_ROUND_LOCK = 0x13  # the first key of the advisory lock a round's dots and its reveal share


def _round_lock(conn: Connection, event_id: int, *, exclusive: bool) -> None:
    """Queue a dot behind a reveal (PostgreSQL; SQLite writes are serial anyway).

    Dots take the event's round lock shared, the reveal exclusive. Row locks alone
    let a stream of dots (each reading the event ``FOR SHARE``) starve the reveal's
    ``FOR UPDATE``; the advisory lock queues in order, so a reveal waits only for
    the dots already in flight, and dots sent after it wait, then see the round closed.
    """
    if conn.dialect.name == "postgresql":
        fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        conn.exec_driver_sql(f"SELECT {fn}({_ROUND_LOCK}, {int(event_id)})")


def _lock_event(conn: Connection, event_id: int) -> Event:
    """Read the event FOR UPDATE (PostgreSQL): waits for votes holding it FOR SHARE."""
    conn.execute(select(s.events.c.id).where(s.events.c.id == int(event_id)).with_for_update()).all()
    return load_event(conn, event_id)


def _seat(conn: Connection, event_id: int, person_id: int) -> tuple[int, int]:
    seat = seat_of(conn, event_id, person_id)
    if seat is None or seat.table_id is None or seat.number is None:
        who = _person_name(conn, person_id)
        raise NotFound(f"{who} is not seated at a table of this event, so has no dots here.")
    return seat.table_id, seat.number


def _voter(
    conn: Connection, actor: Actor, ev: Event, person_id: int | None, table: int | None
) -> tuple[str, int]:
    """The voter label and the voter's table row id; refuses a table voting for another."""
    if ev.voting_rules.voter == "table":
        if person_id is not None:
            raise FacilitationError(
                "At this event each table votes as one; there is no need to choose a person."
            )
        number = table if table is not None else actor.table
        if number is None:
            raise FacilitationError("Say which table is voting.")
        if actor.role == "table" and actor.table != int(number):
            raise NotAllowed(
                f"Table {actor.table} cannot spend dots for table {number}: each table votes only for itself."
            )
        return voter_label(int(number)), table_id(conn, ev.id, int(number))
    if person_id is None:
        raise FacilitationError("At this event each person has their own dots: choose who is voting.")
    tid, number = _seat(conn, ev.id, int(person_id))
    if actor.role == "table" and actor.table != number:
        raise NotAllowed(
            f"Table {actor.table} cannot spend dots for someone seated at table {number}: "
            "each table votes only for its own people."
        )
    if table is not None and int(table) != number:
        raise FacilitationError(f"{_person_name(conn, person_id)} sits at table {number}, not table {table}.")
    return voter_label(person_id=int(person_id)), tid


def _votable_theme(conn: Connection, ev: Event, theme_id: int) -> tuple[Theme, set[int]]:
    """The theme, if dots can go on it now, and the table numbers of its authors."""
    # FOR SHARE: a merge or dissolve of this theme waits for the vote, then sees its dot.
    conn.execute(select(s.themes.c.id).where(s.themes.c.id == int(theme_id)).with_for_update(read=True)).all()
    themes = list_themes(conn, ev.id)
    by_id = {t.id: t for t in themes}
    theme = by_id.get(int(theme_id))
    if theme is None:
        existed = conn.execute(
            select(s.themes.c.name).where(s.themes.c.id == int(theme_id), s.themes.c.event_id == ev.id)
        ).scalar()
        if existed is None:
            raise NotFound(f"This event has no theme {int(theme_id)}: there is nothing to put the dot on.")
        raise NotFound(f"'{existed}' was dissolved, so it is no longer on the ballot.")
    if theme.merged_into is not None:
        parent = by_id[theme.merged_into].name
        raise FacilitationError(f"'{theme.name}' is now part of '{parent}'; put the dot on '{parent}'.")
    if theme not in votable_among(themes, ev):
        if ev.runoff_themes and theme.id not in ev.runoff_themes:
            names = ", ".join(f"'{by_id[i].name}'" for i in ev.runoff_themes if i in by_id)
            raise FacilitationError(f"This round is a run-off between {names}; '{theme.name}' is not in it.")
        raise FacilitationError(f"'{theme.name}' has no entries, so it is not on the ballot.")
    return theme, author_tables(theme, by_id)


def _dots_left(conn: Connection, ev: Event, voter: str) -> DotsLeft:
    live = live_dots(conn, ev, ev.voting_round, voter)
    rules = ev.voting_rules
    by_theme = dict(Counter(int(d.theme_id) for d in live))
    return DotsLeft(
        voter,
        ev.voting_round,
        rules.dots_per_voter,
        len(live),
        max(0, rules.dots_per_voter - len(live)),
        by_theme,
        rules.must_spend_all,
    )


# --- voting ---------------------------------------------------------------------------------


def add_dot(
    store: Store,
    actor: Actor,
    event_id: int,
    theme_id: int,
    *,
    person_id: int | None = None,
    table: int | None = None,
    client_token: str | None = None,
) -> DotsLeft:
    """Put one of the voter's dots on a theme; returns the voter's dots as stored.

    A table actor votes as its table, or for a person seated at it (``person_id``);
    the facilitator, helping at a table, names ``table`` or ``person_id``.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> from facilitation.capture.rules import add_entry
    >>> from facilitation.events.rules import set_phase
    >>> from facilitation.themes.grouping import create_theme
    >>> store, ev = scratch_event(phase="grouping")
    >>> e = add_entry(store, table_actor(1), ev, 1, "idea", "Joint training days")
    >>> t = create_theme(store, table_actor(1), ev, 1, "Workforce", [e])
    >>> _ = set_phase(store, FACILITATOR, ev, "voting")
    >>> add_dot(store, table_actor(2), ev, t).left
    4
    >>> add_dot(store, table_actor(2), ev, t, table=3)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Table 2 cannot spend dots for table 3: each table votes only for itself.
    """
    require(actor, "table", "facilitator", action="spend dots")

    def fn(conn: Connection) -> Change:
        _round_lock(conn, event_id, exclusive=False)
        ev = require_open_for_input(conn, event_id, VOTING_INPUTS, "spend dots")
        require_open_round(ev)
        rules = ev.voting_rules
        voter, voter_table = _voter(conn, actor, ev, person_id, table)
        theme, authors = _votable_theme(conn, ev, theme_id)
        number = conn.execute(
            select(s.event_tables.c.number).where(s.event_tables.c.id == voter_table)
        ).scalar_one()
        if not rules.own_themes and number in authors:
            raise FacilitationError(
                f"At this event a table does not vote for its own themes, and '{theme.name}' holds "
                f"entries of table {number}. Spend the dot on another theme."
            )
        live = live_dots(conn, ev, ev.voting_round, voter)
        if len(live) >= rules.dots_per_voter:
            raise FacilitationError(
                f"{_who(conn, voter)} has spent all {rules.dots_per_voter} dots. Take one off a theme to move it."
            )
        on_theme = {int(d.theme_slot) for d in live if d.theme_id == theme.id}
        if len(on_theme) >= rules.max_per_theme:
            raise FacilitationError(
                f"'{theme.name}' already has {rules.max_per_theme} of {_who(conn, voter, lower=True)}'s dots, "
                "the most one voter may put on a theme."
            )
        # The lowest free slots: a concurrent dot taking the same one violates the
        # unique index, and the store reruns this transaction.
        slot = min(set(range(rules.dots_per_voter)) - {int(d.slot) for d in live})
        theme_slot = min(set(range(rules.max_per_theme)) - on_theme)
        dot_id = conn.execute(
            insert(s.dots)
            .values(
                event_id=ev.id,
                round=ev.voting_round,
                voter=voter,
                voter_table_id=voter_table,
                theme_id=theme.id,
                slot=slot,
                theme_slot=theme_slot,
                created_at=now(),
            )
            .returning(s.dots.c.id)
        ).scalar_one()
        detail = {"voter": voter, "theme": theme.id, "round": ev.voting_round}
        return Change("add dot", "dot", dot_id, detail, {"voter": voter, "dot": dot_id})

    res = store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result
    return dots_left(store, event_id, res["voter"])


def remove_dot(
    store: Store,
    actor: Actor,
    event_id: int,
    theme_id: int,
    *,
    person_id: int | None = None,
    table: int | None = None,
    client_token: str | None = None,
) -> DotsLeft:
    """Take one of the voter's dots back off a theme; returns the voter's dots as stored.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(phase="voting")
    >>> remove_dot(store, table_actor(1), ev, 99)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Table 1 has no dot on that theme to take back.
    """
    require(actor, "table", "facilitator", action="take dots back")

    def fn(conn: Connection) -> Change:
        _round_lock(conn, event_id, exclusive=False)
        ev = require_open_for_input(conn, event_id, VOTING_INPUTS, "take dots back")
        require_open_round(ev)
        voter, _ = _voter(conn, actor, ev, person_id, table)
        row = conn.execute(
            select(s.dots.c.id)
            .where(
                s.dots.c.event_id == ev.id,
                s.dots.c.round == ev.voting_round,
                s.dots.c.voter == voter,
                s.dots.c.theme_id == int(theme_id),
                s.dots.c.removed_at.is_(None),
            )
            .order_by(s.dots.c.theme_slot.desc(), s.dots.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            raise FacilitationError(f"{_who(conn, voter)} has no dot on that theme to take back.")
        done = conn.execute(
            update(s.dots)
            .where(s.dots.c.id == row.id, s.dots.c.removed_at.is_(None))
            .values(removed_at=now())
        )
        if done.rowcount != 1:  # the voter's other laptop took it back meanwhile
            raise Retry()
        detail = {"voter": voter, "theme": int(theme_id), "round": ev.voting_round}
        return Change("remove dot", "dot", int(row.id), detail, {"voter": voter, "dot": int(row.id)})

    res = store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result
    return dots_left(store, event_id, res["voter"])


def dots_left(store: Store | Connection, event_id: int, voter: str) -> DotsLeft:
    """A voter's dots in the current round (``voter`` as :func:`voter_label` names it).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(phase="voting")
    >>> dots_left(store, ev, "table:1").left
    5
    """

    def q(conn: Connection) -> DotsLeft:
        return _dots_left(conn, load_event(conn, event_id), voter)

    return read_from(store, q)


def _voters(conn: Connection, ev: Event) -> list[str]:
    if ev.voting_rules.voter == "table":
        numbers = conn.execute(
            select(s.event_tables.c.number)
            .where(s.event_tables.c.event_id == ev.id, s.event_tables.c.deleted_at.is_(None))
            .order_by(s.event_tables.c.number)
        ).scalars()
        return [voter_label(n) for n in numbers]
    people = conn.execute(
        select(s.attendance.c.person_id)
        .join(s.event_tables, s.event_tables.c.id == s.attendance.c.table_id)
        .where(s.attendance.c.event_id == ev.id, s.attendance.c.deleted_at.is_(None))
        .order_by(s.event_tables.c.number, s.attendance.c.person_id)
    ).scalars()
    return [voter_label(person_id=p) for p in people]


def voters_with_dots_left(store: Store | Connection, event_id: int) -> dict[str, int]:
    """Every voter of the current round who still has dots, with how many (for the console).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(tables=2, phase="voting")
    >>> voters_with_dots_left(store, ev)
    {'table:1': 5, 'table:2': 5}
    """

    def q(conn: Connection) -> dict[str, int]:
        ev = load_event(conn, event_id)
        spent = Counter(d.voter for d in live_dots(conn, ev, ev.voting_round))
        total = ev.voting_rules.dots_per_voter
        return {v: total - spent[v] for v in _voters(conn, ev) if spent[v] < total}

    return read_from(store, q)


# --- the facilitator ------------------------------------------------------------------------


def set_voting_rules(store: Store, actor: Actor, event_id: int, **changes: Any) -> VotingRules:
    """Change the voting rules of the current round, before any dot is cast in it.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event()
    >>> set_voting_rules(store, FACILITATOR, ev, dots_per_voter=3, max_per_theme=1).dots_per_voter
    3
    >>> set_voting_rules(store, FACILITATOR, ev, dots=3)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: voting rules: voting.dots: is not a voting rule (known: dots_per_voter, max_per_theme, must_spend_all, own_themes, voter)
    """
    require(actor, "facilitator", action="change the voting rules")

    def fn(conn: Connection) -> Change:
        ev = _lock_event(conn, event_id)
        if live_dots(conn, ev, ev.voting_round):
            raise FacilitationError(
                "Dots have been cast in this round, so its rules can no longer change. "
                "Open a run-off round to vote again under new rules."
            )
        rules = parse_voting({**ev.voting_rules.as_dict(), **changes}, "voting rules")
        conn.execute(
            update(s.events).where(s.events.c.id == ev.id).values(voting_rules=json.dumps(rules.as_dict()))
        )
        return Change("set voting rules", "event", ev.id, rules.as_dict(), rules.as_dict())

    return VotingRules(**store.write(fn, actor=actor, event_id=event_id).result)


def reveal_votes(
    store: Store, actor: Actor, event_id: int, revealed: bool = True, *, force: bool = False
) -> bool:
    """Show (or hide again) the current round's result on every page. Facilitator only.

    Revealing closes the round: no dot is added or taken back after it, and hiding
    the result again does not reopen it (a run-off is a new round). A round is
    revealed only during the voting phase, so skipping ahead never reveals a round
    before its voting. When the rules say every dot must be spent, revealing while
    voters still have dots is refused unless ``force``; the message names who has
    dots left. The activity log records how many dots the round held when revealed.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR, table_actor
    >>> store, ev = scratch_event(phase="voting")
    >>> reveal_votes(store, FACILITATOR, ev)
    True
    >>> reveal_votes(store, table_actor(1), ev)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console can reveal the votes; table 1 cannot.
    """
    require(actor, "facilitator", action="reveal the votes")

    def fn(conn: Connection) -> Change:
        _round_lock(conn, event_id, exclusive=True)
        ev = _lock_event(conn, event_id)
        if revealed and ev.voting_rules.must_spend_all and not force:
            waiting = voters_with_dots_left(conn, event_id)
            if waiting:
                names = ", ".join(_who(conn, v) for v in list(waiting)[:6]) + (
                    " and others" if len(waiting) > 6 else ""
                )
                raise FacilitationError(
                    f"Every dot must be spent at this event, and {names} still "
                    f"{'has' if len(waiting) == 1 else 'have'} dots. "
                    "Wait for them, or reveal anyway."
                )
        if revealed and not ev.voting_closed and ev.phase.input not in VOTING_INPUTS:
            raise FacilitationError(
                f"Round {ev.voting_round} has not been voted on yet: reveal it during the voting phase, "
                f"not during '{ev.phase.title}'."
            )
        values: dict[str, Any] = {"votes_revealed": bool(revealed)}
        if revealed:
            values["closed_round"] = max(ev.closed_round, ev.voting_round)
        conn.execute(update(s.events).where(s.events.c.id == ev.id).values(**values))
        verb = "reveal votes" if revealed else "hide votes"
        detail = {"round": ev.voting_round, "dots": len(live_dots(conn, ev, ev.voting_round))}
        return Change(verb, "event", ev.id, detail, bool(revealed))

    return bool(store.write(fn, actor=actor, event_id=event_id).result)


def open_runoff(store: Store, actor: Actor, event_id: int, theme_ids: list[int] | tuple[int, ...]) -> int:
    """Open a new voting round among some themes (the tied ones); returns its number.

    Every voter gets their dots again; the result is hidden until revealed again.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event(phase="voting")
    >>> open_runoff(store, FACILITATOR, ev, [1])
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: A run-off needs at least two themes.
    """
    require(actor, "facilitator", action="open a run-off")
    ids = sorted({int(i) for i in theme_ids})
    if len(ids) < 2:
        raise FacilitationError("A run-off needs at least two themes.")

    def fn(conn: Connection) -> Change:
        ev = _lock_event(conn, event_id)
        themes = list_themes(conn, event_id)
        ballot = {t.id for t in votable_among(themes, ev)}
        names = {t.id: t.name for t in themes}
        off = [i for i in ids if i not in ballot]
        if off:
            what = f"'{names[off[0]]}'" if off[0] in names else f"Theme {off[0]}"
            raise FacilitationError(f"{what} is not on this round's ballot, so it cannot be in the run-off.")
        new_round = ev.voting_round + 1
        conn.execute(
            update(s.events)
            .where(s.events.c.id == ev.id)
            .values(voting_round=new_round, runoff_themes=json.dumps(ids), votes_revealed=False)
        )
        # A theme reopened after its vote freezes again when a new round opens.
        conn.execute(
            update(s.theme_reopenings)
            .where(s.theme_reopenings.c.event_id == ev.id, s.theme_reopenings.c.closed_at.is_(None))
            .values(closed_at=now())
        )
        return Change("open run-off", "event", ev.id, {"round": new_round, "themes": ids}, new_round)

    return int(store.write(fn, actor=actor, event_id=event_id).result)
