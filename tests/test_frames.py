"""Frames for analysts: one DataFrame per kind, for an event or a series; the inclusion
view never shows a group of fewer than five people. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from test_plans import planned_event

from facilitation.access import ORGANISER
from facilitation.errors import FacilitationError
from facilitation.events.rules import create_event
from facilitation.frames import COLUMNS, KINDS, frames, inclusion, participation, tie_growth
from facilitation.people.rules import add_person
from facilitation.series.rules import create_series
from facilitation.store import Store


def test_every_kind_with_its_columns(store: Store) -> None:
    p = planned_event(store)
    f = frames(store, p.event_id)
    assert set(f) == set(KINDS)
    for kind, df in f.items():
        assert list(df.columns) == list(COLUMNS[kind]), kind
        assert (df["event"] == p.event_id).all()
    assert len(f["entries"]) == 6
    assert len(f["people"]) == 6
    assert len(f["ties"]) == 3
    assert len(f["groups"]) == 2
    assert len(f["actions"]) == 4
    assert len(f["dots"]) == 8  # the removed dot is not there


def test_values_are_resolved(store: Store) -> None:
    p = planned_event(store)
    f = frames(store, p.event_id)
    entries = f["entries"].set_index("id")
    # a table theme's entry is reported under the event-wide theme it was merged into
    assert entries.loc[p.entries["e1"], "theme"] == "Joined-up data"
    assert entries.loc[p.entries["e1"], "theme_id"] == p.themes["data"]
    themes = f["themes"].set_index("id")
    assert themes.loc[p.themes["data"], "dots"] == 5
    assert themes.loc[p.themes["data"], "scope"] == "event"
    assert themes.loc[p.themes["data"], "entries"] == 4
    ties = f["ties"]
    assert ties["cross_organisation"].tolist() == [True, True, False]
    groups = f["groups"].set_index("id")
    g = groups.loc[p.groups[0]]
    assert (g["tally"], g["lead_table"], g["destination"], g["review_3y"]) == (
        5,
        1,
        "exemplar hub",
        "2029-11-26",
    )
    assert g["enablers_to_use"] == "Shared care record"
    assert g["blockers_to_remove"] == "Information governance delays"
    # numbers stay numbers (nullable integers), text stays text
    assert str(f["entries"]["table"].dtype) == "Int64"
    assert f["actions"]["status"].tolist() == ["not started", "in progress"] * 2
    people = f["people"].set_index("name")
    assert bool(people.loc["Ama Owusu", "contributed"])  # in a tie and a group


def test_a_series_gives_one_frame_with_an_event_column(store: Store) -> None:
    sid = create_series(store, ORGANISER, "Community of practice")
    a = planned_event(store, series_id=sid, starts_on="2026-09-01", title="September")
    b = planned_event(store, series_id=sid, starts_on="2026-10-01", title="October")
    f = frames(store, series_id=sid)
    assert f["entries"]["event"].unique().tolist() == [a.event_id, b.event_id]
    assert f["groups"]["event_title"].tolist() == ["September", "September", "October", "October"]
    # the same people keep one identity across the series
    assert f["people"].groupby("id")["event"].nunique().max() == 2


def test_participation_and_tie_growth_over_a_series(store: Store) -> None:
    sid = create_series(store, ORGANISER, "Community of practice")
    a = planned_event(store, series_id=sid, starts_on="2026-09-01", title="September")
    b = planned_event(store, series_id=sid, starts_on="2026-10-01", title="October")
    f = frames(store, series_id=sid)
    seen = participation(f["people"])
    everyone = f["people"]["id"].nunique()
    assert seen.loc[a.event_id, "returning"] == 0 and seen.loc[b.event_id, "new_people"] == 0
    assert seen["new_people"].sum() == everyone and seen.loc[b.event_id, "returning"] == everyone
    growth = tie_growth(f["ties"])
    pairs = {frozenset(p) for p in zip(f["ties"]["person_a"], f["ties"]["person_b"], strict=True)}
    assert growth["ties"].sum() == len(f["ties"]) and growth["distinct_pairs_so_far"].iloc[-1] == len(pairs)


def test_bad_arguments_say_what_to_do(store: Store) -> None:
    with pytest.raises(FacilitationError, match="either an event or a series"):
        frames(store)
    with pytest.raises(FacilitationError, match="no frame"):
        frames(store, 1, kinds=["votes"])


def _crowd(store: Store, sizes: dict[str, int], *, ethnicity: dict[str, str] | None = None) -> int:
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Inclusion", tables=2
    ).event_id
    n = 0
    for org, size in sizes.items():
        for i in range(size):
            n += 1
            demo = {"ethnicity": (ethnicity or {}).get(org, "")} if ethnicity else None
            add_person(
                store, ORGANISER, ev, f"Person {n}", organisation=org, table=1 + i % 2, demographics=demo
            )
    return ev


def test_inclusion_never_shows_a_group_under_five(store: Store) -> None:
    ev = _crowd(store, {"Big Trust": 7, "Council": 5, "Tiny Charity": 3, "Solo GP": 2})
    table = inclusion(store, ev)
    assert table["group"].tolist() == ["Big Trust", "Council", "other"]
    assert table["people"].tolist() == [7, 5, 5]
    assert table["attended"].tolist() == [7, 5, 5]
    # "other" still under five is merged into the smallest group shown
    ev2 = _crowd(store, {"Big Trust": 7, "Council": 5, "Tiny Charity": 2, "Solo GP": 1})
    table2 = inclusion(store, ev2)
    assert table2["group"].tolist() == ["Big Trust", "other"] and table2["people"].tolist() == [7, 8]
    ev3 = _crowd(store, {"Big Trust": 6, "Tiny Charity": 2})
    assert inclusion(store, ev3)["group"].tolist() == ["other"]
    # an event of fewer than five people shows nothing at all
    assert inclusion(store, _crowd(store, {"A": 2, "B": 2})).empty


def test_inclusion_by_a_demographic_field(store: Store) -> None:
    ev = _crowd(
        store, {"A": 6, "B": 6, "C": 1}, ethnicity={"A": "White British", "B": "Black British", "C": "Other"}
    )
    table = inclusion(store, ev, "ethnicity")
    assert table["group"].tolist() == ["White British", "other"]
    assert table["people"].tolist() == [6, 7]
    assert table["contributed"].tolist() == [0, 0]
    assert "Other" not in table["group"].tolist()  # the one person's answer never shows


def test_demographic_counts_of_one_to_four_are_hidden(store: Store) -> None:
    p = planned_event(store)
    for i in range(6):
        add_person(
            store, ORGANISER, p.event_id, f"Extra {i}", organisation="Council", demographics={"age": "65+"}
        )
    # the six planned people have no answer ("not stated"); among them 5 contributed
    table = inclusion(store, p.event_id, "age").set_index("group")
    assert table.loc["65+", "people"] == 6
    counts = [x for x in table["contributed"].tolist() if not pd.isna(x)]
    assert all(x == 0 or x >= 5 for x in counts)
