"""Capture: enablers, blockers, ideas and questions typed at a table.

- records and rules: :mod:`facilitation.capture.rules` (``Entry``, ``list_entries``;
  ``add_entry``, ``edit_entry``, ``withdraw_entry``).

The checks shared with grouping (an entry grouped into a voted theme is frozen) are
:mod:`facilitation.themes.checks`.

>>> from facilitation.capture import add_entry
"""

from __future__ import annotations

from facilitation.capture.rules import (
    KIND_INPUTS,
    Entry,
    add_entry,
    counts_by_table,
    edit_entry,
    list_entries,
    withdraw_entry,
)

# The vocabulary of entries, as the database's columns hold it (views take it from here).
from facilitation.store.schema import ENTRY_KINDS, EVIDENCE_LEVELS

__all__ = [
    "ENTRY_KINDS",
    "EVIDENCE_LEVELS",
    "KIND_INPUTS",
    "Entry",
    "add_entry",
    "counts_by_table",
    "edit_entry",
    "list_entries",
    "withdraw_entry",
]
