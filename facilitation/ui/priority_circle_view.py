"""The priority circle on the pages: the projector's circle and the console's controls.

The projector's circle (:class:`CircleWidget`) is an anywidget drawn from JSON (a
sector per priority area, themes and groups in theirs; names as ``textContent``).
The console's controls (:class:`CircleControls`) place a theme or group on an area,
take it off, and show or hide the circle on the projector; the rules check the role.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as w
import traitlets

from facilitation.errors import FacilitationError
from facilitation.events import Event
from facilitation.plans.records import list_groups
from facilitation.priority_circle import clear_placement, place, priority_circle, show_circle
from facilitation.priority_circle.picture import circle_data
from facilitation.themes import list_themes
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import WIDE, button, esc, html_widget, set_html, set_options

__all__ = ["CircleControls", "CircleWidget", "circle_choices"]

_HERE = Path(__file__).resolve().parent


class CircleWidget(anywidget.AnyWidget):
    """The event's priority circle, drawn live on the projector.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(template="innovation-challenge-full-day")
    >>> c = CircleWidget(store, ev)
    >>> len(c.sectors), c.placements, c.refresh()
    (6, [], False)
    """

    _esm = _HERE / "priority_circle.js"
    _css = _HERE / "priority_circle.css"
    sectors = traitlets.List(traitlets.Dict()).tag(sync=True)
    placements = traitlets.List(traitlets.Dict()).tag(sync=True)
    font_px = traitlets.Int(22).tag(sync=True)
    height_px = traitlets.Int(700).tag(sync=True)

    def __init__(self, store: Any, event_id: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.event_id = int(event_id)
        self.refresh()

    def refresh(self) -> bool:
        """Re-read the circle; returns whether anything changed."""
        data = circle_data(priority_circle(self.store, self.event_id))
        if data["sectors"] == self.sectors and data["placements"] == self.placements:
            return False
        with self.hold_sync():
            self.sectors = data["sectors"]
            self.placements = data["placements"]
        return True


def circle_choices(store: Any, event_id: int) -> list[tuple[str, str]]:
    """What can be placed: event-wide themes, table themes not merged, groups (``"theme:3"``).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> from facilitation.themes.grouping import create_theme
    >>> store, ev = scratch_event(phase="grouping")
    >>> _ = create_theme(store, table_actor(2), ev, 2, "<i>Falls</i>")
    >>> circle_choices(store, ev)
    [('Theme: <i>Falls</i> (table 2)', 'theme:1')]
    """
    out = []
    for t in list_themes(store, event_id):
        if t.merged_into is None:
            where = f" (table {t.table})" if t.table is not None else ""
            out.append((f"Theme: {t.name}{where}", f"theme:{t.id}"))
    for g in list_groups(store, event_id):
        out.append((f"Group: {g.name}", f"group:{g.id}"))
    return out


class CircleControls:
    """The console's priority circle: place, take off, show on the projector."""

    def __init__(self, ctx: PageContext, say: Callable[..., None]) -> None:
        self.ctx = ctx
        self.say = say
        self.title = html_widget("<h2>Priority circle</h2>")
        self.subject = w.Dropdown(
            description="Theme or group", options=[], style=WIDE, layout=w.Layout(width="min(30em, 100%)")
        )
        self.subject.add_class("fac-circle-subject")
        self.area = w.Dropdown(description="Priority area", options=[], style=WIDE)
        self.area.add_class("fac-circle-area-choice")
        self.place_button = button("Place", self.place, "fac-circle-place", style="primary")
        self.clear_button = button("Take off the circle", self.clear, "fac-circle-clear")
        self.show_button = button("Show on the projector", self.toggle_shown, "fac-circle-show")
        self.listing = html_widget("", "fac-circle-list")
        self.widget = w.VBox(
            [
                self.title,
                w.HBox([self.subject, self.area, self.place_button, self.clear_button]),
                w.HBox([self.show_button]),
                self.listing,
            ]
        )
        self.widget.add_class("fac-circle-controls")
        self._shown = False

    def refresh(self, event: Event) -> None:
        """Redraw from the store."""
        store, ev = self.ctx.store, self.ctx.event_id
        self.widget.layout.display = "" if event.priority_areas else "none"
        if not event.priority_areas:
            return
        set_options(self.subject, circle_choices(store, ev))
        set_options(self.area, [(a, a) for a in event.priority_areas])
        self._shown = event.circle_shown
        label = "Hide from the projector" if event.circle_shown else "Show on the projector"
        if self.show_button.description != label:
            self.show_button.description = label
        circle = priority_circle(store, ev)
        rows = "".join(
            f"<li><strong>{esc(area)}</strong>: "
            + ("; ".join(f"{esc(p.name)} ({p.subject})" for p in circle.on(area)) or "none")
            + "</li>"
            for area in circle.areas
        )
        who = "Tables place their themes and groups too." if circle.placed_by == "tables" else ""
        set_html(self.listing, f"<ul>{rows}</ul>" + (f"<p>{esc(who)}</p>" if who else ""))

    def _chosen(self) -> tuple[str, int] | None:
        value = self.subject.value
        if not value:
            self.say("Choose a theme or a group first.", error=True)
            return None
        subject, _, number = str(value).partition(":")
        return subject, int(number)

    def place(self, _button: Any = None) -> bool:
        """Place the chosen theme or group on the chosen area."""
        chosen = self._chosen()
        if chosen is None:
            return False
        try:
            area = place(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, chosen[0], chosen[1], str(self.area.value)
            )
        except FacilitationError as exc:
            self.say(str(exc), error=True)
            return False
        self.say(f"Placed on {area}")
        self.ctx.watcher.check()
        return True

    def clear(self, _button: Any = None) -> bool:
        """Take the chosen theme or group off the circle."""
        chosen = self._chosen()
        if chosen is None:
            return False
        try:
            gone = clear_placement(self.ctx.store, self.ctx.actor, self.ctx.event_id, chosen[0], chosen[1])
        except FacilitationError as exc:
            self.say(str(exc), error=True)
            return False
        self.say("Taken off the circle" if gone else "It was not on the circle")
        self.ctx.watcher.check()
        return True

    def toggle_shown(self, _button: Any = None) -> bool:
        """Show the circle on the projector, or stop showing it."""
        try:
            shown = show_circle(self.ctx.store, self.ctx.actor, self.ctx.event_id, not self._shown)
        except FacilitationError as exc:
            self.say(str(exc), error=True)
            return False
        self.say(
            "The projector shows the priority circle" if shown else "The projector shows the phase again"
        )
        self.ctx.watcher.check()
        return True
