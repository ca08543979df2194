"""The system map and the priority circle for the outcome pack (HTML and Markdown)."""

from __future__ import annotations

from typing import Any

from facilitation.store import Store

__all__ = ["circle_section", "system_map_section"]


def system_map_section(store: Store, event_id: int, *, picture: bool = True) -> dict[str, Any]:
    """The event-wide system map: its SVG, its elements and arrows as rows (all text as typed)."""
    from facilitation.system_map import system_map
    from facilitation.system_map.picture import picture_svg

    m = system_map(store, event_id)
    return {
        "svg": picture_svg(m, width=1000, height=640) if picture and m.elements else "",
        "elements": [
            (e.label, e.kind, ", ".join(str(t) for t in e.tables), len(e.merged)) for e in m.elements
        ],
        "arrows": [(m.label_of(a.source), a.relation, m.label_of(a.target), a.count) for a in m.arrows],
    }


def circle_section(store: Store, event_id: int, *, picture: bool = True) -> dict[str, Any]:
    """The priority circle: its SVG and, per area, the themes and groups placed on it."""
    from facilitation.priority_circle import priority_circle
    from facilitation.priority_circle.picture import circle_svg

    circle = priority_circle(store, event_id)
    return {
        "svg": circle_svg(circle) if picture and circle.areas and circle.placements else "",
        "areas": [(area, [(p.subject, p.name) for p in circle.on(area)]) for area in circle.areas],
        "placed": len(circle.placements),
    }
