"""Change a live event from the console: its key question, and a phase's minutes and prompt.

The same rule as ``facilitate edit`` (:func:`facilitation.events.rules.edit_event`): checked
before anything is written, one logged write, so every page follows it; changing the
current phase's minutes moves its countdown by the difference. What is typed stays in
the form until it is saved or the stored value changes under it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.events import MAX_PHASE_MINUTES, Event, PhaseEdit, edit_event, get_event
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import WIDE, button, html_widget

__all__ = ["ConsoleEdit", "describe_changes"]


def describe_changes(changed: dict[str, Any], event: Event) -> str:
    """What :func:`edit_event` changed, in words.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.events import get_event
    >>> store, ev = scratch_event()
    >>> describe_changes({"key_question": "Q?", "phases": {"ideas": {"minutes": 5}}}, get_event(store, ev))
    "Changed the key question; 'Ideas': 5 minutes"
    >>> describe_changes({}, get_event(store, ev))
    'Nothing changed: the event already says that'
    """
    titles = {p.name: p.title for p in event.phases}
    parts = []
    if "key_question" in changed:
        parts.append("Changed the key question")
    for name, what in changed.get("phases", {}).items():
        bits = []
        if "minutes" in what:
            bits.append(f"{what['minutes']} minutes")
        if "prompt" in what:
            bits.append("new prompt")
        parts.append(f"'{titles.get(name, name)}': {', '.join(bits)}")
    return "; ".join(parts) if parts else "Nothing changed: the event already says that"


class ConsoleEdit:
    """A folded form: the key question; a phase (the current one first), its minutes and prompt."""

    def __init__(self, ctx: PageContext, message: Callable[[str, bool], None]) -> None:
        self.ctx = ctx
        self.message = message
        self.toggle = button("Change the event\u2026", self.show_or_hide, "fac-edit-toggle")
        self.key_question = w.Textarea(
            description="Key question", style=WIDE, layout=w.Layout(width="100%", height="3.2em")
        )
        self.key_question.add_class("fac-edit-key-question")
        self.phase = w.Dropdown(description="Phase", options=[], style=WIDE)
        self.phase.add_class("fac-edit-phase")
        self.phase.observe(self._on_phase, "value")
        self.minutes = w.BoundedIntText(description="Minutes", min=1, max=MAX_PHASE_MINUTES, style=WIDE)
        self.minutes.add_class("fac-edit-minutes")
        self.prompt = w.Textarea(
            description="Prompt", style=WIDE, layout=w.Layout(width="100%", height="4.5em")
        )
        self.prompt.add_class("fac-edit-prompt")
        self.save_button = button("Save changes", self.save, "fac-edit-save", style="primary")
        self.form = w.VBox(
            [
                html_widget(
                    '<p class="fac-more">Every page shows the change at once; what the room entered stays.</p>'
                ),
                self.key_question,
                w.HBox([self.phase, self.minutes]),
                self.prompt,
                self.save_button,
            ]
        )
        self.form.add_class("fac-edit-form")
        self.form.layout.display = "none"
        self.widget = w.VBox([w.HBox([self.toggle]), self.form])
        self.widget.add_class("fac-console-edit")
        self._stored: Any = None
        self._event: Event | None = None

    def show_or_hide(self, _button: Any = None) -> None:
        """Unfold the form (or fold it away)."""
        shown = self.form.layout.display != "none"
        self.form.layout.display = "none" if shown else ""
        self.toggle.description = "Change the event\u2026" if shown else "Hide the event's settings"

    def refresh(self, event: Event) -> None:
        """Show the stored values when they changed (never over what is being typed otherwise)."""
        self._event = event
        stored = (event.key_question, tuple((p.name, p.minutes, p.prompt) for p in event.phases))
        options = [(f"{i + 1}. {p.title}", p.name) for i, p in enumerate(event.phases)]
        if list(self.phase.options) != options:
            self.phase.options = options
        if stored == self._stored:
            return
        first = self._stored is None
        self._stored = stored
        self.key_question.value = event.key_question
        if first:
            self.phase.value = event.phase.name
        self._on_phase()

    def _on_phase(self, _change: Any = None) -> None:
        event = self._event
        if event is None or self.phase.value is None:
            return
        phase = next(p for p in event.phases if p.name == self.phase.value)
        self.minutes.value = phase.minutes
        self.prompt.value = phase.prompt

    def save(self, _button: Any = None) -> bool:
        """Store what changed: the key question, the chosen phase's minutes and prompt."""
        event = get_event(self.ctx.store, self.ctx.event_id)
        kwargs: dict[str, Any] = {}
        if self.key_question.value != event.key_question:
            kwargs["key_question"] = self.key_question.value
        phase = next((p for p in event.phases if p.name == self.phase.value), None)
        if phase is not None:
            minutes = int(self.minutes.value) if int(self.minutes.value) != phase.minutes else None
            prompt = self.prompt.value if self.prompt.value != phase.prompt else None
            if minutes is not None or prompt is not None:
                kwargs["phases"] = [PhaseEdit(phase.name, minutes=minutes, prompt=prompt)]
        if not kwargs:
            self.message("Nothing changed: the event already says that.", True)
            return False
        try:
            changed = edit_event(self.ctx.store, self.ctx.actor, self.ctx.event_id, **kwargs)
        except FacilitationError as exc:
            self.message(str(exc), True)  # what was typed stays in the form
            return False
        self.message(describe_changes(changed, event), False)
        self.ctx.watcher.check()
        return True
