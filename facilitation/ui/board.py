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
from facilitation.ui import lists
from facilitation.ui.console_board import ConsoleBoard
from facilitation.ui.dragboard import DragBoard, Drop
from facilitation.ui.lists import ListWidget
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import (
    EntryInput,
    SavedState,
    box_token,
    esc,
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
        self.drag = DragBoard()
        self.drag.on_drop(self.dropped)
        # the keyboard path: one list of the entries with a checkbox each (no second copy
        # of the themes: the board above shows them)
        self.entry_rows = ListWidget(
            title="Without dragging: tick entries, then group them",
            label="Our entries, to tick for grouping",
            empty="No entries to group yet.",
        )
        self.entry_rows.add_class("fac-board-entries")
        self.entry_rows.on_check(self.select)
        # the names save through the entry boxes' one mechanism (EntryInput): the name
        # travels with Enter, the box empties at once, and "Saved" comes from the kernel
        where = f"event-{ctx.event_id}-table-{self.table}"
        self.theme_name = EntryInput(
            label="New theme ", placeholder="Name the theme, then Enter", draft_key=f"{where}-theme-name"
        )
        self.theme_name.add_class("fac-theme-name")
        self.theme_name.on_submit(self.group_as_new)
        self.theme_name.answer_checks(self._scope("theme"), self._written, "theme")
        self.controls = lists.Controls(items=[])
        self.controls.add_class("fac-board-controls")
        for name, handler in (
            ("group", self.group_as_new),
            ("split", self.split_selected),
            ("add", self.add_to_existing),
            ("ungroup", self.ungroup_selected),
            ("rename", self.rename_chosen),
        ):
            self.controls.on_action(name, handler)
        self.rename_name = EntryInput(
            label="Rename to ", placeholder="New name, then Enter", draft_key=f"{where}-theme-rename"
        )
        self.rename_name.add_class("fac-rename-name")
        self.rename_name.on_submit(self.rename_chosen)
        self.rename_name.answer_checks(self._scope("rename"), self._written, "renamed")
        self.keyboard = w.VBox([self.entry_rows, self.theme_name, self.controls, self.rename_name])
        self.keyboard.add_class("fac-board-keyboard")
        self.widget = w.VBox([self.drag, self.keyboard])
        self.widget.add_class("fac-board")
        self._shown: Any = None
        self._theme_names: list[str] = []
        self._entries: list[Entry] = []
        self._names: dict[int, str] = {}

    @property
    def theme_choice(self) -> int | None:
        """The theme chosen in the controls (for add, split and rename)."""
        value = self.controls.get("theme")
        return int(value) if value.isdigit() else None

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
        self._entries, self._names = entries, names
        self._draw_rows()
        self.controls.set_items(
            [
                lists.action("group", "Group ticked as new theme", "fac-group-as"),
                lists.select(
                    "theme",
                    "Theme",
                    [("choose\u2026", "")] + [(t.name, str(t.id)) for t in themes],
                    "fac-theme-choice",
                ),
                lists.action("add", "Add ticked to theme", "fac-add-to-theme"),
                lists.action("split", "Split ticked out of the theme", "fac-split-theme"),
                lists.action("ungroup", "Ungroup ticked", "fac-ungroup"),
                lists.action("rename", "Rename the theme", "fac-rename-theme"),
            ]
        )

    def _draw_rows(self) -> None:
        rows = []
        for n, e in enumerate(self._entries, 1):
            theme = self._names.get(e.theme_id or 0, "")
            rows.append(
                lists.row(
                    e.id,
                    [
                        lists.cell(e.text, "fac-entry-body"),
                        lists.cell(f"\u2192 {theme}" if theme else "", "fac-evidence"),
                    ],
                    check={"label": f"Select {e.kind} {n}", "checked": e.id in self.selected},
                    cls="fac-card",
                )
            )
        self.entry_rows.show(rows)

    def _tick_selected(self) -> None:
        """The boxes show this page's selection."""
        self._draw_rows()

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
        theme, ids = self.theme_choice, sorted(self.selected)
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
        theme, name, ids = self.theme_choice, box.value, sorted(self.selected)
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
        theme, name = self.theme_choice, box.value
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
