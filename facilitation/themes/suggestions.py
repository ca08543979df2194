"""Suggested merges: table themes from different tables that say the same thing.

Computed locally and deterministically (no network, no model download): each theme
on the ballot becomes a document of its name (counted twice) and its entries'
texts, weighted by TF-IDF over the event's themes and compared by cosine. Themes
join a suggestion by average linkage above the threshold. The facilitator accepts a
suggestion with :func:`facilitation.themes.grouping.merge_themes` or dismisses it; a
dismissed group is remembered in the activity log, and no two of its themes are
suggested together again. Nothing here is random, so no seed is needed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import Connection, select

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import load_event
from facilitation.store import Change, Store
from facilitation.store import schema as s
from facilitation.store.queries import read_from
from facilitation.themes.records import Theme, list_themes

__all__ = [
    "DEFAULT_THRESHOLD",
    "STOP_WORDS",
    "MergeSuggestion",
    "dismiss_suggestion",
    "suggest_merges",
    "tokens",
]

DEFAULT_THRESHOLD = 0.3

_STOP_TEXT = """a about above after again all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it its
    itself just let me more most my no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours us get got make made need
    needs use using via etc one every"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class MergeSuggestion:
    """Themes that seem to say the same thing, how alike they are, and the shared words.

    Accept it with ``merge_themes(store, FACILITATOR, event_id, s.theme_ids, s.name,
    into=s.into)``.
    """

    theme_ids: tuple[int, ...]
    score: float
    reason: tuple[str, ...]
    name: str  # a name to offer: the event-wide theme's, or the largest theme's
    into: int | None = None  # the event-wide theme among them, if any


# The name before issue 14 (two classes were called Suggestion); kept so that code written against it still imports.
Suggestion = MergeSuggestion


def tokens(text: str) -> list[str]:
    """The words of ``text`` that carry meaning: lower case, stop words out, plurals folded.

    Examples
    --------
    >>> tokens("The shared care records and the Records of GPs")
    ['shared', 'care', 'record', 'record', 'gp']
    """
    out = []
    for w in _WORD.findall(text.casefold()):
        if w in STOP_WORDS or (len(w) < 2 and not w.isdigit()):
            continue
        if len(w) > 3 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 2 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        out.append(w)
    return out


