"""Grouping into themes on the pages, by keyboard: select entries, then "group as ...".

The table's board groups its own entries; the console's board merges table themes
into event-wide themes and promotes themes to task-and-finish groups; the projector
shows the themes. Every action is a rule called with the page's actor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from facilitation.capture import Entry, list_entries
from facilitation.errors import FacilitationError
from facilitation.events import Event, TableInfo
from facilitation.grouping import Theme, add_to_theme, create_theme, list_themes, merge_themes, ungroup
from facilitation.store import Store
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import SavedState, esc, html_widget, set_html

__all__ = ["ConsoleBoard", "TableBoard", "render_projector_themes", "render_themes"]

WIDE = {"description_width": "initial"}


def render_themes(themes: list[Theme], entries: dict[int, Entry], limit: int = 5) -> str:
    """Themes with their entries (escaped).

    Examples
    --------
    >>> from facilitation.grouping import Theme
    >>> "&lt;i&gt;" in render_themes([Theme(1, 1, "<i>", None, ())], {})
    True
    """
    out = []
    for t in themes:
        texts = list(dict.fromkeys(entries[i].text for i in t.entry_ids if i in entries))
        items = "".join(f"<li>{esc(text)}</li>" for text in texts[:limit])
        if len(texts) > limit:
            items += f'<li class="fac-more">and {len(texts) - limit} more</li>'

        where = "event-wide" if t.table is None else f"table {t.table}"
        merged = " \u00b7 merged" if t.merged_into else ""
        out.append(
            f'<section class="fac-card"><b>{esc(t.name)}</b> <span class="fac-evidence">({where}{merged}, '
            f"{len(t.entry_ids)} entries)</span><ul>{items}</ul></section>"
        )
    return "".join(out) or '<p class="fac-more">No themes yet.</p>'


def render_projector_themes(store: Store, event: Event, tables: list[TableInfo]) -> str:
    """The projector during grouping: event-wide themes first, then each table's themes."""
    themes = list_themes(store, event.id)
    entries = {e.id: e for e in list_entries(store, event.id)}
    wide = [t for t in themes if t.table is None]
    by_table: dict[int, list[Theme]] = defaultdict(list)
    for t in themes:
        if t.table is not None and t.merged_into is None:
            by_table[t.table].append(t)
    parts = []
    if wide:
        parts.append(f"<h2>Event-wide themes</h2><div class='fac-wall'>{render_themes(wide, entries)}</div>")
    cells = "".join(
        f"<section><h3>{esc(t.name)}</h3>{render_themes(by_table.get(t.number, []), {})}</section>"
        for t in tables
    )
    parts.append(f'<div class="fac-wall">{cells}</div>')
    return "".join(parts)


class TableBoard:
    """A table's grouping board: tick entries, then group them as a new or existing theme."""

    def __init__(self, ctx: PageContext, table: int, saved: SavedState) -> None:
        self.ctx = ctx
        self.table = int(table)
        self.saved = saved
        self.selected: set[int] = set()  # this page's selection, nobody else's
        self.checks: dict[int, w.Checkbox] = {}
        self.entry_rows = w.VBox([])
        self.entry_rows.add_class("fac-board-entries")
        self.theme_name = w.Text(description="New theme", placeholder="Name the theme", style=WIDE)
        self.theme_name.add_class("fac-theme-name")
        self.group_button = self._button("Group selected as new theme", self.group_as_new, "fac-group-as")
        self.theme_choice = w.Dropdown(description="Theme", options=[], style=WIDE)
        self.add_button = self._button("Add selected to theme", self.add_to_existing, "fac-add-to-theme")
        self.ungroup_button = self._button("Ungroup selected", self.ungroup_selected, "fac-ungroup")
        self.themes = html_widget("", "fac-board-themes")
        self.widget = w.VBox(
            [
                html_widget('<div class="fac-section-title">Group your entries into themes</div>'),
                self.entry_rows,
                w.HBox([self.theme_name, self.group_button]),
                w.HBox([self.theme_choice, self.add_button, self.ungroup_button]),
                self.themes,
            ]
        )
        self.widget.add_class("fac-board")
        self._shown: Any = None

    @staticmethod
    def _button(label: str, handler: Callable[[Any], Any], cls: str) -> w.Button:
        b = w.Button(description=label, layout=w.Layout(width="auto"))
        b.add_class(cls)
        b.on_click(handler)
        return b

    def refresh(self) -> None:
        """Redraw the entries (with their theme) and the table's themes."""
        entries = list_entries(self.ctx.store, self.ctx.event_id, table=self.table)
        themes = list_themes(self.ctx.store, self.ctx.event_id, table=self.table)
        names = {t.id: t.name for t in themes}
        key = (tuple((e.id, e.text, e.theme_id) for e in entries), tuple((t.id, t.name) for t in themes))
        if key == self._shown:
            return
        self._shown = key
        self.selected &= {e.id for e in entries}
        self.checks = {}
        rows = []
        for n, e in enumerate(entries, 1):
            box = w.Checkbox(value=e.id in self.selected, description=f"Select {e.kind} {n}", indent=False)
            box.observe(self._on_check(e.id), "value")
            self.checks[e.id] = box
            theme = f" \u2192 {esc(names.get(e.theme_id, ''))}" if e.theme_id else ""
            rows.append(w.HBox([box, html_widget(f'<div class="fac-card">{esc(e.text)}{theme}</div>')]))
        self.entry_rows.children = rows
        self.theme_choice.options = [(t.name, t.id) for t in themes]
        entries_by_id = {e.id: e for e in entries}
        set_html(self.themes, render_themes(themes, entries_by_id))

    def _on_check(self, entry_id: int) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            self.select(entry_id, bool(change["new"]))

        return changed

    def select(self, entry_id: int, on: bool = True) -> None:
        """Tick or untick an entry (this page's selection only)."""
        if on:
            self.selected.add(int(entry_id))
        else:
            self.selected.discard(int(entry_id))

    def _act(self, what: str, fn: Callable[[], Any]) -> bool:
        self.saved.saving(what)
        try:
            fn()
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        self.saved.saved(what)
        self.selected.clear()
        self.ctx.watcher.check()
        return True

    def group_as_new(self, _button: Any = None) -> bool:
        """Make a theme of the selected entries, named as typed."""
        name, ids = self.theme_name.value, sorted(self.selected)
        ok = self._act(
            f"grouped as {name}",
            lambda: create_theme(self.ctx.store, self.ctx.actor, self.ctx.event_id, self.table, name, ids),
        )
        if ok:
            self.theme_name.value = ""
        return ok

    def add_to_existing(self, _button: Any = None) -> bool:
        """Add the selected entries to the theme chosen in the list."""
        theme, ids = self.theme_choice.value, sorted(self.selected)
        if theme is None:
            self.saved.not_saved("Make a theme first.")
            return False
        return self._act(
            "added to theme",
            lambda: add_to_theme(self.ctx.store, self.ctx.actor, self.ctx.event_id, int(theme), ids),
        )

    def ungroup_selected(self, _button: Any = None) -> bool:
        """Take the selected entries out of their themes."""
        ids = sorted(self.selected)
        return self._act("ungrouped", lambda: ungroup(self.ctx.store, self.ctx.actor, self.ctx.event_id, ids))


