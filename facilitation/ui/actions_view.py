"""A task-and-finish group's first actions, on the page of the table that leads the group.

Part of the plan (:mod:`facilitation.ui.plans_view`): the action form (text, owner,
due date, status) adds an action or saves the edit of one, and the list below it
offers Edit and Remove on each. Every write goes through the plan's own write, which
checks that this table leads a group; :mod:`facilitation.plans.rules` checks it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as w

from facilitation.plans import ACTION_STATUSES, Action, add_action, remove_action, update_action
from facilitation.ui import lists
from facilitation.ui.lists import ListWidget
from facilitation.ui.widgets import (
    WIDE,
    EntryInput,
    SavedState,
    box_token,
    esc,
    new_token,
)

__all__ = ["ActionsForm", "action_card", "parse_day"]


def action_card(action: Action) -> str:
    """One action as escaped HTML: the text, then owner, due date and status.

    Examples
    --------
    >>> from facilitation.plans.rules import Action
    >>> html = action_card(Action(1, 1, "<Map> flows", "Ama", "2027-03-31", "not started", "", None))
    >>> "&lt;Map&gt;" in html, "due 2027-03-31" in html
    (True, True)
    """
    bits = [f"owner {action.owner}" if action.owner else "no owner yet"]
    if action.due_on:
        bits.append(f"due {action.due_on}")
    bits.append(action.status)
    return (
        f'<div class="fac-card"><span class="fac-entry-body">{esc(action.text)}</span>'
        f'<span class="fac-evidence">({esc(", ".join(bits))})</span></div>'
    )


def parse_day(value: str | None) -> date | None:
    """A stored ISO day for a date picker (None when empty or not a day).

    Examples
    --------
    >>> parse_day("2027-03-31"), parse_day(""), parse_day("next week")
    (datetime.date(2027, 3, 31), None, None)
    """
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


Write = Callable[..., bool]


class ActionsForm:
    """The first actions of the group the plan shows: the form, then the list.

    Parameters
    ----------
    saved : SavedState
        The page's saved-state indicator.
    write : callable
        ``write(what, rule, *args, **kwargs)``: calls a rule as the page's actor and
        shows saved or why not (the plan's own, which needs a group this table leads).
    group_id : callable
        The group this page writes for (None when this table leads none); the rules
        check that this table leads it.
    changed : callable
        Called after a write, so the page redraws from the store.
    scope : str
        Names this table's action drafts (their client tokens and the browser's drafts).
    written : callable, optional
        ``written(token)``: whether the store has the write of ``token`` (answers a
        browser that lost a reply).
    """

    def __init__(
        self,
        saved: SavedState,
        write: Write,
        group_id: Callable[[], int | None],
        changed: Callable[[], Any],
        *,
        scope: str = "",
        draft_key: str = "",
        written: Callable[[str], bool] | None = None,
    ) -> None:
        self.saved = saved
        self._write = write
        self._group_id = group_id
        self.shown: tuple[Action, ...] = ()
        self._changed = changed
        self.editing: int | None = None  # the action being edited, if any
        self.token = new_token()  # the draft's: a retried or double-clicked save is one write
        self._remove_tokens: dict[int, str] = {}
        self.scope = scope or "action"

        self.text = EntryInput(
            label="First action",
            placeholder="What happens first? Then press Enter",
            max_length=1000,
            layout=w.Layout(width="100%"),
            draft_key=draft_key,
        )
        self.text.add_class("fac-entry-text")
        self.text.add_class("fac-action-text")
        self.text.on_submit(self.save)
        if written is not None:
            self.text.answer_checks(self.scope, written, "action")
        self.owner = w.Text(
            description="Owner", placeholder="Who", style=WIDE, layout=w.Layout(width="260px")
        )
        self.owner.add_class("fac-action-owner")
        self.due = w.DatePicker(description="Due", style=WIDE, layout=w.Layout(width="auto"))
        self.due.add_class("fac-action-due")
        self.status = w.Dropdown(
            description="Status", options=list(ACTION_STATUSES), value="not started", style=WIDE
        )
        self.status.add_class("fac-action-status")
        self.button = w.Button(description="Add action", button_style="primary")
        self.button.add_class("fac-action-add")
        self.button.on_click(self.save)
        self.cancel_button = w.Button(description="Cancel edit", layout=w.Layout(display="none"))
        self.cancel_button.on_click(self.cancel_edit)
        self.list = ListWidget(label="First actions", empty="No actions yet.")
        self.list.add_class("fac-action-list")
        self.list.on_action("edit", self.start_edit)
        self.list.on_action("remove", self._click_remove)
        self.widgets: list[w.Widget] = [
            w.HBox([self.text], layout=w.Layout(width="100%")),
            w.HBox(
                [self.owner, self.due, self.status, self.button, self.cancel_button],
                layout=w.Layout(flex_flow="row wrap"),
            ),
            self.list,
        ]

    def show(self, actions: tuple[Action, ...]) -> None:
        """Show the group's actions as stored (the form keeps what is typed)."""
        self.shown = actions
        self.list.show([self._row(a) for a in actions])

    def _row(self, a: Action) -> lists.Row:
        bits = [f"owner {a.owner}" if a.owner else "no owner yet"]
        if a.due_on:
            bits.append(f"due {a.due_on}")
        bits.append(a.status)
        return lists.row(
            a.id,
            [lists.cell(a.text, "fac-entry-body"), lists.cell(f"({', '.join(bits)})", "fac-evidence")],
            [
                lists.button("edit", "Edit", f"Edit the action: {a.text[:60]}", "fac-action-edit"),
                lists.button("remove", "Remove", f"Remove the action: {a.text[:60]}", "fac-action-remove"),
            ],
            cls="fac-card",
        )

    def save(self, _widget: Any = None) -> bool:
        """Add the typed action (or save the edit of one); the draft stays when it cannot be saved."""
        text, draft = self.text.value, self.text.draft
        if not text.strip():
            self.saved.not_saved("Type the action first.")
            return False
        due = self.due.value.isoformat() if self.due.value else None
        what = f"action \u201c{text if len(text) <= 60 else text[:57] + chr(0x2026)}\u201d"
        token = box_token(self.scope, draft, text) if draft else self.token
        fields = {"owner": self.owner.value, "status": self.status.value, "client_token": token}
        if self.editing is not None:
            ok = self._write(what, update_action, self.editing, text=text, due_on=due or "", **fields)
        else:
            ok = self._write(what, add_action, self._group_id(), text, due_on=due, **fields)
        if not ok:
            self.text.not_stored(draft, text, refused=True)  # the text comes back into the box
            return False
        self.text.stored(draft, text, what)  # the box is the browser's: emptied there
        self._end_edit()
        self._changed()
        return True

    def start_edit(self, action_id: int) -> None:
        """Put one of the group's actions into the form to change it."""
        action = next((a for a in self.shown if a.id == action_id), None)
        if action is None:
            self.saved.not_saved("That action is not there any more.")
            return
        self.editing = action.id
        self.token = new_token()
        self.text.persist = False  # an edit is not offered back as a new action
        self.text.fill(action.text)
        self.owner.value = action.owner
        self.due.value = parse_day(action.due_on)
        self.status.value = action.status if action.status in ACTION_STATUSES else "not started"
        self.button.description = "Save action"
        self.cancel_button.layout.display = ""

    def cancel_edit(self, _button: Any = None) -> None:
        """Empty the form and leave edit mode."""
        self.text.fill("")
        self._end_edit()

    def _end_edit(self) -> None:
        # the rest of the form is emptied; the text box is the browser's (what the lead
        # typed after Enter stays there)
        self.editing = None
        self.token = new_token()
        self.text.persist = True
        self.owner.value = ""
        self.due.value = None
        self.status.value = "not started"
        self.button.description = "Add action"
        self.cancel_button.layout.display = "none"

    def _click_remove(self, action_id: int) -> None:
        token = self._remove_tokens.setdefault(action_id, new_token())  # a double click is one removal
        if self._write("action removed", remove_action, action_id, client_token=token):
            if self.editing == action_id:
                self.cancel_edit()
            self._changed()
