"""Network exports re-parsed (GraphML, GEXF 1.3, Kumu, Gephi CSV), the pictures, and the map widget."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from openpyxl import load_workbook
from testdata import hostile_strings

from facilitation.access import FACILITATOR, ORGANISER
from facilitation.errors import FacilitationError
from facilitation.events.rules import create_event, set_phase
from facilitation.exports import gexf, graphml, kumu, network_csv
from facilitation.network.picture import map_data, picture_png, picture_svg, write_pictures, xml_safe
from facilitation.network.rules import event_graph, record_link
from facilitation.people.rules import add_person, list_people
from facilitation.store import Store
from facilitation.ui.network_map import _MAP_ESM, NetworkMap, map_widget

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"


def _hostile_event(store: Store, **kw: object) -> tuple[int, dict[int, str]]:
    """An event whose people are named (and employed) by the shared hostile strings."""
    keys = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="<Hostile> & co", tables=6, **kw
    )
    ev = keys.event_id
    names: dict[int, str] = {}
    refused = 0
    for i, raw in enumerate(hostile_strings()):
        try:
            pid = add_person(
                store, FACILITATOR, ev, raw, organisation=raw[:200], sector="acute", table=1 + i % 6
            )
        except FacilitationError:
            refused += 1  # the 10,000-character name: refused with a message, never cut
            continue
        names[pid] = next(p.name for p in list_people(store, ev) if p.id == pid)
    assert refused >= 1 and len(names) >= 25
    ids = sorted(names)
    for a, b in zip(ids, ids[7:], strict=False):
        record_link(store, FACILITATOR, ev, None, a, b, "worked with", note="<script>alert(1)</script>\n=1+1")
    return ev, names


def _ties(store: Store, ev: int) -> set[frozenset[str]]:
    return {frozenset((f"person-{u}", f"person-{v}")) for u, v in event_graph(store, ev).edges()}


def test_graphml_round_trip(store: Store, tmp_path: Path) -> None:
    ev, names = _hostile_event(store)
    (path,) = graphml.write(store, ev, tmp_path)
    assert path.name.endswith("network.graphml") and path.parent == tmp_path
    back = nx.read_graphml(path)
    assert {n: back.nodes[n]["label"] for n in back} == {f"person-{k}": v for k, v in names.items()}
    root = ET.parse(path).getroot()
    edges = root.findall(".//{http://graphml.graphdrawing.org/xmlns}edge")
    pairs = [frozenset((e.get("source"), e.get("target"))) for e in edges]
    assert len(pairs) == len(set(pairs)) and set(pairs) == _ties(store, ev)
    some = next(iter(back.edges(data=True)))[2]
    assert {"kinds", "status", "weight"} <= set(some)
    node = back.nodes[f"person-{min(names)}"]
    assert {"r", "g", "b", "x", "y", "size", "organisation"} <= set(node)


def test_gexf_13_round_trip(store: Store, tmp_path: Path) -> None:
    ev, names = _hostile_event(store)
    (path,) = gexf.write(store, ev, tmp_path)
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{GEXF_NS}}}gexf" and root.get("version") == "1.3"
    nodes = root.findall(f".//{{{GEXF_NS}}}node")
    assert [n.get("id") for n in nodes] == sorted({n.get("id") for n in nodes}, key=lambda x: int(x[7:]))
    # GEXF labels are XML attributes: runs of spaces survive because ElementTree escapes them.
    assert {n.get("id"): n.get("label") for n in nodes} == {f"person-{k}": v for k, v in names.items()}
    for n in nodes:
        colour = n.find(f"{{{VIZ_NS}}}color")
        assert colour is not None and all(0 <= int(colour.get(c)) <= 255 for c in "rgb")
        assert n.find(f"{{{VIZ_NS}}}position") is not None and n.find(f"{{{VIZ_NS}}}size") is not None
    edges = root.findall(f".//{{{GEXF_NS}}}edge")
    pairs = [frozenset((e.get("source"), e.get("target"))) for e in edges]
    assert len(pairs) == len(set(pairs)) and set(pairs) == _ties(store, ev)
    assert len({e.get("id") for e in edges}) == len(edges)
    # networkx reads GEXF 1.3 too (a version its writer does not offer).
    back = nx.read_gexf(path, version="1.3")
    assert back.number_of_nodes() == len(names) and back.number_of_edges() == len(edges)


def test_gexf_keeps_to_the_13_grammar(store: Store, tmp_path: Path) -> None:
    """What the GEXF 1.3 RelaxNG grammar (gephi/gexf specs/1.3/gexf.rng) checked on the demo's export.

    The root carries ``version`` and nothing else: the grammar refused the
    ``xsi:schemaLocation`` hint the export used to write. The viz elements stay in the
    viz namespace, as the grammar and Gephi have them (the generated XSD wants them in
    the GEXF namespace: its bug, not followed). Inside ``graph``, the attribute
    declarations come before ``nodes``, then ``edges``; every attribute value names a
    declared attribute of its class; weights are numbers.
    """
    ev, _ = _hostile_event(store)
    (path,) = gexf.write(store, ev, tmp_path)
    root = ET.parse(path).getroot()
    assert dict(root.attrib) == {"version": "1.3"}
    assert "schemaLocation" not in path.read_text(encoding="utf-8")
    viz = {el.tag for el in root.iter() if el.tag.startswith(f"{{{VIZ_NS}}}")}
    assert viz == {f"{{{VIZ_NS}}}{t}" for t in ("color", "position", "size")}
    assert not [
        el for el in root.iter() if el.tag in {f"{{{GEXF_NS}}}{t}" for t in ("color", "position", "size")}
    ]
    graph = root.find(f"{{{GEXF_NS}}}graph")
    assert graph is not None
    assert [c.tag.split("}")[1] for c in graph] == ["attributes", "attributes", "nodes", "edges"]
    declared = {
        block.get("class"): {a.get("id") for a in block}
        for block in graph.findall(f"{{{GEXF_NS}}}attributes")
    }
    for cls in ("node", "edge"):
        for item in graph.iter(f"{{{GEXF_NS}}}{cls}"):
            assert {v.get("for") for v in item.iter(f"{{{GEXF_NS}}}attvalue")} <= declared[cls]
            if cls == "edge":
                float(item.get("weight", ""))


def test_kumu_round_trip_with_stable_ids(store: Store, tmp_path: Path) -> None:
    ev, names = _hostile_event(store)
    paths = kumu.write(store, ev, tmp_path)
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    blueprint = json.loads(next(p for p in paths if p.suffix == ".json").read_text(encoding="utf-8"))
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Elements", "Connections"]
    rows = list(wb["Elements"].iter_rows(values_only=True))
    assert rows[0] == kumu.ELEMENT_COLUMNS
    labels = {r[0]: r[1] for r in rows[1:]}
    # names exactly as typed, no apostrophe, in text cells that no program evaluates
    assert labels == {f"person-{k}": v for k, v in names.items()}
    assert any(v.startswith(("=", "+", "-", "@")) for v in labels.values())
    for ws in wb:
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    with zipfile.ZipFile(xlsx) as zf:
        sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in x or "<f " in x for x in sheets)
    links = list(wb["Connections"].iter_rows(values_only=True))
    assert links[0] == kumu.CONNECTION_COLUMNS
    pairs = [frozenset((r[1], r[2])) for r in links[1:]]
    assert len(pairs) == len(set(pairs)) and set(pairs) == _ties(store, ev)
    assert {r[9] for r in links[1:] if r[9]} == {"<script>alert(1)</script>\n=1+1"}  # the note as typed
    assert {e["id"]: e["label"] for e in blueprint["elements"]} == {
        f"person-{k}": v for k, v in names.items()
    }
    assert {frozenset((c["from"], c["to"])) for c in blueprint["connections"]} == _ties(store, ev)


def test_kumu_ids_are_stable_across_a_series(store: Store, tmp_path: Path) -> None:
    from facilitation.series.rules import create_series

    sid = create_series(store, ORGANISER, "Community of practice")
    ids = []
    for date in ("2026-01-15", "2026-02-12"):
        ev = create_event(
            store,
            ORGANISER,
            template="innovation-challenge-half-day",
            title="CoP",
            tables=2,
            series_id=sid,
            starts_on=date,
        ).event_id
        for name, org in (("Ama", "Council"), ("Ben", "Trust")):
            add_person(store, FACILITATOR, ev, name, organisation=org, table=1)
        blueprint = json.loads(kumu.render(event_graph(store, ev))["kumu.json"])
        ids.append(sorted(e["id"] for e in blueprint["elements"]))
    assert ids[0] == ids[1]


def test_gephi_csv_with_time_intervals_across_a_series(store: Store, tmp_path: Path) -> None:
    from facilitation.series.rules import create_series

    sid = create_series(store, ORGANISER, "Community of practice")
    events = []
    for date, people in (("2026-01-15", ("Ama", "Ben")), ("2026-03-12", ("Ama", "Ben", "=Cai"))):
        ev = create_event(
            store,
            ORGANISER,
            template="innovation-challenge-half-day",
            title="CoP",
            tables=2,
            series_id=sid,
            starts_on=date,
        ).event_id
        for name in people:
            add_person(store, FACILITATOR, ev, name, organisation=f"{name} Ltd", table=1)
        events.append(ev)
    paths = network_csv.write(store, events[1], tmp_path)
    nodes_path = next(p for p in paths if p.name.endswith("nodes.csv"))
    edges_path = next(p for p in paths if p.name.endswith("edges.csv"))
    # opened in spreadsheets too: a byte-order mark, as the CSV zip
    assert nodes_path.read_bytes().startswith(b"\xef\xbb\xbf") and edges_path.read_bytes().startswith(
        b"\xef\xbb\xbf"
    )
    nodes = list(csv.DictReader(io.StringIO(nodes_path.read_text(encoding="utf-8-sig"))))
    edges = list(csv.DictReader(io.StringIO(edges_path.read_text(encoding="utf-8-sig"))))
    assert list(nodes[0]) == list(network_csv.NODE_COLUMNS) and list(edges[0]) == list(
        network_csv.EDGE_COLUMNS
    )
    by_label = {n["Label"]: n for n in nodes}
    assert set(by_label) == {"Ama", "Ben", "'=Cai"}
    assert by_label["Ama"]["Time Interval"] == "<[2026-01-15,2026-01-15];[2026-03-12,2026-03-12]>"
    assert by_label["'=Cai"]["Time Interval"] == "<[2026-03-12,2026-03-12]>"
    assert len({n["Id"] for n in nodes}) == 3 and len({e["Id"] for e in edges}) == len(edges) == 3
    first_tie = next(
        e for e in edges if {e["Source"], e["Target"]} == {by_label["Ama"]["Id"], by_label["Ben"]["Id"]}
    )
    # weight: how many kinds of tie (here "sat together" only), as in every network export
    assert (
        first_tie["Weight"] == "1" and first_tie["Events"] == "2" and first_tie["First event"] == "2026-01-15"
    )
    # The first event alone: only what was known then.
    early = list(
        csv.DictReader(
            io.StringIO(network_csv.render([event_graph(store, events[0])])["nodes.csv"].decode("utf-8-sig"))
        )
    )
    assert len(early) == 2


def test_modules_declare_their_format() -> None:
    for module, name in ((graphml, "graphml"), (gexf, "gexf"), (kumu, "kumu"), (network_csv, "network-csv")):
        assert (
            name == module.FORMAT
            and module.DESCRIPTION
            and callable(module.write)
            and callable(module.render)
        )


# --- the pure halves with raw hostile text (control characters, 10,000 characters) ---------------


def _raw_graph() -> nx.Graph:
    g = nx.Graph(title="raw \x07 title")
    for i, raw in enumerate(hostile_strings()):
        g.add_node(i, name=raw, organisation=raw, sector="", role=raw, table=1 + i % 3)
    for i in range(1, g.number_of_nodes()):
        g.add_edge(i - 1, i, kinds=("worked with",), status="new", weight=1, notes=(hostile_strings()[i],))
    return g


def test_pure_halves_survive_raw_hostile_text() -> None:
    g = _raw_graph()
    back = nx.read_graphml(io.BytesIO(graphml.render(g)))
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    assert back.nodes["person-0"]["label"] == "<img src=x onerror=alert(1)>"
    longest = max(hostile_strings(), key=len)
    assert longest in {d["label"] for _, d in back.nodes(data=True)}
    root = ET.fromstring(gexf.render(g))
    labels = [n.get("label") for n in root.iter(f"{{{GEXF_NS}}}node")]
    assert len(labels) == g.number_of_nodes() and "<script>alert(2)</script>" in labels
    assert all(label == xml_safe(label) for label in labels)
    files = kumu.render(g)
    wb = load_workbook(io.BytesIO(files["kumu.xlsx"]))
    assert wb["Elements"].max_row == g.number_of_nodes() + 1
    assert json.loads(files["kumu.json"])["elements"][0]["label"] == "<img src=x onerror=alert(1)>"
    g.graph.update(event_id=1, starts_on="")
    tables = network_csv.render([g])
    assert (
        len(list(csv.DictReader(io.StringIO(tables["nodes.csv"].decode("utf-8-sig"))))) == g.number_of_nodes()
    )


# --- pictures --------------------------------------------------------------------------------------


def test_svg_picture_is_valid_and_inert() -> None:
    svg = picture_svg(map_data(_raw_graph(), label_count=100), title="<script>alert(1)</script>")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    tags = {el.tag.split("}")[1] for el in root.iter()}
    assert tags <= {"svg", "rect", "g", "line", "circle", "title", "text"}
    texts = [el.text for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<script>alert(1)</script>" in texts
    assert b"javascript:" not in svg.split(b"<text")[0]


def test_png_picture_and_files(store: Store, tmp_path: Path) -> None:
    png = picture_png(map_data(_raw_graph()), title="$x^2$ and <b>")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    ev, _ = _hostile_event(store)
    paths = write_pictures(store, ev, tmp_path)
    assert sorted(p.suffix for p in paths) == [".png", ".svg"] and all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(FacilitationError):
        write_pictures(store, ev, tmp_path, formats=("pdf",))


# --- the map widget --------------------------------------------------------------------------------


def test_map_widget_never_writes_markup_from_data() -> None:
    assert "innerHTML" not in _MAP_ESM and "insertAdjacentHTML" not in _MAP_ESM
    assert "import " not in _MAP_ESM.split("export default")[0]  # no CDN, no outside module
    assert "textContent" in _MAP_ESM


def test_map_widget_refreshes_and_keeps_positions(store: Store) -> None:
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Map", tables=3)
    ev = keys.event_id
    a = add_person(store, FACILITATOR, ev, "<img src=x onerror=alert(1)>", organisation="Council", table=1)
    b = add_person(store, FACILITATOR, ev, "Ben", organisation="Trust", table=1)
    m = NetworkMap(store, ev, seed=3)
    assert [n["label"] for n in m.nodes] == ["<img src=x onerror=alert(1)>", "Ben"]
    assert m.figures[0]["key"] == "people" and all(f["explanation"] for f in m.figures)
    first = dict(m.positions)
    assert m.refresh() is False
    c = add_person(store, FACILITATOR, ev, "Cai", organisation="GP", table=2)
    record_link(store, FACILITATOR, ev, 2, c, a, "will work with")
    assert m.refresh() is True
    assert all(m.positions[k] == v for k, v in first.items()) and c in m.positions
    assert {e["status"] for e in m.edges} == {"new"} and len(m.edges) == 2
    m.set_colour_by("sector")
    assert m.colour_by == "sector" and m.legend == [["other", "#BBBBBB"]]
    assert b in m.positions
    m.close()


def test_projector_hook_gives_a_live_map(store: Store) -> None:
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Map", tables=2)
    set_phase(store, FACILITATOR, keys.event_id, "collaboration")
    widget = map_widget(store, keys.event_id)
    assert isinstance(widget, NetworkMap) and widget.nodes == []
    assert map_widget(store, keys.event_id, watch=False).message == ""
    widget.close()
