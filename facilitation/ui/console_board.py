"""The console's themes: every table's themes side by side, merged into event-wide
themes by hand or from suggestions (accepted or dismissed), renamed, promoted; a voted
(frozen) theme reopened with a reason, or frozen again.

Every action is a rule called with the page's actor: only the facilitator's key
is let through, whatever widget messages a page sends.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.themes.grouping import Theme, list_themes, merge_themes, rename_theme
from facilitation.themes.reopening import close_reopening, reopen_theme, voted_themes
from facilitation.themes.suggestions import MergeSuggestion, dismiss_suggestion, suggest_merges
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import WIDE, esc, html_widget, replace_children, set_options

__all__ = ["ConsoleBoard"]


class ConsoleBoard:
    """The console's themes from every table: tick themes, merge them, promote one to a group;
    suggested merges to accept or dismiss; event-wide themes to rename."""

    def __init__(self, ctx: PageContext, message: Callable[[str, bool], None]) -> None:
        self.ctx = ctx
        self.message = message
        self.selected: set[int] = set()
        self.suggestions: list[MergeSuggestion] = []
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
        self.suggestion_rows = w.VBox([])
        self.suggestion_rows.add_class("fac-suggestions")
        self.wide_choice = w.Dropdown(description="Event-wide theme", options=[], style=WIDE)
        self.wide_choice.add_class("fac-wide-choice")
        self.wide_name = w.Text(description="Rename to", placeholder="New name", style=WIDE)
        self.wide_name.add_class("fac-wide-name")
        self.rename_button = w.Button(description="Rename", layout=w.Layout(width="auto"))
        self.rename_button.add_class("fac-rename-wide")
        self.rename_button.on_click(self.rename_wide)
        self.rename_row = w.HBox([self.wide_choice, self.wide_name, self.rename_button])
        # A voted theme is frozen: the facilitator reopens it here, with a reason.
        self.voted_choice = w.Dropdown(description="Voted theme", options=[], style=WIDE)
        self.voted_choice.add_class("fac-voted-choice")
        self.reason = w.Text(
            description="Reason", placeholder="Why it must change (on the record)", style=WIDE
        )
        self.reason.add_class("fac-reopen-reason")
        self.reopen_button = w.Button(description="Reopen", layout=w.Layout(width="auto"))
        self.reopen_button.add_class("fac-reopen-theme")
        self.reopen_button.on_click(self.reopen)
        self.freeze_button = w.Button(description="Freeze again", layout=w.Layout(width="auto"))
        self.freeze_button.add_class("fac-freeze-theme")
        self.freeze_button.on_click(self.freeze)
        self.reopen_row = w.VBox(
            [
                html_widget("<h3>Reopen a voted theme</h3>"),
                w.HBox([self.voted_choice, self.reason, self.reopen_button, self.freeze_button]),
            ]
        )
        self.reopen_row.layout.display = "none"
        self.widget = w.VBox(
            [
                html_widget("<h2>Themes</h2>"),
                self.rows,
                w.HBox([self.name, self.merge_button, self.promote_button]),
                self.rename_row,
                self.reopen_row,
                html_widget("<h3>Suggested merges</h3>"),
                self.suggestion_rows,
            ]
        )
        self._shown: Any = None

    def refresh(self) -> None:
        """Redraw the themes of every table, the event-wide themes and the suggestions."""
        self._draw_voted()
        themes = [t for t in list_themes(self.ctx.store, self.ctx.event_id) if t.merged_into is None]
        key = tuple((t.id, t.name, len(t.entry_ids), t.member_theme_ids) for t in themes)
        if key == self._shown:
            return
        self._shown = key
        self.selected &= {t.id for t in themes}
        rows = []
        for t in themes:
            where = "event-wide" if t.table is None else f"table {t.table}"
            box = w.Checkbox(
                value=t.id in self.selected,
                description=f"Select theme {t.id} ({where})",
                indent=False,
                layout=w.Layout(width="auto", min_width="12em"),
            )
            box.observe(self._on_check(t.id), "value")
            rows.append(
                w.HBox([box, html_widget(f'<div class="fac-card">{esc(t.name)} ({len(t.entry_ids)})</div>')])
            )
        replace_children(self.rows, rows)
        wide = [(t.name, t.id) for t in themes if t.table is None]
        set_options(self.wide_choice, wide)
        self.rename_row.layout.display = "" if wide else "none"
        self._draw_suggestions({t.id: t for t in themes})

    def _draw_suggestions(self, by_id: dict[int, Theme]) -> None:
        try:
            self.suggestions = suggest_merges(self.ctx.store, self.ctx.event_id)
        except FacilitationError:
            self.suggestions = []
        rows = []
        for n, sug in enumerate(self.suggestions):
            names = " + ".join(
                esc(by_id[i].name) + (f" (table {by_id[i].table})" if by_id[i].table is not None else "")
                for i in sug.theme_ids
                if i in by_id
            )
            why = ", ".join(esc(word) for word in sug.reason)
            text = html_widget(
                f'<div class="fac-card">{names} <span class="fac-evidence">\u2192 '
                f"\u201c{esc(sug.name)}\u201d \u00b7 shared words: {why}</span></div>"
            )
            accept = w.Button(
                description="Accept",
                tooltip=f"Merge as {sug.name}",
                button_style="success",
                layout=w.Layout(width="auto"),
            )
            accept.add_class("fac-suggestion-accept")
            accept.on_click(partial(self._click_accept, n))
            dismiss = w.Button(description="Dismiss", layout=w.Layout(width="auto"))
            dismiss.add_class("fac-suggestion-dismiss")
            dismiss.on_click(partial(self._click_dismiss, n))
            row = w.HBox([text, accept, dismiss])
            row.add_class("fac-suggestion")
            rows.append(row)
        replace_children(
            self.suggestion_rows,
            rows or [html_widget('<p class="fac-more">No suggested merges right now.</p>')],
        )

    def _click_accept(self, index: int, _button: Any = None) -> None:
        self.accept(index)

    def _click_dismiss(self, index: int, _button: Any = None) -> None:
        self.dismiss(index)

    def _after(self, text: str) -> bool:
        self._shown = None  # suggestions depend on dismissals too
        self.message(text, False)
        self.ctx.watcher.check()
        self.refresh()
        return True

    def accept(self, index: int) -> bool:
        """Merge the themes of a suggestion, under its name (into its event-wide theme, if any)."""
        if not 0 <= index < len(self.suggestions):
            return False
        sug = self.suggestions[index]
        try:
            merge_themes(
                self.ctx.store,
                self.ctx.actor,
                self.ctx.event_id,
                list(sug.theme_ids),
                sug.name,
                into=sug.into,
            )
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        return self._after(f"Merged as {sug.name}")

    def dismiss(self, index: int) -> bool:
        """Never suggest these themes together again."""
        if not 0 <= index < len(self.suggestions):
            return False
        sug = self.suggestions[index]
        try:
            dismiss_suggestion(self.ctx.store, self.ctx.actor, self.ctx.event_id, list(sug.theme_ids))
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        return self._after("Suggestion dismissed")

    def rename_wide(self, _button: Any = None) -> bool:
        """Rename the event-wide theme chosen in the list."""
        theme, name = self.wide_choice.value, self.wide_name.value
        if theme is None:
            self.message("Choose an event-wide theme to rename.", True)
            return False
        try:
            rename_theme(self.ctx.store, self.ctx.actor, self.ctx.event_id, int(theme), name)
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        self.wide_name.value = ""
        return self._after(f"Renamed to {name}")

    def _draw_voted(self) -> None:
        voted = voted_themes(self.ctx.store, self.ctx.event_id)
        state = {True: "reopened", False: "frozen"}
        set_options(self.voted_choice, [(f"{v.theme.name} ({state[v.reopened]})", v.theme.id) for v in voted])
        self.reopen_row.layout.display = "" if voted else "none"

    def reopen(self, _button: Any = None) -> bool:
        """Reopen the voted theme chosen in the list, with the reason typed (kept on an error)."""
        theme = self.voted_choice.value
        if theme is None:
            self.message("Choose a voted theme to reopen.", True)
            return False
        try:
            reopen_theme(self.ctx.store, self.ctx.actor, self.ctx.event_id, int(theme), self.reason.value)
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        self.reason.value = ""
        return self._after("Reopened: change it now; it freezes again when the phase moves")

    def freeze(self, _button: Any = None) -> bool:
        """Freeze the chosen reopened theme again."""
        theme = self.voted_choice.value
        if theme is None:
            self.message("Choose a reopened theme to freeze again.", True)
            return False
        try:
            close_reopening(self.ctx.store, self.ctx.actor, self.ctx.event_id, int(theme))
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        return self._after("Frozen again")

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
        from facilitation.plans.rules import promote_theme

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
