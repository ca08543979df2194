"""Dot voting on the pages: a table (or each person at it) spends its dots; the console
sets the rules and opens run-offs; the projector shows the result once the
facilitator reveals it, ties as ties.

A dot counts only when stored: the dots-left figure is what the store returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.events.rules import Event, get_event
from facilitation.people.rules import list_people
from facilitation.store import Store
from facilitation.themes.grouping import votable_themes
from facilitation.ui import lists
from facilitation.ui.lists import ListWidget
from facilitation.ui.page import VIEWER, PageContext
from facilitation.ui.widgets import SavedState, esc, html_widget, set_html
from facilitation.voting import (
    TallyRow,
    add_dot,
    dots_left,
    open_runoff,
    remove_dot,
    set_voting_rules,
    tally,
    voter_label,
)

__all__ = ["VotingControls", "VotingPanel", "render_projector_votes", "render_tally", "top_tie"]


def render_tally(rows: list[TallyRow]) -> str:
    """A bar chart in rank order; tied themes share a rank, a colour and the word "tie".

    Examples
    --------
    >>> from facilitation.voting.rules import TallyRow
    >>> html = render_tally([TallyRow(1, "<A>", 3, 1, True, None), TallyRow(2, "B", 3, 1, True, None)])
    >>> html.count(">tie<"), "&lt;A&gt;" in html
    (2, True)
    """
    if not rows:
        return '<p class="fac-hidden-note">No dots were spent.</p>'
    top = max(r.dots for r in rows) or 1
    cells = []
    for r in rows:
        width = round(100 * r.dots / top)
        tie = " fac-bar-tie" if r.tied else ""
        cross = (
            "" if r.cross_boundary is None else f" \u00b7 {round(100 * r.cross_boundary)}% from other tables"
        )
        label = f"{r.rank}. {esc(r.name)}" + (' <span class="fac-badge">tie</span>' if r.tied else "")
        if r.amended:  # reopened after the vote: the name as voted, and what became of it
            label += f' <span class="fac-badge" title="{esc(r.amended)}">amended</span>'
        cells.append(
            '<div class="fac-bar-row" role="row">'
            f'<div role="cell">{label}</div>'
            f'<div role="cell"><div class="fac-bar{tie}" style="width:{width}%"></div></div>'
            f'<div role="cell"><b>{r.dots}</b><span class="fac-evidence">{cross}</span></div>'
            "</div>"
        )
    return f'<div class="fac-bars" role="table" aria-label="Vote results">{"".join(cells)}</div>'


def render_projector_votes(store: Store, event: Event) -> str:
    """The projector's voting view: hidden until revealed, then the tally."""
    if not event.votes_revealed:
        themes = votable_themes(store, event.id)
        names = "".join(f'<div class="fac-card">{esc(t.name)}</div>' for t in themes)
        return (
            '<p class="fac-hidden-note">Votes stay hidden until the facilitator reveals them.</p>'
            f'<div class="fac-wall">{names}</div>'
        )
    try:
        return render_tally(tally(store, VIEWER, event.id))
    except FacilitationError:
        return '<p class="fac-hidden-note">Votes stay hidden until the facilitator reveals them.</p>'


