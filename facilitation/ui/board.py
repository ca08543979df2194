"""Grouping into themes on the pages: drag cards, or select entries, then "group as ...".

The table's board groups its own entries (by drag and drop, or by keyboard), renames,
splits and ungroups; the console's board (``console_board.py``, re-exported here)
merges table themes into event-wide themes; the projector shows the themes. Every action is a rule called with the
page's actor, so a forged message is refused like a click.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from facilitation.capture.rules import Entry, list_entries
from facilitation.errors import FacilitationError
from facilitation.themes.grouping import (
    Theme,
    add_to_theme,
    create_theme,
    list_themes,
    rename_theme,
    split_theme,
    ungroup,
)
from facilitation.ui.console_board import ConsoleBoard
from facilitation.ui.dragboard import DragBoard, Drop
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import (
    WIDE,
    EntryInput,
    Rows,
    SavedState,
    box_token,
    button,
    esc,
    html_widget,
    set_html,
    set_options,
)

__all__ = ["ConsoleBoard", "TableBoard", "render_themes"]


def render_themes(themes: list[Theme], entries: dict[int, Entry], limit: int = 5) -> str:
    """Themes with their entries (escaped).

    Examples
    --------
    >>> from facilitation.themes.grouping import Theme
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


class TableBoard:
    """A table's grouping board: drag entries onto themes, or tick entries and group them
    as a new or existing theme; rename, split and ungroup."""

    def __init__(self, ctx: PageContext, table: int, saved: SavedState) -> None:
        self.ctx = ctx
        self.table = int(table)
        self.saved = saved
        self.saved_text = ""  # what the last write said it saved
        self.selected: set[int] = set()  # this page's selection, nobody else's
        self.checks: dict[int, w.Checkbox] = {}
        self.drag = DragBoard()
        self.drag.on_drop(self.dropped)
        self.rows: Rows[tuple[int, int, str, str, str]] = Rows(self._entry_row)
        self.entry_rows = self.rows.box
        self.entry_rows.add_class("fac-board-entries")
        # the names save through the entry boxes' one mechanism (EntryInput): the name
        # travels with Enter, the box empties at once, and "Saved" comes from the kernel
        where = f"event-{ctx.event_id}-table-{self.table}"
        self.theme_name = EntryInput(
            label="New theme ", placeholder="Name the theme, then Enter", draft_key=f"{where}-theme-name"
        )
        self.theme_name.add_class("fac-theme-name")
        self.theme_name.on_submit(self.group_as_new)
        self.theme_name.answer_checks(self._scope("theme"), self._written, "theme")
        self.group_button = button("Group selected as new theme", self.group_as_new, "fac-group-as")
        self.split_button = button(
            "Split selected out of the chosen theme", self.split_selected, "fac-split-theme"
        )
        self.theme_choice = w.Dropdown(description="Theme", options=[], style=WIDE)
        self.theme_choice.add_class("fac-theme-choice")
        self.add_button = button("Add selected to theme", self.add_to_existing, "fac-add-to-theme")
        self.ungroup_button = button("Ungroup selected", self.ungroup_selected, "fac-ungroup")
        self.rename_name = EntryInput(
            label="Rename to ", placeholder="New name, then Enter", draft_key=f"{where}-theme-rename"
        )
        self.rename_name.add_class("fac-rename-name")
        self.rename_name.on_submit(self.rename_chosen)
        self.rename_name.answer_checks(self._scope("rename"), self._written, "renamed")
        self.rename_button = button("Rename chosen theme", self.rename_chosen, "fac-rename-theme")
        self.themes = html_widget("", "fac-board-themes")
        self.keyboard = w.VBox(
            [
                html_widget('<div class="fac-section-title">Or without dragging: tick entries, then</div>'),
                self.entry_rows,
                w.HBox([self.theme_name, self.group_button, self.split_button]),
                w.HBox([self.theme_choice, self.add_button, self.ungroup_button]),
                w.HBox([self.rename_name, self.rename_button]),
            ]
        )
        self.keyboard.add_class("fac-board-keyboard")
        self.widget = w.VBox(
            [
                html_widget(
                    '<div class="fac-section-title">Group your entries into themes: drag a card onto a '
                    "theme, or onto \u201cnew theme\u201d</div>"
                ),
                self.drag,
                self.keyboard,
                self.themes,
            ]
        )
        self.widget.add_class("fac-board")
        self._shown: Any = None
        self._theme_names: list[str] = []

    def _scope(self, box: str) -> str:
        return f"table-{self.table}-{box}"

    def _written(self, token: str) -> bool:
        return self.ctx.store.written(token) is not None

    def _token(self, box: EntryInput, scope: str, text: str) -> str | None:
        """The name's client token: the browser's draft id names it, so a resend is one write."""
        return box_token(self._scope(scope), box.draft, text) if box.draft else None

    def _named(self, box: EntryInput, name: str, ok: bool) -> bool:
        """Answer the name box: stored (the browser says Saved), or refused (the name comes back)."""
        if ok:
            box.stored(box.draft, name, self.saved_text)
        else:
            box.not_stored(box.draft, name, refused=True)
        return ok

    def refresh(self) -> None:
        """Redraw the entries (with their theme) and the table's themes."""
        entries = list_entries(self.ctx.store, self.ctx.event_id, table=self.table)
        themes = list_themes(self.ctx.store, self.ctx.event_id, table=self.table)
        names = {t.id: t.name for t in themes}
        key = (tuple((e.id, e.text, e.theme_id) for e in entries), tuple((t.id, t.name) for t in themes))
        if key == self._shown:
            return
        self._shown = key
        self._theme_names = [t.name for t in themes]
        self.drag.themes = [{"id": t.id, "name": t.name} for t in themes]
        self.drag.entries = [
            {
                "id": e.id,
                "text": e.text,
                "kind": e.kind,
                "theme_id": e.theme_id if e.theme_id in names else None,
            }
            for e in entries
        ]
        shown = {e.id for e in entries}
        self.selected &= shown
        self.rows.show((n, e.id, e.kind, e.text, names.get(e.theme_id, "")) for n, e in enumerate(entries, 1))
        self.checks = {i: box for i, box in self.checks.items() if i in shown}
        set_options(self.theme_choice, [(t.name, t.id) for t in themes])
        entries_by_id = {e.id: e for e in entries}
        set_html(self.themes, render_themes(themes, entries_by_id))

    def _entry_row(self, row: tuple[int, int, str, str, str]) -> w.HBox:
        n, entry_id, kind, text, theme = row
        box = w.Checkbox(
            value=entry_id in self.selected,
            description=f"Select {kind} {n}",
            indent=False,
            layout=w.Layout(width="auto", min_width="9em"),
        )
        box.observe(self._on_check(entry_id), "value")
        self.checks[entry_id] = box
        into = f" \u2192 {esc(theme)}" if theme else ""
        return w.HBox([box, html_widget(f'<div class="fac-card">{esc(text)}{into}</div>')])

    def _tick_selected(self) -> None:
        """The boxes show this page's selection (rows kept from before a write stay ticked otherwise)."""
        for entry_id, box in self.checks.items():
            if box.value != (entry_id in self.selected):
                box.value = entry_id in self.selected

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
        self.saved_text = what
        try:
            fn()
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        except Exception:
            self.saved.not_saved("The event did not answer; what you typed is kept. Try again.")
            return False
        self.saved.saved(what)
        self.selected.clear()
        self._tick_selected()
        self.ctx.watcher.check()
        return True

    def _new_name(self) -> str:
        n = len(self._theme_names) + 1
        while f"Theme {n}" in self._theme_names:
            n += 1
        return f"Theme {n}"

    def dropped(self, drop: Drop) -> bool:
        """A card dropped in the browser: onto a theme, "new theme" or "not in a theme"."""
        store, actor, event_id, token = self.ctx.store, self.ctx.actor, self.ctx.event_id, drop.token or None
        if drop.target == "none":
            return self._act(
                "ungrouped", lambda: ungroup(store, actor, event_id, [drop.entry], client_token=token)
            )
        if drop.target == "new":
            name = drop.name.strip() or self._new_name()
            return self._act(
                f"grouped as {name}",
                lambda: create_theme(
                    store, actor, event_id, self.table, name, [drop.entry], client_token=token
                ),
            )
        return self._act(
            "added to theme",
            lambda: add_to_theme(store, actor, event_id, int(drop.target), [drop.entry], client_token=token),
        )

    def group_as_new(self, _button: Any = None) -> bool:
        """Make a theme of the selected entries, named as typed."""
        box = self.theme_name
        name, ids = box.value, sorted(self.selected)
        token = self._token(box, "theme", name)
        ok = self._act(
            f"grouped as {name}",
            lambda: create_theme(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, self.table, name, ids, client_token=token
            ),
        )
        return self._named(box, name, ok)

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

    def split_selected(self, _button: Any = None) -> bool:
        """Move the selected entries of the chosen theme into a new theme, named as typed."""
        box = self.theme_name
        theme, name, ids = self.theme_choice.value, box.value, sorted(self.selected)
        if theme is None:
            self.saved.not_saved("Choose the theme to split.")
            return self._named(box, name, False)
        ok = self._act(
            f"split into {name}",
            lambda: split_theme(self.ctx.store, self.ctx.actor, self.ctx.event_id, int(theme), ids, name),
        )
        return self._named(box, name, ok)

    def rename_chosen(self, _button: Any = None) -> bool:
        """Rename the theme chosen in the list."""
        box = self.rename_name
        theme, name = self.theme_choice.value, box.value
        if theme is None:
            self.saved.not_saved("Choose the theme to rename.")
            return self._named(box, name, False)
        token = self._token(box, "rename", name)
        ok = self._act(
            f"renamed to {name}",
            lambda: rename_theme(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, int(theme), name, client_token=token
            ),
        )
        return self._named(box, name, ok)
