"""The projector page: read-only, safe to show a room, readable from the back row.

Always: the event title, the phase and its prompt, the countdown, the join code with
its QR code, and entries per table. Below, what the phase is about: the framing,
enablers and blockers in two columns, the idea wall by table, themes, vote results
once revealed, the collaboration map, the task-and-finish groups, and at the close
what happens next (each group's lead, first meeting and first actions, and when the
series meets again). Its link carries the projector's own read-only key; without it
the page says so in one line and shows nothing of any event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import ipywidgets as w

from facilitation.capture import Entry, counts_by_table, list_entries
from facilitation.errors import FacilitationError
from facilitation.events import Event, TableInfo, get_event, list_events, list_tables
from facilitation.live import served_by_voila
from facilitation.plans import Group, list_groups
from facilitation.ui.board import render_projector_themes
from facilitation.ui.page import PageContext, error_view, join_url, open_projector, page_frame
from facilitation.ui.table import entry_card
from facilitation.ui.voting_view import render_projector_votes
from facilitation.ui.widgets import Countdown, esc, html_widget, qr_data_uri, replace_children, set_html

__all__ = [
    "ProjectorView",
    "projector_page",
    "render_close",
    "render_columns",
    "render_framing",
    "render_idea_wall",
]

COLUMN_LIMIT = 14  # newest entries per column that fit 1080 px at projector size
WALL_LIMIT = 6  # newest ideas per table on the idea wall
CLOSE_ACTIONS = 3  # first actions per group at the close: what fits a card read from the back row


def render_framing(event: Event) -> str:
    """The challenge, purpose, key question and success measures (escaped)."""
    parts = []
    for label, value in (
        ("The challenge", event.challenge),
        ("Our shared purpose", event.purpose),
        ("Key question", event.key_question),
    ):
        if value:
            parts.append(f"<dt>{label}</dt><dd>{esc(value)}</dd>")
    if event.success_measures:
        items = "".join(f"<li>{esc(m)}</li>" for m in event.success_measures)
        parts.append(f"<dt>Success measures</dt><dd><ul>{items}</ul></dd>")
    if not parts:
        return f'<p class="fac-prompt">{esc(event.phase.prompt)}</p>'
    return f'<dl class="fac-framing">{"".join(parts)}</dl>'


def _newest(entries: list[Entry], limit: int) -> str:
    shown = "".join(entry_card(e) for e in reversed(entries[-limit:]))
    more = len(entries) - limit
    return shown + (f'<div class="fac-more">and {more} more</div>' if more > 0 else "")


def render_columns(entries: list[Entry], limit: int = COLUMN_LIMIT) -> str:
    """Enablers and blockers side by side, newest first (escaped).

    Examples
    --------
    >>> from facilitation.capture import Entry
    >>> e = Entry(1, 1, "enabler", "<b>trust</b>", None, None, None, None, "", None)
    >>> html = render_columns([e])
    >>> "&lt;b&gt;trust&lt;/b&gt;" in html and "<b>trust" not in html
    True
    """
    cols = []
    for kind, title in (("enabler", "Enablers"), ("blocker", "Blockers")):
        mine = [e for e in entries if e.kind == kind]
        cols.append(
            f'<section class="fac-col-{kind}"><h2>{title} ({len(mine)})</h2>'
            f"{_newest(mine, limit) or '<p class=fac-more>None yet.</p>'}</section>"
        )
    return f'<div class="fac-columns">{"".join(cols)}</div>'


def render_idea_wall(entries: list[Entry], tables: list[TableInfo], limit: int = WALL_LIMIT) -> str:
    """Ideas (and questions) grouped by table, newest first (escaped)."""
    by_table: dict[int, list[Entry]] = defaultdict(list)
    for e in entries:
        by_table[e.table].append(e)
    cells = []
    for t in tables:
        mine = by_table.get(t.number, [])
        cells.append(
            f'<section class="fac-wall-table"><h2>{esc(t.name)} ({len(mine)})</h2>'
            f"{_newest(mine, limit)}</section>"
        )
    return f'<div class="fac-wall">{"".join(cells)}</div>'


def render_counts(event: Event, tables: list[TableInfo], counts: dict[int, dict[str, int]]) -> str:
    """Entries per table, marked when a table says it is done with the phase."""
    out = []
    for t in tables:
        n = sum(counts.get(t.number, {}).values())
        done = t.done_phase == event.phase_index
        cls = "fac-chip fac-chip-done" if done else "fac-chip"
        mark = " \u2714 done" if done else ""
        out.append(
            f'<span class="{cls}"><span class="fac-chip-label">{esc(t.name)}</span> <b>{n}</b>{mark}</span>'
        )
    return "".join(out)


def day(iso: str | None) -> str:
    """A date as a room reads it aloud.

    Examples
    --------
    >>> day("2026-12-10"), day(None), day("next spring")
    ('10 December 2026', '', 'next spring')
    """
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {d:%B %Y}"


def render_close(groups: Sequence[Group], next_event: Event | None = None) -> str:
    """What happens next: each group's lead, first meeting and first actions; when we meet again.

    Examples
    --------
    >>> from facilitation.plans import Action, Group
    >>> g = Group(id=1, event_id=1, name="Joined-up <data>", theme_id=None, theme="", lead_table=1,
    ...           purpose="", lead="Ama", sponsor="", key_question="", success_measures=(),
    ...           review_dates={"first": "2026-12-10"}, destination="exemplar hub", tally=5,
    ...           actions=(Action(1, 1, "Map the data flows", "Sian", "2027-01-15", "open", "", None),))
    >>> html = render_close([g])
    >>> "Joined-up &lt;data&gt;" in html, "First meeting 10 December 2026" in html
    (True, True)
    >>> "Map the data flows" in html and "Sian, by 15 January 2027" in html
    True
    """
    cards = []
    for g in groups:
        lines = [f"<h2>{esc(g.name)}</h2>"]
        who = " \u00b7 ".join(
            f"{label} {esc(name)}" for label, name in (("Lead", g.lead), ("Sponsor", g.sponsor)) if name
        )
        if who:
            lines.append(f"<div>{who}</div>")
        first = day(g.review_dates.get("first"))
        lines.append(
            f"<div><b>First meeting {esc(first)}</b></div>"
            if first
            else '<div class="fac-more">First meeting: date to be set</div>'
        )
        todo = [a for a in g.actions if a.status != "done"][:CLOSE_ACTIONS]
        if todo:
            items = []
            for a in todo:
                owner = ", ".join(x for x in (a.owner, f"by {day(a.due_on)}" if a.due_on else "") if x)
                items.append(
                    f"<li>{esc(a.text)}"
                    + (f' <span class="fac-evidence">({esc(owner)})</span>' if owner else "")
                    + "</li>"
                )
            lines.append(f"<ul>{''.join(items)}</ul>")
        if g.destination:
            lines.append(f'<div class="fac-evidence">Reports to the {esc(g.destination)}</div>')
        cards.append(f'<section class="fac-card">{"".join(lines)}</section>')
    body = (
        f'<div class="fac-wall fac-close-wall">{"".join(cards)}</div>'
        if cards
        else '<p class="fac-hidden-note">No task-and-finish groups were formed at this event.</p>'
    )
    if next_event is not None:
        when = day(next_event.starts_on)
        on = f" on {esc(when)}" if when else ""
        body += f'<p class="fac-next-event">We meet again{on} \u2014 {esc(next_event.title)}</p>'
    return body


def next_in_series(events: Sequence[Event], event: Event) -> Event | None:
    """The series' next event after ``event``, by start date (undated events have none)."""
    if event.series_id is None or not event.starts_on:
        return None
    later = [e for e in events if e.id != event.id and e.starts_on and e.starts_on > event.starts_on]
    return min(later, key=lambda e: e.starts_on or "", default=None)


