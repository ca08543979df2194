"""``csv``: the workbook's sheets as CSV files in one zip (UTF-8 with a byte-order mark,
so Excel reads accents right). Typed text is neutralised as in the workbook.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from facilitation.events import get_event
from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.exports._tabular import sheets
from facilitation.store import Store

__all__ = ["DESCRIPTION", "FORMAT", "render", "write"]

FORMAT = "csv"
DESCRIPTION = "the workbook's sheets as CSV files in a zip"

_STAMP = (1980, 1, 1, 0, 0, 0)  # fixed, so the same event gives the same bytes


def render(store: Store, event_id: int) -> bytes:
    """The zip's bytes: ``entries.csv``, ``themes.csv``, ``votes.csv``, ``links.csv``, ...

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> import io, zipfile
    >>> store, ev = scratch_event()
    >>> zipfile.ZipFile(io.BytesIO(render(store, ev))).namelist()[:3]
    ['entries.csv', 'themes.csv', 'votes.csv']
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, header, rows in sheets(store, event_id):
            text = io.StringIO()
            out = csv.writer(text, lineterminator="\r\n")
            out.writerow(header)
            out.writerows(["" if v is None else v for v in row] for row in rows)
            info = zipfile.ZipInfo(f"{name}.csv", date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, "\ufeff" + text.getvalue())
    return buf.getvalue()


def write(store: Store, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) csv.zip`` into ``out_dir``."""
    ev = get_event(store, event_id)
    name = f"{base_name(ev.title, ev.id, ev.starts_on)} csv.zip"
    return [write_atomic(Path(out_dir) / name, render(store, event_id))]
