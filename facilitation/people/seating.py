"""Seating: spread organisations and sectors across tables, so that every table mixes.

:func:`plan_seating` is pure and seeded (the same people, tables and seed give the
same plan); :func:`apply_seating` writes a plan in one transaction; and
:func:`mixing_score` says how well a plan mixes, for the organiser's page.

The plan is greedy, then improved by swaps: people of the largest organisations are
placed first, each at the table where their organisation and sector are least
represented (then the smallest table); then pairs of people at different tables swap
while a swap lowers the number of same-organisation and same-sector pairs.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import load_event, table_id
from facilitation.people.rules import Person, attend
from facilitation.store import Change, Store
from facilitation.store import schema as s

__all__ = ["MixingScore", "apply_seating", "mixing_score", "plan_seating"]

# A shared organisation at a table costs more than a shared sector.
_ORG_WEIGHT = 3
_SECTOR_WEIGHT = 1


def _key(value: str, pid: int) -> str:
    # People without an organisation (or sector) are not alike for mixing purposes.
    return value.strip().casefold() or f"\0{pid}"


def _pairs(counter: Counter[str]) -> int:
    return sum(c * (c - 1) // 2 for c in counter.values())


def plan_seating(
    people: Sequence[Person],
    tables: int | Iterable[int],
    *,
    seed: int = 0,
    keep: Mapping[int, int] | None = None,
    swaps: int = 2_000,
) -> dict[int, int]:
    """A seating plan ``{person_id: table}`` that mixes organisations and sectors.

    Parameters
    ----------
    people : sequence of Person
        Who to seat (``organisation`` and ``sector`` are what mixing looks at).
    tables : int or iterable of int
        How many tables (numbered from 1), or their numbers.
    seed : int
        The same seed gives the same plan, whatever the order of ``people``.
    keep : mapping, optional
        Seats already fixed, ``{person_id: table}``; these people are not moved.
    swaps : int
        The most improving swaps to try after the greedy pass.

    Examples
    --------
    >>> from facilitation.people.rules import Person
    >>> people = [Person(i, f"P{i}", org, "", "", None) for i, org in
    ...           enumerate(["Trust", "Trust", "Council", "Council", "Charity", "Charity"])]
    >>> plan = plan_seating(people, 2, seed=1)
    >>> plan == plan_seating(people, 2, seed=1)
    True
    >>> mixing_score(people, plan).organisations
    1.0
    """
    numbers = list(range(1, tables + 1)) if isinstance(tables, int) else sorted(set(tables))
    if not numbers:
        raise FacilitationError("There are no tables to seat people at.")
    keep = {int(p): int(t) for p, t in (keep or {}).items()}
    unknown = sorted(set(keep.values()) - set(numbers))
    if unknown:
        raise FacilitationError(f"A fixed seat is at table {unknown[0]}, which this event does not have.")
    rng = random.Random(seed)
    by_id = {p.id: p for p in sorted(people, key=lambda p: p.id)}  # input order never matters
    cap = max(1, math.ceil(len(by_id) / len(numbers)))
    org = {p.id: _key(p.organisation, p.id) for p in by_id.values()}
    sector = {p.id: _key(p.sector, p.id) for p in by_id.values()}
    orgs: dict[int, Counter[str]] = {n: Counter() for n in numbers}
    sectors: dict[int, Counter[str]] = {n: Counter() for n in numbers}
    size = dict.fromkeys(numbers, 0)
    plan: dict[int, int] = {}

    def place(pid: int, table: int) -> None:
        plan[pid] = table
        orgs[table][org[pid]] += 1
        sectors[table][sector[pid]] += 1
        size[table] += 1

    for pid, table in sorted(keep.items()):
        if pid in by_id:
            place(pid, table)
    free = [pid for pid in by_id if pid not in plan]
    rng.shuffle(free)
    org_size = Counter(org[pid] for pid in by_id)
    free.sort(key=lambda pid: (-org_size[org[pid]], org[pid]))  # stable: ties keep the shuffle
    order = numbers[:]
    for pid in free:
        rng.shuffle(order)
        open_tables = [n for n in order if size[n] < cap] or order
        best = min(
            open_tables,
            key=lambda n: (
                _ORG_WEIGHT * orgs[n][org[pid]] + _SECTOR_WEIGHT * sectors[n][sector[pid]],
                size[n],
            ),
        )
        place(pid, best)

    def cost_with(table: int, out: int, into: int) -> int:
        o, c = orgs[table].copy(), sectors[table].copy()
        o[org[out]] -= 1
        c[sector[out]] -= 1
        o[org[into]] += 1
        c[sector[into]] += 1
        return _ORG_WEIGHT * _pairs(o) + _SECTOR_WEIGHT * _pairs(c)

    def cost(table: int) -> int:
        return _ORG_WEIGHT * _pairs(orgs[table]) + _SECTOR_WEIGHT * _pairs(sectors[table])

    movable = sorted(pid for pid in plan if pid not in keep)
    for _ in range(swaps):
        if len(movable) < 2:
            break
        a, b = rng.sample(movable, 2)
        ta, tb = plan[a], plan[b]
        if ta == tb or (org[a] == org[b] and sector[a] == sector[b]):
            continue
        before = cost(ta) + cost(tb)
        after = cost_with(ta, a, b) + cost_with(tb, b, a)
        if after < before:
            for pid, old, new in ((a, ta, tb), (b, tb, ta)):
                orgs[old][org[pid]] -= 1
                sectors[old][sector[pid]] -= 1
                orgs[new][org[pid]] += 1
                sectors[new][sector[pid]] += 1
                plan[pid] = new
    return dict(sorted(plan.items()))


@dataclass(frozen=True)
class MixingScore:
    """How well a seating mixes: the share of pairs at a table from different
    organisations (sectors); 1.0 means no two people at a table share one.

    ``per_table`` gives each table's size and number of distinct organisations.
    """

    organisations: float
    sectors: float
    per_table: dict[int, tuple[int, int]]

    def __str__(self) -> str:
        return (
            f"{self.organisations:.0%} of table pairs cross organisations, {self.sectors:.0%} cross sectors"
        )


def mixing_score(people: Sequence[Person], plan: Mapping[int, int] | None = None) -> MixingScore:
    """Score a plan (or the people's current tables when ``plan`` is None).

    Examples
    --------
    >>> from facilitation.people.rules import Person
    >>> people = [Person(1, "A", "Trust", "acute", "", 1), Person(2, "B", "Trust", "acute", "", 1),
    ...           Person(3, "C", "Council", "local authority", "", 2)]
    >>> score = mixing_score(people)
    >>> score.organisations, score.per_table
    (0.0, {1: (2, 1), 2: (1, 1)})
    """
    seats = dict(plan) if plan is not None else {p.id: p.table for p in people if p.table is not None}
    tables: dict[int, list[Person]] = {}
    for p in people:
        t = seats.get(p.id)
        if t is not None:
            tables.setdefault(int(t), []).append(p)
    total = cross_org = cross_sector = 0
    per_table: dict[int, tuple[int, int]] = {}
    for t, members in sorted(tables.items()):
        n = len(members)
        pairs = n * (n - 1) // 2
        total += pairs
        cross_org += pairs - _pairs(Counter(_key(p.organisation, p.id) for p in members))
        cross_sector += pairs - _pairs(Counter(_key(p.sector, p.id) for p in members))
        per_table[t] = (n, len({_key(p.organisation, p.id) for p in members}))
    if total == 0:
        return MixingScore(1.0, 1.0, per_table)
    return MixingScore(round(cross_org / total, 4), round(cross_sector / total, 4), per_table)


def apply_seating(
    store: Store,
    actor: Actor,
    event_id: int,
    plan: Mapping[int, int | None],
    *,
    client_token: str | None = None,
) -> int:
    """Seat people by a plan in one write (organiser or facilitator); returns how many moved.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import ORGANISER
    >>> from facilitation.people.rules import add_person, list_people
    >>> store, ev = scratch_event(tables=2)
    >>> ids = [add_person(store, ORGANISER, ev, n, organisation=o) for n, o in
    ...        [("Ama", "Trust"), ("Ben", "Trust"), ("Cai", "Council"), ("Dee", "Council")]]
    >>> people = list_people(store, ev)
    >>> apply_seating(store, ORGANISER, ev, plan_seating(people, 2, seed=3))
    4
    >>> mixing_score(list_people(store, ev)).organisations
    1.0
    """
    require(actor, "organiser", "facilitator", action="seat people")
    wanted = {int(pid): (None if t is None else int(t)) for pid, t in plan.items()}

    def fn(conn: Connection) -> Change:
        load_event(conn, event_id)
        rows = conn.execute(
            select(s.attendance.c.person_id, s.event_tables.c.number)
            .select_from(
                s.attendance.outerjoin(s.event_tables, s.event_tables.c.id == s.attendance.c.table_id)
            )
            .where(s.attendance.c.event_id == event_id, s.attendance.c.deleted_at.is_(None))
        ).all()
        current = {int(r.person_id): r.number for r in rows}
        missing = sorted(set(wanted) - set(current))
        if missing:
            raise NotFound(
                f"{len(missing)} people in the plan are not at this event (ids {', '.join(map(str, missing[:5]))}); "
                "reload the people and plan again."
            )
        for t in sorted({t for t in wanted.values() if t is not None}):
            table_id(conn, event_id, t)  # a clear message for a table the event lacks
        moved = 0
        for pid, table in sorted(wanted.items()):
            if current[pid] != table:
                attend(conn, event_id, pid, table)
                moved += 1
        return Change("apply seating", "event", event_id, {"people": len(wanted), "moved": moved}, moved)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)
