"""Capture: enablers, blockers, ideas, questions and assets typed at a table.

- records and rules: :mod:`facilitation.capture.rules` (``Entry``, ``list_entries``;
  ``add_entry``, ``edit_entry``, ``withdraw_entry``), what the room's entries rest on
  (``evidence_summary``) and the assets a series found (``series_assets``).

The checks shared with grouping (an entry grouped into a voted theme is frozen) are
:mod:`facilitation.themes.checks`.

>>> from facilitation.capture import add_entry
"""

from __future__ import annotations

from facilitation.capture.rules import (
    KIND_INPUTS,
    KIND_LABELS,
    NOT_GIVEN,
    Entry,
    EvidenceShare,
    SeriesAsset,
    add_entry,
    counts_by_table,
    edit_entry,
    evidence_summary,
    list_entries,
    restore_entry,
    series_assets,
    withdraw_entry,
)

# The vocabulary of entries, as the database's columns hold it (views take it from here).
from facilitation.store.schema import ENTRY_KINDS, EVIDENCE_LEVELS, EVIDENCED_KINDS, MAX_SOURCE

__all__ = [
    "ENTRY_KINDS",
    "EVIDENCED_KINDS",
    "EVIDENCE_LEVELS",
    "KIND_INPUTS",
    "KIND_LABELS",
    "MAX_SOURCE",
    "NOT_GIVEN",
    "Entry",
    "EvidenceShare",
    "SeriesAsset",
    "add_entry",
    "counts_by_table",
    "edit_entry",
    "evidence_summary",
    "list_entries",
    "restore_entry",
    "series_assets",
    "withdraw_entry",
]