class VotingPanel:
    """A table's dots: each theme with its dots drawn and add and remove buttons, the
    dots left and the limit on one theme shown large; one list widget for all themes.

    "+ dot" is disabled when no dot is left or the theme holds the most one voter may
    put on it (the rule refuses either way). A run-off round says so, and between
    which themes. When each person votes, the lead chooses who is voting from the
    people seated at the table, and every person's dots left are shown.
    """

    def __init__(self, ctx: PageContext, table: int, saved: SavedState) -> None:
        self.ctx = ctx
        self.table = int(table)
        self.saved = saved
        self.person_choice = w.Dropdown(
            description="Who is voting", options=[], style={"description_width": "initial"}
        )
        self.person_choice.add_class("fac-vote-person")
        self.person_choice.observe(self._on_person, "value")
        self.person_choice.layout.display = "none"
        self.left = html_widget("", "fac-dots-left")
        self.rows = ListWidget(label="Themes to vote on", empty="No themes to vote on yet.")
        self.rows.add_class("fac-vote-list")
        self.rows.on_action("add", self.add)
        self.rows.on_action("remove", self.remove)
        self.widget = w.VBox([self.left, self.person_choice, self.rows])
        self.widget.add_class("fac-voting")
        self.by_person = False
        self._drawing = False

    @property
    def person_id(self) -> int | None:
        """The person chosen to vote (person voting only)."""
        value = self.person_choice.value
        return int(value) if self.by_person and value is not None else None

    def _on_person(self, _change: dict[str, Any]) -> None:
        if not self._drawing:  # a choice in the browser, not the redraw's own
            self.refresh()

    def _voter(self) -> str | None:
        if not self.by_person:
            return voter_label(self.table)
        return voter_label(person_id=self.person_id) if self.person_id is not None else None

    def _draw_people(self) -> str:
        """Choose who votes; returns every person's dots left as escaped HTML."""
        people = list_people(self.ctx.store, self.ctx.event_id, table=self.table)
        options = [(p.name, p.id) for p in people]
        if list(self.person_choice.options) != options:
            chosen = self.person_choice.value
            ids = [i for _, i in options]
            self._drawing = True
            try:
                self.person_choice.options = options
                self.person_choice.value = chosen if chosen in ids else None  # never chosen for the lead
            finally:
                self._drawing = False
        cells = []
        for p in people:
            try:
                n = dots_left(self.ctx.store, self.ctx.event_id, voter_label(person_id=p.id)).left
            except FacilitationError:
                continue
            me = " fac-vote-person-chosen" if p.id == self.person_id else ""
            cells.append(f'<span class="fac-chip{me}">{esc(p.name)}: <b>{n}</b> left</span>')
        if not cells:
            return '<p class="fac-more">Nobody is listed at this table yet: ask the facilitator to seat them.</p>'
        return f'<div class="fac-vote-people">{"".join(cells)}</div>'

    def refresh(self) -> None:
        """Redraw the themes and the dots left, as stored."""
        event = get_event(self.ctx.store, self.ctx.event_id)
        rules = event.voting_rules
        self.by_person = rules.voter == "person"
        self.person_choice.layout.display = "" if self.by_person else "none"
        people = self._draw_people() if self.by_person else ""
        themes = votable_themes(self.ctx.store, self.ctx.event_id)
        runoff = ""
        if event.runoff_themes and not event.voting_closed:
            names = " and ".join(f"\u201c{t.name}\u201d" for t in themes)
            runoff = (
                f'<div class="fac-runoff-banner" role="status"><b>Run-off:</b> vote again between {esc(names)}. '
                "Every voter has fresh dots for this round.</div>"
            )
        voter = self._voter()
        if voter is None:
            set_html(self.left, f"{runoff}<p><b>Choose who is voting.</b></p>{people}")
            self.rows.show([])
            return
        try:
            mine = dots_left(self.ctx.store, self.ctx.event_id, voter)
        except FacilitationError as exc:
            set_html(self.left, f"<p>{esc(exc)}</p>")
            return
        who = esc(self.person_choice.label) + " has " if self.by_person and self.person_choice.label else ""
        closed = event.voting_closed
        limit = rules.max_per_theme
        set_html(
            self.left,
            '<div class="fac-timer" aria-live="polite">Voting is closed: the result is on the projector.</div>'
            if closed
            else f"{runoff}"
            f'<div class="fac-timer" aria-live="polite">{who}<b>{mine.left}</b> of {mine.total} dots left</div>'
            f'<div class="fac-vote-limit">At most <b>{limit}</b> dot{"s" if limit != 1 else ""} on one theme. '
            "A dot counts when the line below says \u201cSaved\u201d.</div>"
            f"{people}",
        )
        whose = "their" if self.by_person else "our"
        rows = []
        for t in themes:
            n = mine.by_theme.get(t.id, 0)
            full = n >= limit
            dots = "\u25cf" * n + "\u25cb" * max(0, min(limit, n + mine.left) - n)
            rows.append(
                lists.row(
                    t.id,
                    [
                        lists.cell(t.name, "fac-vote-theme"),
                        lists.cell(dots, "fac-vote-dots"),
                        lists.cell(
                            f"{n} of {whose} dots" + (" \u00b7 the most on one theme" if full else ""),
                            "fac-vote-count",
                        ),
                    ],
                    [
                        lists.button(
                            "add",
                            "+ dot",
                            f"Add a dot to {t.name}"
                            + (f" (it holds {limit}, the most on one theme)" if full else ""),
                            "fac-dot-add",
                            disabled=closed or mine.left == 0 or full,
                        ),
                        lists.button(
                            "remove",
                            "\u2212 dot",
                            f"Take a dot off {t.name}",
                            "fac-dot-remove",
                            disabled=closed or n == 0,
                        ),
                    ],
                    cls="fac-card fac-vote-card" + (" fac-vote-full" if full else ""),
                )
            )
        self.rows.show(rows)

    def add(self, theme_id: int) -> bool:
        """Spend one of the voter's dots on a theme."""
        return self._vote(add_dot, theme_id, "Dot added")

    def remove(self, theme_id: int) -> bool:
        """Take one of the voter's dots back."""
        return self._vote(remove_dot, theme_id, "Dot taken back")

    def _vote(self, fn: Any, theme_id: int, done: str) -> bool:
        self.saved.saving("vote")
        try:
            if self.by_person:
                if self.person_id is None:
                    raise FacilitationError("Choose who is voting first.")
                fn(self.ctx.store, self.ctx.actor, self.ctx.event_id, theme_id, person_id=self.person_id)
            else:
                fn(self.ctx.store, self.ctx.actor, self.ctx.event_id, theme_id, table=self.table)
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        self.saved.saved(done)
        self.ctx.watcher.check()
        self.refresh()
        return True


