"""Task-and-finish groups as read: the records, the decision log, open actions, suggestions.

The writes live in :mod:`facilitation.plans.rules`, which also re-exports everything here;
import from there. Split off to keep each module to one job and a readable length.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from facilitation.errors import NotFound
from facilitation.events.rules import load_event
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.store.queries import live as _live
from facilitation.store.queries import read_from
from facilitation.themes.reopening import amendments

__all__ = [
    "Action",
    "Decision",
    "Group",
    "LinkedEntry",
    "Member",
    "MemberSuggestion",
    "OpenAction",
    "decision_log",
    "list_groups",
    "open_actions_from_earlier_events",
    "suggested_members",
    "theme_entries",
    "theme_tally",
]


@dataclass(frozen=True)
class Member:
    """A person in a task-and-finish group."""

    person_id: int
    name: str
    organisation: str
    sector: str
    role: str


@dataclass(frozen=True)
class LinkedEntry:
    """An enabler the group will use, or a blocker it must remove."""

    entry_id: int
    kind: str
    text: str
    table: int
    use: str  # "use" or "remove"


@dataclass(frozen=True)
class Action:
    """A first action of a group, with its owner, due date and status."""

    id: int
    group_id: int
    text: str
    owner: str
    due_on: str | None
    status: str
    created_at: str
    updated_at: str | None


@dataclass(frozen=True)
class Group:
    """A task-and-finish group with everything its plan holds."""

    id: int
    event_id: int
    name: str
    theme_id: int | None
    theme: str
    lead_table: int | None
    purpose: str
    lead: str
    sponsor: str
    key_question: str
    success_measures: tuple[str, ...]
    review_dates: dict[str, str]
    destination: str
    tally: int | None
    members: tuple[Member, ...] = ()
    entries: tuple[LinkedEntry, ...] = ()
    actions: tuple[Action, ...] = ()
    created_at: str = ""
    updated_at: str | None = None


@dataclass(frozen=True)
class Decision:
    """One link of the decision log: the entries behind a theme, its tally, the group, an action."""

    group_id: int
    group: str
    theme_id: int | None
    theme: str
    tally: int | None
    entries: tuple[tuple[int, str, str, int], ...]  # (entry id, kind, text, table), as voted
    action: Action | None
    # Set when the facilitator reopened the theme after its vote: what changed and why,
    # and the entries now (``entries`` and ``theme`` stay as the room voted on them).
    amended: str | None = None
    entries_now: tuple[tuple[int, str, str, int], ...] = ()


@dataclass(frozen=True)
class OpenAction:
    """An action not yet done from an earlier event of the same series."""

    event_id: int
    event_title: str
    event_date: str | None
    group: str
    action: Action


@dataclass(frozen=True)
class MemberSuggestion:
    """A person suggested for a group, and why."""

    person_id: int
    name: str
    organisation: str
    reason: str


# The name before issue 14 (two classes were called Suggestion); kept so that code written against it still imports.
Suggestion = MemberSuggestion


# --- reading -----------------------------------------------------------------------------


def _merged_family(conn: Connection, theme_id: int) -> list[int]:
    """A theme and every theme merged into it, however deep."""
    family, frontier = [int(theme_id)], [int(theme_id)]
    while frontier:
        rows = conn.execute(
            select(s.themes.c.id).where(s.themes.c.merged_into.in_(frontier), _live(s.themes))
        ).all()
        frontier = [r.id for r in rows if r.id not in family]
        family.extend(frontier)
    return family


def theme_tally(conn: Connection, event_id: int, theme_id: int) -> int:
    """Live dots on a theme (and the table themes merged into it) in its latest voted round.

    A runoff round counts when the theme was in it; otherwise the first round does.
    """
    family = _merged_family(conn, theme_id)
    rows = conn.execute(
        select(s.dots.c.round, func.count())
        .where(s.dots.c.event_id == event_id, s.dots.c.theme_id.in_(family), s.dots.c.removed_at.is_(None))
        .group_by(s.dots.c.round)
    ).all()
    by_round = {int(r[0]): int(r[1]) for r in rows}
    return by_round[max(by_round)] if by_round else 0


def theme_entries(conn: Connection, event_id: int, theme_id: int) -> list[tuple[int, str, str, int]]:
    """The live entries grouped under a theme or any theme merged into it."""
    family = _merged_family(conn, theme_id)
    rows = conn.execute(
        select(s.entries.c.id, s.entries.c.kind, s.entries.c.text, s.event_tables.c.number)
        .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
        .where(s.entries.c.event_id == event_id, s.entries.c.theme_id.in_(family), _live(s.entries))
        .order_by(s.entries.c.id)
    ).all()
    return [(int(r.id), r.kind, r.text, int(r.number)) for r in rows]


def _actions(conn: Connection, group_ids: list[int]) -> dict[int, list[Action]]:
    out: dict[int, list[Action]] = {g: [] for g in group_ids}
    if not group_ids:
        return out
    for r in conn.execute(
        select(s.actions)
        .where(s.actions.c.group_id.in_(group_ids), _live(s.actions))
        .order_by(s.actions.c.id)
    ).mappings():
        out[r["group_id"]].append(
            Action(
                r["id"], r["group_id"], r["text"], r["owner"], r["due_on"], r["status"],
                r["created_at"], r["updated_at"],
            )
        )  # fmt: skip
    return out


def _groups(conn: Connection, event_id: int, group_id: int | None = None) -> list[Group]:
    q = (
        select(s.groups, s.themes.c.name.label("theme_name"), s.event_tables.c.number.label("lead_number"))
        .outerjoin(s.themes, s.themes.c.id == s.groups.c.theme_id)
        .outerjoin(s.event_tables, s.event_tables.c.id == s.groups.c.lead_table_id)
        .where(s.groups.c.event_id == event_id, _live(s.groups))
        .order_by(s.groups.c.id)
    )
    if group_id is not None:
        q = q.where(s.groups.c.id == int(group_id))
    rows = list(conn.execute(q).mappings())
    ids = [r["id"] for r in rows]
    members: dict[int, list[Member]] = {g: [] for g in ids}
    linked: dict[int, list[LinkedEntry]] = {g: [] for g in ids}
    if ids:
        for m in conn.execute(
            select(s.group_members.c.group_id, s.group_members.c.person_id, s.group_members.c.role,
                   s.people.c.name, s.organisations.c.name.label("org"), s.organisations.c.sector)
            .join(s.people, s.people.c.id == s.group_members.c.person_id)
            .outerjoin(s.organisations, s.organisations.c.id == s.people.c.organisation_id)
            .where(s.group_members.c.group_id.in_(ids), _live(s.group_members))
            .order_by(s.group_members.c.id)
        ):  # fmt: skip
            members[m.group_id].append(Member(m.person_id, m.name, m.org or "", m.sector or "", m.role))
        for e in conn.execute(
            select(s.group_entries.c.group_id, s.group_entries.c.use, s.entries.c.id, s.entries.c.kind,
                   s.entries.c.text, s.event_tables.c.number)
            .join(s.entries, s.entries.c.id == s.group_entries.c.entry_id)
            .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
            .where(s.group_entries.c.group_id.in_(ids), _live(s.group_entries), _live(s.entries))
            .order_by(s.group_entries.c.id)
        ):  # fmt: skip
            linked[e.group_id].append(LinkedEntry(e.id, e.kind, e.text, e.number, e.use))
    actions = _actions(conn, ids)
    return [
        Group(
            id=r["id"],
            event_id=r["event_id"],
            name=r["name"],
            theme_id=r["theme_id"],
            theme=r["theme_name"] or "",
            lead_table=r["lead_number"],
            purpose=r["purpose"],
            lead=r["lead"],
            sponsor=r["sponsor"],
            key_question=r["key_question"],
            success_measures=tuple(json.loads(r["success_measures"] or "[]")),
            review_dates=dict(json.loads(r["review_dates"] or "{}")),
            destination=r["destination"],
            tally=r["tally"],
            members=tuple(members[r["id"]]),
            entries=tuple(linked[r["id"]]),
            actions=tuple(actions[r["id"]]),
            created_at=r["created_at"],
            updated_at=r["updated_at"],
        )
        for r in rows
    ]


def list_groups(store: Store | Connection, event_id: int) -> list[Group]:
    """The task-and-finish groups of an event, with members, linked entries and actions.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> list_groups(store, ev)
    []
    """
    if isinstance(store, Store):
        return store.read(lambda c: _groups(c, event_id))
    return _groups(store, event_id)


def decision_log(store: Store | Connection, event_id: int) -> list[Decision]:
    """The unbroken chain behind every action: entries -> theme -> dot tally -> group -> action.

    A group with no action yet still appears, with ``action`` None, so a gap shows.
    The entries and the theme's name are those the room voted on: a voted theme is
    frozen, and when the facilitator reopened and changed it, ``amended`` says what
    changed and why, and ``entries_now`` lists its entries now.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> decision_log(store, ev)
    []
    """

    def q(conn: Connection) -> list[Decision]:
        out: list[Decision] = []
        changed = amendments(conn, event_id)
        for g in _groups(conn, event_id):
            behind = tuple(theme_entries(conn, event_id, g.theme_id)) if g.theme_id else ()
            theme, note, now_ = g.theme, None, ()
            voted = [changed[k] for k in sorted(changed) if k[0] == g.theme_id]
            if voted:
                theme, note, now_ = voted[-1].voted_name, voted[-1].note, behind
                behind = tuple((0, k, x, n) for k, x, n in voted[-1].voted_entries)
            for a in g.actions or (None,):
                out.append(Decision(g.id, g.name, g.theme_id, theme, g.tally, behind, a, note, now_))
        return out

    return read_from(store, q)


def open_actions_from_earlier_events(store: Store, event_id: int) -> list[OpenAction]:
    """The actions not done or dropped from the earlier events of this event's series.

    Listed for review at the start of the next event; an event outside a series has none.
    Earlier means an earlier date, or a lower id when dates are missing.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> open_actions_from_earlier_events(store, ev)
    []
    """

    def q(conn: Connection) -> list[OpenAction]:
        ev = load_event(conn, event_id)
        if ev.series_id is None:
            return []

        def before(r: Any) -> bool:
            if ev.starts_on and r.starts_on and r.starts_on != ev.starts_on:
                return bool(r.starts_on < ev.starts_on)
            return bool(r.id < ev.id)

        earlier = [
            r
            for r in conn.execute(
                select(s.events.c.id, s.events.c.title, s.events.c.starts_on).where(
                    s.events.c.series_id == ev.series_id, _live(s.events), s.events.c.id != ev.id
                )
            )
            if before(r)
        ]
        out: list[OpenAction] = []
        for r in sorted(earlier, key=lambda r: (r.starts_on or "", r.id)):
            for g in _groups(conn, r.id):
                out.extend(
                    OpenAction(r.id, r.title, r.starts_on, g.name, a)
                    for a in g.actions
                    if a.status not in ("done", "dropped")
                )
        return out

    return store.read(q)


# --- suggestions --------------------------------------------------------------------------


def _bridging_scores(store: Store, event_id: int) -> dict[int, float]:
    """Bridging people from the network figures, when that module is there; else nothing."""
    try:
        from facilitation.network.figures import event_figures
    except ImportError:  # the network module is optional for plans
        return {}
    try:
        found = event_figures(store, event_id).bridging_people
    except Exception:  # a suggestion only: never block a plan on the network
        return {}
    scores: dict[int, float] = {}
    for rank, bridge in enumerate(found):
        try:
            scores[int(bridge.id)] = float(len(found) - rank)
        except (TypeError, ValueError):
            continue
    return scores


def suggested_members(
    store: Store, event_id: int, group_id: int, *, k: int = 5, seed: int = 0
) -> list[MemberSuggestion]:
    """People to invite into a group, so that it reaches across organisations.

    One at a time, it prefers someone from an organisation the group lacks, then a
    sector it lacks, then the strongest of the bridging people of
    :func:`facilitation.network.figures.event_figures` (betweenness and brokerage
    across organisations), when the network module is there. The same seed gives the
    same suggestion.
    """
    from facilitation.people.rules import list_people

    group = store.read(lambda c: _groups(c, event_id, group_id))
    if not group:
        raise NotFound(f"There is no task-and-finish group {group_id} at this event; reload the page.")
    g = group[0]
    taken = {m.person_id for m in g.members}
    have_orgs = {m.organisation for m in g.members}
    have_sectors = {m.sector for m in g.members}
    people = [p for p in list_people(store, event_id) if p.id not in taken]
    scores = _bridging_scores(store, event_id)
    rng = random.Random(seed)
    rng.shuffle(people)
    out: list[MemberSuggestion] = []
    # Greedy: a new organisation first, then a new sector, then the strongest bridge;
    # the shuffle (seeded) breaks the remaining ties.
    while people and len(out) < k:
        best = min(
            people,
            key=lambda p: (p.organisation in have_orgs, p.sector in have_sectors, -scores.get(p.id, 0.0)),
        )
        people.remove(best)
        if scores.get(best.id, 0.0) > 0:
            why = "bridges organisations in the network"
        elif best.organisation not in have_orgs:
            why = "brings an organisation the group lacks"
        else:
            why = "adds to the mix"
        out.append(MemberSuggestion(best.id, best.name, best.organisation, why))
        have_orgs.add(best.organisation)
        have_sectors.add(best.sector)
    return out
