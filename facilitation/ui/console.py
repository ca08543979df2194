"""The facilitator's console: move the phase, run the timer, lock input, reveal votes,
and see which tables are active, done, or have dots left.

Each button calls a rule with the page's actor; the rules refuse anyone but the
facilitator, so the console's key is what grants these actions, not the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from facilitation.capture.rules import counts_by_table
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.events.rules import (
    Event,
    TableInfo,
    extend_timer,
    get_event,
    list_tables,
    move_phase,
    pace_minutes,
    pause_timer,
    set_input_lock,
    set_phase,
    start_timer,
)
from facilitation.live import served_by_voila
from facilitation.ui.page import (
    PageContext,
    error_view,
    open_page,
    page_frame,
    projector_link_html,
    projector_url,
)
from facilitation.ui.widgets import Countdown, button, esc, html_widget, set_html
from facilitation.voting.rules import reveal_votes, voters_with_dots_left

__all__ = ["ConsoleView", "console_page", "render_notes", "render_status", "say_pace"]


# The entry kinds each capturing phase asks for: a table is "active" in a phase by these.
PHASE_KINDS = {
    "capture": ("enabler", "blocker"),
    "ideas": ("idea", "question"),
    "questions": ("question",),
}


def render_status(
    event: Event,
    tables: list[TableInfo],
    counts: dict[int, dict[str, int]],
    dots_left: dict[int, int] | None = None,
    activity: dict[int, int] | None = None,
) -> str:
    """A table of tables: entries, done with this phase or not, dots left (escaped).

    A table is "active" when it did something in *this* phase (``activity``: what it
    added in it, by table); entries of earlier phases do not count.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.events import get_event, list_tables
    >>> store, ev = scratch_event(tables=2)
    >>> event, tables = get_event(store, ev), list_tables(store, ev)
    >>> html = render_status(event, tables, {1: {"idea": 4}}, activity={1: 0})
    >>> "active" in html, html.count("nothing yet")
    (False, 2)
    """
    head = '<tr><th>Table</th><th class="num">Entries</th><th>This phase</th>'
    head += '<th class="num">Dots left</th></tr>' if dots_left is not None else "</tr>"
    rows = []
    for t in tables:
        n = sum(counts.get(t.number, {}).values())
        busy = (activity or {}).get(t.number, 0)
        if t.done_phase == event.phase_index:
            badge = '<span class="fac-badge fac-badge-done">done</span>'
        elif busy:
            badge = '<span class="fac-badge fac-badge-active">active</span>'
        else:
            badge = '<span class="fac-badge fac-badge-quiet">nothing yet</span>'
        dots = f'<td class="num">{dots_left.get(t.number, 0)}</td>' if dots_left is not None else ""
        rows.append(f'<tr><td>{esc(t.name)}</td><td class="num">{n}</td><td>{badge}</td>{dots}</tr>')
    return f'<table class="fac-status-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def say_pace(minutes: float | None) -> str:
    """The pace in words: on plan within a minute, else how many minutes ahead or behind.

    Examples
    --------
    >>> say_pace(None), say_pace(0.4), say_pace(3.6), say_pace(-1.2)
    ('Not started: the plan starts with the first timer', 'On plan', '4 min behind plan', '1 min ahead of plan')
    """
    if minutes is None:
        return "Not started: the plan starts with the first timer"
    if abs(minutes) < 1:
        return "On plan"
    n = round(abs(minutes))
    return f"{n} min behind plan" if minutes > 0 else f"{n} min ahead of plan"


def render_notes(event: Event, pace: float | None) -> str:
    """The current phase's notes from the template (escaped), and how far ahead or behind the plan.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.events import get_event
    >>> store, ev = scratch_event()
    >>> html = render_notes(get_event(store, ev), 2.0)
    >>> "2 min behind plan" in html, "fac-pace-behind" in html
    (True, True)
    """
    cls = "fac-pace-behind" if pace is not None and pace >= 1 else "fac-pace-ahead"
    pace_html = f'<span class="{cls}">{esc(say_pace(pace))}</span>'
    plan_end = sum(p.minutes for p in event.phases[: event.phase_index + 1])
    total = sum(p.minutes for p in event.phases)
    head = f'<div class="fac-pace">{pace_html} \u00b7 this phase ends {plan_end} of {total} planned minutes in</div>'
    notes = event.phase.notes.strip()
    body = (
        "".join(f"<p>{esc(line)}</p>" for line in notes.splitlines() if line.strip())
        if notes
        else '<p class="fac-more">No notes for this phase in the template.</p>'
    )
    return (
        f'<div class="fac-console-notes"><strong>Notes: {esc(event.phase.title)}</strong>{body}{head}</div>'
    )


class ConsoleView:
    """The console's widgets and handlers; every handler calls a rule as ``ctx.actor``."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.header = html_widget("", "fac-console-header")
        self.notes = html_widget("", "fac-console-notes-box")  # the template's notes for this phase
        # the projector's link (read-only key) for the facilitator to open on the room's screen;
        # the rules show that key to the facilitator only (a forged console gets no link)
        try:
            self.projector_link = projector_link_html(projector_url(ctx.store, ctx.actor, ctx.event_id))
        except NotAllowed:
            self.projector_link = ""
        self.timer = Countdown()
        self.timer.add_class("fac-timer")
        self.prev_button = button("\u2190 Previous phase", self.previous_phase, "fac-prev-phase")
        self.next_button = button("Next phase \u2192", self.next_phase, "fac-next-phase", style="primary")
        self.phase_choice = w.Dropdown(description="Go to", options=[])
        self.go_button = button("Go", self.go_to_phase, "fac-go-phase")
        self.start_button = button("Start timer", self.start, "fac-timer-start", style="success")
        self.pause_button = button("Pause timer", self.pause, "fac-timer-pause", style="warning")
        self.extend1_button = button("+1 min", self.extend_one, "fac-timer-extend1")
        self.extend5_button = button("+5 min", self.extend_five, "fac-timer-extend5")
        self.lock_button = button("Lock input", self.toggle_lock, "fac-lock")
        # the room's display: the projector's theme and the chime at zero (stored, so every page follows)
        self.theme_choice = w.Dropdown(
            description="Projector",
            options=[("Standard: dark on white", "standard"), ("High contrast: light on black", "contrast")],
            style={"description_width": "initial"},
        )
        self.theme_choice.add_class("fac-projector-theme")
        self.theme_choice.observe(self._on_theme, "value")
        self.chime_box = w.Checkbox(description="Chime at zero (made in the browser)", indent=False)
        self.chime_box.add_class("fac-chime-switch")
        self.chime_box.observe(self._on_chime, "value")
        self._drawing = False
        self.reveal_button = button("Reveal votes", self.reveal_votes, "fac-reveal-votes", style="danger")
        self.hide_button = button("Hide result", self.hide_result, "fac-hide-result")
        # Revealing while tables still hold dots asks first, naming them.
        self.reveal_question = html_widget("", "fac-reveal-question")
        self.reveal_confirm = button(
            "Reveal anyway", self.confirm_reveal, "fac-reveal-confirm", style="danger"
        )
        self.reveal_cancel = button("Keep voting", self.cancel_reveal, "fac-reveal-cancel")
        self.reveal_ask = w.HBox([self.reveal_question, self.reveal_confirm, self.reveal_cancel])
        self.reveal_ask.add_class("fac-confirm")
        self.reveal_ask.layout.display = "none"
        self.message = html_widget("", "fac-console-message")
        self.status = html_widget("", "fac-console-status")
        from facilitation.ui.console_board import ConsoleBoard
        from facilitation.ui.console_edit import ConsoleEdit
        from facilitation.ui.console_plans import ConsolePlans
        from facilitation.ui.voting_view import VotingControls

        self.board = ConsoleBoard(ctx, self.say)
        self.extra = self.board.widget
        self.voting = VotingControls(ctx, self.say)
        self.plans = ConsolePlans(ctx, self.say)
        self.edit = ConsoleEdit(ctx, self.say)
        self.widget = w.VBox(
            [
                w.HBox(
                    [self.header, self.timer], layout=w.Layout(justify_content="space-between", width="100%")
                ),
                self.notes,
                w.HBox([self.prev_button, self.next_button, self.phase_choice, self.go_button]),
                w.HBox(
                    [
                        self.start_button,
                        self.pause_button,
                        self.extend1_button,
                        self.extend5_button,
                        self.lock_button,
                    ]
                ),
                w.HBox([self.theme_choice, self.chime_box], layout=w.Layout(flex_wrap="wrap")),
                w.HBox([self.reveal_button, self.hide_button]),
                self.reveal_ask,
                self.message,
                self.edit.widget,
                self.status,
                self.voting.widget,
                self.extra,
                self.plans.widget,
            ]
        )
        self.widget.add_class("fac-console")
        self._event: Event | None = None
        from facilitation.ui.console_maps import attach as attach_maps  # system map, priority circle

        self.maps = attach_maps(self)
        ctx.watcher.on_change(self.refresh)
        self.refresh()

    # -- drawing --------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw from the store."""
        store, event_id = self.ctx.store, self.ctx.event_id
        event = get_event(store, event_id)
        self._event = event
        flags = (" \u00b7 input locked" if event.input_locked else "") + (
            " \u00b7 votes revealed" if event.votes_revealed and event.phase.input == "voting" else ""
        )
        set_html(
            self.header,
            f"<h1>{esc(event.title)}</h1>"
            f'<div class="fac-phase-line">Phase {event.phase_index + 1} of {len(event.phases)}: '
            f"<strong>{esc(event.phase.title)}</strong> \u00b7 join code <strong>{esc(event.join_code)}</strong>"
            f"{flags}</div>{self.projector_link}",
        )
        self.timer.show(event.timer_ends_at, event.timer_remaining)
        self._draw_display()
        set_html(self.notes, render_notes(event, pace_minutes(store, event_id)))
        options = [(f"{i + 1}. {p.title}", i) for i, p in enumerate(event.phases)]
        if list(self.phase_choice.options) != options:
            self.phase_choice.options = options
        if self.phase_choice.value != event.phase_index:
            self.phase_choice.value = event.phase_index
        self.prev_button.disabled = event.phase_index == 0
        self.next_button.disabled = event.phase_index >= len(event.phases) - 1
        self.start_button.disabled = event.timer_running
        self.pause_button.disabled = not event.timer_running
        lock_label = "Unlock input" if event.input_locked else "Lock input"
        if self.lock_button.description != lock_label:
            self.lock_button.description = lock_label
        voting = event.phase.input == "voting"
        self.reveal_button.disabled = event.votes_revealed or not voting
        self.hide_button.disabled = not event.votes_revealed
        if event.votes_revealed or not voting:
            self.reveal_ask.layout.display = "none"
        tables = list_tables(store, event_id)
        set_html(
            self.status,
            render_status(
                event,
                tables,
                counts_by_table(store, event_id),
                self._dots_left(event),
                self._activity(event, tables),
            ),
        )
        self.extra.layout.display = "" if event.phase.input in ("grouping", "voting", "plans") else "none"
        self.board.refresh()
        # the rules while grouping (before voting opens) and voting; the run-off after a reveal
        self.voting.widget.layout.display = "" if event.phase.input in ("grouping", "voting") else "none"
        self.voting.refresh(event)
        self.plans.refresh()
        self._order(event)
        self.edit.refresh(event)

    def _order(self, event: Event) -> None:
        """In the plans phase the groups come first; else the themes (and the groups after)."""
        kids = list(self.widget.children)
        i, j = kids.index(self.plans.widget), kids.index(self.extra)
        plans_first = event.phase.input == "plans"
        if (i < j) != plans_first:
            kids[i], kids[j] = kids[j], kids[i]
            self.widget.children = kids

    def _draw_display(self) -> None:
        from facilitation.events.rules import display_settings

        display = display_settings(self.ctx.store, self.ctx.event_id)
        self._drawing = True  # the store's values, not the facilitator's choice: no write
        try:
            if self.theme_choice.value != display.projector_theme:
                self.theme_choice.value = display.projector_theme
            if self.chime_box.value != display.chime:
                self.chime_box.value = display.chime
        finally:
            self._drawing = False

    def _on_theme(self, change: dict[str, Any]) -> None:
        if not self._drawing:
            self.set_projector_theme(str(change["new"]))

    def _on_chime(self, change: dict[str, Any]) -> None:
        if not self._drawing:
            self.set_chime(bool(change["new"]))

    def set_projector_theme(self, theme: str) -> bool:
        """Switch the projector to the standard or the high-contrast theme."""
        from facilitation.events.rules import set_display

        said = "Projector: high contrast" if theme == "contrast" else "Projector: standard"
        ok = self._act(
            said,
            lambda: set_display(self.ctx.store, self.ctx.actor, self.ctx.event_id, projector_theme=theme),
        )
        if not ok:
            self._draw_display()
        return ok

    def set_chime(self, on: bool) -> bool:
        """Switch the chime at zero on or off."""
        from facilitation.events.rules import set_display

        ok = self._act(
            "Chime on" if on else "Chime off",
            lambda: set_display(self.ctx.store, self.ctx.actor, self.ctx.event_id, chime=on),
        )
        if not ok:
            self._draw_display()
        return ok

    def say(self, text: str, error: bool = False) -> None:
        """Show the outcome of the last action."""
        if error:
            set_html(
                self.message, f'<div class="fac-message fac-message-error" role="alert">{esc(text)}</div>'
            )
        else:
            set_html(
                self.message,
                f'<div class="fac-message" role="status">{esc(text)} at {time.strftime("%H:%M:%S")}</div>',
            )

    def _activity(self, event: Event, tables: list[TableInfo]) -> dict[int, int]:
        """What each table added in this phase: its entries of the phase's kinds, its themes
        while grouping, the people it added in the first phase; nothing otherwise."""
        store, event_id = self.ctx.store, self.ctx.event_id
        out = {t.number: 0 for t in tables}
        kind = event.phase.input
        if kind in PHASE_KINDS:
            from facilitation.capture import list_entries

            for e in list_entries(store, event_id, kinds=PHASE_KINDS[kind]):
                out[e.table] = out.get(e.table, 0) + 1
        elif kind == "grouping":
            from facilitation.themes.grouping import list_themes

            for th in list_themes(store, event_id):
                if th.table is not None:
                    out[th.table] = out.get(th.table, 0) + 1
        elif kind == "voting" and event.voting_rules.voter == "table":
            left = self._dots_left(event) or {}
            total = event.voting_rules.dots_per_voter
            for t in tables:
                out[t.number] = int(t.number not in left or left[t.number] < total)
        return out

    def _dots_left(self, event: Event) -> dict[int, int] | None:
        if event.phase.input != "voting":
            return None
        try:
            left = voters_with_dots_left(self.ctx.store, self.ctx.event_id)
        except FacilitationError:
            return None
        seats = {}
        if event.voting_rules.voter == "person":
            from facilitation.people.rules import list_people

            seats = {p.id: p.table for p in list_people(self.ctx.store, self.ctx.event_id)}
        return _dots_by_table(left, seats)

    # -- handlers --------------------------------------------------------------------
    def _act(self, what: str, fn: Callable[[], Any]) -> bool:
        try:
            fn()
        except FacilitationError as exc:
            set_html(
                self.message, f'<div class="fac-message fac-message-error" role="alert">{esc(exc)}</div>'
            )
            return False
        set_html(
            self.message,
            f'<div class="fac-message" role="status">{esc(what)} at {time.strftime("%H:%M:%S")}</div>',
        )
        self.ctx.watcher.check()
        return True

    def next_phase(self, _button: Any = None) -> bool:
        """Move the event one phase on."""
        return self._act(
            "Moved on", lambda: move_phase(self.ctx.store, self.ctx.actor, self.ctx.event_id, +1)
        )

    def previous_phase(self, _button: Any = None) -> bool:
        """Step one phase back (nothing is deleted)."""
        return self._act(
            "Stepped back", lambda: move_phase(self.ctx.store, self.ctx.actor, self.ctx.event_id, -1)
        )

    def go_to_phase(self, _button: Any = None) -> bool:
        """Jump to the phase chosen in the list."""
        target = self.phase_choice.value
        return self._act(
            "Moved", lambda: set_phase(self.ctx.store, self.ctx.actor, self.ctx.event_id, int(target or 0))
        )

    def start(self, _button: Any = None) -> bool:
        """Start or resume the countdown."""
        return self._act(
            "Timer started", lambda: start_timer(self.ctx.store, self.ctx.actor, self.ctx.event_id)
        )

    def pause(self, _button: Any = None) -> bool:
        """Pause the countdown."""
        return self._act(
            "Timer paused", lambda: pause_timer(self.ctx.store, self.ctx.actor, self.ctx.event_id)
        )

    def extend_one(self, _button: Any = None) -> bool:
        """Add one minute."""
        return self._act(
            "Added 1 minute", lambda: extend_timer(self.ctx.store, self.ctx.actor, self.ctx.event_id, 1)
        )

    def extend_five(self, _button: Any = None) -> bool:
        """Add five minutes."""
        return self._act(
            "Added 5 minutes", lambda: extend_timer(self.ctx.store, self.ctx.actor, self.ctx.event_id, 5)
        )

    def toggle_lock(self, _button: Any = None) -> bool:
        """Lock every table's input, or unlock it."""
        locked = not (self._event.input_locked if self._event else False)
        return self._act(
            "Input locked" if locked else "Input unlocked",
            lambda: set_input_lock(self.ctx.store, self.ctx.actor, self.ctx.event_id, locked),
        )

    def reveal_votes(self, _button: Any = None) -> bool:
        """Show the vote results on the projector; when tables still hold dots, ask first."""
        event = self._event or get_event(self.ctx.store, self.ctx.event_id)
        # a round closed already (revealed, then hidden) takes no more dots: nothing to ask
        left = {} if event.voting_closed else (self._dots_left(event) or {})
        holding = {n: k for n, k in sorted(left.items()) if k > 0}
        if holding:
            names = {t.number: t.name for t in list_tables(self.ctx.store, self.ctx.event_id)}
            who = [f"{names.get(n, f'Table {n}')} ({k} left)" for n, k in holding.items()]
            said = ", ".join(who[:-1]) + f" and {who[-1]}" if len(who) > 1 else who[0]
            verb = "holds" if len(who) == 1 else "hold"
            set_html(
                self.reveal_question,
                f'<div class="fac-message fac-message-warn" role="alert">{esc(said)} still {verb} dots. '
                "Reveal now and their dots are not counted: the round closes.</div>",
            )
            self.reveal_ask.layout.display = ""
            return False
        return self.confirm_reveal()

    def confirm_reveal(self, _button: Any = None) -> bool:
        """Reveal, closing the round, even with dots still held (the facilitator said so)."""
        self.reveal_ask.layout.display = "none"
        return self._act(
            "Votes revealed",
            lambda: reveal_votes(self.ctx.store, self.ctx.actor, self.ctx.event_id, force=True),
        )

    def cancel_reveal(self, _button: Any = None) -> bool:
        """Keep voting: the question goes away, nothing changes."""
        self.reveal_ask.layout.display = "none"
        self.say("Still voting: nothing revealed")
        return True

    def hide_result(self, _button: Any = None) -> bool:
        """Hide the result again on every page; the round stays closed (no dot can be added)."""
        return self._act(
            "Result hidden (voting stays closed)",
            lambda: reveal_votes(self.ctx.store, self.ctx.actor, self.ctx.event_id, False),
        )


