"""Every export: the registry and its access rule, round trips (backup -> restore ->
backup), each format parsed back with every entry, group and action present, and the
hostile strings inert in every format and every text field."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import mistune
import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from test_plans import Planned, planned_event
from testdata import hostile_strings

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, table_actor
from facilitation.cli import main
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.exports import export, formats
from facilitation.exports._files import safe_filename
from facilitation.exports._tabular import cell
from facilitation.exports.backup import backup_data, comparable, render
from facilitation.frames import frames
from facilitation.restore import check_backup, restore
from facilitation.store import Store, open_store

MINE = ("html", "md", "xlsx", "csv", "ics", "json")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class _Page(HTMLParser):
    """Collects the text of a page and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def assert_inert_html(page: _Page, *, allow_svg: bool = True) -> None:
    for tag, attrs in page.tags:
        assert tag not in ("script", "iframe", "img", "object", "embed", "link", "a", "base", "form"), tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower(), (tag, name, value)


def typed_texts(store: Store, event_id: int) -> list[str]:
    """Every entry, group and action text of an event, as stored."""
    f = frames(store, event_id)
    return [*f["entries"]["text"], *f["groups"]["name"], *f["actions"]["text"]]


def _one(paths: list[Path], suffix: str) -> Path:
    found = [p for p in paths if p.name.endswith(suffix)]
    assert len(found) == 1, (suffix, paths)
    return found[0]


# --- registry ---------------------------------------------------------------------------------


def test_registry_finds_every_format_and_refuses_others(tmp_path: Path) -> None:
    from facilitation.testing import scratch_event

    assert set(MINE) <= set(formats())
    store, ev = scratch_event()
    with pytest.raises(NotAllowed):
        export(store, table_actor(1), ev, "html", tmp_path)
    with pytest.raises(FacilitationError, match=r"no export format 'docx'.*html.*json"):
        export(store, ORGANISER, ev, "docx", tmp_path)
    assert export(store, FACILITATOR, ev, "json", tmp_path)
    assert export(store, SYSTEM, ev, "md", tmp_path)


# --- round trips --------------------------------------------------------------------------------


def test_backup_restore_backup_is_identical(store: Store) -> None:
    p = planned_event(store)
    first = backup_data(store, p.event_id)
    restored = restore(store, ORGANISER, json.loads(render(first)))
    assert restored != p.event_id
    second = backup_data(store, restored)
    assert comparable(second) == comparable(first)
    # and the restored event works like the first: the same groups, plans and actions
    assert (
        frames(store, restored)["actions"]["text"].tolist()
        == frames(store, p.event_id)["actions"]["text"].tolist()
    )
    assert second["activity"][-1]["verb"] == "restore event"
    assert "key_nonce" not in json.dumps(first) and "key_hash" not in json.dumps(first)


def test_restore_into_a_new_database_and_again(tmp_path: Path, store: Store) -> None:
    p = planned_event(store)
    first = backup_data(store, p.event_id)
    other = open_store(str(tmp_path / "other.db"))
    again = restore(other, SYSTEM, first)
    twice = restore(other, SYSTEM, backup_data(other, again))
    assert comparable(backup_data(other, twice)) == comparable(first)
    other.close()


def test_restore_refuses_a_damaged_file(store: Store) -> None:
    with pytest.raises(FacilitationError, match="not a facilitation event backup"):
        restore(store, ORGANISER, {"hello": 1})
    with pytest.raises(NotAllowed):
        restore(store, table_actor(1), {"hello": 1})
    p = planned_event(store)
    data = backup_data(store, p.event_id)
    data["entries"][0]["theme_id"] = 999
    with pytest.raises(FacilitationError, match="damaged"):
        restore(store, ORGANISER, data)
    assert len(frames(store, p.event_id)["entries"]) == 6  # nothing half-restored


def test_cli_export_backup_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    store = open_store(db)
    p = planned_event(store)
    out = tmp_path / "out"
    assert main(["export", str(p.event_id), "--db", db, "--format", "all", "--out", str(out)]) == 0
    names = {x.name for x in out.iterdir()}
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith("backup.json") for n in names)
    assert main(["export", str(p.event_id), "--db", db, "--format", "docx", "--out", str(out)]) == 2
    assert "Choose one of" in capsys.readouterr().err
    file = tmp_path / "b.json"
    assert main(["backup", str(p.event_id), "--db", db, "--out", str(file)]) == 0
    assert main(["restore", str(file), "--db", db]) == 0
    printed = capsys.readouterr().out
    new_id = int(re.search(r"^event: (\d+)$", printed, re.M).group(1))  # type: ignore[union-attr]
    assert "organiser key:" in printed
    assert comparable(backup_data(store, new_id)) == comparable(json.loads(file.read_text()))
    store.close()


