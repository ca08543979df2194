"""Rules of grouping: table themes, event-wide themes, and who may change which."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry, withdraw_entry
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import create_event, set_input_lock, set_phase
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.themes.grouping import (
    add_to_theme,
    create_theme,
    dissolve_theme,
    list_themes,
    merge_themes,
    rename_theme,
    split_theme,
    ungroup,
    unmerge,
    votable_themes,
)
from facilitation.voting.rules import add_dot, open_runoff

T1, T2, T3 = table_actor(1), table_actor(2), table_actor(3)


def grouping_event(store: Store, per_table: int = 3, tables: int = 3) -> tuple[int, dict[int, list[int]]]:
    """An event in its grouping phase with ``per_table`` ideas at each table."""
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="G", tables=tables
    ).event_id
    set_phase(store, FACILITATOR, ev, "ideas")
    entries = {
        t: [
            add_entry(store, table_actor(t), ev, t, "idea", f"Idea {i} of table {t}")
            for i in range(per_table)
        ]
        for t in range(1, tables + 1)
    }
    set_phase(store, FACILITATOR, ev, "grouping")
    return ev, entries


def theme(store: Store, ev: int, theme_id: int) -> Any:
    return next(t for t in list_themes(store, ev) if t.id == theme_id)


def verbs(store: Store, ev: int) -> list[str]:
    return store.read(
        lambda c: list(
            c.execute(
                select(s.activity.c.verb).where(s.activity.c.event_id == ev).order_by(s.activity.c.revision)
            ).scalars()
        )
    )


def test_a_table_groups_its_entries_and_the_log_says_so(store: Store) -> None:
    ev, e = grouping_event(store)
    t = create_theme(store, T1, ev, 1, "Workforce", e[1][:2])
    assert theme(store, ev, t).entry_ids == tuple(e[1][:2])
    assert theme(store, ev, t).table == 1 and not theme(store, ev, t).event_wide
    assert verbs(store, ev)[-1] == "create theme"


def test_group_as_moves_entries_out_of_their_old_theme(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "A", e[1])
    b = create_theme(store, T1, ev, 1, "B", [e[1][0]])
    assert theme(store, ev, a).entry_ids == tuple(e[1][1:])
    assert theme(store, ev, b).entry_ids == (e[1][0],)


def test_a_repeated_client_token_makes_one_theme(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "A", e[1], client_token="tok-1")
    assert create_theme(store, T1, ev, 1, "A", e[1], client_token="tok-1") == a
    assert len(list_themes(store, ev)) == 1


def test_forged_table_cannot_make_or_fill_another_tables_theme(store: Store) -> None:
    ev, e = grouping_event(store)
    with pytest.raises(NotAllowed, match="Table 1 cannot make a theme for table 2"):
        create_theme(store, T1, ev, 2, "Not mine")
    mine = create_theme(store, T1, ev, 1, "Mine")
    with pytest.raises(NotAllowed, match="belongs to table 2"):
        add_to_theme(store, T1, ev, mine, [e[2][0]])
    with pytest.raises(NotAllowed, match="belongs to table 2"):
        create_theme(store, T1, ev, 1, "Grab", [e[2][0]])
    theirs = create_theme(store, T2, ev, 2, "Theirs", e[2])
    for call in (
        lambda: rename_theme(store, T1, ev, theirs, "Taken"),
        lambda: add_to_theme(store, T1, ev, theirs, [e[1][0]]),
        lambda: split_theme(store, T1, ev, theirs, [e[2][0]], "Split"),
        lambda: dissolve_theme(store, T1, ev, theirs),
        lambda: ungroup(store, T1, ev, [e[2][0]]),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert theme(store, ev, theirs).entry_ids == tuple(e[2])
    with pytest.raises(NotAllowed):
        create_theme(store, ORGANISER, ev, 1, "Organiser")


def test_tables_group_only_while_grouping_and_unlocked(store: Store) -> None:
    ev, e = grouping_event(store)
    set_input_lock(store, FACILITATOR, ev, True)
    with pytest.raises(FacilitationError, match="locked"):
        create_theme(store, T1, ev, 1, "Late")
    set_phase(store, FACILITATOR, ev, "voting")
    with pytest.raises(FacilitationError, match="cannot change themes during 'Dot voting'"):
        create_theme(store, T1, ev, 1, "Late")
    # the facilitator may still tidy a table's themes
    assert create_theme(store, FACILITATOR, ev, 1, "Tidied", e[1])


def test_theme_names_are_cleaned_and_unique_per_table(store: Store) -> None:
    ev, _ = grouping_event(store)
    t = create_theme(store, T1, ev, 1, "  Work\u202eforce\u200b ")
    assert theme(store, ev, t).name == "Workforce"
    with pytest.raises(FacilitationError, match="already has a theme called 'Workforce'"):
        create_theme(store, T1, ev, 1, "WORKFORCE")
    create_theme(store, T2, ev, 2, "Workforce")  # another table may use the name
    with pytest.raises(FacilitationError, match="theme name is empty"):
        create_theme(store, T1, ev, 1, "\u200b ")
    with pytest.raises(FacilitationError, match="most is 200"):
        rename_theme(store, T1, ev, t, "x" * 201)


def test_rename_split_ungroup_and_withdrawn_entries(store: Store) -> None:
    ev, e = grouping_event(store)
    t = create_theme(store, T1, ev, 1, "Mixed", e[1])
    rename_theme(store, T1, ev, t, "Workforce")
    new = split_theme(store, T1, ev, t, [e[1][2]], "Digital")
    assert theme(store, ev, new).entry_ids == (e[1][2],)
    with pytest.raises(FacilitationError, match="not in 'Workforce'"):
        split_theme(store, T1, ev, t, [e[1][2]], "Again")
    with pytest.raises(FacilitationError, match="takes every entry"):
        split_theme(store, T1, ev, t, e[1][:2], "All")
    assert ungroup(store, T1, ev, [e[1][0], e[1][0]]) == 1
    assert theme(store, ev, t).entry_ids == (e[1][1],)
    set_phase(store, FACILITATOR, ev, "ideas")
    withdraw_entry(store, T1, ev, e[1][1])
    set_phase(store, FACILITATOR, ev, "grouping")
    assert theme(store, ev, t).entry_ids == ()
    with pytest.raises(NotFound, match="not there any more"):
        add_to_theme(store, T1, ev, t, [e[1][1]])
    with pytest.raises(FacilitationError, match="by its number"):
        add_to_theme(store, T1, ev, t, ["one"])
    assert {"rename theme", "split theme", "ungroup entries"} <= set(verbs(store, ev))


def test_dissolve_is_soft_and_ungroups(store: Store) -> None:
    ev, e = grouping_event(store)
    t = create_theme(store, T1, ev, 1, "Gone", e[1])
    dissolve_theme(store, T1, ev, t)
    assert list_themes(store, ev) == []
    row = store.read(lambda c: c.execute(select(s.themes).where(s.themes.c.id == t)).mappings().one())
    assert row["deleted_at"] is not None and row["name"] == "Gone"
    assert store.read(
        lambda c: c.execute(select(s.entries.c.theme_id).where(s.entries.c.id.in_(e[1]))).scalars().all()
    ) == [None, None, None]
    with pytest.raises(NotFound):
        rename_theme(store, T1, ev, t, "Back")


def test_merge_extend_and_retire_event_wide_themes(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "Workforce", e[1])
    b = create_theme(store, T2, ev, 2, "Staffing", e[2])
    c = create_theme(store, T3, ev, 3, "People", e[3])
    with pytest.raises(NotAllowed, match="Only the facilitator"):
        merge_themes(store, T1, ev, [a, b], "Mine")
    w = merge_themes(store, FACILITATOR, ev, [a, b], "Workforce and staffing")
    wide = theme(store, ev, w)
    assert wide.event_wide and wide.member_theme_ids == (a, b)
    assert wide.entry_ids == tuple(sorted(e[1] + e[2]))
    assert theme(store, ev, a).merged_into == w
    with pytest.raises(FacilitationError, match="is a table theme"):
        merge_themes(store, FACILITATOR, ev, [c], None, into=a)
    with pytest.raises(FacilitationError, match="event-wide: it gathers table themes"):
        add_to_theme(store, FACILITATOR, ev, w, [e[3][0]])
    # extend it, renaming it on the way
    assert merge_themes(store, FACILITATOR, ev, [c], "Our workforce", into=w) == w
    assert theme(store, ev, w).member_theme_ids == (a, b, c) and theme(store, ev, w).name == "Our workforce"
    # merging an event-wide theme hands its members over and retires it
    w2 = merge_themes(store, FACILITATOR, ev, [w], "Workforce")
    assert [t.id for t in list_themes(store, ev) if t.event_wide] == [w2]
    assert theme(store, ev, w2).member_theme_ids == (a, b, c)
    with pytest.raises(FacilitationError, match="already has a theme called"):
        merge_themes(store, FACILITATOR, ev, [a], "WORKFORCE")
    assert verbs(store, ev).count("merge themes") == 3


def test_unmerge_and_dissolving_an_event_wide_theme(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "A", e[1])
    b = create_theme(store, T2, ev, 2, "B", e[2])
    w = merge_themes(store, FACILITATOR, ev, [a, b], "AB")
    with pytest.raises(FacilitationError, match="dissolve it"):
        unmerge(store, FACILITATOR, ev, [w])
    with pytest.raises(NotAllowed):
        unmerge(store, T1, ev, [a])
    assert unmerge(store, FACILITATOR, ev, [a, a]) == 1
    assert theme(store, ev, a).merged_into is None
    with pytest.raises(NotAllowed):
        dissolve_theme(store, T2, ev, w)
    dissolve_theme(store, FACILITATOR, ev, w)
    assert [t.id for t in list_themes(store, ev)] == [a, b]
    assert theme(store, ev, b).merged_into is None


def test_list_themes_of_one_table(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "A", e[1])
    create_theme(store, T2, ev, 2, "B", e[2])
    merge_themes(store, FACILITATOR, ev, [a], "Event A")
    assert [t.name for t in list_themes(store, ev, table=1)] == ["A"]
    assert [t.name for t in list_themes(store, ev)] == ["A", "B", "Event A"]
    assert store.read(lambda c: [t.name for t in list_themes(c, ev, table=2)]) == ["B"]


def test_votable_themes_and_the_runoff(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "A", e[1])
    b = create_theme(store, T2, ev, 2, "B", e[2])
    c = create_theme(store, T3, ev, 3, "C", e[3])
    create_theme(store, T3, ev, 3, "Empty")
    w = merge_themes(store, FACILITATOR, ev, [a, b], "AB")
    assert [t.id for t in votable_themes(store, ev)] == [c, w]
    open_runoff(store, FACILITATOR, ev, [c, w])
    assert [t.id for t in votable_themes(store, ev)] == [c, w]


def test_themes_with_dots_cannot_be_merged_or_dissolved(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "A", e[1])
    b = create_theme(store, T2, ev, 2, "B", e[2])
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, T3, ev, a)
    with pytest.raises(FacilitationError, match="'A' holds dots from round 1, so it is frozen"):
        merge_themes(store, FACILITATOR, ev, [a, b], "AB")
    with pytest.raises(FacilitationError, match="frozen"):
        dissolve_theme(store, FACILITATOR, ev, a)
    merge_themes(store, FACILITATOR, ev, [b], "B wide")  # themes without dots still merge


def test_a_member_of_a_dotted_event_wide_theme_stays_put(store: Store) -> None:
    ev, e = grouping_event(store)
    a = create_theme(store, T1, ev, 1, "A", e[1])
    b = create_theme(store, T2, ev, 2, "B", e[2])
    w = merge_themes(store, FACILITATOR, ev, [a, b], "AB")
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, T3, ev, w)
    for change in (
        lambda: dissolve_theme(store, FACILITATOR, ev, a),
        lambda: unmerge(store, FACILITATOR, ev, [a]),
        lambda: merge_themes(store, FACILITATOR, ev, [a], "A alone"),
    ):
        with pytest.raises(FacilitationError, match="'AB' holds dots from round 1, so it is frozen"):
            change()
    assert theme(store, ev, w).member_theme_ids == (a, b)