def _dots_by_table(left: Any, seats: dict[int, int | None] | None = None) -> dict[int, int]:
    """Normalise what the voting module reports into ``{table number: dots left}``;
    a person's dots count for the table where they sit (``seats``: person id to table).

    Examples
    --------
    >>> _dots_by_table({"table:1": 5, "person:7": 2, "person:8": 1}, {7: 2, 8: 2})
    {1: 5, 2: 3}
    """
    out: dict[int, int] = {}
    seats = seats or {}
    items = left.items() if isinstance(left, dict) else left
    for item in items:
        voter, n = (
            item if isinstance(item, tuple) else (getattr(item, "voter", ""), getattr(item, "dots_left", 0))
        )
        text = str(voter)
        if text.startswith("table:") and text[6:].isdigit():
            out[int(text[6:])] = int(n)
        elif text.startswith("person:") and text[7:].isdigit():
            seat = seats.get(int(text[7:]))
            if seat is not None:
                out[seat] = out.get(seat, 0) + int(n)
        elif isinstance(voter, int):
            out[voter] = int(n)
    return out


def console_page(ctx: PageContext | None = None) -> w.Widget:
    """The whole facilitator console for the key in the link (what ``facilitator.ipynb`` displays)."""
    try:
        ctx = ctx or open_page()
        if ctx.actor.role != "facilitator":
            raise FacilitationError(
                "This is the facilitator's console; this link's key is not the facilitator's."
            )
        view = ConsoleView(ctx)
    except FacilitationError as exc:
        if not served_by_voila():
            raise  # nbval and notebooks opened by hand show the reason as an error
        return error_view(exc, "fac-console-shell")
    return page_frame(view.widget, ctx, "fac-console-shell")
