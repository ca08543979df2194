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

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import ipywidgets as w

from facilitation.capture import EVIDENCE_LEVELS, Entry
from facilitation.errors import FacilitationError
from facilitation.events import Display, Event, TableInfo
from facilitation.live import served_by_voila
from facilitation.plans import Group
from facilitation.themes import Theme
from facilitation.ui.page import PageContext, error_view, join_url, open_projector, page_frame
from facilitation.ui.projector_data import ProjectorData, read_projector
from facilitation.ui.widgets import Countdown, esc, html_widget, qr_data_uri, replace_children, set_html
from facilitation.voting.tally import TallyRow

__all__ = [
    "ProjectorView",
    "projector_page",
    "render_close",
    "render_columns",
    "render_framing",
    "render_idea_wall",
]

# The projector never scrolls: every list shows what fits one 1920x1080 screen, newest
# (or most voted) first, and says how many more there are. The wall below the header
# and the strip is a grid of fixed rows; these are its sizes.
COLUMN_LIMIT = 5  # newest entries per column (enablers, blockers)
WALL_COLUMNS = 4  # idea cards per row on the wall
WALL_ROWS = 4  # rows of idea cards (one fewer with a banner or a two-row strip)
BAR_LIMIT = 10  # ranked themes shown after a reveal
THEME_CARDS = 6  # event-wide themes on the grouping wall
THEME_CHIPS = 6  # table themes shown under one event-wide theme
LOOSE_CHIPS = 16  # table themes not merged yet
GROUP_CARDS = 6  # task-and-finish groups on the plans and close walls
CLOSE_ACTIONS = 3  # first actions per group at the close: what fits a card read from the back row
FULL_STRIP = 12  # up to this many tables the strip names each table; more: compact cells
GRID_STRIP = 40  # from this many tables the compact cells take two rows
MAP_FIGURES = ("cross_organisation_ties", "new_ties", "people")  # beside the map, in plain words
MAP_LABELS = 25  # names written on the map (those with most ties); the rest on hover


def _plural(n: int, one: str, many: str | None = None) -> str:
    """``3 ideas``, ``1 idea``.

    Examples
    --------
    >>> _plural(1, "idea"), _plural(3, "idea"), _plural(2, "dot left", "dots left")
    ('1 idea', '3 ideas', '2 dots left')
    """
    return f"{n} {one if n == 1 else (many or one + 's')}"


def render_framing(event: Event) -> str:
    """The challenge, the key question large, success measures and purpose (escaped)."""
    parts = []
    if event.key_question:
        parts.append(
            f'<dt>Key question</dt><dd class="fac-key-question fac-clamp">{esc(event.key_question)}</dd>'
        )
    if event.challenge:
        parts.append(f'<dt>The challenge</dt><dd class="fac-clamp fac-clamp-4">{esc(event.challenge)}</dd>')
    if event.success_measures:
        items = "".join(f"<li>{esc(m)}</li>" for m in event.success_measures[:5])
        more = len(event.success_measures) - 5
        if more > 0:
            items += f'<li class="fac-more">and {more} more</li>'
        parts.append(f'<dt>Success measures</dt><dd class="fac-clamp fac-clamp-6"><ul>{items}</ul></dd>')
    if event.purpose:
        parts.append(f'<dt>Our shared purpose</dt><dd class="fac-clamp">{esc(event.purpose)}</dd>')
    if not parts:
        return f'<p class="fac-prompt">{esc(event.phase.prompt)}</p>'
    return f'<dl class="fac-framing">{"".join(parts)}</dl>'


def wall_card(entry: Entry, tables: dict[int, str] | None = None) -> str:
    """One entry on the projector: kind, text (cut to what its card holds), table, evidence.

    Examples
    --------
    >>> from facilitation.capture.rules import Entry
    >>> e = Entry(1, 12, "idea", "<b>one form</b>", None, None, None, None, "", None)
    >>> html = wall_card(e)
    >>> "&lt;b&gt;one form" in html and "Table 12" in html
    True
    """
    where = (tables or {}).get(entry.table) or f"Table {entry.table}"
    evidence = f'<span class="fac-tag">{esc(entry.evidence)}</span>' if entry.evidence else ""
    kind = esc(entry.kind)
    return (
        f'<div class="fac-card fac-wall-card fac-kind-{kind}-card">'
        f'<div class="fac-card-text fac-clamp fac-entry-body">{esc(entry.text)}</div>'
        f'<div class="fac-card-foot"><span class="fac-card-table">{esc(where)}</span>{evidence}'
        + (
            ""
            if kind in ("enabler", "blocker", "idea")
            else f'<span class="fac-tag">{esc(entry.kind)}</span>'
        )
        + "</div></div>"
    )


