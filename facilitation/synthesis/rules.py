"""Gather the annual synthesis of a series from its events, read once.

Recurring themes come from the offline suggestion engine run across events: each
event's themes on its ballot become documents (their names and their entries' words),
and average-linkage clustering joins themes of *different* meetings that say the same
thing (two themes of one meeting are never joined: that meeting kept them apart). The
people network's growth, its cross-organisation share and who bridges come from the
series' collaboration network; actions, their reviews, the groups' review dates at 1,
3 and 8 years, the measures and the assets from the series' records. Nothing here
writes; everything typed stays plain text for the templates to escape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import combinations
from typing import Any

from sqlalchemy import Connection

from facilitation.capture.rules import (
    EvidenceShare,
    SeriesAsset,
    evidence_summary,
    list_entries,
    series_assets,
)
from facilitation.events import Event
from facilitation.network.graph import series_events
from facilitation.plans import list_groups
from facilitation.series import Review, action_reviews, get_series
from facilitation.series.measures import SeriesPoint, series_measures
from facilitation.store import Store
from facilitation.themes import Theme, list_themes
from facilitation.themes.suggestions import DEFAULT_THRESHOLD, _clusters, _cosine, _documents, _vectors

__all__ = [
    "ActionLine",
    "GroupActions",
    "MeasureRun",
    "RecurringTheme",
    "ReviewDue",
    "Synthesis",
    "gather_synthesis",
    "recurring_themes",
]

REVIEW_YEARS = (("1y", 1), ("3y", 3), ("8y", 8))


@dataclass(frozen=True)
class RecurringTheme:
    """A theme that came back at several meetings: its names there, and the words they share."""

    name: str  # the name at its latest meeting
    meetings: tuple[tuple[int, str, str], ...]  # (event id, meeting date, the theme's name there)
    shared_words: tuple[str, ...]
    score: float  # how alike the themes are, 0..1


@dataclass(frozen=True)
class ActionLine:
    """One action of a group, where it stands and its latest review."""

    text: str
    owner: str
    due_on: str | None
    status: str
    overdue: bool
    meeting: str  # the date (or title) of the meeting that set it
    last_review: Review | None


@dataclass(frozen=True)
class GroupActions:
    """The actions of the groups of one name across the series."""

    group: str
    done: list[ActionLine] = field(default_factory=list)
    open: list[ActionLine] = field(default_factory=list)  # not done or dropped, not yet due
    overdue: list[ActionLine] = field(default_factory=list)  # not done or dropped, past due
    dropped: list[ActionLine] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewDue:
    """A group's review point at 1, 3 or 8 years."""

    group: str
    meeting: str
    years: int
    due_on: str


@dataclass(frozen=True)
class MeasureRun:
    """One measure's values across the meetings, oldest first."""

    name: str
    points: list[SeriesPoint]

    @property
    def change(self) -> float | None:
        """The last value less the first, or None with fewer than two values."""
        return self.points[-1].value - self.points[0].value if len(self.points) > 1 else None


@dataclass(frozen=True)
class Synthesis:
    """Everything the annual synthesis says, as plain values."""

    series_id: int
    name: str
    description: str
    roles: dict[str, str]
    as_of: str
    meetings: list[Event]
    people: int
    recurring: list[RecurringTheme]
    growth: list[dict[str, Any]]  # a row per meeting: people, ties, new, renewed, cross-organisation
    cross_organisation_share: float | None  # of every tie of the series
    bridges: list[dict[str, Any]]  # name, organisation, betweenness, brokerage
    actions: list[GroupActions]
    reviews_due: list[ReviewDue]
    measures: list[MeasureRun]
    assets: list[SeriesAsset]
    evidence: list[tuple[Event, list[EvidenceShare]]]


def _ballot(conn: Connection, event_id: int) -> list[Theme]:
    themes = list_themes(conn, event_id)
    return [t for t in themes if t.merged_into is None and (t.entry_ids or t.event_wide)]


