"""``xlsx``: a workbook with a sheet per kind (entries, themes, votes, links, groups,
actions, people).

Every text cell a person typed is neutralised (a leading ``=``, ``+``, ``-``, ``@``,
tab or newline gets an apostrophe) and written as a string cell, so the workbook
holds no formula at all; numbers stay numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from facilitation.events import get_event
from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.exports._tabular import sheets
from facilitation.store import Store

__all__ = ["DESCRIPTION", "FORMAT", "render", "write"]

FORMAT = "xlsx"
DESCRIPTION = "workbook, a sheet per kind (entries, themes, votes, links, groups, actions, people)"


def render(store: Store, event_id: int) -> bytes:
    """The workbook's bytes.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from openpyxl import load_workbook
    >>> import io
    >>> store, ev = scratch_event()
    >>> load_workbook(io.BytesIO(render(store, ev))).sheetnames
    ['entries', 'themes', 'votes', 'links', 'groups', 'actions', 'people']
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, header, rows in sheets(store, event_id):
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, col in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = (
                40 if col in ("text", "purpose", "note") else 16
            )
        # openpyxl reads a str beginning "=" as a formula; none reach here, but make sure.
        for line in ws.iter_rows(min_row=2):
            for c in line:
                if c.data_type == "f":
                    c.value = "'" + str(c.value)
                    c.data_type = "s"
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
