"""The system map on the pages: the table's panel and the projector's live picture.

The table's panel (:class:`SystemMapPanel`) is one anywidget drawn by the browser
from JSON state: a text box, a kind and Add for an element; two elements, a relation
and Add for an arrow; the table's own elements and arrows with Remove. It works with
the keyboard alone (forms: Tab and Enter), and every label reaches the page through
``textContent``. Each write names itself by the browser's draft id, so a message sent
twice (a retry after a dropped link) is stored once. The rules check the table, the
phase and the lock again, so a forged message writes nothing elsewhere.

The projector's picture (:class:`SystemMapPicture`) places the elements with the
collaboration map's seeded layout; elements already drawn keep their place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from facilitation.errors import FacilitationError
from facilitation.events import get_event
from facilitation.system_map import (
    ELEMENT_KINDS,
    INPUT,
    RELATIONS,
    add_arrow,
    add_element,
    remove_arrow,
    remove_element,
    system_map,
)
from facilitation.system_map.picture import KIND_COLOURS, RELATION_STYLES, picture_data
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import SavedState

__all__ = ["SystemMapBoard", "SystemMapPanel", "SystemMapPicture", "panel_state", "picture_widget"]

_HERE = Path(__file__).resolve().parent


def _token(table: int, draft: object) -> str | None:
    text = str(draft or "")[:40]
    return f"sysmap:{table}:{text}" if text.replace("-", "").isalnum() else None


class SystemMapBoard(anywidget.AnyWidget):
    """The browser side of the table's panel (state in, messages out)."""

    _esm = _HERE / "system_map_panel.js"
    _css = _HERE / "system_map_panel.css"
    elements = traitlets.List(traitlets.Dict()).tag(sync=True)
    arrows = traitlets.List(traitlets.Dict()).tag(sync=True)
    choices = traitlets.List(traitlets.Dict()).tag(sync=True)
    kinds = traitlets.List(traitlets.Unicode(), default_value=list(ELEMENT_KINDS)).tag(sync=True)
    relations = traitlets.List(traitlets.Unicode(), default_value=list(RELATIONS)).tag(sync=True)
    writable = traitlets.Bool(False).tag(sync=True)


def panel_state(store: Any, event_id: int, table: int) -> dict[str, Any]:
    """What a table's panel shows: its elements and arrows, and every element to draw arrows between.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(template="innovation-challenge-full-day", phase="system-map")
    >>> a = add_element(store, table_actor(1), ev, 1, "driver", "<i>Funding</i>")
    >>> b = add_element(store, table_actor(2), ev, 2, "actor", "GPs")
    >>> st = panel_state(store, ev, 1)
    >>> [e["label"] for e in st["elements"]], [c["text"] for c in st["choices"]]
    (['<i>Funding</i>'], ['<i>Funding</i> (driver)', 'GPs (actor, table 2)'])
    """
    m = system_map(store, event_id)
    shown = {e.id: e for e in m.elements}
    raw = {e.id: e for e in m.raw_elements}
    to = {e.id: e.id for e in m.elements} | {x: e.id for e in m.elements for x in e.merged}
    elements = [
        {
            "id": e.id,
            "kind": e.kind,
            "label": e.label,
            "merged": shown[to[e.id]].label if to.get(e.id) not in (None, e.id) else "",
        }
        for e in m.raw_elements
        if e.table == table
    ]
    choices = []
    for e in sorted(m.elements, key=lambda e: (table not in e.tables, e.label.casefold())):
        where = (
            ""
            if table in e.tables
            else ", " + ("table " + ", ".join(str(t) for t in e.tables) if e.tables else "facilitator")
        )
        choices.append({"id": e.id, "text": f"{e.label} ({e.kind}{where})"})
    arrows = [
        {
            "id": a.id,
            "relation": a.relation,
            "source_label": raw[a.source].label if a.source in raw else "",
            "target_label": raw[a.target].label if a.target in raw else "",
        }
        for a in m.raw_arrows
        if a.table == table
    ]
    return {"elements": elements, "arrows": arrows, "choices": choices}


