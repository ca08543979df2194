"""Series of events: a community of practice's meetings, an innovation programme's
challenges; people keep one identity across them.

- records and rules (``create_series``, ``add_event_to_series``, the reviews):
  :mod:`facilitation.series.rules`;
- measures over time (a value per event, read across the series):
  :mod:`facilitation.series.measures`.

>>> from facilitation.series import create_series, record_measure
"""

from __future__ import annotations

from facilitation.series.measures import (
    KEY_QUESTION,
    MeasureValue,
    SeriesPoint,
    event_measures,
    measure_values,
    parse_value,
    record_measure,
    resolve_measure,
    series_measures,
)
from facilitation.series.rules import (
    MAX_MEETINGS,
    ROLES,
    PlannedMeeting,
    Review,
    Series,
    SlotPlan,
    action_reviews,
    add_event_to_series,
    create_series,
    get_series,
    list_series,
    parse_slot,
    plan_dates,
    plan_series,
    review_action,
    series_plan,
    set_meeting,
    set_series_roles,
)

__all__ = [
    "KEY_QUESTION",
    "MAX_MEETINGS",
    "ROLES",
    "MeasureValue",
    "PlannedMeeting",
    "Review",
    "Series",
    "SeriesPoint",
    "SlotPlan",
    "action_reviews",
    "add_event_to_series",
    "create_series",
    "event_measures",
    "get_series",
    "list_series",
    "measure_values",
    "parse_slot",
    "parse_value",
    "plan_dates",
    "plan_series",
    "record_measure",
    "resolve_measure",
    "review_action",
    "series_measures",
    "series_plan",
    "set_meeting",
    "set_series_roles",
]