# --- every format parsed back -----------------------------------------------------------------------


@pytest.fixture
def exported(tmp_path: Path, sqlite_path: str) -> tuple[Store, Planned, list[Path]]:
    store = open_store(sqlite_path)
    p = planned_event(store)
    paths = [x for fmt in MINE for x in export(store, ORGANISER, p.event_id, fmt, tmp_path)]
    yield store, p, paths
    store.close()


def test_workbook_has_a_sheet_per_kind_and_everything(exported: tuple[Store, Planned, list[Path]]) -> None:
    store, p, paths = exported
    wb = load_workbook(_one(paths, ".xlsx"))
    assert wb.sheetnames == ["entries", "evidence", "themes", "votes", "links", "groups", "actions", "people"]
    cells = {c for ws in wb for row in ws.iter_rows(values_only=True) for c in row}
    for text in typed_texts(store, p.event_id):
        assert text in cells
    header = [c.value for c in wb["themes"][1]]
    dots = [row[header.index("dots")] for row in wb["themes"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(d, int) for d in dots) and 5 in dots  # numbers stay numbers
    assert len(list(wb["votes"].iter_rows(min_row=2))) == 8


def test_csv_zip_has_the_same_sheets(exported: tuple[Store, Planned, list[Path]]) -> None:
    store, p, paths = exported
    with zipfile.ZipFile(_one(paths, "csv.zip")) as zf:
        assert zf.namelist() == [
            f"{n}.csv"
            for n in ("entries", "evidence", "themes", "votes", "links", "groups", "actions", "people")
        ]
        cells = {
            c
            for name in zf.namelist()
            for row in csv.reader(io.StringIO(zf.read(name).decode("utf-8-sig")))
            for c in row
        }
    for text in typed_texts(store, p.event_id):
        assert text in cells


def test_calendar_has_each_groups_first_meeting_and_reviews(
    exported: tuple[Store, Planned, list[Path]],
) -> None:
    _, _, paths = exported
    cal = Calendar.from_ical(_one(paths, ".ics").read_bytes())
    items = [(str(e["SUMMARY"]), e.decoded("DTSTART").isoformat()) for e in cal.walk("VEVENT")]
    assert ("Joined-up data: first meeting", "2026-12-10") in items
    assert ("Community capacity: 8-year review", "2034-11-26") in items
    assert len(items) == 8 and len({str(e["UID"]) for e in cal.walk("VEVENT")}) == 8
    assert all("Map the data flows" in str(e["DESCRIPTION"]) for e in cal.walk("VEVENT"))


def test_outcome_pack_html_holds_every_entry_group_and_action(
    exported: tuple[Store, Planned, list[Path]],
) -> None:
    store, p, paths = exported
    page_text = _one(paths, "outcome pack.html").read_text(encoding="utf-8")
    page = parse_html(page_text)
    text = "\n".join(page.text)
    for typed in typed_texts(store, p.event_id):
        assert typed in text
    for heading in ("Framing", "Enablers and blockers", "Themes", "Vote result", "Collaboration network",
                    "Task-and-finish groups", "Decision log"):  # fmt: skip
        assert heading in text
    assert ("svg", [("xmlns", "http://www.w3.org/2000/svg")]) in [(t, a[:1]) for t, a in page.tags]
    assert "http://" not in page_text.replace("http://www.w3.org/2000/svg", "")  # no outside asset
    assert_inert_html(page)
    assert not {"nan", "<NA>", "None"} & {x.strip() for x in page.text}


def test_outcome_pack_markdown_holds_everything(exported: tuple[Store, Planned, list[Path]]) -> None:
    store, p, paths = exported
    md_text = _one(paths, "outcome pack.md").read_text(encoding="utf-8")
    page = parse_html(mistune.html(md_text))
    text = "\n".join(page.text)
    for typed in typed_texts(store, p.event_id):
        assert typed in text
    assert_inert_html(page)
    assert not {"nan", "<NA>", "None"} & {x.strip() for x in page.text}


def test_file_names_are_safe(exported: tuple[Store, Planned, list[Path]], tmp_path: Path) -> None:
    _, _, paths = exported
    for path in paths:
        assert path.parent == tmp_path
        assert safe_filename(path.name, max_length=200) == path.name
    assert not list(tmp_path.glob(".*partial"))


# --- hostile strings in every text field ----------------------------------------------------------


def _hostile() -> list[str]:
    return [h[:180] for h in hostile_strings() if h.strip()]


@pytest.mark.parametrize("hostile", _hostile(), ids=lambda h: repr(h[:24]))
def test_hostile_text_is_inert_in_every_export(hostile: str, tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "h.db"))
    try:
        p = planned_event(store, text=hostile)
    except FacilitationError:  # a string the cleaner empties (control characters only) is refused
        pytest.skip("refused at input")
    out = tmp_path / "out"
    paths = [x for fmt in MINE for x in export(store, ORGANISER, p.event_id, fmt, out)]
    typed = typed_texts(store, p.event_id)
    # workbook: no formula element anywhere, no cell that starts like a formula
    with zipfile.ZipFile(_one(paths, ".xlsx")) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name
    # ... and typed text kept exactly as typed, in text cells (the apostrophe is for CSV only)
    cells = [c for ws in load_workbook(_one(paths, ".xlsx")) for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    text_cells = {c.value for c in cells if c.data_type == "s"}
    assert {cell(t) for t in typed} <= text_cells  # as typed (less what XML cannot hold)
    assert not {"'" + cell(t) for t in typed} & text_cells
    # CSV: nothing live
    with zipfile.ZipFile(_one(paths, "csv.zip")) as zf:
        for name in zf.namelist():
            for row in csv.reader(io.StringIO(zf.read(name).decode("utf-8-sig"))):
                assert not any(c.startswith(FORMULA_START) for c in row), (name, row)
    # HTML and Markdown: shown exactly as typed, running nothing
    page = parse_html(_one(paths, ".html").read_text(encoding="utf-8"))
    assert_inert_html(page)
    html_text = "\n".join(page.text)
    md_page = parse_html(mistune.html(_one(paths, ".md").read_text(encoding="utf-8")))
    assert_inert_html(md_page)
    md_text = "\n".join(md_page.text)
    for t in typed:
        assert t in html_text
        assert " ".join(t.split()) in " ".join(md_text.split())
    # calendar: parses, names intact
    cal = Calendar.from_ical(_one(paths, ".ics").read_bytes())
    assert {str(e["SUMMARY"]).rsplit(": ", 1)[0] for e in cal.walk("VEVENT")} <= set(typed)
    # backup round trip holds the text as the rules clean it (this fixture writes raw rows)
    data = json.loads(_one(paths, "backup.json").read_text(encoding="utf-8"))
    assert comparable(backup_data(store, restore(store, ORGANISER, data))) == comparable(check_backup(data))
    for path in paths:
        assert safe_filename(path.name, max_length=200) == path.name and path.parent == out
    store.close()


def test_every_format_of_the_demo_event(tmp_path: Path) -> None:
    from facilitation.demo import build_demo

    store = open_store(str(tmp_path / "demo.db"))
    ev = build_demo(store).event_id
    paths = export(store, ORGANISER, ev, "all", tmp_path / "out")
    assert {fmt for fmt in MINE} <= set(formats())
    typed = typed_texts(store, ev)
    page = "\n".join(parse_html(_one(paths, "outcome pack.html").read_text(encoding="utf-8")).text)
    md_page = "\n".join(
        parse_html(mistune.html(_one(paths, "outcome pack.md").read_text(encoding="utf-8"))).text
    )
    cells = {
        c
        for ws in load_workbook(_one(paths, f"(event {ev}).xlsx"))
        for r in ws.iter_rows(values_only=True)
        for c in r
    }
    for t in typed:
        assert t in page and t in md_page and t in cells
    cal = Calendar.from_ical(_one(paths, "groups.ics").read_bytes())
    groups = frames(store, ev)["groups"]["name"].tolist()
    assert {str(e["SUMMARY"]).rsplit(": ", 1)[0] for e in cal.walk("VEVENT")} == set(groups)
    data = json.loads(_one(paths, "backup.json").read_text(encoding="utf-8"))
    assert comparable(backup_data(store, restore(store, ORGANISER, data))) == comparable(data)
    store.close()
