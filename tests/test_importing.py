"""Attendee imports: both shared CSVs, an XLSX, line numbers of bad rows, nothing half imported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.events.rules import create_event, get_event
from facilitation.people.importing import import_people, parse_table, preview_people
from facilitation.people.rules import list_people
from facilitation.series.rules import create_series
from facilitation.store import Store
from facilitation.store import schema as s

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "attendees.csv").read_bytes()
MESSY = (DATA / "attendees-messy.csv").read_bytes()


def _event(store: Store, tables: int = 6, series_id: int | None = None) -> int:
    return create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Imports", tables=tables,
        series_id=series_id,
    ).event_id  # fmt: skip


def _count(store: Store, table: object) -> int:
    return store.read(lambda c: c.execute(select(func.count()).select_from(table)).scalar_one())


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_clean_file_previews_every_row():
    p = preview_people(GOOD, "attendees.csv")
    assert p.ok and len(p.rows) == 60 and not p.duplicates
    assert len({r.organisation for r in p.rows}) == 12
    assert p.rows[0].line == 2 and p.rows[-1].line == 61
    names = {r.name for r in p.rows}
    assert any("'" in n for n in names) and any(not n.isascii() for n in names)


def test_messy_file_preview_names_lines_and_reasons():
    p = preview_people(MESSY, "attendees-messy.csv")
    assert p.columns == {
        "name": "Name", "organisation": "Organisation", "sector": "Sector", "role": "Job title", "table": "Table",
    }  # fmt: skip
    assert [(e.line, e.reason.split(" ")[0]) for e in p.errors] == [(24, "no"), (25, "the")]
    assert "no name" in p.errors[0].reason
    assert "spreadsheet formula" in p.errors[1].reason
    assert [(d.line, d.first_line, d.name) for d in p.duplicates] == [(23, 2, "Kwame O'Brien")]
    by_name = {r.name: r for r in p.rows}
    assert len(p.rows) == 20
    kwame = by_name["Kwame O'Brien"]  # BOM, spaces and CRLF gone; "Table 3" is table 3
    assert (kwame.line, kwame.organisation, kwame.role, kwame.table) == (
        2,
        "Age Together (charity)",
        "OD Lead",
        3,
    )
    assert by_name["Ben Nguyen"].table == 1
    assert by_name["Lena Mensah"].table is None
    assert "Niamh Ó Súilleabháin" in by_name
    assert all(r.name == r.name.strip() and "\ufeff" not in r.name for r in p.rows)


def test_table_beyond_the_event_is_a_bad_row():
    p = preview_people(MESSY, "attendees-messy.csv", tables=2)
    beyond = [e.line for e in p.errors if "beyond" in e.reason]
    assert beyond == [2, 20]


@pytest.mark.parametrize(
    ("value", "table"), [("3", 3), ("Table 3", 3), ("table 12", 12), ("T4", 4), ("4.0", 4), ("", None)]
)
def test_table_spellings(value, table):
    assert parse_table(value) == table


@pytest.mark.parametrize("value", ["blue", "0", "Table", "3 and 4", "-1"])
def test_bad_table_spellings(value):
    with pytest.raises(ValueError, match="not a table number"):
        parse_table(value)


def test_other_header_words_and_semicolons():
    data = b"FULL NAME;Organization;Position;Table No.;Shoe size\nAma Owusu;Eastbrook Council;Lead;T2;9\n"
    p = preview_people(data, "x.csv")
    assert p.ignored_columns == ["Shoe size"]
    assert [(r.name, r.organisation, r.role, r.table) for r in p.rows] == [
        ("Ama Owusu", "Eastbrook Council", "Lead", 2)
    ]


def test_first_and_last_name_columns_and_an_honorific_title():
    p = preview_people(
        b"Title,First name,Surname,Organisation,Job title\nDr,Ama,Owusu,Council,Lead\n", "x.csv"
    )
    assert [(r.name, r.role) for r in p.rows] == [("Ama Owusu", "Lead")]
    assert p.ignored_columns == ["Title"]


def test_title_rows_above_the_column_names():
    data = (
        b"Attendees: frailty challenge,,\nEastbrook, 12 March,,\n\nName,Organisation,Table\nAma,Council,2\n"
    )
    p = preview_people(data, "x.csv")
    assert [(r.line, r.name, r.table) for r in p.rows] == [(5, "Ama", 2)]


def test_uploads_as_memoryview_or_text():
    assert preview_people(memoryview(b"name\nAma\n"), "x.csv").rows[0].name == "Ama"
    assert preview_people("name\nAma\n", "x.csv").rows[0].name == "Ama"


def test_windows_1252_file():
    data = "name,organisation\nChloé Roberts,Age Together\n".encode("cp1252")
    assert preview_people(data, "x.csv").rows[0].name == "Chloé Roberts"


def test_no_name_column_is_one_clear_error():
    with pytest.raises(FacilitationError, match=r"no name column.*'who', 'where'"):
        preview_people(b"who,where\nA,B\n", "x.csv")


@pytest.mark.parametrize(("data", "name"), [(b"", "x.csv"), (b"\n\n", "x.csv")])
def test_empty_file(data, name):
    with pytest.raises(FacilitationError, match="empty"):
        preview_people(data, name)


def test_unsupported_files_are_refused_clearly():
    with pytest.raises(FacilitationError, match=r"\.xls workbook"):
        preview_people(b"\xd0\xcf\x11\xe0", "old.xls")
    with pytest.raises(FacilitationError, match=r"not a readable \.xlsx"):
        preview_people(b"not a zip", "broken.xlsx")
    with pytest.raises(FacilitationError, match=r"\.csv or \.xlsx"):
        preview_people(b"x", "people.pdf")


def test_multiline_cell_reports_its_first_line():
    data = b'name,role\n"Ama\nOwusu",Lead\n,Nurse\nBen,Lead\n'
    p = preview_people(data, "x.csv")
    assert [(r.line, r.name) for r in p.rows] == [(2, "Ama Owusu"), (5, "Ben")]
    assert [e.line for e in p.errors] == [4]


def test_same_person_at_two_tables_is_a_bad_row():
    p = preview_people(b"name,organisation,table\nAma,Council,1\nama ,Council,2\n", "x.csv")
    assert [e.line for e in p.errors] == [3] and "listed again" in p.errors[0].reason


def test_too_long_name_is_a_bad_row():
    p = preview_people(("name\n" + "x" * 300 + "\n").encode(), "x.csv")
    assert p.errors[0].line == 2 and "300 characters" in p.errors[0].reason


def test_xlsx_rows_numbers_and_formulas():
    data = _xlsx(
        [
            ["Name", "Organisation", "Sector", "Job title", "Table"],
            ["Ama Owusu", "Eastbrook City Council", "local authority", "Commissioner", 2],
            [None, None, None, None, None],
            ["Ben Nguyen", "North Vale PCN", "primary care", "GP", "Table 1"],
            [None, "Riverside Trust", "acute", "Nurse", None],
            ['=HYPERLINK("http://example.invalid","click")', "Council", "", "", None],
            ["Lee Park", "Riverside Trust", "acute", "Nurse", 3.0],
        ]
    )
    p = preview_people(data, "people.xlsx")
    assert [(r.line, r.name, r.table) for r in p.rows] == [
        (2, "Ama Owusu", 2),
        (4, "Ben Nguyen", 1),
        (7, "Lee Park", 3),
    ]
    assert [e.line for e in p.errors] == [5, 6]


def test_import_clean_file(store):
    ev = _event(store)
    report = import_people(store, ORGANISER, ev, GOOD, "attendees.csv")
    assert (report.added, report.updated, len(report.person_ids)) == (60, 0, 60)
    people = list_people(store, ev)
    assert len(people) == 60 and len({p.organisation for p in people}) == 12
    assert _count(store, s.organisations) == 12
    # importing the same file again adds nobody
    again = import_people(store, ORGANISER, ev, GOOD, "attendees.csv")
    assert (again.added, again.updated) == (0, 60)
    assert len(list_people(store, ev)) == 60


def test_bad_rows_import_nothing_and_name_every_line(store):
    ev = _event(store, tables=2)
    before = store.signature(ev)
    with pytest.raises(FacilitationError) as info:
        import_people(store, ORGANISER, ev, MESSY, "attendees-messy.csv")
    message = str(info.value)
    assert "\n" not in message and "Nothing was imported" in message
    for line in ("line 2: table 3", "line 20: table 3", "line 24: no name", "line 25: the name"):
        assert line in message
    assert list_people(store, ev) == []
    assert _count(store, s.people) == 0 and _count(store, s.organisations) == 0
    assert store.signature(ev) == before  # not even the activity log moved


def test_skip_bad_rows_imports_the_good_ones_in_one_write(store):
    ev = _event(store, tables=6)
    before = store.signature(ev)
    report = import_people(store, ORGANISER, ev, MESSY, "attendees-messy.csv", skip_bad_rows=True)
    assert [e.line for e in report.skipped] == [24, 25]
    assert [d.line for d in report.duplicates] == [23]
    people = {p.name: p for p in list_people(store, ev)}
    assert len(people) == 20
    assert people["Kwame O'Brien"].table == 3 and people["Hannah Kowalski"].table == 3
    assert people["Ben Nguyen"].table == 1 and people["Lena Mensah"].table is None
    count, _ = store.signature(ev)
    assert count == before[0] + 1  # one transaction, one log row


def test_formula_text_in_other_columns_is_kept_as_typed(store):
    ev = _event(store)
    import_people(store, ORGANISER, ev, b"name,organisation,role\nAma,=1+1 Council,@SUM(1)\n", "x.csv")
    (ama,) = list_people(store, ev)
    assert (ama.organisation, ama.role) == ("=1+1 Council", "@SUM(1)")


def test_blank_table_keeps_an_existing_seat(store):
    ev = _event(store)
    import_people(store, ORGANISER, ev, b"name,organisation,table\nAma,Council,4\n", "x.csv")
    import_people(store, ORGANISER, ev, b"name,organisation,role,table\nAma,Council,Lead,\n", "x.csv")
    (ama,) = list_people(store, ev)
    assert (ama.table, ama.role) == (4, "Lead")


def test_people_keep_one_identity_across_a_series(store):
    sid = create_series(store, ORGANISER, "Community of practice")
    first, second = _event(store, series_id=sid), _event(store, series_id=sid)
    a = import_people(store, ORGANISER, first, GOOD, "attendees.csv")
    b = import_people(store, ORGANISER, second, GOOD, "attendees.csv")
    assert b.added == 60 and set(a.person_ids) == set(b.person_ids)
    assert _count(store, s.people) == 60


def test_only_organiser_or_facilitator_imports(store):
    ev = _event(store)
    with pytest.raises(NotAllowed):
        import_people(store, table_actor(1), ev, GOOD, "attendees.csv")
    assert import_people(store, FACILITATOR, ev, b"name\nAma\n", "x.csv").added == 1


def test_import_xlsx_into_the_store(store):
    ev = _event(store, tables=3)
    data = _xlsx(
        [["name", "organization", "table"], ["Ama Owusu", "Council", 3], ["Ben", "Trust", "Table 2"]]
    )
    report = import_people(store, ORGANISER, ev, data, "people.xlsx")
    assert report.added == 2
    assert {(p.name, p.table) for p in list_people(store, ev)} == {("Ama Owusu", 3), ("Ben", 2)}
    assert get_event(store, ev).id == ev


def test_client_token_replays(store):
    ev = _event(store)
    one = import_people(store, ORGANISER, ev, b"name\nAma\n", "x.csv", client_token="imp-1")
    two = import_people(store, ORGANISER, ev, b"name\nAma\nBen\n", "x.csv", client_token="imp-1")
    assert one.person_ids == two.person_ids and len(list_people(store, ev)) == 1


def test_a_failure_half_way_through_leaves_nothing(store, monkeypatch):
    import facilitation.people.importing as importing

    ev = _event(store)
    real_attend = importing.attend
    calls = []

    def failing_attend(conn, event_id, person_id, table):
        calls.append(person_id)
        if len(calls) == 30:
            raise FacilitationError("The connection dropped half way")
        real_attend(conn, event_id, person_id, table)

    monkeypatch.setattr(importing, "attend", failing_attend)
    before = store.signature(ev)
    with pytest.raises(FacilitationError, match="half way"):
        import_people(store, ORGANISER, ev, GOOD, "attendees.csv")
    assert len(calls) == 30
    assert (
        list_people(store, ev) == [] and _count(store, s.people) == 0 and _count(store, s.organisations) == 0
    )
    assert store.signature(ev) == before
