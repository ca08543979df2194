"""Task-and-finish groups: the top themes promoted into plans with owners, actions and dates.

- records (the reads: groups, the decision log, open actions, suggestions):
  :mod:`facilitation.plans.records`;
- rules (the writes: ``promote_theme``, ``update_group``, ``add_action`` ...):
  :mod:`facilitation.plans.rules`.

>>> from facilitation.plans import promote_theme, list_groups
"""

from __future__ import annotations

from facilitation.plans.records import (
    Action,
    Decision,
    Group,
    LinkedEntry,
    Member,
    MemberSuggestion,
    OpenAction,
    decision_log,
    list_groups,
    open_actions_from_earlier_events,
    suggested_members,
    theme_entries,
    theme_tally,
)
from facilitation.plans.rules import (
    DESTINATIONS,
    HORIZONS,
    add_action,
    add_member,
    link_entry,
    promote_theme,
    remove_action,
    remove_member,
    review_dates,
    unlink_entry,
    update_action,
    update_group,
)

# The vocabulary of actions, as the database's columns hold it (views take it from here).
from facilitation.store.schema import ACTION_STATUSES

__all__ = [
    "ACTION_STATUSES",
    "DESTINATIONS",
    "HORIZONS",
    "Action",
    "Decision",
    "Group",
    "LinkedEntry",
    "Member",
    "MemberSuggestion",
    "OpenAction",
    "add_action",
    "add_member",
    "decision_log",
    "link_entry",
    "list_groups",
    "open_actions_from_earlier_events",
    "promote_theme",
    "remove_action",
    "remove_member",
    "review_dates",
    "suggested_members",
    "theme_entries",
    "theme_tally",
    "unlink_entry",
    "update_action",
    "update_group",
]