def top_tie(rows: list[TallyRow]) -> list[TallyRow]:
    """The themes tied for first place (empty when first place is not tied).

    Examples
    --------
    >>> from facilitation.voting.rules import TallyRow
    >>> [r.theme_id for r in top_tie([TallyRow(1, "A", 3, 1, True, None), TallyRow(2, "B", 3, 1, True, None),
    ...                                 TallyRow(3, "C", 1, 3, False, None)])]
    [1, 2]
    """
    top = [r for r in rows if r.rank == 1]
    return top if len(top) > 1 and all(r.tied for r in top) else []


class VotingControls:
    """The console's voting controls: the rules (before the first dot) and the run-off."""

    def __init__(self, ctx: PageContext, message: Callable[[str, bool], None]) -> None:
        self.ctx = ctx
        self.message = message
        style = {"description_width": "initial"}
        self.dots = w.BoundedIntText(description="Dots per voter", min=1, max=50, style=style)
        self.max_per_theme = w.BoundedIntText(description="Most on one theme", min=1, max=50, style=style)
        self.voter = w.Dropdown(
            description="Voter", options=[("Each table", "table"), ("Each person", "person")], style=style
        )
        self.must_spend_all = w.Checkbox(description="Every dot must be spent", indent=False)
        self.own_themes = w.Checkbox(description="Tables may vote for their own themes", indent=False)
        self.save_button = w.Button(description="Save voting rules", layout=w.Layout(width="auto"))
        self.save_button.add_class("fac-voting-rules-save")
        self.save_button.on_click(self.save_rules)
        self.rules_note = html_widget(
            '<p class="fac-more">Rules can change until the first dot of the round is cast.</p>'
        )
        self.rules = w.VBox(
            [
                html_widget("<h2>Voting rules</h2>"),
                w.HBox([self.dots, self.max_per_theme, self.voter]),
                w.HBox([self.must_spend_all, self.own_themes, self.save_button]),
                self.rules_note,
            ]
        )
        self.rules.add_class("fac-voting-rules")
        self.runoff_button = w.Button(
            description="Run-off among tied themes", button_style="warning", layout=w.Layout(width="auto")
        )
        self.runoff_button.add_class("fac-runoff")
        self.runoff_button.on_click(self.ask_runoff)
        self.runoff_note = html_widget("", "fac-runoff-note")
        self.runoff_box = w.HBox([self.runoff_button, self.runoff_note])
        self.runoff_box.layout.display = "none"
        # a run-off gives every voter their dots again: the console asks first
        self.runoff_question = html_widget("", "fac-runoff-question")
        self.runoff_confirm = w.Button(
            description="Open the run-off", button_style="warning", layout=w.Layout(width="auto")
        )
        self.runoff_confirm.add_class("fac-runoff-confirm")
        self.runoff_confirm.on_click(self.open_runoff)
        self.runoff_cancel = w.Button(description="Not now", layout=w.Layout(width="auto"))
        self.runoff_cancel.add_class("fac-runoff-cancel")
        self.runoff_cancel.on_click(self.cancel_runoff)
        self.runoff_ask = w.HBox([self.runoff_question, self.runoff_confirm, self.runoff_cancel])
        self.runoff_ask.add_class("fac-confirm")
        self.runoff_ask.layout.display = "none"
        self.widget = w.VBox([self.rules, self.runoff_box, self.runoff_ask])
        self.widget.add_class("fac-voting-controls")
        self.tied: list[TallyRow] = []
        self._rules_shown: Any = None

    def refresh(self, event: Event) -> None:
        """Show the stored rules (when they changed) and the run-off button on a tied top place."""
        rules = event.voting_rules
        if rules != self._rules_shown:  # keep what the facilitator is typing otherwise
            self._rules_shown = rules
            self.dots.value = rules.dots_per_voter
            self.max_per_theme.value = rules.max_per_theme
            self.voter.value = rules.voter
            self.must_spend_all.value = rules.must_spend_all
            self.own_themes.value = rules.own_themes
        try:
            rows = tally(self.ctx.store, self.ctx.actor, self.ctx.event_id)
        except FacilitationError:  # hidden from anyone but the facilitator
            rows = []
        fixed = sum(r.dots for r in rows) > 0
        for widget in (self.dots, self.max_per_theme, self.voter, self.must_spend_all, self.own_themes):
            widget.disabled = fixed
        self.save_button.disabled = fixed
        set_html(
            self.rules_note,
            '<p class="fac-more">Dots have been cast in this round, so its rules are fixed; '
            "a run-off round starts afresh.</p>"
            if fixed
            else '<p class="fac-more">Rules can change until the first dot of the round is cast.</p>',
        )
        self.tied = top_tie(rows) if event.votes_revealed else []
        self.runoff_box.layout.display = "" if self.tied else "none"
        if not self.tied:
            self.runoff_ask.layout.display = "none"
        names = ", ".join(esc(r.name) for r in self.tied)
        set_html(
            self.runoff_note, f'<span class="fac-evidence">Tied for first: {names}</span>' if names else ""
        )

    def save_rules(self, _button: Any = None) -> bool:
        """Store the rules as set in the form."""
        try:
            set_voting_rules(
                self.ctx.store,
                self.ctx.actor,
                self.ctx.event_id,
                dots_per_voter=int(self.dots.value),
                max_per_theme=int(self.max_per_theme.value),
                voter=str(self.voter.value),
                must_spend_all=bool(self.must_spend_all.value),
                own_themes=bool(self.own_themes.value),
            )
        except FacilitationError as exc:
            self._rules_shown = None  # show the stored rules again
            self.message(str(exc), True)
            self.ctx.watcher.check()
            return False
        self.message("Voting rules saved", False)
        self.ctx.watcher.check()
        return True

    def ask_runoff(self, _button: Any = None) -> bool:
        """Say what a run-off does and among which themes, and wait for the facilitator's yes."""
        if not self.tied:
            self.message("No themes are tied for first place: there is nothing to run off.", True)
            return False
        names = " and ".join(f"\u2018{r.name}\u2019" for r in self.tied)
        set_html(
            self.runoff_question,
            f'<div class="fac-message fac-message-warn" role="alert">Open a run-off between {esc(names)}? '
            "Every voter gets their dots again for a new round; the projector and the tables say "
            "\u201cRun-off\u201d.</div>",
        )
        self.runoff_ask.layout.display = ""
        return False

    def cancel_runoff(self, _button: Any = None) -> bool:
        """No run-off: the question goes away, nothing changes."""
        self.runoff_ask.layout.display = "none"
        self.message("No run-off opened", False)
        return True

    def open_runoff(self, _button: Any = None) -> bool:
        """Open a run-off round among the themes tied for first place (after the facilitator's yes)."""
        self.runoff_ask.layout.display = "none"
        ids = [r.theme_id for r in self.tied]
        try:
            n = open_runoff(self.ctx.store, self.ctx.actor, self.ctx.event_id, ids)
        except FacilitationError as exc:
            self.message(str(exc), True)
            return False
        self.message(f"Run-off round {n} opened", False)
        self.ctx.watcher.check()
        return True
