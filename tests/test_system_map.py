"""The system map and the priority circle: the rules on SQLite and PostgreSQL, the
backup, and the exports read back with networkx."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events import create_event, set_input_lock, set_phase
from facilitation.exports.backup import backup_data, comparable, render
from facilitation.priority_circle import clear_placement, place, priority_circle
from facilitation.restore import restore
from facilitation.store import Store, open_store
from facilitation.store import schema as s
from facilitation.system_map import (
    add_arrow,
    add_element,
    merge_elements,
    remove_arrow,
    remove_element,
    system_map,
    unmerge_element,
)
from facilitation.themes.grouping import create_theme, merge_themes
from tests.test_restore import empty_database

T1, T2 = table_actor(1), table_actor(2)


def _event(store: Store, template: str = "innovation-challenge-full-day", phase: str = "system-map") -> int:
    ev = create_event(store, ORGANISER, template=template, title="Frailty", tables=3).event_id
    set_phase(store, FACILITATOR, ev, phase)
    return ev


def _rows(store: Store) -> tuple[int, int]:
    def q(conn):  # type: ignore[no-untyped-def]
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (s.system_elements, s.system_arrows)
        )

    return store.read(q)


def test_tables_map_and_the_facilitator_merges_into_one_map(store: Store) -> None:
    ev = _event(store)
    funding = add_element(store, T1, ev, 1, "driver", "Funding rules")
    gps = add_element(store, T1, ev, 1, "actor", "GPs")
    money = add_element(store, T2, ev, 2, "driver", "Money")
    beds = add_element(store, T2, ev, 2, "resource", "Step-down beds")
    add_arrow(store, T1, ev, 1, funding, "drives", gps)
    add_arrow(store, T2, ev, 2, money, "drives", gps)  # the same arrow once merged
    add_arrow(store, T2, ev, 2, beds, "depends on", money)
    m = system_map(store, ev)
    assert len(m.elements) == 4 and len(m.arrows) == 3

    kept = merge_elements(store, FACILITATOR, ev, money, funding, label="Funding")
    assert kept == funding
    m = system_map(store, ev)
    by_label = {e.label: e for e in m.elements}
    assert sorted(by_label) == ["Funding", "GPs", "Step-down beds"]
    assert by_label["Funding"].tables == (1, 2) and by_label["Funding"].merged == (money,)
    arrows = {(m.label_of(a.source), a.relation, m.label_of(a.target)): a.count for a in m.arrows}
    assert arrows == {("Funding", "drives", "GPs"): 2, ("Step-down beds", "depends on", "Funding"): 1}
    # a table's arrow to a merged element lands on the element kept; a repeat is refused
    with pytest.raises(FacilitationError, match="'Funding' drives 'GPs' is on the map already"):
        add_arrow(store, T2, ev, 2, money, "drives", gps)
    unmerge_element(store, FACILITATOR, ev, money)
    assert len(system_map(store, ev).elements) == 4


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda st, ev, a, b: add_element(st, T1, ev, 1, "person", "GPs"), "An element is a driver, dependency, actor or resource; 'person'"),
        (lambda st, ev, a, b: add_element(st, T1, ev, 1, "actor", "  "), "element"),
        (lambda st, ev, a, b: add_element(st, T1, ev, 1, "actor", "x" * 201), "200"),
        (lambda st, ev, a, b: add_arrow(st, T1, ev, 1, a, "helps", b), "An arrow drives, depends on or blocks; 'helps'"),
        (lambda st, ev, a, b: add_arrow(st, T1, ev, 1, a, "blocks", a), "An arrow joins two different elements"),
        (lambda st, ev, a, b: add_arrow(st, T1, ev, 1, a, "drives", "two"), "named by its number"),
    ],
)  # fmt: skip
def test_bad_input_gets_one_line_and_writes_nothing(store: Store, call, message: str) -> None:  # type: ignore[no-untyped-def]
    ev = _event(store)
    a = add_element(store, T1, ev, 1, "driver", "Funding")
    b = add_element(store, T1, ev, 1, "actor", "GPs")
    before = _rows(store)
    with pytest.raises(FacilitationError, match=message) as caught:
        call(store, ev, a, b)
    assert "\n" not in str(caught.value)
    assert _rows(store) == before


def test_an_arrow_to_another_events_element_is_refused_in_one_line(store: Store) -> None:
    ours, theirs = _event(store), _event(store)
    a = add_element(store, T1, ours, 1, "driver", "Funding")
    elsewhere = add_element(store, T1, theirs, 1, "actor", "GPs")
    before = _rows(store)
    with pytest.raises(NotFound) as caught:
        add_arrow(store, T1, ours, 1, a, "drives", elsewhere)
    assert str(caught.value) == (
        f"Element {elsewhere} is not on this event's system map (removed, or another event's); "
        "choose one from the list."
    )
    assert _rows(store) == before


def test_roles_are_checked_in_the_rules(store: Store) -> None:
    ev = _event(store)
    mine = add_element(store, T1, ev, 1, "driver", "Funding")
    theirs = add_element(store, T2, ev, 2, "actor", "GPs")
    with pytest.raises(NotAllowed):
        add_element(store, T1, ev, 2, "actor", "Not ours")
    with pytest.raises(NotAllowed):
        add_element(store, T1, ev, None, "actor", "The facilitator's")
    with pytest.raises(NotAllowed):
        merge_elements(store, T1, ev, mine, theirs)
    with pytest.raises(FacilitationError, match="it is table 2's"):
        remove_element(store, T1, ev, theirs)
    arrow = add_arrow(store, T2, ev, 2, theirs, "depends on", mine)  # a table may point at any element
    with pytest.raises(FacilitationError, match="it is table 2's"):
        remove_arrow(store, T1, ev, arrow)
    # the facilitator may add, merge and remove anything
    own = add_element(store, FACILITATOR, ev, None, "resource", "Budget")
    remove_element(store, FACILITATOR, ev, theirs)
    assert {e.label for e in system_map(store, ev).elements} == {"Funding", "Budget"}
    assert system_map(store, ev).arrows == ()  # the arrow went with its element
    assert own


def test_the_map_takes_writes_only_in_its_phase_and_a_lock_stops_tables(store: Store) -> None:
    ev = _event(store)
    a = add_element(store, T1, ev, 1, "driver", "Funding")
    b = add_element(store, T2, ev, 2, "driver", "Money")
    set_input_lock(store, FACILITATOR, ev, True)
    with pytest.raises(FacilitationError, match="Input is locked"):
        add_element(store, T1, ev, 1, "actor", "GPs")
    merge_elements(store, FACILITATOR, ev, b, a)  # the facilitator tidies while tables are locked
    set_input_lock(store, FACILITATOR, ev, False)
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    before = _rows(store)
    for call in (
        lambda: add_element(store, T1, ev, 1, "actor", "GPs"),
        lambda: add_element(store, FACILITATOR, ev, None, "actor", "GPs"),
        lambda: unmerge_element(store, FACILITATOR, ev, b),
        lambda: remove_element(store, T1, ev, a),
    ):
        with pytest.raises(FacilitationError, match="during 'Enablers and blockers'"):
            call()
    assert _rows(store) == before
    assert [e.merged for e in system_map(store, ev).elements] == [(b,)]


def test_a_repeated_client_token_stores_once(store: Store) -> None:
    ev = _event(store)
    first = add_element(store, T1, ev, 1, "driver", "Funding", client_token="sysmap:1:abc")
    again = add_element(store, T1, ev, 1, "driver", "Funding", client_token="sysmap:1:abc")
    assert first == again and _rows(store) == (1, 0)


def test_the_priority_circle_places_themes_and_groups(store: Store) -> None:
    ev = _event(store, phase="grouping")
    falls = create_theme(store, T1, ev, 1, "Falls at home")
    other = create_theme(store, T2, ev, 2, "Falls")
    wide = merge_themes(store, FACILITATOR, ev, [other], "Falls prevention")
    assert place(store, FACILITATOR, ev, "theme", falls, "housing and health") == "Housing and health"
    place(store, FACILITATOR, ev, "theme", wide, "Prevention and early intervention")
    place(store, FACILITATOR, ev, "theme", falls, "Digital and data")  # moved: one place at a time
    circle = priority_circle(store, ev)
    assert [(p.name, p.area) for p in circle.placements] == [
        ("Falls prevention", "Prevention and early intervention"),
        ("Falls at home", "Digital and data"),
    ]
    assert len(circle.areas) == 6 and circle.placed_by == "facilitator"
    with pytest.raises(NotAllowed, match="the facilitator places them"):
        place(store, T1, ev, "theme", falls, "Digital and data")
    with pytest.raises(FacilitationError, match="'Moon' is not a priority area of this event"):
        place(store, FACILITATOR, ev, "theme", falls, "Moon")
    with pytest.raises(NotFound):
        place(store, FACILITATOR, ev, "group", 999, "Digital and data")
    assert clear_placement(store, FACILITATOR, ev, "theme", falls)
    assert [p.name for p in priority_circle(store, ev).placements] == ["Falls prevention"]
    history = store.read(
        lambda c: c.execute(select(func.count()).select_from(s.priority_placements)).scalar_one()
    )
    assert history == 3  # what was moved or cleared is kept


def test_tables_place_when_the_template_says_so(store: Store) -> None:
    ev = _event(store, template="community-of-practice-in-person-150", phase="grouping")
    th = create_theme(store, T1, ev, 1, "Workforce")
    assert place(store, T1, ev, "theme", th, "Workforce and talent") == "Workforce and talent"
    set_input_lock(store, FACILITATOR, ev, True)
    with pytest.raises(FacilitationError, match="Input is locked"):
        place(store, T1, ev, "theme", th, "Digital and data")


def _filled(store: Store) -> int:
    ev = _event(store)
    a = add_element(store, T1, ev, 1, "driver", "Funding <rules> & \u00e9")
    b = add_element(store, T2, ev, 2, "driver", "Money")
    c = add_element(store, T2, ev, 2, "actor", "GPs")
    add_arrow(store, T2, ev, 2, b, "blocks", c)
    add_arrow(store, T1, ev, 1, c, "depends on", a)
    merge_elements(store, FACILITATOR, ev, a, b)  # merged into a later element
    gone = add_element(store, T1, ev, 1, "resource", "Withdrawn")
    remove_element(store, T1, ev, gone)
    set_phase(store, FACILITATOR, ev, "grouping")
    th = create_theme(store, T1, ev, 1, "Falls")
    place(store, FACILITATOR, ev, "theme", th, "Housing and health")
    place(store, FACILITATOR, ev, "theme", th, "Digital and data")
    return ev


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_map_and_circle_restore_into_an_empty_database(store: Store, engine: str, tmp_path: Path) -> None:
    ev = _filled(store)
    data = backup_data(store, ev)
    assert len(data["system_elements"]) == 4 and len(data["system_arrows"]) == 2
    assert len(data["priority_placements"]) == 2 and data["event"]["priority_circle"] == "facilitator"
    with empty_database(engine, tmp_path) as url:
        fresh = open_store(url)
        try:
            new_id = restore(fresh, ORGANISER, json.loads(render(data)))
            assert comparable(backup_data(fresh, new_id)) == comparable(data)
            assert [(e.label, e.tables) for e in system_map(fresh, new_id).elements] == [
                (e.label, e.tables) for e in system_map(store, ev).elements
            ]
            assert [(p.name, p.area) for p in priority_circle(fresh, new_id).placements] == [
                ("Falls", "Digital and data")
            ]
        finally:
            fresh.close()


def test_a_backup_with_a_self_arrow_is_refused(store: Store, tmp_path: Path) -> None:
    data = json.loads(render(backup_data(store, _filled(store))))
    data["system_arrows"][0]["target_id"] = data["system_arrows"][0]["source_id"]
    fresh = open_store(str(tmp_path / "fresh.db"))
    try:
        with pytest.raises(
            FacilitationError, match=r"system_arrows\[0\]\.target_id: an arrow joins two different elements"
        ):
            restore(fresh, ORGANISER, data)
    finally:
        fresh.close()


def test_the_map_goes_beside_the_people_network_and_reads_back(store: Store, tmp_path: Path) -> None:
    import networkx as nx
    from openpyxl import load_workbook

    from facilitation.exports import gexf, graphml, kumu

    ev = _filled(store)
    files = {p.name.split(") ", 1)[1]: p for p in gexf.write(store, ev, tmp_path)}
    files |= {p.name.split(") ", 1)[1]: p for p in graphml.write(store, ev, tmp_path)}
    files |= {p.name.split(") ", 1)[1]: p for p in kumu.write(store, ev, tmp_path)}
    assert {"network.gexf", "system map.gexf", "network.graphml", "system map.graphml"} <= set(files)
    assert {"system map kumu.json", "system map kumu.xlsx"} <= set(files)
    expected = {("Money", "GPs", "blocks"), ("GPs", "Money", "depends on")}
    for back in (
        nx.read_gexf(files["system map.gexf"], version="1.3"),
        nx.read_graphml(files["system map.graphml"]),
    ):
        assert back.is_directed()
        label = dict(back.nodes(data="label"))
        assert sorted(label.values()) == ["GPs", "Money"]  # merged into one; the withdrawn one is not there
        rel = "label" if "label" in next(iter(back.edges(data=True)))[2] else "relation"
        assert {(label[u], label[v], d[rel]) for u, v, d in back.edges(data=True)} == expected
    blueprint = json.loads(files["system map kumu.json"].read_text(encoding="utf-8"))
    assert {e["label"] for e in blueprint["elements"]} == {"GPs", "Money"}
    sheet = load_workbook(files["system map kumu.xlsx"])["Connections"]
    assert sheet.max_row == 3
    # an event with no map gets no extra file
    bare = _event(store)
    assert [p.name.endswith("network.gexf") for p in gexf.write(store, bare, tmp_path / "bare")] == [True]


def test_the_outcome_pack_shows_the_map_and_the_circle(store: Store, tmp_path: Path) -> None:
    from facilitation.exports import export

    ev = _filled(store)
    paths = export(store, FACILITATOR, ev, "html", tmp_path) + export(store, FACILITATOR, ev, "md", tmp_path)
    html = next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8")
    md = next(p for p in paths if p.suffix == ".md").read_text(encoding="utf-8")
    assert 'id="system-map"' in html and 'id="priority-circle"' in html
    assert "Funding &lt;rules&gt;" not in html  # merged away: the map shows what it was merged into
    assert ">Money<" in html and "<em>blocks</em>" in html and "Digital and data" in html
    assert html.count('class="priority-circle"') == 1
    assert "## A rough map of the system" in md and "## Priority circle" in md
    assert "| Digital and data | Falls (theme) |" in md
