"""Dot voting on the pages: a table spends its dots; the projector shows the result
once the facilitator reveals it, ties as ties.

A dot counts only when stored: the dots-left figure is what the store returned.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.events import Event
from facilitation.grouping import votable_themes
from facilitation.store import Store
from facilitation.ui.page import VIEWER, PageContext
from facilitation.ui.widgets import SavedState, esc, html_widget, set_html
from facilitation.voting import TallyRow, add_dot, dots_left, remove_dot, tally, voter_label

__all__ = ["VotingPanel", "render_projector_votes", "render_tally"]


def render_tally(rows: list[TallyRow]) -> str:
    """A bar chart in rank order; tied themes share a rank, a colour and the word "tie".

    Examples
    --------
    >>> from facilitation.voting import TallyRow
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
        cells.append(
            f"<div>{label}</div>"
            f'<div><div class="fac-bar{tie}" style="width:{width}%"></div></div>'
            f'<div><b>{r.dots}</b><span class="fac-evidence">{cross}</span></div>'
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
    """A table's dots: each theme with add and remove buttons, the dots left shown large."""

    def __init__(self, ctx: PageContext, table: int, saved: SavedState) -> None:
        self.ctx = ctx
        self.table = int(table)
        self.saved = saved
        self.left = html_widget("", "fac-dots-left")
        self.rows = w.VBox([])
        self.rows.add_class("fac-vote-list")
        self.widget = w.VBox([self.left, self.rows])
        self.widget.add_class("fac-voting")
        self._shown: Any = None

    def refresh(self) -> None:
        """Redraw the themes and the dots left, as stored."""
        voter = voter_label(self.table)
        try:
            mine = dots_left(self.ctx.store, self.ctx.event_id, voter)
        except FacilitationError as exc:
            set_html(self.left, f"<p>{esc(exc)}</p>")
            return
        set_html(
            self.left,
            f'<div class="fac-timer" aria-live="polite"><b>{mine.left}</b> of {mine.total} dots left</div>',
        )
        themes = votable_themes(self.ctx.store, self.ctx.event_id)
        key = (tuple((t.id, t.name) for t in themes), tuple(sorted(mine.by_theme.items())))
        if key == self._shown:
            return
        self._shown = key
        rows = []
        for t in themes:
            n = mine.by_theme.get(t.id, 0)
            add = w.Button(
                description="+ dot", tooltip=f"Add a dot to {t.name}", layout=w.Layout(width="auto")
            )
            add.add_class("fac-dot-add")
            add.on_click(partial(self._click_add, t.id))
            add.disabled = mine.left == 0
            rem = w.Button(
                description="\u2212 dot", tooltip=f"Take a dot off {t.name}", layout=w.Layout(width="auto")
            )
            rem.add_class("fac-dot-remove")
            rem.on_click(partial(self._click_remove, t.id))
            rem.disabled = n == 0
            label = html_widget(f'<div class="fac-card">{esc(t.name)} \u00b7 <b>{n}</b> of our dots</div>')
            rows.append(w.HBox([label, add, rem]))
        self.rows.children = rows or [html_widget('<p class="fac-more">No themes to vote on yet.</p>')]

    def _click_add(self, theme_id: int, _button: Any = None) -> None:
        self.add(theme_id)

    def _click_remove(self, theme_id: int, _button: Any = None) -> None:
        self.remove(theme_id)

    def add(self, theme_id: int) -> bool:
        """Spend one of the table's dots on a theme."""
        return self._vote(add_dot, theme_id, "Dot added")

    def remove(self, theme_id: int) -> bool:
        """Take one of the table's dots back."""
        return self._vote(remove_dot, theme_id, "Dot taken back")

    def _vote(self, fn: Any, theme_id: int, done: str) -> bool:
        self.saved.saving("vote")
        try:
            fn(self.ctx.store, self.ctx.actor, self.ctx.event_id, theme_id, table=self.table)
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        self.saved.saved(done)
        self.ctx.watcher.check()
        return True
