"""Themes: a table groups its entries into themes, the facilitator merges them across the
room, suggested merges, and reopening a voted theme.

- records (the reads: ``Theme``, ``list_themes``, the ballot):
  :mod:`facilitation.themes.records`;
- the checks the theme rules make inside their transaction (phase, ownership,
  frozen once voted): :mod:`facilitation.themes.checks`;
- rules (the writes: ``create_theme``, ``add_to_theme``, ``merge_themes`` ...):
  :mod:`facilitation.themes.grouping`;
- pure computation of suggested merges (TF-IDF, no network): :mod:`facilitation.themes.suggestions`;
- reopening a voted theme, on the record: :mod:`facilitation.themes.reopening`.

>>> from facilitation.themes import create_theme, list_themes, refuse_if_frozen
"""

from __future__ import annotations

from facilitation.themes.checks import (
    GROUPING_INPUTS,
    check_entries,
    check_phase,
    dotted_rounds,
    ids_of,
    lock_themes,
    move_entries,
    new_theme,
    open_reopenings,
    refuse_duplicate,
    refuse_if_entries_frozen,
    refuse_if_frozen,
    require_theme_owner,
    theme_in,
    write_change,
)
from facilitation.themes.grouping import (
    UNDOABLE,
    add_to_theme,
    create_theme,
    dissolve_theme,
    last_undoable,
    merge_themes,
    move_entry,
    rename_theme,
    split_theme,
    split_wide_theme,
    undo_grouping,
    ungroup,
    unmerge,
)
from facilitation.themes.records import (
    Theme,
    author_tables,
    list_themes,
    votable_among,
    votable_themes,
)
from facilitation.themes.reopening import (
    MAX_REASON,
    Amendment,
    Reopening,
    VotedTheme,
    amendments,
    close_reopening,
    list_reopenings,
    reopen_theme,
    voted_themes,
)
from facilitation.themes.suggestions import (
    DEFAULT_THRESHOLD,
    STOP_WORDS,
    MergeSuggestion,
    dismiss_suggestion,
    suggest_merges,
    tokens,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "GROUPING_INPUTS",
    "MAX_REASON",
    "STOP_WORDS",
    "UNDOABLE",
    "Amendment",
    "MergeSuggestion",
    "Reopening",
    "Theme",
    "VotedTheme",
    "add_to_theme",
    "amendments",
    "author_tables",
    "check_entries",
    "check_phase",
    "close_reopening",
    "create_theme",
    "dismiss_suggestion",
    "dissolve_theme",
    "dotted_rounds",
    "ids_of",
    "last_undoable",
    "list_reopenings",
    "list_themes",
    "lock_themes",
    "merge_themes",
    "move_entries",
    "move_entry",
    "new_theme",
    "open_reopenings",
    "refuse_duplicate",
    "refuse_if_entries_frozen",
    "refuse_if_frozen",
    "rename_theme",
    "reopen_theme",
    "require_theme_owner",
    "split_theme",
    "split_wide_theme",
    "suggest_merges",
    "theme_in",
    "tokens",
    "undo_grouping",
    "ungroup",
    "unmerge",
    "votable_among",
    "votable_themes",
    "voted_themes",
    "write_change",
]
