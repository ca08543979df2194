"""Exports read back with the programs their users open them in: LibreOffice (headless),
openpyxl, icalendar, networkx (read_gexf, read_graphml), csv and unzip.

Each test here failed on the exports before issue 13: calendar UIDs built from the
event id, an empty calendar, dates as text and no print set-up in the workbook,
formula-like text given an apostrophe in the workbook and in Kumu, network CSVs with
no byte-order mark and a weight of their own, GraphML's y upside down against
GEXF's, zip entries dated 1980 with no mode, and escaped dates in the Markdown pack.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import networkx as nx
import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from test_plans import planned_event

from facilitation.access import FACILITATOR, ORGANISER
from facilitation.cli import main
from facilitation.errors import FacilitationError
from facilitation.events.rules import create_event, event_keys
from facilitation.exports import export, gexf, graphml, kumu, network_csv
from facilitation.network.rules import event_graph, record_link
from facilitation.people.rules import add_person
from facilitation.plans.rules import list_groups, update_group
from facilitation.store import Store, open_store

SHEETS = ("entries", "evidence", "themes", "votes", "links", "groups", "actions", "people")

# `from conftest import` finds whichever conftest loaded last (notebooks/ has one too)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _one(paths: list[Path], suffix: str) -> Path:
    found = [p for p in paths if p.name.endswith(suffix)]
    assert len(found) == 1, (suffix, paths)
    return found[0]


# --- calendar ------------------------------------------------------------------------------------


def _uids(store: Store, event_id: int, out: Path) -> list[str]:
    (path,) = export(store, ORGANISER, event_id, "ics", out)
    return [str(e["UID"]) for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]


def test_calendar_uids_are_unique_across_installations(tmp_path: Path) -> None:
    # Two installations, each with its event 1 and groups 1 and 2: an organiser who
    # imports both calendars must get both sets of meetings, not one overwriting the other.
    first, second = open_store(str(tmp_path / "a.db")), open_store(str(tmp_path / "b.db"))
    a, b = planned_event(first), planned_event(second)
    assert a.event_id == b.event_id and a.groups == b.groups
    uids_a, uids_b = _uids(first, a.event_id, tmp_path / "a"), _uids(second, b.event_id, tmp_path / "b")
    assert len(uids_a) == len(set(uids_a)) == 8 and not set(uids_a) & set(uids_b)
    assert _uids(first, a.event_id, tmp_path / "again") == uids_a  # stable: a newer export updates
    nonce = first.read(lambda c: c.exec_driver_sql("select key_nonce from events").scalar())
    assert not any(nonce in u for u in uids_a)  # the nonce itself is never shown
    keys = event_keys(first, ORGANISER, a.event_id)
    assert not any(k in u for u in uids_a for k in (keys.facilitator, keys.organiser, keys.join_code))
    first.close()
    second.close()


def test_an_event_with_no_group_meeting_gets_a_message_not_an_empty_calendar(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = planned_event(store)
    for gid in p.groups:
        update_group(
            store, FACILITATOR, p.event_id, gid, review_dates=dict.fromkeys(("first", "1y", "3y", "8y"))
        )
    assert all(not g.review_dates for g in list_groups(store, p.event_id))
    with pytest.raises(FacilitationError, match="No task-and-finish group has a first meeting"):
        export(store, ORGANISER, p.event_id, "ics", tmp_path / "ics")
    assert not list((tmp_path / "ics").glob("*"))
    skipped: list[str] = []
    paths = export(store, ORGANISER, p.event_id, "all", tmp_path / "all", skipped=skipped.append)
    assert not [x for x in paths if x.suffix == ".ics"] and _one(paths, "1).xlsx")
    assert len(skipped) == 1 and skipped[0].startswith("ics: No task-and-finish group")


def test_cli_export_of_a_calendar_with_no_meeting_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "e.db")
    store = open_store(db)
    ev = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="No groups").event_id
    store.close()
    assert main(["export", str(ev), "--format", "ics", "--out", str(tmp_path / "out"), "--db", db]) == 2
    out, err = capsys.readouterr()
    assert not out and len(err.strip().splitlines()) == 1 and "no calendar to export" in err
    assert main(["export", str(ev), "--out", str(tmp_path / "out"), "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "xlsx" in out and "not written: ics:" in err and "Traceback" not in err


# --- workbook --------------------------------------------------------------------------------------


@pytest.fixture
def workbook(store: Store, tmp_path: Path):  # type: ignore[no-untyped-def]
    p = planned_event(store, text="=1+1 " + "and a long idea that a table typed in full " * 3)
    (path,) = export(store, ORGANISER, p.event_id, "xlsx", tmp_path)
    return store, p, path


def test_workbook_dates_and_times_are_date_cells(workbook) -> None:  # type: ignore[no-untyped-def]
    _, _, path = workbook
    wb = load_workbook(path)
    actions = wb["actions"]
    header = [c.value for c in actions[1]]
    due = actions.cell(row=2, column=header.index("due_on") + 1)
    assert due.is_date and due.value.date() == date(2027, 1, 15) and due.number_format == "yyyy-mm-dd"
    made = actions.cell(row=2, column=header.index("created_at") + 1)
    assert made.is_date and isinstance(made.value, datetime) and "hh:mm" in made.number_format
    groups = wb["groups"]
    gh = [c.value for c in groups[1]]
    for col, day in (("first_meeting", date(2026, 12, 10)), ("review_8y", date(2034, 11, 26))):
        c = groups.cell(row=2, column=gh.index(col) + 1)
        assert c.is_date and c.value.date() == day and c.number_format == "yyyy-mm-dd"
    entries = wb["entries"]
    eh = [c.value for c in entries[1]]
    assert all(r[eh.index("created_at")].is_date for r in entries.iter_rows(min_row=2))


def test_every_sheet_prints_readably(workbook) -> None:  # type: ignore[no-untyped-def]
    _, _, path = workbook
    wb = load_workbook(path)
    assert wb.sheetnames == list(SHEETS)
    for ws in wb:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title  # as many pages down as needed
        assert ws.print_title_rows == "$1:$1", ws.title  # the header row on every page
    entries = wb["entries"]
    header = [c.value for c in entries[1]]
    col = header.index("text") + 1
    letter = entries.cell(row=1, column=col).column_letter
    assert entries.column_dimensions[letter].width <= 52
    assert all(r[col - 1].alignment.wrap_text for r in entries.iter_rows(min_row=2))


def test_formula_like_text_is_a_text_cell_kept_as_typed(workbook) -> None:  # type: ignore[no-untyped-def]
    _, _, path = workbook
    typed = "=1+1 " + "and a long idea that a table typed in full " * 3
    wb = load_workbook(path)
    texts = [r[0] for r in wb["entries"].iter_rows(min_row=2, min_col=6, max_col=6)]
    assert [c.value for c in texts] == [typed.strip()] * 6 and all(c.data_type == "s" for c in texts)
    with zipfile.ZipFile(path) as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if IN_CI:
            pytest.fail("CI=true but LibreOffice is missing: apt-get install libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    return found


def test_libreoffice_shows_formula_like_text_as_typed_and_dates_as_dates(tmp_path: Path) -> None:
    soffice = _soffice()
    store = open_store(str(tmp_path / "lo.db"))
    typed = '=HYPERLINK("http://example.invalid","x")'
    p = planned_event(store, text=typed)
    (path,) = export(store, ORGANISER, p.event_id, "xlsx", tmp_path / "out")
    book = tmp_path / "book.xlsx"
    shutil.copy(path, book)
    # every sheet to its own CSV (the filter's last token, -1); a profile of its own
    filter_ = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", filter_, "--outdir", str(tmp_path / "csv"), str(book)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    read = {
        name: list(csv.DictReader(io.StringIO((tmp_path / "csv" / f"book-{name}.csv").read_text("utf-8"))))
        for name in ("entries", "groups", "actions")
    }
    assert [r["text"] for r in read["entries"]] == [typed] * 6  # as typed: not computed, no apostrophe
    assert {r["name"] for r in read["groups"]} == {typed}
    assert [r["due_on"] for r in read["actions"]][:1] == ["2027-01-15"]  # a date, shown as a date
    assert read["groups"][0]["first_meeting"] == "2026-12-10"
    store.close()


# --- CSV zip and network CSVs -------------------------------------------------------------------------


def test_csv_zip_extracts_as_0644_with_real_dates(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "z.db"))
    p = planned_event(store)
    (path,) = export(store, ORGANISER, p.event_id, "csv", tmp_path)
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [f"{n}.csv" for n in SHEETS]
        assert all((i.external_attr >> 16) == 0o100644 for i in infos)
        stamp = infos[0].date_time
        assert all(zf.read(i).startswith("\ufeff".encode()) for i in infos)
    assert abs(time.mktime((*stamp, 0, 0, -1)) - time.time()) < 3600  # when the event last changed
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-q", str(path), "-d", str(tmp_path / "x")], check=True)
        for name in SHEETS:
            st = os.stat(tmp_path / "x" / f"{name}.csv")
            assert st.st_mode & 0o777 == 0o644 and abs(st.st_mtime - time.time()) < 3600
    again = export(store, ORGANISER, p.event_id, "csv", tmp_path / "again")[0]
    assert again.read_bytes() == path.read_bytes()  # the same event gives the same bytes
    store.close()


def test_csv_zip_keeps_the_apostrophe_that_the_workbook_does_not(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "z.db"))
    p = planned_event(store, text="=1+1")
    paths = export(store, ORGANISER, p.event_id, "csv", tmp_path) + export(
        store, ORGANISER, p.event_id, "xlsx", tmp_path
    )
    with zipfile.ZipFile(_one(paths, "csv.zip")) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("entries.csv").decode("utf-8-sig"))))
    assert {r["text"] for r in rows} == {"'=1+1"}
    wb = load_workbook(_one(paths, ".xlsx"))
    assert {r[0] for r in wb["entries"].iter_rows(min_row=2, min_col=6, max_col=6, values_only=True)} == {
        "=1+1"
    }
    store.close()


# --- the network: names, weight and y the same in every file ------------------------------------------


def _network_event(store: Store) -> tuple[int, dict[int, str]]:
    ev = create_event(
        store,
        ORGANISER,
        template="innovation-challenge-half-day",
        title="Net",
        tables=2,
        starts_on="2026-03-12",
    ).event_id
    names = {}
    for name, org, table in (
        ("=Ama", "Council", 1),
        ("Ben", "Trust", 1),
        ("@Cai", "Charity", 2),
        ("Dee", "GP", 2),
    ):
        names[add_person(store, FACILITATOR, ev, name, organisation=org, table=table)] = name
    a, b, c, _ = sorted(names)
    record_link(store, FACILITATOR, ev, None, a, b, "worked with")  # sat together too: two kinds
    record_link(store, FACILITATOR, ev, None, b, c, "will work with")  # one kind
    return ev, names


def test_weight_means_the_same_in_every_network_export(store: Store, tmp_path: Path) -> None:
    ev, _ = _network_event(store)
    kinds = {
        frozenset((f"person-{u}", f"person-{v}")): len(d["kinds"])
        for u, v, d in event_graph(store, ev).edges(data=True)
    }
    assert sorted(kinds.values()) == [1, 1, 2]
    back = nx.read_graphml(graphml.write(store, ev, tmp_path)[0])
    assert {frozenset((u, v)): d["weight"] for u, v, d in back.edges(data=True)} == kinds
    gx = nx.read_gexf(gexf.write(store, ev, tmp_path)[0], version="1.3")
    assert {frozenset((u, v)): d["weight"] for u, v, d in gx.edges(data=True)} == kinds
    files = kumu.write(store, ev, tmp_path)
    blueprint = json.loads(_one(files, ".json").read_text("utf-8"))
    assert {frozenset((c["from"], c["to"])): c["Weight"] for c in blueprint["connections"]} == kinds
    links = list(load_workbook(_one(files, ".xlsx"))["Connections"].iter_rows(values_only=True))
    at = links[0].index("Weight")
    assert {frozenset((r[1], r[2])): r[at] for r in links[1:]} == kinds
    edges = _one(network_csv.write(store, ev, tmp_path), "edges.csv")
    rows = list(csv.DictReader(io.StringIO(edges.read_text("utf-8-sig"))))
    assert {frozenset((r["Source"], r["Target"])): int(r["Weight"]) for r in rows} == kinds


def test_names_exactly_as_typed_except_in_the_network_csvs(store: Store, tmp_path: Path) -> None:
    ev, names = _network_event(store)
    want = {f"person-{k}": v for k, v in names.items()}
    assert {
        n: d["label"] for n, d in nx.read_graphml(graphml.write(store, ev, tmp_path)[0]).nodes(data=True)
    } == want
    gx = nx.read_gexf(gexf.write(store, ev, tmp_path)[0], version="1.3")
    assert {n: d["label"] for n, d in gx.nodes(data=True)} == want
    files = kumu.write(store, ev, tmp_path)
    assert {
        e["id"]: e["label"] for e in json.loads(_one(files, ".json").read_text("utf-8"))["elements"]
    } == want
    ws = load_workbook(_one(files, ".xlsx"))["Elements"]
    assert {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)} == want
    assert all(r[1].data_type == "s" for r in ws.iter_rows(min_row=2))
    paths = network_csv.write(store, ev, tmp_path)
    for p in paths:
        assert p.read_bytes().startswith(b"\xef\xbb\xbf"), p.name  # a byte-order mark, as the CSV zip
    nodes = list(csv.DictReader(io.StringIO(_one(paths, "nodes.csv").read_text("utf-8-sig"))))
    assert {n["Id"]: n["Label"] for n in nodes} == {
        k: ("'" + v if v.startswith(("=", "@")) else v) for k, v in want.items()
    }  # the CSV rule: a spreadsheet opens these too


def test_graphml_and_gexf_agree_on_positions(store: Store, tmp_path: Path) -> None:
    ev, _ = _network_event(store)
    back = nx.read_graphml(graphml.write(store, ev, tmp_path)[0])
    gx = nx.read_gexf(gexf.write(store, ev, tmp_path)[0], version="1.3")
    ys = []
    for n, d in back.nodes(data=True):
        pos = gx.nodes[n]["viz"]["position"]
        assert d["x"] == pytest.approx(pos["x"], abs=0.01)
        assert d["y"] == pytest.approx(pos["y"], abs=0.01)
        ys.append(d["y"])
    assert len(set(ys)) > 1  # a real layout, so the sign of y is tested


# --- Markdown ----------------------------------------------------------------------------------------


def test_markdown_escapes_typed_text_only(store: Store, tmp_path: Path) -> None:
    p = planned_event(store, text="[x](javascript:alert(1)) 2026-11-26")
    (path,) = export(store, ORGANISER, p.event_id, "md", tmp_path)
    text = path.read_text("utf-8")
    # the pack's own dates and times as they are
    assert "Outcome pack, 2026-11-26." in text
    assert "first meeting 2026-12-10" in text and "8 years 2034-11-26" in text
    assert "| 2027-01-15 |" in text and "by 2027-01-15" in text
    generated = text.split("Generated ", 1)[1].split(".", 1)[0]
    assert datetime.strptime(generated, "%Y-%m-%d %H:%M UTC")
    # typed text, a date inside it included, still escaped
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\) 2026\\-11\\-26" in text
    assert "[x](javascript" not in text
