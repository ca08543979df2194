"""Events: an event's life from a template to its archive, the phase, the timer, the
input lock and the keys.

- records and rules: :mod:`facilitation.events.rules` (``Event``, ``get_event``,
  ``list_tables``; ``create_event``, ``set_phase``, ``start_timer``, ``edit_event``,
  ``archive_event`` and the checks every other rule calls: ``load_event``,
  ``require_open_for_input``);
- templates (the YAML files of phases, prompts and voting rules): :mod:`facilitation.events.templates`;
- pure computation on dates (ISO dates only): :mod:`facilitation.events.dates`.

>>> from facilitation.events import create_event, set_phase, load_template
"""

from __future__ import annotations

from facilitation.events.dates import (
    add_years,
    iso_date,
)
from facilitation.events.rules import (
    ARCHIVED,
    MAX_PHASE_MINUTES,
    MAX_TIMER_MINUTES,
    Event,
    EventKeys,
    PhaseEdit,
    TableInfo,
    archive_event,
    authenticate,
    create_event,
    delete_event,
    edit_event,
    event_keys,
    extend_timer,
    find_event,
    get_event,
    list_events,
    list_tables,
    load_event,
    mark_table_done,
    move_phase,
    pause_timer,
    phase_index,
    rehearse_event,
    require_open_for_input,
    set_input_lock,
    set_phase,
    start_timer,
    table_for_join_code,
    timer_minutes,
)
from facilitation.events.templates import (
    INPUTS,
    TEMPLATES_DIR,
    Phase,
    Template,
    VotingRules,
    list_templates,
    load_template,
    parse_template,
)

__all__ = [
    "ARCHIVED",
    "INPUTS",
    "MAX_PHASE_MINUTES",
    "MAX_TIMER_MINUTES",
    "TEMPLATES_DIR",
    "Event",
    "EventKeys",
    "Phase",
    "PhaseEdit",
    "TableInfo",
    "Template",
    "VotingRules",
    "add_years",
    "archive_event",
    "authenticate",
    "create_event",
    "delete_event",
    "edit_event",
    "event_keys",
    "extend_timer",
    "find_event",
    "get_event",
    "iso_date",
    "list_events",
    "list_tables",
    "list_templates",
    "load_event",
    "load_template",
    "mark_table_done",
    "move_phase",
    "parse_template",
    "pause_timer",
    "phase_index",
    "rehearse_event",
    "require_open_for_input",
    "set_input_lock",
    "set_phase",
    "start_timer",
    "table_for_join_code",
    "timer_minutes",
]
