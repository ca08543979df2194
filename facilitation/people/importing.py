"""Attendee lists from CSV or XLSX: a preview first, then an import that is whole or nothing.

What organisers really receive is forgiven: a byte-order mark, CRLF line ends,
Windows-1252 text, semicolons, spaces around values, headers in other words or case
("Job title", "Organization", "Table no."), blank lines, tables given as ``3``,
``3.0`` or ``Table 3``, and a person listed twice (imported once, the repeat shown).

What cannot be guessed is a bad row, named by the line (CSV) or row (XLSX) the
organiser sees in their own program: a row with no name, a table that is not a
number or not one of the event's tables, a text too long, a person listed twice at
two different tables, and a name that is a spreadsheet formula.

A formula in a name (``=HYPERLINK(...)``) is rejected rather than imported: no
person is called that, so the row is a paste or export accident the organiser should
see. A formula-like text in other columns (organisation, role) is kept as typed;
like every typed text it is neutralised when exported to a spreadsheet, not on import.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy import Connection, select, update

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError
from facilitation.events.rules import load_event
from facilitation.people.rules import attend, ensure_organisation, find_or_create_person, name_key
from facilitation.store import Change, Store
from facilitation.store import schema as s
from facilitation.text import MAX_NAME, clean_text

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Duplicate",
    "ImportReport",
    "PeoplePreview",
    "PersonRow",
    "RowError",
    "import_people",
    "parse_table",
    "preview_people",
]

MAX_FILE_BYTES = 5_000_000
MAX_ROWS = 5_000

# Header words, compared after case-folding and dropping everything but letters. Not
# "title" (in UK lists it is Mr, Ms, Dr) nor "group" (a staff group): both would mislead.
_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "attendee", "attendeename", "participant", "delegate", "person"),
    "first_name": ("firstname", "forename", "givenname"),
    "last_name": ("lastname", "surname", "familyname"),
    "organisation": ("organisation", "organization", "organisationname", "organizationname", "org",
                     "employer", "company", "agency"),
    "sector": ("sector", "organisationtype", "organizationtype", "orgtype"),
    "role": ("role", "jobtitle", "position", "jobrole", "job"),
    "table": ("table", "tableno", "tablenumber", "tablenum"),
    "email": ("email", "emailaddress", "mail"),
}  # fmt: skip
_FIELD_OF = {word: key for key, words in _HEADERS.items() for word in words}
_TABLE = re.compile(r"^(?:table|tbl|t)?\s*(?:no\.?|number|#)?\s*(\d{1,3})(?:\.0+)?$", re.IGNORECASE)
_FORMULA = ("=", "+", "@")
_HEADER_SEARCH = 10  # the column names are looked for in the first lines only


@dataclass(frozen=True)
class PersonRow:
    """One person the import will add, with the line of the file they came from."""

    line: int
    name: str
    organisation: str = ""
    sector: str = ""
    role: str = ""
    table: int | None = None
    email: str = ""


@dataclass(frozen=True)
class RowError:
    """A row that cannot be imported, and why, in words an organiser can act on."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Duplicate:
    """A person listed again: imported once, from the first line."""

    line: int
    first_line: int
    name: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: {self.name} is listed again (first at line {self.first_line}); imported once"
        )


