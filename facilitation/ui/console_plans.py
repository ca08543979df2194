"""The console's task-and-finish groups: every promoted group with its lead table (pick
one when it has none), how far its plan is, and the plan form for any group.

A group promoted from a merged (event-wide) theme has no table of its own: here the
facilitator chooses which table leads it, or drafts its plan. Each change calls
:func:`facilitation.plans.rules.update_group` as the page's actor; the rule lets the
facilitator through and nobody else for the lead table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.events import list_tables
from facilitation.plans import Group, list_groups, update_group
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import WIDE, esc, html_widget, replace_children, set_options, typed_label

__all__ = ["ConsolePlans", "plan_status"]

NO_LEAD = -1


def plan_status(group: Group) -> str:
    """How far a group's plan is, in words.

    Examples
    --------
    >>> from facilitation.plans import Group
    >>> g = Group(1, 1, "Falls", 3, "Falls", None, "", "", "", "", (), {}, "", 4)
    >>> plan_status(g)
    'no lead table, no plan yet'
    >>> plan_status(Group(1, 1, "Falls", 3, "Falls", 2, "One pathway", "Ama", "", "", (), {}, "", 4))
    'plan started: purpose, lead; 0 first actions'
    """
    parts = [
        name
        for name, value in (
            ("purpose", group.purpose),
            ("lead", group.lead),
            ("sponsor", group.sponsor),
            ("key question", group.key_question),
            ("first meeting", group.review_dates.get("first", "")),
        )
        if value
    ]
    lead = "" if group.lead_table is not None else "no lead table, "
    if not parts and not group.actions:
        return f"{lead}no plan yet"
    return (
        f"{lead}plan started: {', '.join(parts) or 'nothing in the form'}; {len(group.actions)} first actions"
    )


class ConsolePlans:
    """Every group: its lead-table picker and plan status; a plan form for the chosen group."""

    def __init__(self, ctx: PageContext, message: Callable[[str, bool], None]) -> None:
        self.ctx = ctx
        self.message = message
        self.groups: list[Group] = []
        self.rows = w.VBox([])
        self.rows.add_class("fac-console-groups")
        self.pickers: dict[int, w.Dropdown] = {}
        self.choice = w.Dropdown(description="Plan of", options=[], style=WIDE)
        self.choice.add_class("fac-console-plan-choice")
        self.choice.observe(self._on_choice, "value")
        full = w.Layout(width="100%")
        half = w.Layout(width="48%")
        self.purpose = w.Textarea(
            description="Purpose", placeholder="What will this group achieve?", style=WIDE, layout=full
        )
        self.purpose.add_class("fac-console-plan-purpose")
        self.lead = w.Text(description="Lead", placeholder="Who leads the group", style=WIDE, layout=half)
        self.lead.add_class("fac-console-plan-lead")
        self.sponsor = w.Text(description="Sponsor", placeholder="Who sponsors it", style=WIDE, layout=half)
        self.sponsor.add_class("fac-console-plan-sponsor")
        self.key_question = w.Text(
            description="Key question", placeholder="What will tell us it worked?", style=WIDE, layout=full
        )
        self.key_question.add_class("fac-console-plan-question")
        self.first = w.DatePicker(description="First meeting", style=WIDE)
        self.first.add_class("fac-console-plan-first")
        self.save_button = w.Button(
            description="Save plan", button_style="primary", layout=w.Layout(width="auto")
        )
        self.save_button.add_class("fac-console-plan-save")
        self.save_button.on_click(self.save_plan)
        self.form = w.VBox(
            [
                self.choice,
                self.purpose,
                w.HBox(
                    [self.lead, self.sponsor], layout=w.Layout(width="100%", justify_content="space-between")
                ),
                self.key_question,
                w.HBox([self.first, self.save_button]),
            ]
        )
        self.form.add_class("fac-console-plan-form")
        self.widget = w.VBox([html_widget("<h2>Task-and-finish groups</h2>"), self.rows, self.form])
        self.widget.add_class("fac-console-plans")
        self._shown: Any = None
        self._loaded: int | None = None

    def refresh(self) -> None:
        """Redraw the groups when they changed (the form keeps what is typed)."""
        store, event_id = self.ctx.store, self.ctx.event_id
        groups = list_groups(store, event_id)
        tables = [(t.name, t.number) for t in list_tables(store, event_id)]
        key = (tuple((g.id, g.name, g.lead_table, plan_status(g)) for g in groups), tuple(tables))
        self.widget.layout.display = "" if groups else "none"
        if key == self._shown:
            return
        self._shown = key
        self.groups = groups
        rows = []
        self.pickers = {}
        for g in groups:
            picker = w.Dropdown(
                **typed_label(f"Lead table of '{g.name}'"),
                options=[("No lead table (the facilitator drafts)", NO_LEAD), *tables],
                value=g.lead_table if g.lead_table is not None else NO_LEAD,
                style=WIDE,
                layout=w.Layout(width="auto", min_width="28em"),
            )
            picker.add_class("fac-console-lead-table")
            picker.observe(partial(self._on_lead, g.id), "value")
            self.pickers[g.id] = picker
            status = html_widget(
                f'<div class="fac-card"><strong>{esc(g.name)}</strong> '
                f'<span class="fac-evidence">{esc(plan_status(g))}</span></div>'
            )
            row = w.HBox([status, picker])
            row.add_class("fac-console-group")
            rows.append(row)
        replace_children(self.rows, rows)
        set_options(self.choice, [(g.name, g.id) for g in groups])
        if self.choice.value is not None and self.choice.value != self._loaded:
            self._load(int(self.choice.value))

    def _group(self, group_id: int) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def _load(self, group_id: int) -> None:
        from datetime import date

        g = self._group(group_id)
        if g is None:
            return
        self._loaded = group_id
        self.purpose.value = g.purpose
        self.lead.value = g.lead
        self.sponsor.value = g.sponsor
        self.key_question.value = g.key_question
        first = g.review_dates.get("first")
        self.first.value = date.fromisoformat(first) if first else None

    def _on_choice(self, change: dict[str, Any]) -> None:
        if change.get("new") is not None:
            self._load(int(change["new"]))

    def _on_lead(self, group_id: int, change: dict[str, Any]) -> None:
        self.set_lead(group_id, change["new"])

    def set_lead(self, group_id: int, table: int | None) -> bool:
        """Make ``table`` lead the group (``None`` or -1: no table; the facilitator drafts it)."""
        lead = None if table in (None, NO_LEAD) else int(table)  # type: ignore[arg-type]
        g = self._group(group_id)
        try:
            update_group(self.ctx.store, self.ctx.actor, self.ctx.event_id, group_id, lead_table=lead)
        except FacilitationError as exc:
            self._shown = None
            self.message(str(exc), True)
            return False
        name = g.name if g else "the group"
        self.message(
            f"Table {lead} leads '{name}'" if lead is not None else f"'{name}' has no lead table", False
        )
        self.ctx.watcher.check()
        return True

    def save_plan(self, _button: Any = None) -> bool:
        """Store the form as the chosen group's plan."""
        group_id = self.choice.value
        if group_id is None:
            self.message("Promote a theme to a group first: there is no plan to save.", True)
            return False
        fields: dict[str, Any] = {
            "purpose": self.purpose.value,
            "lead": self.lead.value,
            "sponsor": self.sponsor.value,
            "key_question": self.key_question.value,
        }
        if self.first.value is not None:
            fields["review_dates"] = {"first": self.first.value.isoformat()}
        try:
            update_group(self.ctx.store, self.ctx.actor, self.ctx.event_id, int(group_id), **fields)
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        g = self._group(int(group_id))
        self.message(f"Plan of '{g.name if g else group_id}' saved", False)
        self.ctx.watcher.check()
        return True