def _vectors(docs: dict[int, list[str]]) -> dict[int, dict[str, float]]:
    n = len(docs)
    df: Counter[str] = Counter()
    for words in docs.values():
        df.update(set(words))
    vectors = {}
    for key, words in docs.items():
        tf = Counter(words)
        v = {w: c * (math.log((1 + n) / (1 + df[w])) + 1.0) for w, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[key] = {w: x / norm for w, x in v.items()}
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def _dismissed(conn: Connection, event_id: int) -> set[frozenset[int]]:
    pairs: set[frozenset[int]] = set()
    for detail in conn.execute(
        select(s.activity.c.detail).where(
            s.activity.c.event_id == event_id, s.activity.c.verb == "dismiss suggestion"
        )
    ).scalars():
        ids = json.loads(detail).get("theme_ids", [])
        pairs.update(frozenset(p) for p in combinations(sorted(ids), 2))
    return pairs


def _documents(conn: Connection, event_id: int, themes: list[Theme]) -> dict[int, list[str]]:
    texts: dict[int, str] = dict(
        conn.execute(
            select(s.entries.c.id, s.entries.c.text).where(
                s.entries.c.event_id == event_id, s.entries.c.deleted_at.is_(None)
            )
        )
        .tuples()
        .all()
    )
    by_id = {t.id: t for t in themes}
    docs = {}
    for t in themes:
        names = [t.name, *(by_id[m].name for m in t.member_theme_ids)]
        words = [w for n in names for w in tokens(n) * 2]
        words += [w for e in t.entry_ids for w in tokens(texts.get(e, ""))]
        docs[t.id] = words
    return docs


def suggest_merges(
    store: Store | Connection, event_id: int, *, threshold: float = DEFAULT_THRESHOLD
) -> list[MergeSuggestion]:
    """Groups of themes on the ballot that look alike, most alike first.

    Candidates are event-wide themes and table themes not yet merged; themes of the
    same table are never suggested together (the table chose to keep them apart),
    nor are two themes of a dismissed suggestion.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> from facilitation.capture.rules import add_entry
    >>> from facilitation.themes.grouping import create_theme
    >>> store, ev = scratch_event(phase="grouping")
    >>> for t, name, text in [(1, "Shared care record", "One record across GP and hospital"),
    ...                       (2, "Care records", "GP and hospital record sharing"),
    ...                       (3, "Volunteer drivers", "Transport to appointments")]:
    ...     e = add_entry(store, table_actor(t), ev, t, "idea", text)
    ...     _ = create_theme(store, table_actor(t), ev, t, name, [e])
    >>> [(x.name, x.reason[:2]) for x in suggest_merges(store, ev)]
    [('Shared care record', ('record', 'care'))]
    """
    if not 0 < threshold <= 1:
        raise FacilitationError("The similarity threshold is between 0 and 1.")

    def q(conn: Connection) -> list[MergeSuggestion]:
        load_event(conn, event_id)
        themes = list_themes(conn, event_id)
        ballot = [t for t in themes if t.merged_into is None and (t.entry_ids or t.event_wide)]
        vectors = _vectors(_documents(conn, event_id, themes))
        banned = _dismissed(conn, event_id)
        sim = {}
        for a, b in combinations(ballot, 2):
            if a.table is not None and a.table == b.table:
                continue
            if frozenset((a.id, b.id)) in banned:
                continue
            sim[frozenset((a.id, b.id))] = _cosine(vectors[a.id], vectors[b.id])
        return _clusters(ballot, sim, vectors, threshold)

    return read_from(store, q)


def _clusters(
    ballot: list[Theme],
    sim: dict[frozenset[int], float],
    vectors: dict[int, dict[str, float]],
    threshold: float,
) -> list[MergeSuggestion]:
    """Average-linkage clustering; every pair inside a cluster must be allowed."""
    clusters: list[list[int]] = [[t.id] for t in ballot]

    def link(x: list[int], y: list[int]) -> float | None:
        scores = [v for a in x for b in y if (v := sim.get(frozenset((a, b)))) is not None]
        if len(scores) < len(x) * len(y):  # a pair not allowed together
            return None
        return sum(scores) / len(scores)

    while True:
        best: tuple[float, int] | None = None
        pair = (0, 0)
        for i, j in combinations(range(len(clusters)), 2):
            score = link(clusters[i], clusters[j])
            if score is not None and score >= threshold:
                key = (score, -min(clusters[i] + clusters[j]))  # ties: the lowest theme id first
                if best is None or key > best:
                    best, pair = key, (i, j)
        if best is None:
            break
        i, j = pair
        clusters[i] = sorted(clusters[i] + clusters[j])
        del clusters[j]

    by_id = {t.id: t for t in ballot}
    out = []
    for ids in clusters:
        if len(ids) < 2:
            continue
        score = link(ids[:1], ids[1:]) if len(ids) == 2 else _mean_pair(ids, sim)
        shared: dict[str, float] = {}
        for w in set.intersection(*(set(vectors[i]) for i in ids)):
            shared[w] = min(vectors[i][w] for i in ids)
        reason = tuple(w for w, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        wide = [i for i in ids if by_id[i].event_wide]
        into = wide[0] if wide else None
        named = by_id[into] if into else max((by_id[i] for i in ids), key=lambda t: (len(t.entry_ids), -t.id))
        out.append(MergeSuggestion(tuple(ids), round(score or 0.0, 3), reason, named.name, into))
    return sorted(out, key=lambda x: (-x.score, x.theme_ids))


def _mean_pair(ids: list[int], sim: dict[frozenset[int], float]) -> float:
    scores = [sim[frozenset(p)] for p in combinations(ids, 2)]
    return sum(scores) / len(scores)


def dismiss_suggestion(
    store: Store, actor: Actor, event_id: int, theme_ids: list[int] | tuple[int, ...]
) -> tuple[int, ...]:
    """Dismiss a suggestion: none of these themes is suggested with another of them again.

    Recorded in the activity log (verb ``dismiss suggestion``). Facilitator only.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(phase="grouping")
    >>> dismiss_suggestion(store, table_actor(1), ev, [1, 2])
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console can dismiss a suggested merge; table 1 cannot.
    """
    require(actor, "facilitator", action="dismiss a suggested merge")
    ids = tuple(sorted({int(i) for i in theme_ids}))
    if len(ids) < 2:
        raise FacilitationError("A suggestion names at least two themes.")

    def fn(conn: Connection) -> Change:
        load_event(conn, event_id)
        known = {t.id for t in list_themes(conn, event_id)}
        missing = [i for i in ids if i not in known]
        if missing:
            raise NotFound(f"Theme {missing[0]} is not there any more; reload the page.")
        return Change("dismiss suggestion", "theme", None, {"theme_ids": list(ids)}, list(ids))

    store.write(fn, actor=actor, event_id=event_id)
    return ids
