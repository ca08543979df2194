"""The result of a voting round: dots per theme, competition ranks, honest ties, and the
share of each theme's dots that crossed a boundary (tables, or organisations).

Casting dots is :mod:`facilitation.voting.rules`, which re-exports :func:`tally` and :class:`TallyRow`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.events.rules import Event, load_event
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.themes.records import Theme, author_tables, list_themes, votable_among
from facilitation.themes.reopening import amendments

__all__ = ["TallyRow", "live_dots", "tally"]


@dataclass(frozen=True)
class TallyRow:
    """One theme's result. ``rank`` is a competition rank: tied themes share it."""

    theme_id: int
    name: str
    dots: int
    rank: int
    tied: bool
    cross_boundary: float | None  # share of dots from outside its authors; None without dots
    # Set when the facilitator reopened the theme after this round's vote: what changed
    # since, and why. ``name`` is then the theme's name as voted on.
    amended: str | None = None


def live_dots(conn: Connection, ev: Event, round_: int, voter: str | None = None) -> list[Any]:
    """The dots of ``round_`` not taken back, oldest first; only ``voter``'s if given.

    Each row has ``id``, ``voter``, ``voter_table_id``, ``theme_id``, ``slot`` and
    ``theme_slot``; read inside the caller's transaction.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.events.rules import load_event
    >>> store, ev = scratch_event(phase="voting")
    >>> store.read(lambda conn: live_dots(conn, load_event(conn, ev), 1))
    []
    """
    q = select(
        s.dots.c.id,
        s.dots.c.voter,
        s.dots.c.voter_table_id,
        s.dots.c.theme_id,
        s.dots.c.slot,
        s.dots.c.theme_slot,
    ).where(s.dots.c.event_id == ev.id, s.dots.c.round == round_, s.dots.c.removed_at.is_(None))
    if voter is not None:
        q = q.where(s.dots.c.voter == voter)
    return list(conn.execute(q.order_by(s.dots.c.id)).all())


def _organisations(conn: Connection, event_id: int) -> tuple[dict[int, int | None], dict[int, set[int]]]:
    """Each attendee's organisation, and the organisations seated at each table row."""
    person_org: dict[int, int | None] = {}
    table_orgs: dict[int, set[int]] = {}
    for person, table, org in conn.execute(
        select(s.attendance.c.person_id, s.attendance.c.table_id, s.people.c.organisation_id)
        .join(s.people, s.people.c.id == s.attendance.c.person_id)
        .where(s.attendance.c.event_id == event_id, s.attendance.c.deleted_at.is_(None))
    ).all():
        person_org[person] = org
        if table is not None and org is not None:
            table_orgs.setdefault(table, set()).add(org)
    return person_org, table_orgs


def _entry_orgs(conn: Connection, event_id: int) -> dict[int, tuple[int | None, int | None]]:
    """Every entry of the event with its table row and its author's organisation, in one query."""
    rows = conn.execute(
        select(s.entries.c.id, s.entries.c.table_id, s.people.c.organisation_id)
        .select_from(s.entries.outerjoin(s.people, s.people.c.id == s.entries.c.author_id))
        .where(s.entries.c.event_id == event_id)
    ).all()  # one fetch: row by row was most of a tally's time at 2,000 entries
    return {entry: (table, org) for entry, table, org in rows}


def _author_orgs(
    entry_ids: tuple[int, ...],
    entry_orgs: dict[int, tuple[int | None, int | None]],
    table_orgs: dict[int, set[int]],
) -> set[int]:
    """The organisations of a theme's authors; an anonymous entry counts its whole table."""
    orgs: set[int] = set()
    for entry_id in entry_ids:
        table_row, org = entry_orgs.get(entry_id, (None, None))
        if org is not None:
            orgs.add(org)
        elif table_row is not None:
            orgs |= table_orgs.get(table_row, set())
    return orgs


