"""``csv``: the workbook's sheets as CSV files in one zip (UTF-8 with a byte-order mark,
so Excel reads accents right).

A CSV file has no text cells: a spreadsheet opening it evaluates a cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a newline. So here, and only here (and in
the network CSVs), such typed text gets a leading apostrophe. The files extract as
ordinary files (0644), dated when the event last changed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from facilitation.events.rules import get_event
from facilitation.exports import base_name
from facilitation.exports._files import neutralise_cell, write_atomic
from facilitation.exports._tabular import sheets
from facilitation.store import Store
from facilitation.store import schema as s

__all__ = ["DESCRIPTION", "FORMAT", "render", "write"]

FORMAT = "csv"
DESCRIPTION = "the workbook's sheets as CSV files in a zip"

_MODE = 0o100644  # a regular file, rw-r--r--, as unzip and every file manager read it


def last_change(store: Store, event_id: int) -> tuple[int, int, int, int, int, int]:
    """When the event last changed, in this machine's time, as a zip entry's date.

    The same event gives the same bytes until it changes again.
    """
    at = store.read(
        lambda c: c.execute(
            select(func.max(s.activity.c.at)).where(s.activity.c.event_id == event_id)
        ).scalar()
    )
    try:
        when = datetime.fromisoformat(at).astimezone() if at else datetime.now().astimezone()
    except ValueError:
        when = datetime.now().astimezone()
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)


def render(store: Store, event_id: int) -> bytes:
    """The zip's bytes: ``entries.csv``, ``evidence.csv``, ``themes.csv``, ``votes.csv``, ...

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> import io, zipfile
    >>> store, ev = scratch_event()
    >>> zipfile.ZipFile(io.BytesIO(render(store, ev))).namelist()[:3]
    ['entries.csv', 'evidence.csv', 'themes.csv']
    """
    stamp = last_change(store, event_id)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, header, rows in sheets(store, event_id):
            text = io.StringIO()
            out = csv.writer(text, lineterminator="\r\n")
            out.writerow(header)
            out.writerows(["" if v is None else neutralise_cell(v) for v in row] for row in rows)
            info = zipfile.ZipInfo(f"{name}.csv", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode below is read
            info.external_attr = _MODE << 16
            zf.writestr(info, "\ufeff" + text.getvalue())
    return buf.getvalue()


def write(store: Store, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) csv.zip`` into ``out_dir``."""
    ev = get_event(store, event_id)
    name = f"{base_name(ev.title, ev.id, ev.starts_on)} csv.zip"
    return [write_atomic(Path(out_dir) / name, render(store, event_id))]
