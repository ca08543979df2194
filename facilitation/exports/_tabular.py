"""What the workbook and the CSV zip share: the sheets, and their cells."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from facilitation.frames import evidence_shares, frames
from facilitation.store import Store

__all__ = ["SHEETS", "cell", "keep_as_typed", "sheets"]

# sheet name -> frame kind; the names an organiser knows.
SHEETS = (
    ("entries", "entries"),
    ("evidence", "evidence"),  # how much rests on each evidence level (from the entries)
    ("themes", "themes"),
    ("votes", "dots"),
    ("links", "ties"),
    ("groups", "groups"),
    ("actions", "actions"),
    ("people", "people"),
)

# Characters no spreadsheet file may hold (XML 1.0); cleaned text has none, but a
# restored backup or an old database might.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAX_CELL = 32_767


def cell(value: Any) -> Any:
    """A frame value as a spreadsheet cell: missing -> None, numbers stay numbers, text as typed.

    Text keeps its leading ``=`` here: the workbook writes it as a text cell (see
    :func:`keep_as_typed`) and the CSV files add the apostrophe
    (:func:`~facilitation.exports._files.neutralise_cell`) only where it is needed.

    Examples
    --------
    >>> cell("=1+1"), cell(3), cell(None), cell(True), cell("bell\x07")
    ('=1+1', 3, None, True, 'bell')
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, int | float):
        return value
    return _ILLEGAL.sub("", str(value))[:_MAX_CELL]


def keep_as_typed(ws: Any) -> None:
    """Make every cell of a worksheet that openpyxl took for a formula a text cell again.

    openpyxl reads a ``str`` starting with ``=`` as a formula; typed text is never
    one. As a text cell it shows exactly as typed, with no apostrophe, and no
    spreadsheet evaluates it.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> ws.append(["=1+1"]); ws["A1"].data_type
    'f'
    >>> keep_as_typed(ws); ws["A1"].data_type, ws["A1"].value
    ('s', '=1+1')
    """
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "f":
                c.data_type = "s"


def sheets(store: Store, event_id: int) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """Each sheet's name, header and rows of cells (text as typed: see :func:`cell`)."""
    data = frames(store, event_id)
    for name, kind in SHEETS:
        df = evidence_shares(data["entries"]) if kind == "evidence" else data[kind]
        rows = [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
        yield name, list(df.columns), rows
