"""Voting: dots on themes, limits that hold under concurrency, hidden results, honest ties.

- rules (the writes: ``add_dot``, ``remove_dot``, ``set_voting_rules``, ``reveal_votes``,
  ``open_runoff``) and the reads of a round: :mod:`facilitation.voting.rules`;
- the tally (dots per theme, competition ranks, ties, cross-boundary shares):
  :mod:`facilitation.voting.tally`.

Note: ``facilitation.voting.tally`` as an attribute is the function :func:`tally`;
import the module's names with ``from facilitation.voting.tally import ...``.

>>> from facilitation.voting import add_dot, tally, TallyRow
"""

from __future__ import annotations

from facilitation.voting.rules import (
    VOTING_INPUTS,
    DotsLeft,
    add_dot,
    dots_left,
    open_runoff,
    remove_dot,
    require_open_round,
    reveal_votes,
    set_voting_rules,
    voter_label,
    voters_with_dots_left,
)
from facilitation.voting.tally import (
    TallyRow,
    live_dots,
    tally,
)

__all__ = [
    "VOTING_INPUTS",
    "DotsLeft",
    "TallyRow",
    "add_dot",
    "dots_left",
    "live_dots",
    "open_runoff",
    "remove_dot",
    "require_open_round",
    "reveal_votes",
    "set_voting_rules",
    "tally",
    "voter_label",
    "voters_with_dots_left",
]
