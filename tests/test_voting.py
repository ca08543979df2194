"""Rules of dot voting: limits, who votes for whom, hidden results, ties and run-offs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, table_actor
from facilitation.capture.rules import add_entry
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import create_event, set_input_lock, set_phase
from facilitation.people.rules import add_person
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.themes.grouping import create_theme, list_themes, merge_themes
from facilitation.voting.rules import (
    add_dot,
    dots_left,
    open_runoff,
    remove_dot,
    reveal_votes,
    set_voting_rules,
    tally,
    voter_label,
    voters_with_dots_left,
)

T1, T2, T3, T4 = (table_actor(n) for n in range(1, 5))


def voting_event(store: Store, *, tables: int = 4, **rules: Any) -> tuple[int, dict[int, int]]:
    """An event in its voting phase; table n has one theme "Theme n" with one idea."""
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="V", tables=tables
    ).event_id
    set_phase(store, FACILITATOR, ev, "grouping")
    themes = {}
    for t in range(1, tables + 1):
        e = add_entry(store, table_actor(t), ev, t, "idea", f"Idea of table {t}")
        themes[t] = create_theme(store, table_actor(t), ev, t, f"Theme {t}", [e])
    if rules:
        set_voting_rules(store, FACILITATOR, ev, **rules)
    set_phase(store, FACILITATOR, ev, "voting")
    return ev, themes


def live(store: Store, ev: int) -> list[Any]:
    return store.read(
        lambda c: c.execute(
            select(s.dots).where(s.dots.c.event_id == ev, s.dots.c.removed_at.is_(None)).order_by(s.dots.c.id)
        ).all()
    )


def test_dots_per_voter_and_per_theme_are_limits(store: Store) -> None:
    ev, th = voting_event(store, dots_per_voter=3, max_per_theme=2)
    assert add_dot(store, T1, ev, th[2]).left == 2
    left = add_dot(store, T1, ev, th[2])
    assert (left.left, left.spent, left.by_theme) == (1, 2, {th[2]: 2})
    with pytest.raises(FacilitationError, match="'Theme 2' already has 2 of table 1's dots"):
        add_dot(store, T1, ev, th[2])
    add_dot(store, T1, ev, th[3])
    with pytest.raises(FacilitationError, match="Table 1 has spent all 3 dots"):
        add_dot(store, T1, ev, th[4])
    assert sorted((d.slot, d.theme_slot) for d in live(store, ev)) == [(0, 0), (1, 1), (2, 0)]


def test_a_dot_is_stored_once_per_client_token_and_logged(store: Store) -> None:
    ev, th = voting_event(store)
    add_dot(store, T1, ev, th[2], client_token="click-1")
    assert add_dot(store, T1, ev, th[2], client_token="click-1").spent == 1
    verbs = store.read(
        lambda c: c.execute(select(s.activity.c.verb).where(s.activity.c.event_id == ev)).scalars().all()
    )
    assert verbs.count("add dot") == 1


def test_remove_dot_is_soft_and_frees_the_slot(store: Store) -> None:
    ev, th = voting_event(store, dots_per_voter=2, max_per_theme=2)
    add_dot(store, T1, ev, th[2])
    add_dot(store, T1, ev, th[3])
    assert remove_dot(store, T1, ev, th[2]).left == 1
    with pytest.raises(FacilitationError, match="Table 1 has no dot on that theme"):
        remove_dot(store, T1, ev, th[2])
    assert add_dot(store, T1, ev, th[4]).left == 0
    everything = store.read(lambda c: c.execute(select(s.dots).where(s.dots.c.event_id == ev)).all())
    assert len(everything) == 3 and sum(d.removed_at is not None for d in everything) == 1
    assert sorted(d.slot for d in live(store, ev)) == [0, 1]


def test_votes_only_while_voting_and_unlocked(store: Store) -> None:
    ev, th = voting_event(store)
    set_input_lock(store, FACILITATOR, ev, True)
    with pytest.raises(FacilitationError, match="Input is locked"):
        add_dot(store, T1, ev, th[2])
    set_phase(store, FACILITATOR, ev, "collaboration")
    with pytest.raises(FacilitationError, match="cannot spend dots during"):
        add_dot(store, T1, ev, th[2])
    with pytest.raises(FacilitationError, match="cannot take dots back during"):
        remove_dot(store, T1, ev, th[2])


def test_forged_voters_are_refused(store: Store) -> None:
    ev, th = voting_event(store)
    with pytest.raises(NotAllowed, match="Table 1 cannot spend dots for table 2"):
        add_dot(store, T1, ev, th[3], table=2)
    with pytest.raises(NotAllowed, match="Table 1 cannot spend dots for table 2"):
        remove_dot(store, T1, ev, th[3], table=2)
    with pytest.raises(NotAllowed):
        add_dot(store, ORGANISER, ev, th[3], table=1)
    with pytest.raises(FacilitationError, match="Say which table"):
        add_dot(store, FACILITATOR, ev, th[3])
    assert add_dot(store, FACILITATOR, ev, th[3], table=2).voter == "table:2"  # helping at table 2
    assert add_dot(store, SYSTEM, ev, th[3], table=3).voter == "table:3"
    with pytest.raises(FacilitationError, match="each table votes as one"):
        add_dot(store, T1, ev, th[3], person_id=1)


def test_person_voters_vote_only_at_their_own_table(store: Store) -> None:
    ev, th = voting_event(store, voter="person", dots_per_voter=2, max_per_theme=1)
    ama = add_person(store, ORGANISER, ev, "Ama", organisation="Council", table=1)
    ben = add_person(store, ORGANISER, ev, "Ben", organisation="Trust", table=2)
    away = add_person(store, ORGANISER, ev, "Cy", organisation="Trust")
    with pytest.raises(FacilitationError, match="choose who is voting"):
        add_dot(store, T1, ev, th[2])
    assert add_dot(store, T1, ev, th[2], person_id=ama).voter == "person:" + str(ama)
    with pytest.raises(NotAllowed, match="Table 1 cannot spend dots for someone seated at table 2"):
        add_dot(store, T1, ev, th[3], person_id=ben)
    with pytest.raises(NotFound, match=r"^Cy is not seated"):
        add_dot(store, T1, ev, th[3], person_id=away)
    with pytest.raises(FacilitationError, match=r"^Ben sits at table 2, not table 1"):
        add_dot(store, FACILITATOR, ev, th[3], person_id=ben, table=1)
    add_dot(store, T2, ev, th[3], person_id=ben)
    assert voters_with_dots_left(store, ev) == {f"person:{ama}": 1, f"person:{ben}": 1}
    with pytest.raises(FacilitationError, match="already has 1 of Ama's dots"):
        add_dot(store, T1, ev, th[2], person_id=ama)


def test_own_themes_rule(store: Store) -> None:
    ev, th = voting_event(store, own_themes=False)
    with pytest.raises(FacilitationError, match="does not vote for its own themes"):
        add_dot(store, T1, ev, th[1])
    add_dot(store, T1, ev, th[2])
    set_phase(store, FACILITATOR, ev, "grouping")
    w = merge_themes(store, FACILITATOR, ev, [th[3], th[4]], "Three and four")
    set_phase(store, FACILITATOR, ev, "voting")
    with pytest.raises(FacilitationError, match="entries of table 3"):
        add_dot(store, T3, ev, w)
    add_dot(store, T1, ev, w)


def test_only_ballot_themes_take_dots(store: Store) -> None:
    ev, th = voting_event(store)
    set_phase(store, FACILITATOR, ev, "grouping")
    w = merge_themes(store, FACILITATOR, ev, [th[3], th[4]], "Three and four")
    empty = create_theme(store, T1, ev, 1, "Nothing yet")
    set_phase(store, FACILITATOR, ev, "voting")
    with pytest.raises(FacilitationError, match="put the dot on 'Three and four'"):
        add_dot(store, T1, ev, th[3])
    with pytest.raises(FacilitationError, match="no entries"):
        add_dot(store, T1, ev, empty)
    with pytest.raises(NotFound):
        add_dot(store, T1, ev, 10_000)
    add_dot(store, T1, ev, w)


def test_rules_change_only_before_the_first_dot(store: Store) -> None:
    ev, th = voting_event(store)
    with pytest.raises(NotAllowed):
        set_voting_rules(store, T1, ev, dots_per_voter=50)
    with pytest.raises(FacilitationError, match="cannot be more than dots_per_voter"):
        set_voting_rules(store, FACILITATOR, ev, dots_per_voter=2, max_per_theme=3)
    with pytest.raises(FacilitationError, match="must be 'table' or 'person'"):
        set_voting_rules(store, FACILITATOR, ev, voter="everyone")
    assert set_voting_rules(store, FACILITATOR, ev, dots_per_voter=3).dots_per_voter == 3
    assert dots_left(store, ev, "table:1").total == 3
    add_dot(store, T1, ev, th[2])
    with pytest.raises(FacilitationError, match="rules can no longer change"):
        set_voting_rules(store, FACILITATOR, ev, dots_per_voter=4)
    remove_dot(store, T1, ev, th[2])
    set_voting_rules(store, FACILITATOR, ev, dots_per_voter=4)  # no dot stands any more


def test_the_result_is_hidden_until_revealed(store: Store) -> None:
    ev, th = voting_event(store)
    add_dot(store, T1, ev, th[2])
    with pytest.raises(NotAllowed, match="hidden until the facilitator reveals"):
        tally(store, T1, ev)
    with pytest.raises(NotAllowed, match="Only the facilitator"):
        reveal_votes(store, T1, ev)  # a forged reveal
    assert tally(store, FACILITATOR, ev)[0].dots == 1
    assert tally(store, ORGANISER, ev)[0].dots == 1
    reveal_votes(store, FACILITATOR, ev)
    assert tally(store, T1, ev)[0].theme_id == th[2]
    reveal_votes(store, FACILITATOR, ev, revealed=False)
    with pytest.raises(NotAllowed):
        tally(store, T2, ev)


def test_ties_are_shown_as_ties(store: Store) -> None:
    from facilitation.themes.grouping import rename_theme

    ev, th = voting_event(store, tables=5, dots_per_voter=5, max_per_theme=2)
    # named before any dot (a voted theme is frozen): names order ties, never break them
    rename_theme(store, FACILITATOR, ev, th[1], "Zebra crossings")
    # Theme 5 gets 3 dots, themes 1 and 2 get 2 each, theme 4 gets 1, theme 3 none
    for actor, theme in [(T1, 5), (T2, 5), (T3, 5), (T3, 1), (T4, 1), (T1, 2), (T4, 2), (T2, 4)]:
        add_dot(store, actor, ev, th[theme])
    rows = tally(store, FACILITATOR, ev)
    assert [(r.name, r.dots, r.rank, r.tied) for r in rows] == [
        ("Theme 5", 3, 1, False),
        ("Theme 2", 2, 2, True),
        ("Zebra crossings", 2, 2, True),
        ("Theme 4", 1, 4, False),
        ("Theme 3", 0, 5, False),
    ]


def test_cross_boundary_share_for_tables_and_organisations(store: Store) -> None:
    ev, th = voting_event(store, dots_per_voter=4, max_per_theme=2)
    add_dot(store, T1, ev, th[1])  # its own table
    add_dot(store, T2, ev, th[1])
    add_dot(store, T3, ev, th[1])
    add_dot(store, T1, ev, th[2])
    rows = {r.theme_id: r for r in tally(store, FACILITATOR, ev)}
    assert rows[th[1]].cross_boundary == pytest.approx(2 / 3, abs=1e-3)
    assert rows[th[2]].cross_boundary == 1.0
    assert rows[th[3]].cross_boundary is None

    ev2, th2 = voting_event(store, voter="person", dots_per_voter=2, max_per_theme=1)
    a = add_person(store, ORGANISER, ev2, "Ana", organisation="Council", table=1)
    b = add_person(store, ORGANISER, ev2, "Bo", organisation="Council", table=2)
    c = add_person(store, ORGANISER, ev2, "Cas", organisation="Trust", table=2)
    add_dot(store, T1, ev2, th2[1], person_id=a)  # Council voting on table 1's theme (Council sits there)
    add_dot(store, T2, ev2, th2[1], person_id=b)  # another table, but the same organisation
    add_dot(store, T2, ev2, th2[1], person_id=c)  # another organisation
    row = next(r for r in tally(store, FACILITATOR, ev2) if r.theme_id == th2[1])
    assert (row.dots, row.cross_boundary) == (3, pytest.approx(1 / 3, abs=1e-3))


def test_runoff_among_tied_themes(store: Store) -> None:
    ev, th = voting_event(store, dots_per_voter=2, max_per_theme=1)
    add_dot(store, T1, ev, th[2])
    add_dot(store, T2, ev, th[3])
    reveal_votes(store, FACILITATOR, ev)
    with pytest.raises(NotAllowed):
        open_runoff(store, T1, ev, [th[2], th[3]])
    with pytest.raises(FacilitationError, match="at least two"):
        open_runoff(store, FACILITATOR, ev, [th[2], th[2]])
    assert open_runoff(store, FACILITATOR, ev, [th[2], th[3]]) == 2
    with pytest.raises(NotAllowed, match="hidden"):
        tally(store, T1, ev)
    assert [r.dots for r in tally(store, T1, ev, round=1)] == [1, 1]  # a past round: the themes with dots
    assert dots_left(store, ev, "table:1").left == 2
    with pytest.raises(FacilitationError, match="run-off between 'Theme 2', 'Theme 3'"):
        add_dot(store, T1, ev, th[4])
    add_dot(store, T1, ev, th[3])
    assert [(r.name, r.dots) for r in tally(store, FACILITATOR, ev)] == [("Theme 3", 1), ("Theme 2", 0)]
    with pytest.raises(FacilitationError, match="rounds 1 to 2"):
        tally(store, FACILITATOR, ev, round=3)
    with pytest.raises(FacilitationError, match="not on this round's ballot"):
        open_runoff(store, FACILITATOR, ev, [th[3], th[4]])


def test_must_spend_all_holds_the_reveal(store: Store) -> None:
    ev, th = voting_event(store, tables=2, dots_per_voter=1, max_per_theme=1, must_spend_all=True)
    add_dot(store, T1, ev, th[2])
    assert voters_with_dots_left(store, ev) == {"table:2": 1}
    with pytest.raises(FacilitationError, match="Table 2 still has dots"):
        reveal_votes(store, FACILITATOR, ev)
    assert reveal_votes(store, FACILITATOR, ev, force=True)
    assert dots_left(store, ev, voter_label(1)).must_spend_all


def test_a_taken_slot_reruns_the_transaction_on_both_engines(store: Store) -> None:
    """The store recognises a uq_dot_ conflict (SQLite and PostgreSQL name it differently)."""
    ev, th = voting_event(store)
    add_dot(store, T1, ev, th[2])
    attempts = []

    def fn(conn: Any) -> Change:
        attempts.append(1)
        slot = 0 if len(attempts) == 1 else 1  # the first try takes a slot already held
        conn.execute(
            insert(s.dots).values(
                event_id=ev,
                round=1,
                voter="table:1",
                theme_id=th[3],
                slot=slot,
                theme_slot=0,
                created_at=now(),
            )
        )
        return Change("add dot", "dot", None, {}, slot)

    assert store.write(fn, actor=T1, event_id=ev).result == 1
    assert len(attempts) == 2
    assert [t.name for t in list_themes(store, ev)][:1] == ["Theme 1"]