def recurring_themes(
    store: Store, events: list[Event], *, threshold: float = DEFAULT_THRESHOLD
) -> list[RecurringTheme]:
    """Themes of different meetings that say the same thing, most meetings first.

    Each meeting's ballot themes are documents (their names twice, their entries'
    words once), weighed together across the series; two themes of one meeting are
    never joined.
    """

    def q(conn: Connection) -> list[RecurringTheme]:
        ballot: list[Theme] = []
        docs: dict[int, list[str]] = {}
        event_of: dict[int, Event] = {}
        for ev in events:
            themes = list_themes(conn, ev.id)
            mine = _ballot(conn, ev.id)
            found = _documents(conn, ev.id, themes)
            for t in mine:
                docs[t.id] = found[t.id]
                event_of[t.id] = ev
            ballot.extend(mine)
        vectors = _vectors(docs)
        sim = {
            frozenset((a.id, b.id)): _cosine(vectors[a.id], vectors[b.id])
            for a, b in combinations(ballot, 2)
            if event_of[a.id].id != event_of[b.id].id
        }
        # event-wide themes stand for their meeting; _clusters names a cluster by one
        by_id = {t.id: t for t in ballot}
        out = []
        for found_cluster in _clusters(ballot, sim, vectors, threshold):
            ids = sorted(found_cluster.theme_ids, key=lambda i: (event_of[i].starts_on or "", event_of[i].id))
            meetings = tuple((event_of[i].id, event_of[i].starts_on or "", by_id[i].name) for i in ids)
            out.append(
                RecurringTheme(by_id[ids[-1]].name, meetings, found_cluster.reason, found_cluster.score)
            )
        return sorted(out, key=lambda r: (-len(r.meetings), -r.score, r.name))

    return store.read(q)


def _as_of(events: list[Event], as_of: date | str | None) -> str:
    if as_of is not None:
        return as_of.isoformat() if isinstance(as_of, date) else str(as_of)
    today = datetime.now(UTC).date().isoformat()
    last = max((e.starts_on for e in events if e.starts_on), default="")
    return max(today, last)


def gather_synthesis(store: Store, series_id: int, *, as_of: date | str | None = None) -> Synthesis:
    """Read a series for its annual synthesis.

    ``as_of`` is the date actions are judged overdue against: by default today, or the
    date of the series' latest meeting if that is later (a synthesis written ahead of
    the calendar, as the demo's is, reads as of its last meeting).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> gather_synthesis(store, 999)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotFound: There is no series 999. `facilitate series list` shows them.
    """
    from facilitation.network.figures import series_figures

    series = get_series(store, series_id)
    events = series_events(store, series_id)
    day = _as_of(events, as_of)
    label = {e.id: e.starts_on or e.title for e in events}

    figures = series_figures(store, series_id)
    growth = figures.growth_rows()
    whole = figures.whole
    share = None
    if whole is not None and whole.ties:
        share = whole.cross_organisation_ties / whole.ties
    bridges = [
        {
            "name": b.name,
            "organisation": b.organisation,
            "betweenness": b.betweenness,
            "brokerage": b.brokerage,
        }
        for b in (whole.bridging_people if whole is not None else [])
    ]
    people = whole.people if whole is not None else 0

    groups: dict[str, GroupActions] = {}
    reviews_due: list[ReviewDue] = []
    all_groups = [(e, g) for e in events for g in list_groups(store, e.id)]
    reviews = action_reviews(store, [a.id for _, g in all_groups for a in g.actions])
    for ev, g in all_groups:
        bucket = groups.setdefault(g.name, GroupActions(g.name))
        for a in g.actions:
            done = a.status == "done"
            dropped = a.status == "dropped"
            late = not done and not dropped and bool(a.due_on) and str(a.due_on) < day
            line = ActionLine(
                a.text, a.owner, a.due_on, a.status, late, label[ev.id], (reviews.get(a.id) or [None])[-1]
            )
            (
                bucket.done
                if done
                else bucket.dropped
                if dropped
                else bucket.overdue
                if late
                else bucket.open
            ).append(line)
        for key, years in REVIEW_YEARS:
            if g.review_dates.get(key):
                reviews_due.append(ReviewDue(g.name, label[ev.id], years, g.review_dates[key]))
    reviews_due.sort(key=lambda r: (r.due_on, r.group))

    measures = [MeasureRun(name, points) for name, points in series_measures(store, series_id).items()]
    evidence = [(e, evidence_summary(list_entries(store, e.id))) for e in events]
    return Synthesis(
        series_id=series.id,
        name=series.name,
        description=series.description,
        roles=series.roles,
        as_of=day,
        meetings=events,
        people=people,
        recurring=recurring_themes(store, events) if len(events) > 1 else [],
        growth=growth,
        cross_organisation_share=share,
        bridges=bridges,
        actions=sorted(groups.values(), key=lambda g: g.group),
        reviews_due=reviews_due,
        measures=measures,
        assets=series_assets(store, series_id),
        evidence=evidence,
    )