class ProjectorView:
    """The projector's widgets; :meth:`refresh` redraws them from the store.

    Parameters
    ----------
    ctx : PageContext
        The page's store and event (the projector acts as nobody).
    base_url : str, optional
        The address printed on the QR code; ``facilitate serve`` sets it.
    """

    def __init__(self, ctx: PageContext, base_url: str | None = None) -> None:
        self.ctx = ctx
        self.base_url = base_url
        self.title = html_widget("", "fac-event-title")
        self.phase = html_widget("", "fac-phase-title")
        self.timer = Countdown()
        self.timer.add_class("fac-timer")
        self.join = html_widget("", "fac-join-code")
        self.counts = html_widget("", "fac-counts")
        self.wall = html_widget("", "fac-projector-wall")
        self.extra = w.Box([])  # a live widget for the phase (the collaboration map)
        self.extra_key: Any = None
        head = w.HBox([w.VBox([self.title, self.phase]), self.timer, self.join])
        head.add_class("fac-projector-head")
        self.widget = w.VBox([head, self.counts, self.wall, self.extra])
        self.widget.add_class("fac-projector")
        ctx.watcher.on_change(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the store; unchanged parts send nothing to the browser."""
        store, event_id = self.ctx.store, self.ctx.event_id
        event = get_event(store, event_id)
        tables = list_tables(store, event_id)
        set_html(self.title, f"<div>{esc(event.title)}</div>")
        set_html(
            self.phase,
            f"<h1>{esc(event.phase.title)}</h1>"
            f'<div class="fac-prompt">{esc(event.phase.prompt)}</div>'
            + (
                '<div class="fac-message fac-message-error">Input is locked</div>'
                if event.input_locked
                else ""
            ),
        )
        self.timer.show(event.timer_ends_at, event.timer_remaining)
        url = join_url(event_id, self.base_url)
        set_html(
            self.join,
            f'<div class="fac-join"><img src="{qr_data_uri(url)}" alt="QR code of the join page">'
            f'<div><div class="fac-join-hint">Join code</div><div class="fac-code">{esc(event.join_code)}</div>'
            f'<div class="fac-join-hint">{esc(url.split("?")[0].split("//")[-1].split("/")[0])}</div></div></div>',
        )
        set_html(self.counts, render_counts(event, tables, counts_by_table(store, event_id)))
        set_html(self.wall, self.phase_body(event, tables))
        self._phase_widget(event)

    def phase_body(self, event: Event, tables: list[TableInfo]) -> str:
        """The markup for what the current phase is about."""
        store, event_id = self.ctx.store, self.ctx.event_id
        kind = event.phase.input
        drawer: Callable[[], str] | None = {
            "capture": lambda: render_columns(list_entries(store, event_id, kinds=("enabler", "blocker"))),
            "ideas": lambda: render_idea_wall(
                list_entries(store, event_id, kinds=("idea", "question")), tables
            ),
            "questions": lambda: render_idea_wall(list_entries(store, event_id, kinds=("question",)), tables),
            "grouping": lambda: self._themes(event, tables),
            "voting": lambda: self._votes(event),
            "plans": lambda: self._groups(event),
            "links": lambda: "",
        }.get(kind)
        if drawer is not None:
            return drawer()
        if event.phase.name == "close":
            return self._close(event)
        return render_framing(event)

    def _themes(self, event: Event, tables: list[TableInfo]) -> str:
        return render_projector_themes(self.ctx.store, event, tables)

    def _votes(self, event: Event) -> str:
        return render_projector_votes(self.ctx.store, event)

    def _close(self, event: Event) -> str:
        series = list_events(self.ctx.store, event.series_id) if event.series_id is not None else []
        return render_close(list_groups(self.ctx.store, self.ctx.event_id), next_in_series(series, event))

    def _groups(self, event: Event) -> str:
        groups = list_groups(self.ctx.store, self.ctx.event_id)
        if not groups:
            return '<p class="fac-hidden-note">The top themes become task-and-finish groups.</p>'
        cards = []
        for g in groups:
            lines = [f"<h2>{esc(g.name)}</h2>"]
            if g.purpose:
                lines.append(f"<div>{esc(g.purpose)}</div>")
            who = ", ".join(x for x in (g.lead, g.sponsor) if x)
            if who:
                lines.append(f'<div class="fac-evidence">Lead and sponsor: {esc(who)}</div>')
            if g.actions:
                lines.append(f'<div class="fac-evidence">{len(g.actions)} first actions</div>')
            cards.append(f'<section class="fac-card">{"".join(lines)}</section>')
        return f'<div class="fac-wall">{"".join(cards)}</div>'

    def _phase_widget(self, event: Event) -> None:
        """The collaboration map, a live widget of its own, during the links phase."""
        key = event.phase.input
        if key != self.extra_key:
            self.extra_key = key
            children: list[w.Widget] = []
            if key == "links":
                from facilitation.ui.network_map import map_widget  # its layout code loads only for the map

                try:
                    children = [map_widget(self.ctx.store, self.ctx.event_id, watch=False)]
                except Exception:  # a map that cannot draw must not take the projector down
                    children = [
                        html_widget('<p class="fac-hidden-note">The collaboration map is not available.</p>')
                    ]
            replace_children(self.extra, children)
        elif key == "links":
            for child in self.extra.children:
                if hasattr(child, "refresh"):
                    child.refresh()  # the map redraws only when its network changed


def projector_page(ctx: PageContext | None = None) -> w.Widget:
    """The whole projector page for the event in the link (what ``projector.ipynb`` displays)."""
    try:
        ctx = ctx or open_projector()
        view = ProjectorView(ctx)
    except FacilitationError as exc:
        if not served_by_voila():
            raise  # nbval and notebooks opened by hand show the reason as an error
        return error_view(exc, "fac-projector-shell")
    return page_frame(view.widget, ctx, "fac-projector-shell")
