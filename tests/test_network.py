"""The collaboration network: capture rules, derived ties, figures worked out by hand, series."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import create_event, set_input_lock, set_phase
from facilitation.network.figures import (
    brokerage,
    ei_index,
    event_figures,
    network_figures,
    series_figures,
)
from facilitation.network.picture import colour_groups, layout, map_data
from facilitation.network.rules import (
    CO_AUTHORED,
    SAT_TOGETHER,
    TIE_KINDS,
    VOTED_FOR,
    event_graph,
    list_links,
    record_link,
    series_graph,
    withdraw_link,
)
from facilitation.people.rules import add_person
from facilitation.store import Store

# --- helpers ---------------------------------------------------------------------------------


def _event(store: Store, *, tables: int = 4, phase: str | None = None, **kw: object) -> int:
    keys = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Map", tables=tables, **kw
    )
    if phase:
        set_phase(store, FACILITATOR, keys.event_id, phase)
    return keys.event_id


def _people(
    store: Store, ev: int, rows: list[tuple[str, str, int | None]], sector: str = ""
) -> dict[str, int]:
    return {
        name: add_person(store, FACILITATOR, ev, name, organisation=org, sector=sector, table=table)
        for name, org, table in rows
    }


def _graph(
    nodes: dict[int, tuple[str, int | None]], edges: list[tuple[int, int]], **edge_attrs: object
) -> nx.Graph:
    g = nx.Graph()
    for n, (org, table) in nodes.items():
        g.add_node(n, name=f"P{n}", organisation=org, sector="", table=table)
    for u, v in edges:
        g.add_edge(u, v, status=edge_attrs.get("status", "new"), weight=1, kinds=(SAT_TOGETHER,))
    return g


# --- figures on small graphs, computed by hand -------------------------------------------------


def test_ei_index_and_density_by_hand() -> None:
    # A = {1, 2, 3}, B = {4, 5}; ties 1-2, 2-3 and 4-5 inside, 3-4 and 1-5 across.
    g = _graph(
        {1: ("A", 1), 2: ("A", 1), 3: ("A", 2), 4: ("B", 2), 5: ("B", 3)},
        [(1, 2), (2, 3), (4, 5), (3, 4), (1, 5)],
    )
    overall, per_org = ei_index(g)
    assert overall == pytest.approx((2 - 3) / 5)  # E = 2, I = 3
    assert per_org["A"] == pytest.approx((2 - 2) / 4)  # A: 3-4, 1-5 out; 1-2, 2-3 in
    assert per_org["B"] == pytest.approx((2 - 1) / 3)  # B: 3-4, 1-5 out; 4-5 in
    f = network_figures(g)
    assert f.density == pytest.approx(5 / 10)
    assert f.cross_organisation_ties == 2
    assert f.ties == 5 and f.people == 5 and f.organisations == 2


def test_ei_index_all_inside_or_all_across() -> None:
    inside = _graph({1: ("A", 1), 2: ("A", 1)}, [(1, 2)])
    across = _graph({1: ("A", 1), 2: ("B", 1)}, [(1, 2)])
    assert ei_index(inside) == (-1.0, {"A": -1.0})
    assert ei_index(across) == (1.0, {"A": 1.0, "B": 1.0})
    lonely = _graph({1: ("A", 1)}, [])
    assert ei_index(lonely) == (None, {"A": None})


def test_betweenness_and_brokerage_of_a_bridge() -> None:
    # Two triangles {1,2,3} (org X) and {5,6,7} (org Y) joined through person 4 (org Z).
    g = _graph(
        {1: ("X", 1), 2: ("X", 1), 3: ("X", 1), 4: ("Z", 2), 5: ("Y", 3), 6: ("Y", 3), 7: ("Y", 3)},
        [(1, 2), (2, 3), (1, 3), (3, 4), (4, 5), (5, 6), (6, 7), (5, 7)],
    )
    f = network_figures(g, top=3)
    top = f.bridging_people[0]
    # 9 pairs (one in each triangle) all pass through 4; normalised by (n-1)(n-2)/2 = 15.
    assert top.id == 4 and top.betweenness == pytest.approx(9 / 15)
    assert top.brokerage == 1  # contacts 3 (X) and 5 (Y) are not tied to each other
    assert brokerage(g, 1) == 0
    # 3 and 5 each carry 1-2 and 2 others' paths to the far side: 2 * 4 = 8 pairs.
    assert {b.id: b.betweenness for b in f.bridging_people}[3] == pytest.approx(8 / 15)
    assert f.bridging_organisations[0].name == "Z"
    assert f.bridging_organisations[0].betweenness == pytest.approx(1.0)
    assert len(f.communities) == 2 and f.modularity is not None and f.modularity > 0.3


def test_isolates_are_people_with_no_tie_beyond_their_table() -> None:
    # 1 and 2 share table 1 and nothing else; 3 at table 2 has a tie to 4 at table 3.
    g = _graph({1: ("A", 1), 2: ("B", 1), 3: ("A", 2), 4: ("B", 3), 5: ("C", None)}, [(1, 2), (3, 4)])
    assert network_figures(g).isolates == [1, 2, 5]


def test_new_and_renewed_counts_and_headline_sentences() -> None:
    g = _graph({1: ("A", 1), 2: ("B", 1), 3: ("B", 2)}, [(1, 2)], status="renewed")
    g.add_edge(2, 3, status="new", weight=1, kinds=(SAT_TOGETHER,))
    f = network_figures(g)
    assert (f.new_ties, f.renewed_ties) == (1, 1)
    headline = f.headline()
    assert [h.key for h in headline][:2] == ["people", "ties"]
    assert all(h.explanation.endswith(".") and h.label for h in headline)


def test_empty_network_has_figures_too() -> None:
    f = network_figures(nx.Graph())
    assert (f.people, f.ties, f.density, f.ei_index, f.communities, f.isolates) == (0, 0, 0.0, None, [], [])
    assert layout(nx.Graph()) == {}


def test_layout_is_stable_and_keeps_people_in_place() -> None:
    g = nx.les_miserables_graph()
    first = layout(g, seed=7)
    assert first == layout(g, seed=7)
    g.add_edge("Valjean", "Newcomer")
    again = layout(g, seed=7, previous=first)
    assert all(again[n] == first[n] for n in first)
    assert "Newcomer" in again and all(math.isfinite(c) for c in again["Newcomer"])


def test_colours_are_stable_and_limited_to_the_palette() -> None:
    g = nx.Graph()
    for i in range(12):
        g.add_node(i, organisation=f"Org {i:02d}", sector="acute" if i % 2 else "housing")
    colours, legend = colour_groups(g)
    assert len(legend) == 10 and legend[-1][0] == "other"
    assert colours == colour_groups(g)[0]
    assert len(set(colour_groups(g, "sector")[0].values())) == 2
    with pytest.raises(FacilitationError):
        colour_groups(g, "table")


# --- capture rules, on SQLite and PostgreSQL --------------------------------------------------


def test_table_lead_records_links_for_own_table_in_the_links_phase(store: Store) -> None:
    ev = _event(store, phase="collaboration")
    p = _people(store, ev, [("Ama", "Council", 1), ("Ben", "Trust", 2), ("Cai", "Trust", 1)])
    lead = table_actor(1)
    lid = record_link(
        store, lead, ev, 1, p["Ama"], p["Ben"], "will work with", "Discharge pilot", client_token="k1"
    )
    assert record_link(store, lead, ev, 1, p["Ama"], p["Ben"], "will work with", client_token="k1") == lid
    # The same link again (either way round) is the same link; a new note replaces the old.
    assert record_link(store, FACILITATOR, ev, None, p["Ben"], p["Ama"], "will work with", "Phase 2") == lid
    links = list_links(store, ev)
    assert [(x.kind, x.name_a, x.name_b, x.note, x.recorded_by) for x in links] == [
        ("will work with", "Ama", "Ben", "Phase 2", "table 1")
    ]
    other = record_link(store, lead, ev, 1, p["Cai"], p["Ben"], "knew before")
    assert [x.id for x in list_links(store, ev, table=1)] == [lid, other]
    assert list_links(store, ev, table=2) == []
    assert [x.id for x in list_links(store, ev, kinds=["knew before"])] == [other]


def test_link_rules_refuse_what_a_table_may_not_do(store: Store) -> None:
    ev = _event(store, phase="collaboration")
    p = _people(store, ev, [("Ama", "Council", 1), ("Ben", "Trust", 2)])
    other_ev = _event(store)
    stranger = add_person(store, FACILITATOR, other_ev, "Dee", table=1)
    lead = table_actor(1)
    with pytest.raises(NotAllowed):
        record_link(store, table_actor(2), ev, 1, p["Ama"], p["Ben"], "worked with")
    with pytest.raises(FacilitationError, match="does not sit at table 1"):
        record_link(store, lead, ev, 1, p["Ben"], p["Ama"], "worked with")
    with pytest.raises(NotFound):
        record_link(store, lead, ev, 1, p["Ama"], stranger, "worked with")
    with pytest.raises(FacilitationError, match="two different people"):
        record_link(store, lead, ev, 1, p["Ama"], p["Ama"], "worked with")
    with pytest.raises(FacilitationError, match="is none of these"):
        record_link(store, lead, ev, 1, p["Ama"], p["Ben"], "married to")
    with pytest.raises(FacilitationError, match="Choose the table"):
        record_link(store, lead, ev, None, p["Ama"], p["Ben"], "worked with")
    set_input_lock(store, FACILITATOR, ev, True)
    with pytest.raises(FacilitationError, match="locked"):
        record_link(store, lead, ev, 1, p["Ama"], p["Ben"], "worked with")
    set_phase(store, FACILITATOR, ev, "ideas")
    with pytest.raises(FacilitationError, match="cannot record links"):
        record_link(store, lead, ev, 1, p["Ama"], p["Ben"], "worked with")
    # The facilitator and the organiser may record at any time.
    assert record_link(store, FACILITATOR, ev, 1, p["Ama"], p["Ben"], "worked with") > 0
    assert record_link(store, ORGANISER, ev, None, p["Ben"], p["Ama"], "knew before") > 0
    assert list_links(store, ev) and list_links(store, other_ev) == []


def test_withdraw_link(store: Store) -> None:
    ev = _event(store, phase="collaboration")
    p = _people(store, ev, [("Ama", "Council", 1), ("Ben", "Trust", 2)])
    lid = record_link(store, table_actor(1), ev, 1, p["Ama"], p["Ben"], "worked with")
    with pytest.raises(NotAllowed):
        withdraw_link(store, table_actor(2), ev, lid)
    assert withdraw_link(store, table_actor(1), ev, lid) == lid
    assert list_links(store, ev) == []
    with pytest.raises(NotFound):
        withdraw_link(store, FACILITATOR, ev, lid)
    assert ("worked with",) not in [d["kinds"] for *_, d in event_graph(store, ev).edges(data=True)]


# --- ties derived from what happened ----------------------------------------------------------


def test_seating_and_links_make_ties(store: Store) -> None:
    ev = _event(store, phase="collaboration")
    p = _people(
        store, ev, [("Ama", "Council", 1), ("Ben", "Trust", 1), ("Cai", "Trust", 2), ("Dee", "", None)]
    )
    record_link(store, table_actor(1), ev, 1, p["Ama"], p["Cai"], "will work with", "Frailty hub")
    record_link(store, table_actor(1), ev, 1, p["Ama"], p["Cai"], "worked with")
    g = event_graph(store, ev)
    assert set(g.nodes) == set(p.values())
    assert g.nodes[p["Ama"]]["organisation"] == "Council" and g.nodes[p["Dee"]]["table"] is None
    assert g.edges[p["Ama"], p["Ben"]]["kinds"] == (SAT_TOGETHER,)
    tie = g.edges[p["Ama"], p["Cai"]]
    assert tie["kinds"] == ("worked with", "will work with") and tie["weight"] == 2
    assert tie["notes"] == ("Frailty hub",) and tie["status"] == "new"
    assert g.number_of_edges() == 2
    only_links = event_graph(store, ev, kinds=["worked with"])
    assert list(only_links.edges) == [tuple(sorted((p["Ama"], p["Cai"])))]
    with pytest.raises(FacilitationError):
        event_graph(store, ev, kinds=["gossip"])
    f = event_figures(store, ev)
    assert f.isolates == sorted([p["Ben"], p["Dee"]]) and f.cross_organisation_ties == 2


def test_co_authors_and_votes_make_ties(store: Store) -> None:
    from facilitation.themes.grouping import create_theme, merge_themes
    from facilitation.voting.rules import add_dot, reveal_votes

    ev = _event(store, tables=3, phase="ideas")
    p = _people(
        store,
        ev,
        [
            ("Ama", "Council", 1),
            ("Ben", "Trust", 2),
            ("Eve", "Trust", 2),
            ("Cai", "Trust", 3),
            ("Dan", "GP", 3),
        ],
    )
    e1 = add_entry(store, table_actor(1), ev, 1, "idea", "Shared care record", author_id=p["Ama"])
    e2 = add_entry(store, table_actor(2), ev, 2, "idea", "One discharge team", author_id=p["Ben"])
    e4 = add_entry(store, table_actor(2), ev, 2, "idea", "Discharge to assess")  # no author: the table
    e3 = add_entry(store, table_actor(3), ev, 3, "idea", "Joint training", author_id=p["Cai"])
    set_phase(store, FACILITATOR, ev, "grouping")
    t1 = create_theme(store, table_actor(1), ev, 1, "Records", [e1])
    t2 = create_theme(store, table_actor(2), ev, 2, "Discharge", [e2, e4])
    t3 = create_theme(store, table_actor(3), ev, 3, "Training", [e3])
    merged = merge_themes(store, FACILITATOR, ev, [t1, t2], "Joined-up care")
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, table_actor(3), ev, merged)
    add_dot(store, table_actor(1), ev, t3)
    # The map's default: seating and recorded links only.
    assert not event_graph(store, ev).has_edge(p["Ama"], p["Ben"])
    g = event_graph(store, ev, kinds=TIE_KINDS)
    assert g.edges[p["Ama"], p["Ben"]]["kinds"] == (CO_AUTHORED,)  # named authors across tables
    assert CO_AUTHORED in g.edges[p["Ben"], p["Eve"]]["kinds"]  # the anonymous entry: her table
    assert not g.has_edge(p["Ama"], p["Eve"])  # nobody knows who at table 2 wrote it
    assert not g.has_edge(p["Ama"], p["Cai"])  # hidden votes make no tie
    assert CO_AUTHORED not in g.edges[p["Cai"], p["Dan"]]["kinds"]  # Dan wrote nothing
    hidden = event_graph(store, ev, kinds=TIE_KINDS, include_hidden_votes=True)
    assert hidden.edges[p["Cai"], p["Ama"]]["kinds"] == (VOTED_FOR,)
    reveal_votes(store, FACILITATOR, ev, force=True)
    g = event_graph(store, ev, kinds=TIE_KINDS)
    # Table 3 (Cai, Dan) voted for the merged theme of tables 1 and 2; table 1 (Ama) for Cai's.
    for voter in ("Cai", "Dan"):
        for author in ("Ama", "Ben", "Eve"):
            assert VOTED_FOR in g.edges[p[voter], p[author]]["kinds"]
    assert not g.has_edge(p["Ama"], p["Dan"]) or CO_AUTHORED not in g.edges[p["Ama"], p["Dan"]]["kinds"]
    assert g.graph["votes_included"] is True
    assert set(event_graph(store, ev, kinds=[VOTED_FOR]).edges) <= set(g.edges)


# --- a series: one identity, new and renewed ties ----------------------------------------------


def _series_event(store: Store, sid: int, date: str) -> int:
    return _event(store, series_id=sid, starts_on=date)


def test_new_and_renewed_ties_across_a_series(store: Store) -> None:
    from facilitation.series.rules import create_series

    sid = create_series(store, ORGANISER, "Frailty community of practice")
    # Created out of date order: the series is ordered by date.
    second = _series_event(store, sid, "2026-03-12")
    first = _series_event(store, sid, "2026-01-15")
    a1 = _people(store, first, [("Ama", "Council", 1), ("Ben", "Trust", 1), ("Cai", "GP", 2)])
    a2 = _people(
        store, second, [("Ama", "Council", 2), ("Ben", "Trust", 2), ("Cai", "GP", 2), ("Dee", "Trust", 3)]
    )
    assert a1["Ama"] == a2["Ama"] and a1["Cai"] == a2["Cai"]  # one identity across the series
    record_link(store, FACILITATOR, second, 3, a2["Dee"], a2["Cai"], "knew before")
    g2 = event_graph(store, second)
    status = {
        frozenset((g2.nodes[u]["name"], g2.nodes[v]["name"])): d["status"] for u, v, d in g2.edges(data=True)
    }
    assert status == {
        frozenset(("Ama", "Ben")): "renewed",  # sat together at the first event
        frozenset(("Ama", "Cai")): "new",
        frozenset(("Ben", "Cai")): "new",
        frozenset(("Cai", "Dee")): "renewed",  # they said they knew each other before
    }
    assert all(d["status"] == "new" for *_, d in event_graph(store, first).edges(data=True))
    whole, per_event = series_graph(store, sid)
    assert [g.graph["event_id"] for g in per_event] == [first, second]
    assert whole.edges[a1["Ama"], a1["Ben"]]["events"] == (first, second)
    assert whole.edges[a1["Ama"], a1["Ben"]]["weight"] == 2
    assert whole.nodes[a1["Ama"]]["events"] == (first, second) and whole.nodes[a1["Ama"]]["table"] == 2
    sf = series_figures(store, sid)
    rows = sf.growth_rows()
    assert [(r["people"], r["ties"], r["new_ties"], r["renewed_ties"]) for r in rows] == [
        (3, 1, 1, 0),
        (4, 4, 2, 2),
    ]
    assert [(r["cumulative_people"], r["cumulative_ties"]) for r in rows] == [(3, 1), (4, 4)]
    assert [r["cumulative_cross_organisation_ties"] for r in rows] == [1, 4]
    assert sf.whole is not None and sf.whole.people == 4
    from facilitation.ui.network_map import series_map

    widget = series_map(store, sid)
    assert len(widget.nodes) == 4 and widget.title == "The series so far"
    assert sorted(e["status"] for e in widget.edges) == ["new", "new", "renewed", "renewed"]
    _, until_first = series_graph(store, sid, until_event=first)
    assert len(until_first) == 1
    with pytest.raises(NotFound):
        series_graph(store, sid, until_event=_event(store))


def test_map_data_escapes_nothing_and_keeps_labels_raw(store: Store) -> None:
    ev = _event(store)
    _people(store, ev, [("<img src=x onerror=alert(1)>", "=cmd|' /C calc'!A0", 1), ("Ben", "Trust", 1)])
    d = map_data(event_graph(store, ev))
    # The drawing carries text as typed; each view escapes it for its own medium.
    assert d.nodes[0]["label"] == "<img src=x onerror=alert(1)>"
    assert all(0 <= n["x"] <= 1 and 0 <= n["y"] <= 1 for n in d.nodes)
