"""The console's system map and priority circle controls, attached to the console page.

:func:`attach` adds them under the console's other controls and redraws them when
the event changes, so the console itself needs one line to have them.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from facilitation.events import get_event
from facilitation.ui.priority_circle_view import CircleControls
from facilitation.ui.system_map_view import SystemMapMerge

__all__ = ["ConsoleMaps", "attach"]


class ConsoleMaps:
    """The system map merge and the priority circle, for a console."""

    def __init__(self, ctx: Any, say: Any) -> None:
        self.ctx = ctx
        self.merge = SystemMapMerge(ctx, say)
        self.circle = CircleControls(ctx, say)
        self.widget = w.VBox([self.merge.widget, self.circle.widget])
        self.widget.add_class("fac-console-maps")
        self.refresh()

    def refresh(self) -> None:
        """Redraw both from the store."""
        event = get_event(self.ctx.store, self.ctx.event_id)
        self.merge.refresh(event)
        self.circle.refresh(event)


def attach(console: Any) -> ConsoleMaps:
    """Add the controls to a :class:`~facilitation.ui.console.ConsoleView` and keep them current."""
    maps = ConsoleMaps(console.ctx, console.say)
    console.widget.children = (*console.widget.children, maps.widget)
    console.ctx.watcher.on_change(maps.refresh)
    return maps
