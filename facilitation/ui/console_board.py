"""The console's themes: every table's themes side by side, merged into event-wide
themes by hand or from suggestions (accepted or dismissed), renamed, promoted; un-merged,
split, an entry moved, and the console's last grouping action undone; a voted (frozen)
theme reopened with a reason, or frozen again.

Every list is labelled by name, never by id; after any action the ticks are cleared
and drawn again, so what is ticked is always what the next button acts on.

Every action is a rule called with the page's actor: only the facilitator's key
is let through, whatever widget messages a page sends.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.themes.grouping import (
    Theme,
    dissolve_theme,
    last_undoable,
    list_themes,
    merge_themes,
    move_entry,
    rename_theme,
    split_wide_theme,
    undo_grouping,
    unmerge,
)
from facilitation.themes.reopening import close_reopening, reopen_theme, voted_themes
from facilitation.themes.suggestions import MergeSuggestion, dismiss_suggestion, suggest_merges
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import WIDE, esc, html_widget, replace_children, set_options, typed_label

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
        self.name = w.Text(
            description="Event-wide name",
            placeholder="Name of the merged or split-out theme",
            style=WIDE,
            layout=w.Layout(width="28em"),
        )
        self.name.add_class("fac-merge-name")
        self.merge_button = w.Button(description="Merge selected themes", layout=w.Layout(width="auto"))
        self.merge_button.add_class("fac-merge-themes")
        self.merge_button.on_click(self.merge_selected)
        self.promote_button = w.Button(
            description="Promote selected to task-and-finish group", layout=w.Layout(width="auto")
        )
        self.promote_button.add_class("fac-promote-theme")
        self.promote_button.on_click(self.promote_selected)
        self.unmerge_button = w.Button(description="Un-merge selected", layout=w.Layout(width="auto"))
        self.unmerge_button.add_class("fac-unmerge-themes")
        self.unmerge_button.on_click(self.unmerge_selected)
        self.split_button = w.Button(
            description="Split selected into a new event-wide theme", layout=w.Layout(width="auto")
        )
        self.split_button.add_class("fac-split-theme")
        self.split_button.on_click(self.split_selected)
        self.undo_button = w.Button(description="Undo", layout=w.Layout(width="auto"))
        self.undo_button.add_class("fac-undo-grouping")
        self.undo_button.on_click(self.undo)
        # move one entry to another theme of its table (or out of any)
        self.entry_choice = w.Dropdown(
            description="Move entry", options=[], style=WIDE, layout=w.Layout(width="34em")
        )
        self.entry_choice.add_class("fac-move-entry-choice")
        self.entry_choice.observe(self._on_entry, "value")
        self.target_choice = w.Dropdown(
            description="to", options=[], style=WIDE, layout=w.Layout(width="22em")
        )
        self.target_choice.add_class("fac-move-entry-target")
        self.move_button = w.Button(description="Move", layout=w.Layout(width="auto"))
        self.move_button.add_class("fac-move-entry")
        self.move_button.on_click(self.move_selected_entry)
        self.move_row = w.HBox(
            [self.entry_choice, self.target_choice, self.move_button], layout=w.Layout(flex_wrap="wrap")
        )
        self.move_row.add_class("fac-move-row")
        self._entries: dict[int, tuple[int, int | None, str]] = {}  # entry id -> (table, theme, text)
        self._themes: dict[int, Theme] = {}
        self._promoted: dict[int, str] = {}
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
                w.HBox([self.unmerge_button, self.split_button, self.undo_button]),
                self.move_row,
                self.rename_row,
                self.reopen_row,
                html_widget("<h3>Suggested merges</h3>"),
                self.suggestion_rows,
            ]
        )
        self._shown: Any = None

    def refresh(self) -> None:
        """Redraw the themes of every table, the event-wide themes and the suggestions."""
        from facilitation.capture import list_entries
        from facilitation.plans import list_groups

        self._draw_voted()
        store, event_id = self.ctx.store, self.ctx.event_id
        every = list_themes(store, event_id)
        groups = {g.theme_id: g.name for g in list_groups(store, event_id) if g.theme_id is not None}
        entries = {e.id: (e.table, e.theme_id, e.text) for e in list_entries(store, event_id)}
        undo = last_undoable(store, event_id)
        key = (
            tuple((t.id, t.name, t.entry_ids, t.member_theme_ids, t.merged_into) for t in every),
            tuple(sorted(groups.items())),
            tuple(sorted(entries.items())),
            undo,
        )
        if key == self._shown:
            return
        self._shown = key
        self._themes = {t.id: t for t in every}
        self._promoted = groups
        self._entries = entries
        self.selected &= set(self._themes)
        rows = []
        for t in every:
            if t.merged_into is not None:
                continue  # drawn under its event-wide theme
            rows.append(self._theme_row(t))
            rows.extend(
                self._theme_row(self._themes[m], member=True) for m in t.member_theme_ids if m in self._themes
            )
        replace_children(
            self.rows,
            rows or [html_widget('<p class="fac-more">No themes yet: tables group their entries first.</p>')],
        )
        wide = [(t.name, t.id) for t in every if t.table is None]
        set_options(self.wide_choice, wide)
        self.rename_row.layout.display = "" if wide else "none"
        self.undo_button.description = f"Undo {undo}" if undo else "Undo"
        self.undo_button.disabled = undo is None
        self._draw_move()
        self._draw_suggestions({t.id: t for t in every if t.merged_into is None})

    def _label(self, t: Theme) -> str:
        if t.table is None:
            return f"Select theme '{t.name}' (event-wide)"
        if t.merged_into is not None and t.merged_into in self._themes:
            return f"Select theme '{t.name}' (table {t.table}, in '{self._themes[t.merged_into].name}')"
        return f"Select theme '{t.name}' (table {t.table})"

    def _theme_row(self, t: Theme, *, member: bool = False) -> w.HBox:
        box = w.Checkbox(
            value=t.id in self.selected,
            **typed_label(self._label(t)),
            indent=False,
            layout=w.Layout(width="auto", min_width="12em"),
        )
        box.observe(self._on_check(t.id), "value")
        where = "event-wide" if t.table is None else f"table {t.table}"
        group = self._promoted.get(t.id)
        mark = (
            f' <span class="fac-badge fac-badge-done">task-and-finish group: {esc(group)}</span>'
            if group
            else ""
        )
        size = f"{len(t.member_theme_ids)} table themes, " if t.table is None else ""
        card = html_widget(
            f'<div class="fac-card">{esc(t.name)} <span class="fac-evidence">{esc(where)} \u00b7 '
            f"{size}{len(t.entry_ids)} entries</span>{mark}</div>"
        )
        row = w.HBox([box, card])
        row.add_class("fac-console-theme")
        if member:
            row.add_class("fac-console-member")
        if group:
            row.add_class("fac-console-promoted")
        return row

    def _draw_move(self) -> None:
        options = []
        for eid, (table, theme, text) in sorted(self._entries.items(), key=lambda kv: (kv[1][0], kv[0])):
            where = f"in '{self._themes[theme].name}'" if theme in self._themes else "in no theme"
            short = text if len(text) <= 60 else text[:57] + "..."
            options.append((f"Table {table}: {short} ({where})", eid))
        set_options(self.entry_choice, options)
        self.move_row.layout.display = "" if options else "none"
        self._on_entry()

    def _on_entry(self, _change: Any = None) -> None:
        eid = self.entry_choice.value
        if eid is None or eid not in self._entries:
            set_options(self.target_choice, [])
            return
        table, current, _ = self._entries[eid]
        options: list[tuple[str, Any]] = [
            (f"'{t.name}' (table {table})", t.id)
            for t in self._themes.values()
            if t.table == table and t.id != current
        ]
        if current is not None:
            options.append(("no theme (ungrouped)", -1))
        set_options(self.target_choice, options)

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
        self._shown = None  # suggestions depend on dismissals too; the ticks are drawn again
        self.selected.clear()
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

    def _chosen(self, verb: str) -> list[Theme] | None:
        chosen = [self._themes[i] for i in sorted(self.selected) if i in self._themes]
        if not chosen:
            self.message(f"Tick a theme to {verb} first: nothing is selected.", True)
            return None
        return chosen

    def merge_selected(self, _button: Any = None) -> bool:
        """Merge the ticked themes into one event-wide theme: a ticked event-wide theme takes the
        others in; else a new one, named as typed or after the first ticked theme."""
        chosen = self._chosen("merge")
        if chosen is None:
            return False
        wide = [t for t in chosen if t.table is None]
        into = wide[0].id if len(wide) == 1 else None
        others = [t.id for t in chosen if t.id != into]
        name = self.name.value.strip() or (None if into is not None else chosen[0].name)
        if into is not None and not others:
            self.message(
                f"'{wide[0].name}' is already event-wide: tick the table themes to merge into it.", True
            )
            return False
        try:
            target = merge_themes(self.ctx.store, self.ctx.actor, self.ctx.event_id, others, name, into=into)
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        self.name.value = ""
        shown = name or (self._themes[into].name if into is not None else str(target))
        return self._after(f"Merged into '{shown}'")

    def promote_selected(self, _button: Any = None) -> bool:
        """Make each ticked theme a task-and-finish group."""
        from facilitation.plans import promote_theme

        chosen = self._chosen("promote")
        if chosen is None:
            return False
        done = []
        for t in chosen:
            try:
                promote_theme(self.ctx.store, self.ctx.actor, self.ctx.event_id, t.id)
            except FacilitationError as exc:
                self._after("Promoted " + ", ".join(f"'{n}'" for n in done) if done else "")
                self.message(str(exc), True)
                return False
            done.append(t.name)
        return self._after("Promoted to task-and-finish groups: " + ", ".join(f"'{n}'" for n in done))

    def unmerge_selected(self, _button: Any = None) -> bool:
        """Take ticked table themes out of their event-wide theme; a ticked event-wide theme
        is un-merged whole (its table themes go back to their tables)."""
        chosen = self._chosen("un-merge")
        if chosen is None:
            return False
        wide = [t for t in chosen if t.table is None]
        members = [t for t in chosen if t.table is not None and t.merged_into is not None]
        if not wide and not members:
            self.message("The ticked themes are in no event-wide theme: nothing to un-merge.", True)
            return False
        try:
            if members:
                unmerge(self.ctx.store, self.ctx.actor, self.ctx.event_id, [t.id for t in members])
            for t in wide:
                dissolve_theme(self.ctx.store, self.ctx.actor, self.ctx.event_id, t.id)
        except FacilitationError as exc:
            self._shown = None
            self.message(str(exc), True)
            return False
        return self._after("Un-merged " + ", ".join(f"'{t.name}'" for t in [*wide, *members]))

    def split_selected(self, _button: Any = None) -> bool:
        """Move the ticked table themes of one event-wide theme into a new event-wide theme."""
        chosen = self._chosen("split out")
        if chosen is None:
            return False
        parents = {t.merged_into for t in chosen}
        if None in parents or len(parents) != 1:
            self.message(
                "Tick table themes of one event-wide theme (shown under it) to split them out.", True
            )
            return False
        (parent,) = parents
        assert parent is not None
        name = self.name.value.strip() or chosen[0].name
        try:
            split_wide_theme(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, parent, [t.id for t in chosen], name
            )
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        self.name.value = ""
        return self._after(f"Split '{name}' out of '{self._themes[parent].name}'")

    def move_selected_entry(self, _button: Any = None) -> bool:
        """Move the chosen entry into the chosen theme of its table (or out of any)."""
        eid, target = self.entry_choice.value, self.target_choice.value
        if eid is None or target is None:
            self.message("Choose an entry and the theme it goes to.", True)
            return False
        try:
            move_entry(
                self.ctx.store,
                self.ctx.actor,
                self.ctx.event_id,
                int(eid),
                None if target == -1 else int(target),
            )
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        where = "out of its theme" if target == -1 else f"into '{self._themes[int(target)].name}'"
        return self._after(f"Moved the entry {where}")

    def undo(self, _button: Any = None) -> bool:
        """Take back the console's last grouping action."""
        try:
            what = undo_grouping(self.ctx.store, self.ctx.actor, self.ctx.event_id)
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        return self._after(f"Undone: {what}")