@dataclass
class PeoplePreview:
    """What an import of a file will do, before it does anything.

    ``columns`` maps each field to the file's header it was read from;
    ``ignored_columns`` are headers the import does not use.
    """

    filename: str
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every row can be imported."""
        return not self.errors

    def summary(self) -> str:
        """A few lines for the organiser: what will be imported and what will not."""
        orgs = {r.organisation for r in self.rows if r.organisation}
        seated = sum(r.table is not None for r in self.rows)
        lines = [
            f"{self.filename}: {len(self.rows)} people from {len(orgs)} organisations "
            f"({seated} with a table), {len(self.errors)} bad rows, {len(self.duplicates)} listed twice",
            "columns: " + ", ".join(f"{k} <- '{v}'" for k, v in self.columns.items()),
        ]
        if self.ignored_columns:
            lines.append("ignored columns: " + ", ".join(self.ignored_columns))
        lines += [f"  bad {e}" for e in self.errors]
        lines += [f"  {d}" for d in self.duplicates]
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    event_id: int
    added: int  # new to the event
    updated: int  # already at the event: role, table or email refreshed
    person_ids: tuple[int, ...]
    skipped: tuple[RowError, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()

    def __str__(self) -> str:
        n = self.added + self.updated
        text = f"imported {n} {'person' if n == 1 else 'people'} into event {self.event_id}: {self.added} new"
        text += f", {self.updated} already there"
        if self.skipped:
            text += f"; skipped {len(self.skipped)} bad rows"
        return text


# --- reading files ---------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; cp1252 decodes any byte.
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    sample = text[:4096]
    first = sample.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FacilitationError(f"The file cannot be read as CSV near line {line}: {exc}.") from exc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        # Formulas are read as typed (data_only=False): a formula never passes for a name.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FacilitationError(f"The file is not a readable .xlsx workbook ({exc}).") from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in row]
    finally:
        book.close()


def _rows(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls":
        raise FacilitationError(
            f"{filename} is an old .xls workbook. Save it as .xlsx or .csv and import that."
        )
    if suffix in (".xlsx", ".xlsm") or (suffix not in (".csv", ".txt") and data[:2] == b"PK"):
        return _xlsx_rows(data)
    if suffix not in (".csv", ".txt", ""):
        raise FacilitationError(f"{filename}: import a .csv or .xlsx file, not {suffix}.")
    return _csv_rows(data)


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold())


def _map_header(cells: list[str], filename: str) -> tuple[dict[str, int], dict[str, str], list[str]]:
    index: dict[str, int] = {}
    shown: dict[str, str] = {}
    ignored: list[str] = []
    for i, raw in enumerate(cells):
        label = clean_text(raw, field="column name", max_length=200, required=False)
        key = _FIELD_OF.get(_header_key(label))
        if key is None or key in index:
            if label:
                ignored.append(label)
            continue
        index[key] = i
        shown[key] = label
    if "name" not in index and not {"first_name", "last_name"} <= set(index):
        raise _map_header_error(cells, filename)
    return index, shown, ignored


def _map_header_error(cells: list[str], filename: str) -> FacilitationError:
    found = ", ".join(f"'{c.strip()[:40]}'" for c in cells if c.strip()) or "none"
    return FacilitationError(
        f"{filename} has no name column (its first row should name the columns: name, "
        f"organisation, sector, role, table). Columns found: {found}."
    )


def parse_table(value: str) -> int | None:
    """A table as organisers type it: ``3``, ``3.0``, ``Table 3``, ``T3``; blank is none.

    Examples
    --------
    >>> [parse_table(v) for v in ("3", " Table 3 ", "t12", "4.0", "")]
    [3, 3, 12, 4, None]
    >>> parse_table("the blue one")
    Traceback (most recent call last):
    ...
    ValueError: 'the blue one' is not a table number (write 3 or Table 3)
    """
    text = value.strip()
    if not text:
        return None
    match = _TABLE.match(text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"'{text}' is not a table number (write 3 or Table 3)")
    return int(match.group(1))


def preview_people(
    data: bytes | bytearray | memoryview | str, filename: str, *, tables: int | None = None
) -> PeoplePreview:
    """Read an attendee list (CSV or XLSX) and say what an import would do; writes nothing.

    Parameters
    ----------
    data : bytes
        The file's content, as uploaded (a memoryview or text is accepted too).
    filename : str
        Its name; the suffix chooses CSV or XLSX.
    tables : int, optional
        The event's number of tables: a table beyond it is a bad row.

    Examples
    --------
    >>> data = "\\ufeffName , Organization,Job title,Table\\r\\n Ama Owusu ,Eastbrook Council,Commissioner,Table 2\\r\\n,Nobody,x,1\\r\\n".encode()
    >>> p = preview_people(data, "people.csv")
    >>> [(r.line, r.name, r.organisation, r.role, r.table) for r in p.rows]
    [(2, 'Ama Owusu', 'Eastbrook Council', 'Commissioner', 2)]
    >>> [str(e) for e in p.errors]
    ['line 3: no name']
    """
    # ipywidgets' FileUpload hands over a memoryview; a notebook may pass text
    data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise FacilitationError(
            f"{filename} is {len(data) / 1e6:.1f} MB; an attendee list is at most "
            f"{MAX_FILE_BYTES / 1e6:.0f} MB. Remove other sheets or columns and try again."
        )
    preview = PeoplePreview(filename)
    rows = _rows(data, filename)
    index: dict[str, int] | None = None
    seen: dict[tuple[str, str], PersonRow] = {}
    kept: list[PersonRow] = []
    first_row: list[str] | None = None
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # blank lines are common and harmless
        if index is None:
            # A title row or two ("Attendees, 12 March") may sit above the column names.
            first_row = first_row or cells
            try:
                index, preview.columns, preview.ignored_columns = _map_header(cells, filename)
            except FacilitationError:
                if line >= _HEADER_SEARCH:
                    raise _map_header_error(first_row, filename) from None
            continue
        if len(kept) + len(preview.errors) >= MAX_ROWS:
            raise FacilitationError(
                f"{filename} has more than {MAX_ROWS:,} rows; split it and import each part."
            )
        row, problem = _parse_row(line, cells, index)
        if problem is not None or row is None:
            preview.errors.append(RowError(line, problem or "unreadable row"))
            continue
        key = (name_key(row.name), row.organisation.casefold())
        first = seen.get(key)
        if first is None:
            seen[key] = row
            kept.append(row)
            continue
        if row.table is not None and first.table is not None and row.table != first.table:
            preview.errors.append(
                RowError(
                    line,
                    f"{row.name} is listed again with table {row.table}, but at line {first.line} "
                    f"with table {first.table}; keep one",
                )
            )
            continue
        preview.duplicates.append(Duplicate(line, first.line, row.name))
        if first.table is None and row.table is not None:  # the repeat supplies the seat
            merged = PersonRow(**{**first.__dict__, "table": row.table})
            kept[kept.index(first)] = merged
            seen[key] = merged
    if index is None:
        if first_row is not None:
            raise _map_header_error(first_row, filename)
        raise FacilitationError(f"{filename} is empty: it has no header row and no people.")
    preview.rows, beyond = _within(kept, tables)
    preview.errors = sorted(preview.errors + beyond, key=lambda e: e.line)
    return preview


def _within(rows: list[PersonRow], tables: int | None) -> tuple[list[PersonRow], list[RowError]]:
    """Split rows into those whose table exists and errors for those beyond ``tables``."""
    if tables is None:
        return rows, []
    good = [r for r in rows if r.table is None or r.table <= tables]
    errors = [
        RowError(r.line, f"table {r.table} is beyond this event's {tables} tables")
        for r in rows
        if r.table is not None and r.table > tables
    ]
    return good, errors


def _parse_row(line: int, cells: list[str], index: dict[str, int]) -> tuple[PersonRow | None, str | None]:
    def get(key: str) -> str:
        i = index.get(key)
        return cells[i] if i is not None and i < len(cells) else ""

    raw_name = get("name") if "name" in index else f"{get('first_name')} {get('last_name')}"
    try:
        name = clean_text(raw_name, field="name", max_length=MAX_NAME, required=False)
        if not name:
            return None, "no name"
        if name.startswith(_FORMULA):
            return None, (
                f"the name '{name[:40]}' is a spreadsheet formula, not a person's name; "
                "type the person's name in that cell"
            )
        organisation = clean_text(
            get("organisation"), field="organisation", max_length=MAX_NAME, required=False
        )
        sector = clean_text(get("sector"), field="sector", max_length=100, required=False).lower()
        role = clean_text(get("role"), field="role", max_length=MAX_NAME, required=False)
        email = clean_text(get("email"), field="email", max_length=200, required=False)
    except FacilitationError as exc:
        return None, str(exc).split(". ")[0].replace("The ", "the ", 1)
    try:
        table = parse_table(clean_text(get("table"), field="table", max_length=40, required=False))
    except ValueError as exc:
        return None, f"the table {exc}"
    except FacilitationError as exc:
        return None, str(exc)
    return PersonRow(line, name, organisation, sector, role, table, email), None


# --- the import -------------------------------------------------------------------------


def _at_event(conn: Connection, event_id: int, name: str, org_id: int | None) -> int | None:
    row = conn.execute(
        select(s.people.c.id)
        .join(s.attendance, s.attendance.c.person_id == s.people.c.id)
        .where(
            s.attendance.c.event_id == event_id,
            s.people.c.name_key == name_key(name),
            s.people.c.organisation_id.is_(None) if org_id is None else s.people.c.organisation_id == org_id,
            s.people.c.deleted_at.is_(None),
        )
        .order_by(s.people.c.id)
    ).first()
    return None if row is None else int(row.id)


def import_people(
    store: Store,
    actor: Actor,
    event_id: int,
    data: bytes | bytearray | memoryview | str,
    filename: str,
    *,
    skip_bad_rows: bool = False,
    client_token: str | None = None,
) -> ImportReport:
    """Import an attendee list into an event in one transaction: every good row or nothing.

    Organiser or facilitator only. A person already at the event (same name and
    organisation) is updated, not added twice, so importing a file again is safe.
    With a bad row and ``skip_bad_rows`` false, nothing is imported and the error
    names each bad row with its line number.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import ORGANISER
    >>> store, ev = scratch_event(tables=4)
    >>> good = b"name,organisation,sector,role,table\\nAma Owusu,Eastbrook Council,local authority,Lead,2\\n"
    >>> str(import_people(store, ORGANISER, ev, good, "people.csv"))
    'imported 1 person into event 1: 1 new, 0 already there'
    >>> bad = good + b",Riverside Trust,acute,Nurse,\\nLee Park,Riverside Trust,acute,Nurse,9\\n"
    >>> import_people(store, ORGANISER, ev, bad, "people.csv")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: Nothing was imported from people.csv: 2 bad rows (line 3: no name; line 4: table 9 is beyond this event's 4 tables). Fix them, or import with skip_bad_rows to leave them out.
    >>> import_people(store, ORGANISER, ev, bad, "people.csv", skip_bad_rows=True).updated
    1
    """
    require(actor, "organiser", "facilitator", action="import people")
    parsed = preview_people(data, filename)

    def fn(conn: Connection) -> Change:
        ev = load_event(conn, event_id)
        n_tables = len(
            conn.execute(
                select(s.event_tables.c.number).where(
                    s.event_tables.c.event_id == event_id, s.event_tables.c.deleted_at.is_(None)
                )
            ).all()
        )
        good, beyond = _within(parsed.rows, n_tables)
        errors = sorted(parsed.errors + beyond, key=lambda e: e.line)
        if errors and not skip_bad_rows:
            listed = "; ".join(str(e) for e in errors[:20]) + ("; ..." if len(errors) > 20 else "")
            raise FacilitationError(
                f"Nothing was imported from {filename}: {len(errors)} bad "
                f"{'row' if len(errors) == 1 else 'rows'} ({listed}). "
                "Fix them, or import with skip_bad_rows to leave them out."
            )
        added = updated = 0
        ids: list[int] = []
        for row in good:
            org_id = ensure_organisation(conn, row.organisation, row.sector)
            pid = _at_event(conn, event_id, row.name, org_id)
            if pid is None:
                pid = find_or_create_person(conn, ev.series_id, row.name, org_id, row.role, {})
                attend(conn, event_id, pid, row.table)
                added += 1
            else:
                if row.role:
                    conn.execute(update(s.people).where(s.people.c.id == pid).values(role=row.role))
                if row.table is not None:  # a blank table keeps the seat already given
                    attend(conn, event_id, pid, row.table)
                updated += 1
            if row.email:
                conn.execute(update(s.people).where(s.people.c.id == pid).values(email=row.email))
            ids.append(pid)
        result = {
            "added": added,
            "updated": updated,
            "person_ids": ids,
            "skipped": [[e.line, e.reason] for e in errors],
        }
        detail = {"file": filename, "added": added, "updated": updated, "skipped": len(errors)}
        return Change("import people", "event", event_id, detail, result)

    res = store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result
    return ImportReport(
        event_id,
        res["added"],
        res["updated"],
        tuple(res["person_ids"]),
        tuple(RowError(line, reason) for line, reason in res["skipped"]),
        tuple(parsed.duplicates),
    )
