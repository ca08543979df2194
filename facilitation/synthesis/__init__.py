"""The annual synthesis of a series: what recurs, how the network grew, what got done.

``gather_synthesis(store, series_id)`` reads a series once and returns plain values
(:class:`Synthesis`); ``facilitation.exports.synthesis`` writes them as HTML and
Markdown (``facilitate export --series SERIES --format synthesis --out DIR``).
"""

from facilitation.synthesis.rules import (
    ActionLine,
    GroupActions,
    MeasureRun,
    RecurringTheme,
    ReviewDue,
    Synthesis,
    gather_synthesis,
    recurring_themes,
)

__all__ = [
    "ActionLine",
    "GroupActions",
    "MeasureRun",
    "RecurringTheme",
    "ReviewDue",
    "Synthesis",
    "gather_synthesis",
    "recurring_themes",
]
