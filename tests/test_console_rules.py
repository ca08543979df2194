"""The facilitator's undo rules on the console: un-merge, split an event-wide theme, move an
entry, hide the result, and undo the last grouping action (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from test_grouping import grouping_event, theme

from facilitation.access import FACILITATOR, table_actor
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.events import get_event, set_phase
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.themes.grouping import (
    create_theme,
    dissolve_theme,
    last_undoable,
    list_themes,
    merge_themes,
    move_entry,
    rename_theme,
    split_wide_theme,
    undo_grouping,
    unmerge,
)
from facilitation.voting import add_dot, reveal_votes

T1, T2, T3 = table_actor(1), table_actor(2), table_actor(3)


def log(store: Store, ev: int) -> list[tuple[str, str, dict]]:
    a = s.activity
    return [
        (r.actor, r.verb, json.loads(r.detail))
        for r in store.read(
            lambda c: c.execute(
                select(a.c.actor, a.c.verb, a.c.detail).where(a.c.event_id == ev).order_by(a.c.revision)
            ).all()
        )
    ]


def shape(store: Store, ev: int) -> list[tuple[str, int | None, tuple[int, ...]]]:
    return [(t.name, t.merged_into, t.entry_ids) for t in list_themes(store, ev)]


def test_split_unmerge_move_and_undo_each_in_turn(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "Falls", e[1][:2])
    b = create_theme(store, T2, ev, 2, "Falls clinics", e[2])
    c = create_theme(store, T3, ev, 3, "Transport", e[3])
    start = shape(store, ev)
    w = merge_themes(store, FACILITATOR, ev, [a, b, c], "Falls and transport")
    merged = shape(store, ev)
    # split the event-wide theme: Transport goes into a new one
    new = split_wide_theme(store, FACILITATOR, ev, w, [c], "Getting there")
    assert theme(store, ev, new).member_theme_ids == (c,) and theme(store, ev, w).member_theme_ids == (a, b)
    with pytest.raises(FacilitationError, match="takes every theme out"):
        split_wide_theme(store, FACILITATOR, ev, w, [a, b], "All")
    with pytest.raises(FacilitationError, match="is not in 'Falls and transport'"):
        split_wide_theme(store, FACILITATOR, ev, w, [c], "Other")
    # move an entry to another theme of its table, then out of any theme
    d = create_theme(store, T1, ev, 1, "Home", [e[1][2]])
    assert move_entry(store, FACILITATOR, ev, e[1][0], d) == d
    with pytest.raises(FacilitationError, match="event-wide: it gathers table themes"):
        move_entry(store, FACILITATOR, ev, e[1][1], w)
    with pytest.raises(FacilitationError, match="is table 2's theme"):
        move_entry(store, FACILITATOR, ev, e[1][1], b)
    # un-merge one table theme, then the whole event-wide theme
    assert unmerge(store, FACILITATOR, ev, [b]) == 1
    dissolve_theme(store, FACILITATOR, ev, w)
    assert all(t.merged_into is None for t in list_themes(store, ev) if t.id in (a, b))
    # undo, newest first: the un-merge of the whole theme, the un-merge of b, the move, the split
    assert last_undoable(store, ev) == "the un-merge of 'Falls and transport'"
    assert undo_grouping(store, FACILITATOR, ev) == "the un-merge of 'Falls and transport'"
    assert theme(store, ev, w).member_theme_ids == (a,)
    assert undo_grouping(store, FACILITATOR, ev) == "the un-merge"
    assert theme(store, ev, w).member_theme_ids == (a, b)
    assert undo_grouping(store, FACILITATOR, ev) == "the move of an entry"
    assert e[1][0] in theme(store, ev, a).entry_ids
    # the table's own theme "Home" was not the console's: it stays, and undo skips it
    assert undo_grouping(store, FACILITATOR, ev) == "the split into 'Getting there'"
    names = {n for n, *_ in shape(store, ev)}
    assert names == {"Falls", "Falls clinics", "Transport", "Home", "Falls and transport"}
    dissolve_theme(store, T1, ev, d)
    # the entry moved into Home went back; Home's own entry is ungrouped by the dissolve
    assert undo_grouping(store, FACILITATOR, ev) == "the merge into 'Falls and transport'"
    assert shape(store, ev)[:3] == [(n, None, ids) for n, _, ids in start]
    assert merged[-1][0] == "Falls and transport"
    with pytest.raises(FacilitationError, match="no grouping action of the console's left"):
        undo_grouping(store, FACILITATOR, ev)
    verbs = [v for who, v, _ in log(store, ev) if who == "facilitator"]
    assert verbs.count("undo grouping") == 5
    assert {"split theme", "move entry", "unmerge themes", "dissolve theme"} <= set(verbs)


def test_undo_is_the_facilitators_and_refuses_a_changed_theme(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "Falls", e[1])
    b = create_theme(store, T2, ev, 2, "Clinics", e[2])
    w = merge_themes(store, FACILITATOR, ev, [a, b], "Falls")
    for rule in (
        lambda: undo_grouping(store, T1, ev),
        lambda: split_wide_theme(store, T1, ev, w, [b], "Mine"),
    ):
        with pytest.raises(NotAllowed, match="Only the facilitator"):
            rule()
    with pytest.raises(NotAllowed, match="Table 1 cannot move this entry"):
        move_entry(store, T1, ev, e[2][0], None)
    rename_theme(store, FACILITATOR, ev, w, "Falls prevention")
    unmerge(store, FACILITATOR, ev, [b])
    merge_themes(store, FACILITATOR, ev, [b], None, into=w)  # by hand, the same again
    rename_theme(store, T1, ev, a, "Falls at home")  # a table's change: not the console's to undo
    assert undo_grouping(store, FACILITATOR, ev) == "the merge into 'Falls prevention'"
    assert undo_grouping(store, FACILITATOR, ev) == "the un-merge"
    assert theme(store, ev, b).merged_into == w
    # the rename of w is undone; a's rename by the table stays
    assert undo_grouping(store, FACILITATOR, ev) == "the rename to 'Falls prevention'"
    assert theme(store, ev, w).name == "Falls" and theme(store, ev, a).name == "Falls at home"
    # the merge itself: a was renamed since, but membership is what the merge changed
    with pytest.raises(FacilitationError, match="changed since"):
        undo_grouping(store, FACILITATOR, ev)
    assert theme(store, ev, w).member_theme_ids == (a, b)


def test_voted_themes_stay_frozen_and_hiding_the_result_does_not_reopen_voting(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "Falls", e[1])
    b = create_theme(store, T2, ev, 2, "Clinics", e[2])
    c = create_theme(store, T3, ev, 3, "Transport", e[3])
    w = merge_themes(store, FACILITATOR, ev, [a, b], "Falls")
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, T3, ev, w)
    frozen = "holds dots from round 1, so it is frozen"
    for rule in (
        lambda: split_wide_theme(store, FACILITATOR, ev, w, [b], "Clinics"),
        lambda: unmerge(store, FACILITATOR, ev, [b]),
        lambda: move_entry(store, FACILITATOR, ev, e[1][0], None),
        lambda: undo_grouping(store, FACILITATOR, ev),
    ):
        with pytest.raises(FacilitationError, match=frozen):
            rule()
    assert theme(store, ev, w).member_theme_ids == (a, b)
    assert theme(store, ev, c).merged_into is None
    assert reveal_votes(store, FACILITATOR, ev) is True
    assert reveal_votes(store, FACILITATOR, ev, False) is False
    assert get_event(store, ev).votes_revealed is False
    with pytest.raises(FacilitationError):
        add_dot(store, T1, ev, c)  # hidden again, the round stays closed
    assert [v for _, v, _ in log(store, ev)][-2:] == ["reveal votes", "hide votes"]


def test_a_dot_on_a_theme_merged_from_several_tables_crosses_as_far_as_it_is_others_work(
    store: Store,
) -> None:
    from facilitation.capture import add_entry
    from facilitation.voting import tally

    ev, e = grouping_event(store, per_table=1)
    more = [add_entry(store, T2, ev, 2, "idea", f"More from table 2 ({i})") for i in range(2)]
    a = create_theme(store, T1, ev, 1, "Falls", e[1])
    b = create_theme(store, T2, ev, 2, "Falls clinics", [*e[2], *more])
    c = create_theme(store, T3, ev, 3, "Transport", e[3])
    w = merge_themes(store, FACILITATOR, ev, [a, b], "Falls")
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, T1, ev, w)  # table 1 wrote 1 of its 4 entries: three quarters of a dot across
    add_dot(store, T3, ev, w)  # table 3 wrote none of it: a whole dot across
    add_dot(store, T3, ev, c)  # its own table theme: nothing across
    rows = {r.theme_id: r for r in tally(store, FACILITATOR, ev)}
    assert rows[w].cross_boundary == pytest.approx((0.75 + 1) / 2, abs=1e-3)
    assert rows[c].cross_boundary == 0.0


def test_the_demo_bars_say_how_much_came_from_other_tables(sqlite_path: str) -> None:
    from facilitation.demo import build_demo
    from facilitation.store import open_store
    from facilitation.voting import tally

    store = open_store(sqlite_path)
    try:
        keys = build_demo(store)
        rows = tally(store, FACILITATOR, keys.event_id)
        # every table wrote into every theme, yet most of each theme is other tables' work
        assert rows and all(r.cross_boundary is not None and r.cross_boundary > 0.5 for r in rows)
    finally:
        store.close()