class SystemMapPanel:
    """A table's system map panel on the table page (during a ``system-map`` phase).

    Parameters
    ----------
    ctx : PageContext
        The page's store, event and actor.
    table : int
        The table this page writes for.
    saved : SavedState
        The page's save line: "Saved", or "Not saved" with what to do.
    """

    def __init__(self, ctx: PageContext, table: int, saved: SavedState) -> None:
        self.ctx = ctx
        self.table = int(table)
        self.saved = saved
        self.board = SystemMapBoard()
        self.board.add_class("fac-sysmap")
        self.board.on_msg(self._on_message)
        self.widget = self.board
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the store; unchanged state sends nothing."""
        event = get_event(self.ctx.store, self.ctx.event_id)
        state = panel_state(self.ctx.store, self.ctx.event_id, self.table)
        is_open = event.phase.input == INPUT and not event.input_locked
        with self.board.hold_sync():
            for name, value in state.items():
                if getattr(self.board, name) != value:
                    setattr(self.board, name, value)
            if self.board.writable != is_open:
                self.board.writable = is_open

    def handle(self, content: dict[str, Any]) -> bool:
        """Do what a message from the browser asks; returns whether it was stored."""
        store, actor, ev = self.ctx.store, self.ctx.actor, self.ctx.event_id
        token = _token(self.table, content.get("draft"))
        op = content.get("op")
        try:
            if op == "element":
                label = str(content.get("label") or "")
                add_element(store, actor, ev, self.table, str(content.get("kind")), label, client_token=token)
                said = f"'{label.strip()}' is on the map"
            elif op == "arrow":
                add_arrow(
                    store,
                    actor,
                    ev,
                    self.table,
                    content.get("source"),  # type: ignore[arg-type]
                    str(content.get("relation")),
                    content.get("target"),  # type: ignore[arg-type]
                    client_token=token,
                )
                said = "the arrow is on the map"
            elif op == "remove_element":
                remove_element(store, actor, ev, content.get("id"), client_token=token)  # type: ignore[arg-type]
                said = "the element is removed"
            elif op == "remove_arrow":
                remove_arrow(store, actor, ev, content.get("id"), client_token=token)  # type: ignore[arg-type]
                said = "the arrow is removed"
            else:
                return False
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            self.board.send({"draft": content.get("draft"), "stored": False})
            return False
        self.board.send({"draft": content.get("draft"), "stored": True})
        self.saved.saved(said)
        self.refresh()
        return True

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict):
            self.handle(content)


def _fingerprint(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class SystemMapPicture(anywidget.AnyWidget):
    """The event-wide system map, drawn live on the projector.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor
    >>> store, ev = scratch_event(template="innovation-challenge-full-day", phase="system-map")
    >>> a = add_element(store, table_actor(1), ev, 1, "driver", "Funding")
    >>> p = SystemMapPicture(store, ev)
    >>> [n["label"] for n in p.nodes], p.refresh()
    (['Funding'], False)
    """

    _esm = _HERE / "system_map_picture.js"
    _css = _HERE / "system_map_picture.css"
    nodes = traitlets.List(traitlets.Dict()).tag(sync=True)
    edges = traitlets.List(traitlets.Dict()).tag(sync=True)
    figures = traitlets.List(traitlets.Dict()).tag(sync=True)
    title = traitlets.Unicode("A rough map of the system").tag(sync=True)
    message = traitlets.Unicode("No elements yet: tables add them from their pages.").tag(sync=True)
    kind_colours = traitlets.Dict(KIND_COLOURS).tag(sync=True)
    relation_styles = traitlets.Dict(RELATION_STYLES).tag(sync=True)
    font_px = traitlets.Int(22).tag(sync=True)
    height_px = traitlets.Int(640).tag(sync=True)

    def __init__(self, store: Any, event_id: int, *, seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.event_id = int(event_id)
        self.seed = int(seed)
        self.positions: dict[Hashable, tuple[float, float]] = {}
        self._mark = ""
        self.refresh()

    def refresh(self) -> bool:
        """Re-read the map; redraw only when it changed. Returns whether it did."""
        m = system_map(self.store, self.event_id)
        mark = _fingerprint(m.as_dict())
        if mark == self._mark:
            return False
        self._mark = mark
        drawing = picture_data(m, seed=self.seed, previous=self.positions)
        self.positions = drawing.positions
        tables = {t for e in m.elements for t in e.tables}
        with self.hold_sync():
            self.nodes = drawing.nodes
            self.edges = drawing.edges
            self.figures = [
                {"label": "elements", "text": str(len(m.elements))},
                {"label": "arrows", "text": str(len(m.arrows))},
                {"label": "tables mapping", "text": str(len(tables))},
            ]
        return True


def picture_widget(store: Any, event_id: int, **kwargs: Any) -> SystemMapPicture:
    """The projector's system map of an event."""
    return SystemMapPicture(store, event_id, **kwargs)


