"""The priority circle: themes and groups placed on the event's priority areas."""

from facilitation.priority_circle.rules import (
    Circle,
    Placement,
    clear_placement,
    place,
    priority_circle,
    read_circle,
    show_circle,
)

__all__ = ["Circle", "Placement", "clear_placement", "place", "priority_circle", "read_circle", "show_circle"]
