"""The demo event: believable, complete, built through the rules, the same for the same seed."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from facilitation.access import FACILITATOR
from facilitation.capture.rules import counts_by_table, list_entries
from facilitation.demo import DEMO_END_PHASE, ORGANISATIONS, build_demo
from facilitation.events.rules import authenticate, get_event, list_tables
from facilitation.network.rules import list_links
from facilitation.people.rules import list_people
from facilitation.people.seating import mixing_score
from facilitation.plans.rules import list_groups
from facilitation.series.rules import get_series
from facilitation.store import schema as s
from facilitation.themes.grouping import list_themes
from facilitation.voting.rules import tally


def _group(g):
    actions = [(a.text, a.owner, a.due_on, a.status) for a in g.actions]
    return (
        g.name,
        g.lead_table,
        g.lead,
        g.sponsor,
        sorted(m.name for m in g.members),
        actions,
        len(g.entries),
    )


def _content(store, event_id):
    """Everything the seed decides, without ids or times."""
    people = {p.id: p for p in list_people(store, event_id)}
    name = {pid: p.name for pid, p in people.items()}
    return {
        "people": sorted((p.name, p.organisation, p.sector, p.role, p.table) for p in people.values()),
        "entries": [
            (e.table, e.kind, e.text, e.evidence, name.get(e.author_id))
            for e in list_entries(store, event_id)
        ],
        "themes": sorted((t.table or 0, t.name, len(t.entry_ids)) for t in list_themes(store, event_id)),
        "tally": [(r.name, r.dots, r.rank) for r in tally(store, FACILITATOR, event_id)],
        "links": sorted((x.name_a, x.name_b, x.kind) for x in list_links(store, event_id)),
        "groups": [_group(g) for g in list_groups(store, event_id)],
    }


@pytest.fixture
def demo(store):
    return store, build_demo(store)


def test_the_demo_is_a_full_event(demo):
    store, keys = demo
    ev = get_event(store, keys.event_id)
    assert ev.phase.name == DEMO_END_PHASE
    assert ev.challenge and ev.purpose and ev.key_question and len(ev.success_measures) == 4
    assert "evidence" in ev.context_briefing and ev.votes_revealed
    assert get_series(store, ev.series_id).events == 1
    assert [t.number for t in list_tables(store, ev.id)] == [1, 2, 3, 4, 5, 6]
    people = list_people(store, ev.id)
    assert len(people) == 36 and all(p.table is not None for p in people)
    assert len({p.organisation for p in people}) == 8 == len(ORGANISATIONS)
    assert {p.sector for p in people} >= {"acute", "primary care", "local authority", "voluntary sector"}
    assert mixing_score(people).organisations >= 0.95
    counts = counts_by_table(store, ev.id)
    assert all(c["enabler"] and c["blocker"] and c["idea"] for c in counts.values())
    assert {e.evidence for e in list_entries(store, ev.id, kinds=("enabler", "blocker"))} >= {
        "local data", "research", "anecdote",
    }  # fmt: skip
    themes = list_themes(store, ev.id)
    assert sum(t.event_wide for t in themes) >= 4 and sum(not t.event_wide for t in themes) >= 12
    rows = tally(store, FACILITATOR, ev.id)
    assert sum(r.dots for r in rows) == 6 * 5 and rows[0].dots > rows[-1].dots
    kinds = Counter(x.kind for x in list_links(store, ev.id))
    assert set(kinds) == {"worked with", "will work with", "knew before"}
    groups = list_groups(store, ev.id)
    assert len(groups) == 2
    assert [g.theme_id for g in groups] == [rows[0].theme_id, rows[1].theme_id]
    for g in groups:
        assert g.lead and g.sponsor and g.key_question and g.success_measures and g.lead_table
        assert set(g.review_dates) == {"first", "1y", "3y", "8y"}
        assert len(g.actions) == 3 and all(a.owner and a.due_on for a in g.actions)
        assert len({m.organisation for m in g.members}) >= 5
        assert any(e.use == "remove" for e in g.entries) or any(e.use == "use" for e in g.entries)


def test_the_demo_is_written_by_real_actors(demo):
    store, keys = demo
    actors = store.read(
        lambda c: Counter(
            (r.actor, r.verb)
            for r in c.execute(
                select(s.activity.c.actor, s.activity.c.verb).where(s.activity.c.event_id == keys.event_id)
            )
        )
    )
    assert actors[("organiser", "import people")] == 1 and actors[("organiser", "apply seating")] == 1
    assert actors[("facilitator", "set phase")] >= 6 and actors[("facilitator", "merge themes")] >= 4
    for t in range(1, 7):
        assert actors[(f"table {t}", "add entry")] >= 10
        assert actors[(f"table {t}", "add dot")] == 5
    assert not any(actor == "system" for actor, _ in actors)


def test_the_keys_open_the_demo(demo):
    store, keys = demo
    assert authenticate(store, keys.event_id, keys.facilitator) == FACILITATOR
    assert authenticate(store, keys.event_id, keys.tables[4], table=4).table == 4


def test_same_seed_same_content_on_every_engine(store, tmp_path):
    from facilitation.store import open_store

    other = open_store(str(tmp_path / "other.db"))
    a, b = build_demo(store, seed=7), build_demo(other, seed=7)
    assert _content(store, a.event_id) == _content(other, b.event_id)
    c = build_demo(other, seed=8)
    assert _content(other, c.event_id)["entries"] != _content(other, b.event_id)["entries"]
    other.close()


def test_a_second_demo_joins_the_same_series(store):
    a, b = build_demo(store), build_demo(store)
    ev_a, ev_b = get_event(store, a.event_id), get_event(store, b.event_id)
    assert ev_a.series_id == ev_b.series_id and a.join_code != b.join_code
    ids_a = {p.id for p in list_people(store, a.event_id)}
    assert ids_a == {p.id for p in list_people(store, b.event_id)}  # one identity per person


def test_cli_defaults_match_the_demo():
    from facilitation import demo
    from facilitation.cli import demo as cli_demo

    assert (cli_demo.DEMO_SEED, cli_demo.DEMO_END_PHASE) == (demo.DEMO_SEED, demo.DEMO_END_PHASE)