def tally(
    store: Store | Connection, actor: Actor, event_id: int, *, round: int | None = None
) -> list[TallyRow]:
    """The result of a round, in rank order; tied themes share a rank and say so.

    Hidden from table pages until the facilitator reveals it. Among tied themes the
    order is by name, for a stable display only: the rank is the same.
    ``cross_boundary`` is the share of a theme's dots from tables (person voters:
    organisations) other than its authors'; a voter with no organisation recorded
    never counts as crossing. A table's dot on a theme gathered from several tables
    crosses as far as the theme's entries are other tables' (a table that wrote a
    quarter of them gives three quarters of a dot across), so a theme merged from
    every table does not read "0% from other tables". A past ``round`` lists the themes that received dots.

    A dot counts for the theme it was cast on, and a theme that received dots is never
    dropped: one dissolved or merged after the facilitator reopened it stays, under its
    name as voted, with ``amended`` saying what became of it and why.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, FACILITATOR
    >>> store, ev = scratch_event(phase="voting")
    >>> tally(store, table_actor(1), ev)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: The votes are hidden until the facilitator reveals them.
    >>> tally(store, FACILITATOR, ev)
    []
    """
    require(actor, "facilitator", "organiser", "table", action="see the votes")

    def q(conn: Connection) -> list[TallyRow]:
        ev = load_event(conn, event_id)
        r = ev.voting_round if round is None else int(round)
        if not 1 <= r <= ev.voting_round:
            raise FacilitationError(f"This event has voting rounds 1 to {ev.voting_round}, not {r}.")
        if actor.role == "table" and r == ev.voting_round and not ev.votes_revealed:
            raise NotAllowed("The votes are hidden until the facilitator reveals them.")
        themes = list_themes(conn, event_id)
        by_id = {t.id: t for t in themes}
        dots = live_dots(conn, ev, r)
        by_id.update(_gone(conn, event_id, {int(d.theme_id) for d in dots} - set(by_id)))
        amended = {th: a for (th, rr), a in amendments(conn, event_id).items() if rr == r}
        shown = {t.id for t in votable_among(themes, ev)} if r == ev.voting_round else set()
        counts: Counter[int] = Counter()
        crossing: dict[int, float] = {}
        written: dict[int, Counter[int | None]] = {}
        numbers: dict[int, int] = dict(
            conn.execute(
                select(s.event_tables.c.id, s.event_tables.c.number).where(s.event_tables.c.event_id == ev.id)
            )
            .tuples()
            .all()
        )
        by_person = any(d.voter.startswith("person:") for d in dots)
        person_org, table_orgs = _organisations(conn, event_id) if by_person else ({}, {})
        entry_orgs = _entry_orgs(conn, event_id) if by_person else {}
        orgs_of: dict[int, set[int]] = {}  # per theme: its authors' organisations
        for d in dots:
            tid = int(d.theme_id)
            shown.add(tid)
            counts[tid] += 1
            kind, _, ident = d.voter.partition(":")
            if kind == "person":
                if tid not in orgs_of:
                    orgs_of[tid] = _author_orgs(by_id[tid].entry_ids, entry_orgs, table_orgs)
                org = person_org.get(int(ident))
                crossing[tid] = crossing.get(tid, 0.0) + float(org is not None and org not in orgs_of[tid])
            else:
                # A table's dot crosses as far as the theme is other tables' work: on a theme
                # merged from every table (the demo's), a dot backs mostly others' entries.
                if tid not in written:
                    if not entry_orgs:
                        entry_orgs = _entry_orgs(conn, event_id)  # once, for every theme
                    written[tid] = Counter(
                        numbers.get(entry_orgs[e][0]) for e in by_id[tid].entry_ids if e in entry_orgs
                    )
                mine, total = written[tid].get(numbers.get(d.voter_table_id), 0), sum(written[tid].values())
                crossing[tid] = crossing.get(tid, 0.0) + (
                    1 - mine / total
                    if total
                    else float(numbers.get(d.voter_table_id) not in author_tables(by_id[tid], by_id))
                )
        name = {i: amended[i].voted_name if i in amended else by_id[i].name for i in shown}
        rows = sorted(shown, key=lambda i: (-counts[i], name[i].casefold(), i))
        per_count = Counter(counts[i] for i in rows)
        above: dict[int, int] = {}  # dots -> themes with more dots (a competition rank, in one pass)
        for n, i in enumerate(rows):
            above.setdefault(counts[i], n)
        return [
            TallyRow(
                i,
                name[i],
                counts[i],
                1 + above[counts[i]],
                per_count[counts[i]] > 1,
                _share(crossing.get(i, 0.0), counts[i]),
                amended[i].note if i in amended else None,
            )
            for i in rows
        ]

    return store.read(q) if isinstance(store, Store) else q(store)


def _gone(conn: Connection, event_id: int, theme_ids: set[int]) -> dict[int, Theme]:
    """Themes dissolved after their dots were cast (a reopening let them go), as they were."""
    if not theme_ids:
        return {}
    rows = conn.execute(
        select(s.themes.c.id, s.themes.c.name, s.event_tables.c.number)
        .select_from(s.themes.outerjoin(s.event_tables, s.event_tables.c.id == s.themes.c.table_id))
        .where(s.themes.c.event_id == event_id, s.themes.c.id.in_(sorted(theme_ids)))
    ).all()
    return {int(r.id): Theme(int(r.id), r.number, r.name, None, ()) for r in rows}


def _share(part: float, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
