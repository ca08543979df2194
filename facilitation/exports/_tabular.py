"""What the workbook and the CSV zip share: the sheets, and cells made inert."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from facilitation.exports._files import neutralise_cell
from facilitation.frames import frames
from facilitation.store import Store

__all__ = ["SHEETS", "cell", "sheets"]

# sheet name -> frame kind; the names an organiser knows.
SHEETS = (
    ("entries", "entries"),
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
    """A frame value as a spreadsheet cell: missing -> None, numbers stay numbers, text inert.

    Examples
    --------
    >>> cell("=1+1"), cell(3), cell(None), cell(True)
    ("'=1+1", 3, None, True)
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
    text = _ILLEGAL.sub("", str(value))[:_MAX_CELL]
    return neutralise_cell(text)


def sheets(store: Store, event_id: int) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """Each sheet's name, header and rows of inert cells."""
    data = frames(store, event_id)
    for name, kind in SHEETS:
        df = data[kind]
        rows = [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
        yield name, list(df.columns), rows