class ConsoleBoard:
    """The console's themes from every table: tick themes, merge them, promote one to a group."""

    def __init__(self, ctx: PageContext, message: Callable[[str, bool], None]) -> None:
        self.ctx = ctx
        self.message = message
        self.selected: set[int] = set()
        self.rows = w.VBox([])
        self.rows.add_class("fac-console-themes")
        self.name = w.Text(description="Event-wide name", placeholder="Name of the merged theme", style=WIDE)
        self.merge_button = w.Button(description="Merge selected themes", layout=w.Layout(width="auto"))
        self.merge_button.add_class("fac-merge-themes")
        self.merge_button.on_click(self.merge_selected)
        self.promote_button = w.Button(
            description="Promote selected to task-and-finish group", layout=w.Layout(width="auto")
        )
        self.promote_button.add_class("fac-promote-theme")
        self.promote_button.on_click(self.promote_selected)
        self.widget = w.VBox(
            [
                html_widget("<h2>Themes</h2>"),
                self.rows,
                w.HBox([self.name, self.merge_button, self.promote_button]),
            ]
        )
        self._shown: Any = None

    def refresh(self) -> None:
        """Redraw the themes of every table and the event-wide themes."""
        themes = [t for t in list_themes(self.ctx.store, self.ctx.event_id) if t.merged_into is None]
        key = tuple((t.id, t.name, len(t.entry_ids)) for t in themes)
        if key == self._shown:
            return
        self._shown = key
        self.selected &= {t.id for t in themes}
        rows = []
        for t in themes:
            where = "event-wide" if t.table is None else f"table {t.table}"
            box = w.Checkbox(
                value=t.id in self.selected, description=f"Select theme {t.id} ({where})", indent=False
            )
            box.observe(self._on_check(t.id), "value")
            rows.append(
                w.HBox([box, html_widget(f'<div class="fac-card">{esc(t.name)} ({len(t.entry_ids)})</div>')])
            )
        self.rows.children = rows

    def _on_check(self, theme_id: int) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            (self.selected.add if change["new"] else self.selected.discard)(theme_id)

        return changed

    def merge_selected(self, _button: Any = None) -> bool:
        """Merge the selected themes into one event-wide theme."""
        try:
            merge_themes(
                self.ctx.store,
                self.ctx.actor,
                self.ctx.event_id,
                sorted(self.selected),
                self.name.value or None,
            )
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        self.selected.clear()
        self.name.value = ""
        self.message("Themes merged", False)
        self.ctx.watcher.check()
        return True

    def promote_selected(self, _button: Any = None) -> bool:
        """Make each selected theme a task-and-finish group."""
        from facilitation.plans import promote_theme

        try:
            for theme_id in sorted(self.selected):
                promote_theme(self.ctx.store, self.ctx.actor, self.ctx.event_id, theme_id)
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        self.selected.clear()
        self.message("Promoted to task-and-finish groups", False)
        self.ctx.watcher.check()
        return True
