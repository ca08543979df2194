"""People, their organisations, their attendance and their seats.

- records and rules: :mod:`facilitation.people.rules` (``Person``, ``list_people``;
  ``add_person``, ``update_person``, ``seat_person``, ``remove_from_event``);
- attendee lists from CSV or XLSX (a preview, then a whole-or-nothing import):
  :mod:`facilitation.people.importing`;
- seating (pure, seeded planning; one write; the mixing score): :mod:`facilitation.people.seating`.

>>> from facilitation.people import add_person, plan_seating
"""

from __future__ import annotations

from facilitation.people.importing import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    Duplicate,
    ImportReport,
    PeoplePreview,
    PersonRow,
    RowError,
    import_people,
    parse_table,
    preview_people,
)
from facilitation.people.rules import (
    SECTORS,
    Person,
    add_person,
    ensure_organisation,
    list_people,
    name_key,
    remove_from_event,
    seat_person,
    update_person,
)
from facilitation.people.seating import (
    MixingScore,
    apply_seating,
    mixing_score,
    plan_seating,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "SECTORS",
    "Duplicate",
    "ImportReport",
    "MixingScore",
    "PeoplePreview",
    "Person",
    "PersonRow",
    "RowError",
    "add_person",
    "apply_seating",
    "ensure_organisation",
    "import_people",
    "list_people",
    "mixing_score",
    "name_key",
    "parse_table",
    "plan_seating",
    "preview_people",
    "remove_from_event",
    "seat_person",
    "update_person",
]