class SystemMapMerge:
    """The console's system map: merge one element into another (same thing, two tables' words)."""

    def __init__(self, ctx: PageContext, say: Any) -> None:
        import ipywidgets as w

        from facilitation.ui.widgets import WIDE, button, html_widget

        self.ctx = ctx
        self.say = say
        self.element = w.Dropdown(description="Merge", options=[], style=WIDE)
        self.element.add_class("fac-sysmap-merge-from")
        self.into = w.Dropdown(description="into", options=[], style=WIDE)
        self.into.add_class("fac-sysmap-merge-into")
        self.label = w.Text(description="New name (optional)", style=WIDE)
        self.label.add_class("fac-sysmap-merge-label")
        self.merge_button = button("Merge", self.merge, "fac-sysmap-merge", style="primary")
        self.listing = html_widget("", "fac-sysmap-console-list")
        self.widget = w.VBox(
            [
                html_widget("<h2>System map</h2>"),
                w.HBox([self.element, self.into, self.label, self.merge_button]),
                self.listing,
            ]
        )
        self.widget.add_class("fac-sysmap-console")

    def refresh(self, event: Any) -> None:
        """Redraw from the store (shown only during a system-map phase)."""
        from facilitation.ui.widgets import esc, set_html, set_options

        self.widget.layout.display = "" if event.phase.input == INPUT else "none"
        if event.phase.input != INPUT:
            return
        m = system_map(self.ctx.store, self.ctx.event_id)

        def text(e: Any) -> str:
            where = ", ".join(f"table {t}" for t in e.tables) or "facilitator"
            return f"{e.label} ({e.kind}, {where})"

        options = [(text(e), e.id) for e in sorted(m.elements, key=lambda e: e.label.casefold())]
        set_options(self.element, options)
        set_options(self.into, options)
        rows = "".join(
            f"<li>{esc(m.label_of(a.source))} <em>{esc(a.relation)}</em> {esc(m.label_of(a.target))}"
            + (f" ({a.count} tables)" if a.count > 1 else "")
            + "</li>"
            for a in m.arrows
        )
        set_html(
            self.listing,
            f"<p>{len(m.elements)} elements, {len(m.arrows)} arrows on the map.</p>"
            + (f"<ul>{rows}</ul>" if rows else ""),
        )

    def merge(self, _button: Any = None) -> bool:
        """Merge the first chosen element into the second."""
        from facilitation.system_map import merge_elements

        if self.element.value is None or self.into.value is None:
            self.say("Choose two elements to merge.", error=True)
            return False
        try:
            merge_elements(
                self.ctx.store,
                self.ctx.actor,
                self.ctx.event_id,
                int(self.element.value),
                int(self.into.value),
                label=self.label.value,
            )
        except FacilitationError as exc:
            self.say(str(exc), error=True)
            return False
        self.label.value = ""
        self.say("Merged")
        self.ctx.watcher.check()
        return True
