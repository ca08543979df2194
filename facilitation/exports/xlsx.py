"""``xlsx``: a workbook with a sheet per kind (entries, the evidence they rest on, themes,
votes, links, groups, actions, people).

Typed text is kept exactly as typed, in text cells: a name that starts with ``=``
stays that text, and no spreadsheet evaluates it (the workbook holds no formula at
all, and no apostrophe is added: that is for the CSV files). Numbers stay numbers;
dates and times are date cells with a date format (times in UTC). Every sheet prints
readably: landscape, fitted to the page width, the header row repeated on each
page, long text wrapped.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from facilitation.events.rules import get_event
from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.exports._tabular import keep_as_typed, sheets
from facilitation.store import Store

__all__ = ["DATE_COLUMNS", "DESCRIPTION", "FORMAT", "render", "write"]

FORMAT = "xlsx"
DESCRIPTION = "workbook, a sheet per kind (entries, evidence, themes, votes, links, groups, actions, people)"

DATE_COLUMNS = {"due_on", "first_meeting", "review_1y", "review_3y", "review_8y", "starts_on"}
_DAY_FORMAT = "yyyy-mm-dd"
_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_WIDE = 50  # a column wider than this wraps its text


def _day(value: Any) -> Any:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else value
    except ValueError:
        return value


def _time(value: Any) -> Any:
    """A stored UTC timestamp as a naive datetime (a spreadsheet has no time zones)."""
    if not isinstance(value, str):
        return value
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.replace(microsecond=0)


def _typed(header: list[str], rows: list[list[Any]]) -> list[list[Any]]:
    """Rows with the date columns as dates and the ``*_at`` columns as times."""
    days = [i for i, h in enumerate(header) if h in DATE_COLUMNS]
    times = [i for i, h in enumerate(header) if h.endswith("_at")]
    out = []
    for row in rows:
        row = list(row)
        for i in days:
            row[i] = _day(row[i])
        for i in times:
            row[i] = _time(row[i])
        out.append(row)
    return out


def _print_readably(ws: Worksheet, header: list[str]) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        longest = max((len(str(c.value)) for c in ws[get_column_letter(i)] if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(longest, len(name)) + 2, _WIDE)
        wrap = longest > _WIDE
        for c in ws[get_column_letter(i)][1:]:
            if isinstance(c.value, datetime):
                c.number_format = _TIME_FORMAT
            elif isinstance(c.value, date):
                c.number_format = _DAY_FORMAT
            c.alignment = Alignment(wrap_text=wrap, vertical="top")
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(vertical="top")


def render(store: Store, event_id: int) -> bytes:
    """The workbook's bytes.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from openpyxl import load_workbook
    >>> import io
    >>> store, ev = scratch_event()
    >>> load_workbook(io.BytesIO(render(store, ev))).sheetnames
    ['entries', 'evidence', 'themes', 'votes', 'links', 'groups', 'actions', 'people']
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, header, rows in sheets(store, event_id):
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in _typed(header, rows):
            ws.append(row)
        keep_as_typed(ws)
        _print_readably(ws, header)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write(store: Store, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N).xlsx`` into ``out_dir``."""
    ev = get_event(store, event_id)
    return [
        write_atomic(
            Path(out_dir) / f"{base_name(ev.title, ev.id, ev.starts_on)}.xlsx", render(store, event_id)
        )
    ]
