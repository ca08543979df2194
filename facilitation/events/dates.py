"""Dates as people type them and the store keeps them: ISO ``YYYY-MM-DD``, nothing else.

``31/12/2026`` means the 31st of December in London and nothing in Ohio, so the
toolkit takes one form only, and says which when it refuses another.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from facilitation.errors import FacilitationError

__all__ = ["add_years", "iso_date"]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: Any, what: str) -> str | None:
    """A typed date as ISO text (``2026-03-12``), or None when nothing was typed.

    ``what`` names the field in the message, which shows the expected form.

    Examples
    --------
    >>> iso_date(" 2026-03-12 ", "event's date"), iso_date("", "event's date")
    ('2026-03-12', None)
    >>> iso_date("31/12/2026", "event's date")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The event's date is a date like 2026-03-12 (year-month-day), not '31/12/2026'.
    >>> iso_date("2026-02-30", "due date")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The due date is a date like 2026-03-12 (year-month-day), not '2026-02-30'.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    if not text:
        return None
    try:
        if not _ISO_DAY.fullmatch(text):  # date.fromisoformat also takes 20260312 and 2026-W11-4
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise FacilitationError(
            f"The {what} is a date like 2026-03-12 (year-month-day), not '{shown}'."
        ) from None


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; the 29th of February falls on the 28th.

    Examples
    --------
    >>> add_years(date(2026, 3, 12), 8), add_years(date(2028, 2, 29), 1)
    (datetime.date(2034, 3, 12), datetime.date(2029, 2, 28))
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