def _rows(n: int) -> str:
    return f"grid-template-rows: repeat({max(1, n)}, minmax(0, 1fr))"


def render_columns(
    entries: list[Entry], limit: int = COLUMN_LIMIT, tables: dict[int, str] | None = None
) -> str:
    """Enablers and blockers side by side, newest first across the room (escaped).

    Examples
    --------
    >>> from facilitation.capture.rules import Entry
    >>> e = Entry(1, 1, "enabler", "<b>trust</b>", None, None, None, None, "", None)
    >>> html = render_columns([e])
    >>> "&lt;b&gt;trust&lt;/b&gt;" in html and "<b>trust" not in html
    True
    """
    cols = []
    for kind, title in (("enabler", "Enablers"), ("blocker", "Blockers")):
        mine = [e for e in entries if e.kind == kind]
        cards = "".join(wall_card(e, tables) for e in reversed(mine[-limit:]))
        more = len(mine) - limit
        # the levels in use only: seven levels side by side do not fit a column's head
        counts = " \u00b7 ".join(
            f"{n} {level}" for level in EVIDENCE_LEVELS if (n := sum(1 for e in mine if e.evidence == level))
        )
        cols.append(
            f'<section class="fac-col-{kind}"><h2>{title} <span class="fac-count">{len(mine)}</span></h2>'
            f'<div class="fac-evidence-counts">{counts}</div>'
            f'<div class="fac-col-cards" style="{_rows(limit)}">'
            f"{cards or '<p class=fac-more>None yet.</p>'}</div>"
            + (f'<div class="fac-more">and {more} more {title.lower()}</div>' if more > 0 else "")
            + "</section>"
        )
    return f'<div class="fac-columns">{"".join(cols)}</div>'


def render_idea_wall(
    entries: list[Entry],
    tables: list[TableInfo],
    rows: int = WALL_ROWS,
    columns: int = WALL_COLUMNS,
    noun: str = "ideas",
) -> str:
    """The newest ideas (and questions) across the room, table on each card (escaped).

    Examples
    --------
    >>> from facilitation.capture.rules import Entry
    >>> from facilitation.events.rules import TableInfo
    >>> ideas = [Entry(i, 1 + i % 3, "idea", f"idea {i}", None, None, None, None, "", None) for i in range(20)]
    >>> html = render_idea_wall(ideas, [TableInfo(i, i, f"Table {i}", None) for i in (1, 2, 3)], rows=2)
    >>> "idea 19" in html, "idea 11" in html, "and 12 more ideas" in html
    (True, False, True)
    """
    names = {t.number: t.name for t in tables}
    limit = rows * columns
    shown = "".join(wall_card(e, names) for e in reversed(entries[-limit:]))
    more = len(entries) - limit
    if not entries:
        return f'<p class="fac-hidden-note">No {noun} yet: the newest appear here as tables add them.</p>'
    return (
        f'<div class="fac-idea-wall" style="{_rows(rows)}; grid-template-columns: repeat({columns}, 1fr)">'
        f"{shown}</div>"
        + (f'<div class="fac-more fac-wall-more">and {more} more {noun}</div>' if more > 0 else "")
    )


def render_strip(
    tables: list[TableInfo], counts: dict[int, int] | None, noun: tuple[str, str], phase_index: int
) -> str:
    """One line per room: each table with its count for this phase (labelled), and done.

    Up to :data:`FULL_STRIP` tables each chip names its table ("Table 3: 4 ideas");
    more, compact cells (the number, the count) in one row, two rows from
    :data:`GRID_STRIP` tables. A chip never breaks inside.

    Examples
    --------
    >>> from facilitation.events.rules import TableInfo
    >>> html = render_strip([TableInfo(1, 1, "Table 1", 2)], {1: 3}, ("idea", "ideas"), 2)
    >>> "Table 1" in html and "3 ideas" in html and "done" in html
    True
    """
    n = len(tables)
    full = n <= FULL_STRIP
    cells = []
    for t in tables:
        done = t.done_phase == phase_index
        count = None if counts is None else counts.get(t.number, 0)
        cls = "fac-strip-cell" + (" fac-strip-done" if done else "")
        mark = '<span class="fac-strip-mark" aria-hidden="true">\u2714</span>' if done else ""
        if full:
            what = _plural(count, *noun) if count is not None else ("done" if done else "working")
            if done and count is not None:
                what += ", done"
            cells.append(
                f'<span class="{cls}">{mark}<b>{esc(t.name)}</b> <span class="fac-strip-count">{what}</span></span>'
            )
        else:
            shown = str(count) if count is not None else ("\u2714" if done else "\u00b7")
            label = (
                f"{t.name}: "
                + (_plural(count, *noun) if count is not None else "")
                + (" done" if done else "")
            )
            cells.append(
                f'<span class="{cls}" title="{esc(label)}"><b>{t.number}</b>'
                f'<span class="fac-strip-count">{esc(shown)}</span></span>'
            )
    layout = "fac-strip-full" if full else ("fac-strip-grid" if n >= GRID_STRIP else "fac-strip-row")
    cols = n if n < GRID_STRIP else -(-n // 2)
    done_n = sum(1 for t in tables if t.done_phase == phase_index)
    legend = (
        f'<span class="fac-strip-label">{esc(noun[1].capitalize())} per table'
        + (f" \u00b7 {done_n} of {n} done" if done_n else "")
        + "</span>"
        if counts is not None
        else f'<span class="fac-strip-label">{done_n} of {n} tables done</span>'
    )
    style = "" if full else f' style="grid-template-columns: repeat({cols}, minmax(0, 1fr))"'
    return f'<div class="fac-strip {layout}">{legend}<div class="fac-strip-cells"{style}>{"".join(cells)}</div></div>'


def render_counts(event: Event, tables: list[TableInfo], counts: dict[int, dict[str, int]]) -> str:
    """Entries per table this event, as the strip shows them (kept for callers of the old name)."""
    totals = {t: sum(c.values()) for t, c in counts.items()}
    return render_strip(tables, totals, ("entry", "entries"), event.phase_index)


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


def render_close(groups: Sequence[Group], next_event: Event | None = None, limit: int = GROUP_CARDS) -> str:
    """What happens next: each group's lead, first meeting and first actions; when we meet again.

    Examples
    --------
    >>> from facilitation.plans.rules import Action, Group
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
    for g in groups[:limit]:
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
        cards.append(f'<section class="fac-card fac-clamp">{"".join(lines)}</section>')
    more = len(groups) - limit
    body = (
        f'<div class="fac-wall fac-close-wall">{"".join(cards)}</div>'
        + (f'<div class="fac-more">and {more} more groups</div>' if more > 0 else "")
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

    The page is one screen: a header band (title, phase, prompt, banners, countdown,
    join code and QR), the per-table strip, and the phase's wall filling the rest.

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
        self.extra.add_class("fac-projector-extra")
        self.extra.layout.display = "none"
        self.extra_key: Any = None
        self.rows = WALL_ROWS  # rows of cards the wall has room for (see refresh)
        head = w.HBox([w.VBox([self.title, self.phase]), self.timer, self.join])
        head.add_class("fac-projector-head")
        from facilitation.ui.chime import Chime

        self.chime = Chime()  # the chime at zero, when the console switches it on
        self.widget = w.VBox([head, self.counts, self.wall, self.extra, self.chime])
        self.widget.add_class("fac-projector")
        ctx.watcher.on_change(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Redraw from one snapshot of the store (:func:`read_projector`); unchanged parts send nothing."""
        event_id = self.ctx.event_id
        data = self.ctx.store.read(lambda conn: read_projector(conn, event_id))
        event, tables = data.event, data.tables
        set_html(self.title, f"<div>{esc(event.title)}</div>")
        banners = self.banners(event)
        set_html(
            self.phase,
            f"<h1>{esc(event.phase.title)}</h1>"
            f'<div class="fac-prompt fac-clamp">{esc(event.phase.prompt)}</div>'
            + (f'<div class="fac-banners">{"".join(banners)}</div>' if banners else ""),
        )
        self.timer.show(event.timer_ends_at, event.timer_remaining)
        self.show_display(event, data.display)
        url = join_url(event_id, self.base_url)
        set_html(
            self.join,
            f'<div class="fac-join"><img src="{qr_data_uri(url)}" alt="QR code of the join page">'
            f'<div><div class="fac-join-hint">Join code</div><div class="fac-code">{esc(event.join_code)}</div>'
            f'<div class="fac-join-hint">{esc(url.split("?")[0].split("//")[-1].split("/")[0])}</div></div></div>',
        )
        set_html(self.counts, render_strip(tables, data.counts, data.noun, event.phase_index))
        # rows the wall has room for: fewer under a banner or a two-row strip
        self.rows = WALL_ROWS - (1 if banners else 0) - (1 if len(tables) >= GRID_STRIP else 0)
        set_html(self.wall, self.phase_body(data))
        # after the markup: a page (or a test) waiting for this class sees this phase's wall
        drawn = f"fac-wall-phase-{event.phase_index}"
        for cls in [c for c in self.wall._dom_classes if c.startswith("fac-wall-phase-") and c != drawn]:
            self.wall.remove_class(cls)
        if drawn not in self.wall._dom_classes:
            self.wall.add_class(drawn)
        self._phase_widget(event)

    def show_display(self, event: Event, display: Display) -> None:
        """The console's display choices: the theme (light text on black for a bright room), the chime."""
        contrast = display.projector_theme == "contrast"
        if contrast and "fac-theme-contrast" not in self.widget._dom_classes:
            self.widget.add_class("fac-theme-contrast")
        elif not contrast and "fac-theme-contrast" in self.widget._dom_classes:
            self.widget.remove_class("fac-theme-contrast")
        self.chime.show(event.timer_ends_at, display.chime)

    def banners(self, event: Event) -> list[str]:
        """The large notices the room must not miss: input locked, a run-off."""
        out = []
        if event.input_locked:
            out.append('<div class="fac-banner fac-banner-locked" role="status">Input is locked</div>')
        if event.phase.input == "voting" and event.voting_round > 1:
            out.append(
                f'<div class="fac-banner fac-banner-runoff" role="status">Run-off: round {event.voting_round}</div>'
            )
        return out

    def phase_body(self, data: ProjectorData) -> str:
        """The markup for what the current phase is about, from the redraw's snapshot."""
        event, tables, rows = data.event, data.tables, self.rows
        names = {t.number: t.name for t in tables}
        kind = event.phase.input
        drawer: Callable[[], str] | None = {
            "capture": lambda: render_columns(data.entries, COLUMN_LIMIT - (WALL_ROWS - rows), names),
            "ideas": lambda: render_idea_wall(data.entries, tables, rows),
            "questions": lambda: render_idea_wall(data.entries, tables, rows, noun="questions"),
            "grouping": lambda: render_projector_themes(data.themes, rows),
            "voting": lambda: render_projector_votes(data, BAR_LIMIT - 2 * (WALL_ROWS - rows)),
            "plans": lambda: render_groups(data.groups),
            "links": lambda: "",
            "system-map": lambda: "",
        }.get(kind)
        if drawer is not None:
            return drawer()
        if event.phase.name == "close":
            return render_close(data.groups, next_in_series(data.series, event))
        return render_framing(event)

    def _phase_widget(self, event: Event) -> None:
        """The collaboration map, a live widget of its own, during the links phase."""
        key = "priority-circle" if event.circle_shown else event.phase.input
        if key != self.extra_key:
            self.extra_key = key
            children: list[w.Widget] = []
            if key == "links":
                from facilitation.ui.network_map import map_widget  # its layout code loads only for the map

                try:
                    children = [
                        map_widget(
                            self.ctx.store,
                            self.ctx.event_id,
                            watch=False,
                            explain=False,
                            figure_keys=MAP_FIGURES,
                            label_count=MAP_LABELS,
                        )
                    ]
                except Exception:  # a map that cannot draw must not take the projector down
                    children = [
                        html_widget('<p class="fac-hidden-note">The collaboration map is not available.</p>')
                    ]
            elif key == "system-map":
                from facilitation.ui.system_map_view import picture_widget

                children = [picture_widget(self.ctx.store, self.ctx.event_id)]
            elif key == "priority-circle":
                from facilitation.ui.priority_circle_view import CircleWidget

                children = [CircleWidget(self.ctx.store, self.ctx.event_id)]
            replace_children(self.extra, children)
            self.extra.layout.display = "flex" if children else "none"
            self.wall.layout.display = "none" if children else None
        elif key in ("links", "system-map", "priority-circle"):
            for child in self.extra.children:
                if hasattr(child, "refresh"):
                    child.refresh()  # the map redraws only when its network changed


def render_groups(groups: Sequence[Group]) -> str:
    """The plans wall: the task-and-finish groups, their leads and first actions."""
    if not groups:
        return '<p class="fac-hidden-note">The top themes become task-and-finish groups.</p>'
    cards = []
    for g in groups[:GROUP_CARDS]:
        lines = [f"<h2>{esc(g.name)}</h2>"]
        if g.purpose:
            lines.append(f"<div>{esc(g.purpose)}</div>")
        who = " \u00b7 ".join(
            f"{label} {esc(name)}" for label, name in (("Lead", g.lead), ("Sponsor", g.sponsor)) if name
        )
        if who:
            lines.append(f'<div class="fac-card-who">{who}</div>')
        if g.lead_table is not None:
            lines.append(f'<div class="fac-evidence">Plan drafted by table {g.lead_table}</div>')
        if g.actions:
            lines.append(f'<div class="fac-evidence">{_plural(len(g.actions), "first action")}</div>')
        cards.append(f'<section class="fac-card fac-clamp">{"".join(lines)}</section>')
    more = len(groups) - GROUP_CARDS
    return f'<div class="fac-wall fac-close-wall">{"".join(cards)}</div>' + (
        f'<div class="fac-more">and {more} more groups</div>' if more > 0 else ""
    )


def render_projector_themes(themes: Sequence[Theme], rows: int = WALL_ROWS) -> str:
    """The grouping wall: event-wide themes with their entry counts and the table themes
    that went into them, the newest merge marked; then the table themes not merged yet.

    Examples
    --------
    >>> from facilitation.themes.records import Theme
    >>> themes = [Theme(1, 1, "Falls <1>", 3, (1,)), Theme(2, 2, "Falls 2", 3, (2,)),
    ...           Theme(3, None, "One pathway", None, (1, 2), (1, 2)), Theme(4, 3, "Carers", None, (3,))]
    >>> html = render_projector_themes(themes)
    >>> "Falls &lt;1&gt;" in html, "2 entries" in html, "Carers" in html, "No themes yet" in html
    (True, True, True, False)
    """
    wide = [t for t in themes if t.table is None and t.merged_into is None]
    by_id = {t.id: t for t in themes}
    loose = [t for t in themes if t.table is not None and t.merged_into is None]
    if not wide and not loose:
        return '<p class="fac-hidden-note">No themes yet: tables group their entries on their own pages.</p>'
    parts = []
    if wide:
        newest = max(t.id for t in wide)
        wide_rows = max(1, rows - (1 if loose else 0))
        limit = min(THEME_CARDS, 3 * wide_rows)
        shown = sorted(wide, key=lambda t: len(t.entry_ids), reverse=True)[:limit]
        cards = []
        for t in shown:
            members = [by_id[i] for i in t.member_theme_ids if i in by_id]
            # as many chips as the card's rows hold; the count above says how many in all
            chips = "".join(
                f'<span class="fac-theme-chip">{esc(m.name)} <span class="fac-chip-table">'
                f"{'table ' + str(m.table) if m.table is not None else 'event-wide'}</span></span>"
                for m in members[:THEME_CHIPS]
            )
            new = t.id == newest and len(wide) > 1
            cards.append(
                f'<section class="fac-card fac-theme-card fac-clamp{" fac-theme-new" if new else ""}">'
                f"<h2>{esc(t.name)}{' <span class=fac-tag-new>newest merge</span>' if new else ''}</h2>"
                f'<div class="fac-theme-count">{_plural(len(t.entry_ids), "entry", "entries")} \u00b7 '
                f"{_plural(len(members), 'table theme')}</div>"
                f'<div class="fac-theme-chips fac-clamp">{chips}</div></section>'
            )
        more = len(wide) - len(shown)
        parts.append(
            f'<div class="fac-theme-wall" style="{_rows(-(-len(shown) // 3))}">{"".join(cards)}</div>'
            + (f'<div class="fac-more">and {more} more themes</div>' if more > 0 else "")
        )
    if loose:
        newest_first = sorted(loose, key=lambda t: t.id, reverse=True)
        chips = "".join(
            f'<span class="fac-theme-chip">{esc(t.name)} <span class="fac-chip-table">table {t.table}</span></span>'
            for t in newest_first[:LOOSE_CHIPS]
        )
        title = "Table themes not merged yet" if wide else "Table themes"
        parts.append(
            f'<section class="fac-loose-themes"><h2>{title}: <span class="fac-count">{len(loose)}</span>'
            ", newest first</h2>"
            f'<div class="fac-theme-chips fac-clamp">{chips}</div></section>'
        )
    return "".join(parts)


def render_projector_votes(data: ProjectorData, limit: int = BAR_LIMIT) -> str:
    """Voting on the projector: before the reveal how many dots are placed, never the
    tally; after it the ranked result, ties marked "=2", the share from other tables in words."""
    event = data.event
    if not event.votes_revealed or event.closed_round < event.voting_round:
        themes = data.themes
        names = "".join(
            f'<div class="fac-card fac-vote-theme fac-clamp">{esc(t.name)}</div>' for t in themes[:9]
        )
        more = len(themes) - 9
        what = "between" if event.voting_round > 1 else "on"
        return (
            f'<div class="fac-vote-progress"><b>{data.placed} of {data.dots} dots placed</b></div>'
            '<p class="fac-hidden-note">Votes stay hidden until the facilitator reveals them.</p>'
            f'<h2 class="fac-vote-on">Voting {what} {_plural(len(themes), "theme")}</h2>'
            f'<div class="fac-wall fac-vote-themes">{names}</div>'
            + (f'<div class="fac-more">and {more} more themes</div>' if more > 0 else "")
        )
    if data.ranked is None:
        return '<p class="fac-hidden-note">Votes stay hidden until the facilitator reveals them.</p>'
    return render_ranked(data.ranked, limit, event.voting_round)


def render_ranked(rows: Sequence[TallyRow], limit: int = BAR_LIMIT, round_: int = 1) -> str:
    """The ranked result: bars in rank order, ties as "=2", the share from other tables in words.

    Examples
    --------
    >>> from facilitation.voting.rules import TallyRow
    >>> html = render_ranked([TallyRow(1, "<A>", 4, 1, False, 0.5), TallyRow(2, "B", 3, 2, True, None),
    ...                       TallyRow(3, "C", 3, 2, True, 1.0)])
    >>> "&lt;A&gt;" in html, html.count(">=2<"), "2 of 4 dots from other tables" in html
    (True, 2, True)
    """
    if not rows:
        return '<p class="fac-hidden-note">No dots were spent.</p>'
    top = max(r.dots for r in rows) or 1
    cells = []
    for r in rows[:limit]:
        width = round(100 * r.dots / top)
        rank = f"={r.rank}" if r.tied else f"{r.rank}"
        cross = ""
        if r.cross_boundary is not None and r.dots:
            cross = f"{round(r.cross_boundary * r.dots)} of {r.dots} dots from other tables"
        cells.append(
            '<div class="fac-bar-row" role="row">'
            f'<div role="cell" class="fac-bar-rank">{rank}</div>'
            f'<div role="cell" class="fac-bar-name">{esc(r.name)}</div>'
            f'<div role="cell"><div class="fac-bar{" fac-bar-tie" if r.tied else ""}" style="width:{width}%"></div></div>'
            f'<div role="cell" class="fac-bar-dots"><b>{_plural(r.dots, "dot")}</b>'
            + (' <span class="fac-badge fac-tie">tie</span>' if r.tied else "")
            + f'<span class="fac-bar-cross">{cross}</span></div>'
            "</div>"
        )
    more = len(rows) - limit
    title = "Result of the run-off" if round_ > 1 else "Result"
    return (
        f'<h2 class="fac-result-title">{title}</h2>'
        f'<div class="fac-bars fac-ranked" role="table" aria-label="Vote results">{"".join(cells)}</div>'
        + (f'<div class="fac-more">and {more} more themes</div>' if more > 0 else "")
    )


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
