"""The organiser's page: before the event and after it, at a desk.

Create the next event from a template; import the attendee list with a preview and
each bad row named; seat people so organisations mix (a seeded plan, then moves by
hand); print join cards; see who took part against the invitation list (never a
group under five); export every format; follow the whole series, review the open
actions of its earlier meetings (done, moved, dropped, with a note) and record this
meeting's values of the key question and success measures. Handlers are named
methods that call the package; every typed string is escaped before it reaches an
HTML widget.
"""

from __future__ import annotations

import base64
import mimetypes
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from facilitation.capture.rules import series_assets
from facilitation.errors import FacilitationError
from facilitation.events.rules import create_event, event_keys, get_event, list_events, list_tables
from facilitation.events.templates import list_templates
from facilitation.exports import export, formats
from facilitation.frames import demographic_fields, frames, inclusion
from facilitation.live import served_by_voila
from facilitation.people import list_people
from facilitation.plans import open_actions_from_earlier_events
from facilitation.series import review_action
from facilitation.series.measures import event_measures, measure_values, record_measure
from facilitation.store import Store
from facilitation.ui.page import (
    PageContext,
    error_view,
    join_url,
    open_page,
    page_frame,
    page_url,
    projector_link_html,
    projector_url,
)
from facilitation.ui.widgets import WIDE, button, esc, html_widget, qr_data_uri, set_html

__all__ = ["OrganiserView", "download_link", "join_cards_html", "organiser_page", "table_html"]


def table_html(header: list[str], rows: list[list[Any]], cls: str = "fac-org-table") -> str:
    """An HTML table with every cell escaped.

    Examples
    --------
    >>> table_html(["name"], [["<b>Ama</b>"]])
    '<table class="fac-org-table"><thead><tr><th>name</th></tr></thead><tbody><tr><td>&lt;b&gt;Ama&lt;/b&gt;</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc('' if c is None else c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def series_plan_html(store: Store, series_id: int) -> str:
    """The series' roles, planned meetings and measures over time, every value escaped."""
    from facilitation.series.measures import series_measures
    from facilitation.series.rules import get_series, series_plan

    x = get_series(store, series_id)
    text = "<h2>Roles</h2>" + table_html(
        ["role", "name"], [[words, name or "not named"] for words, name in x.roles.items()]
    )
    meetings = series_plan(store, series_id)
    if meetings:
        text += "<h2>Planned meetings</h2>" + table_html(
            ["#", "date", "time", "minutes", "senior leader", "held"],
            [[m.number, m.starts_on, m.start_time, m.minutes, m.senior_leader,
              f"event {m.event_id}" if m.held else ""] for m in meetings],
        )  # fmt: skip
    measures = series_measures(store, series_id)
    if measures:
        text += "<h2>Measures over time</h2>" + table_html(
            ["measure", "date", "event", "value", "note"],
            [[name, p.starts_on or "", p.title, f"{p.value:g}", p.note] for name, points in measures.items()
             for p in points],
        )  # fmt: skip
    return text


def download_link(path: Path) -> str:
    """A link that downloads a file from the page itself (a data URI: no server route).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a <b>.md"
    >>> _ = f.write_text("x")
    >>> download_link(f)
    '<a class="fac-download" download="a &lt;b&gt;.md" href="data:text/markdown;base64,eA==">Download a &lt;b&gt;.md</a>'
    """
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<a class="fac-download" download="{esc(path.name)}" href="data:{mime};base64,{data}">Download {esc(path.name)}</a>'


def join_cards_html(store: Store, actor: Any, event_id: int, base: str | None = None) -> str:
    """One printable page of join cards: per table its QR code, link and the join code."""
    ev = get_event(store, event_id)
    keys = event_keys(store, actor, event_id)
    cards = []
    for t in list_tables(store, event_id):
        link = page_url("table", base, event=event_id, table=t.number, key=keys.tables[t.number])
        cards.append(
            f'<div class="card"><h2>{esc(t.name)}</h2><img alt="QR code for {esc(t.name)}" src="{qr_data_uri(link, scale=5)}">'
            f'<p class="link">{esc(link)}</p><p>Or open the join page and type the code <b>{esc(ev.join_code)}</b></p>'
            f'<p class="event">{esc(ev.title)}</p></div>'
        )
    style = (
        "body{font-family:Arial,sans-serif;margin:0}.cards{display:grid;grid-template-columns:1fr 1fr;gap:8mm;"
        "padding:8mm}.card{border:1px dashed #888;padding:6mm;text-align:center;break-inside:avoid}"
        ".card img{width:45mm;height:45mm}.link{font-size:8pt;word-break:break-all}.event{color:#555}"
        "@page{size:A4;margin:8mm}"
    )
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Join cards: {esc(ev.title)}</title>'
        f'<style>{style}</style></head><body><div class="cards">{"".join(cards)}</div></body></html>'
    )


# The page's own few rules: readable tables, a plan laid out table by table.
_STYLE = """<style>
.fac-organiser table.fac-org-table { border-collapse: collapse; margin: .5rem 0; }
.fac-organiser table.fac-org-table th, .fac-organiser table.fac-org-table td {
  border-bottom: 1px solid #ddd; padding: .2rem .6rem; text-align: left; }
.fac-organiser table.fac-org-table th { background: #f3f3f8; }
.fac-organiser .fac-error { color: #a50026; font-weight: bold; }
.fac-org-plan-view { display: block; }
.fac-org-plan-table { display: inline-block; vertical-align: top; width: 19rem; margin: 0 1rem 1rem 0; }
.fac-org-plan-table ul { margin: .2rem 0; padding-left: 1.1rem; }
.fac-organiser .lm-TabPanel h2 { font-size: 1.2rem; margin: .6rem 0 .2rem; }
.fac-organiser .fac-org-plan-table h2 { font-size: 1.05rem; }
.fac-organiser a.fac-download { color: #332288; text-decoration: underline; }
</style>"""


class OrganiserView:
    """The organiser's widgets, handlers and per-view state (the seating plan being edited)."""

    def __init__(self, ctx: PageContext, *, out_dir: Path | None = None, base: str | None = None) -> None:
        self.ctx = ctx
        self.base = base
        self.out_dir = out_dir or Path(tempfile.mkdtemp(prefix="facilitation-exports-"))
        self.plan: dict[int, int] = {}
        self.upload: tuple[bytes, str] | None = None
        self.ready: dict[str, list[Path]] = {}  # format -> files offered for download
        self.header = html_widget("", "fac-org-header")
        self.message = html_widget("", "fac-org-message")
        # new event
        self.template = w.Dropdown(description="Template", options=list_templates())
        self.title = w.Text(description="Title", placeholder="the next event's title")
        self.tables = w.BoundedIntText(description="Tables", value=6, min=1, max=60)
        self.starts_on = w.Text(description="Date", placeholder="YYYY-MM-DD")
        self.same_series = w.Checkbox(description="in this event's series", value=True)
        self.create_button = button("Create event", self.create_next_event, "fac-org-create", style="primary")
        self.created = html_widget("", "fac-org-created")
        # people
        self.file = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Attendee list")
        self.file.add_class("fac-org-upload")
        self.file.observe(self.on_upload, names="value")
        self.preview = html_widget("", "fac-org-preview")
        self.skip_bad = w.Checkbox(description="skip the bad rows", value=False)
        self.import_button = button("Import people", self.import_file, "fac-org-import", style="primary")
        self.people = html_widget("", "fac-org-people")
        # seating
        self.seed = w.IntText(description="Seed", value=1)
        self.plan_button = button("Plan seating", self.plan_seats, "fac-org-plan")
        self.move_person = w.Dropdown(description="Move", options=[])
        self.move_table = w.Dropdown(description="to table", options=[])
        self.move_button = button("Move", self.move, "fac-org-move")
        self.apply_button = button(
            "Seat people by this plan", self.apply_seats, "fac-org-apply", style="success"
        )
        self.plan_view = html_widget("", "fac-org-plan-view")
        # join cards, and the links that need no table key: the projector's (read-only), the join page
        self.links = html_widget(
            projector_link_html(projector_url(ctx.store, ctx.actor, ctx.event_id, base))
            + f'<p class="fac-projector-link">Join page (no key; tables type the join code): '
            f'<a href="{esc(join_url(ctx.event_id, base))}" target="_blank" rel="noopener">'
            f"{esc(join_url(ctx.event_id, base))}</a></p>",
            "fac-org-links",
        )
        self.cards_button = button("Make join cards", self.make_cards, "fac-org-cards")
        self.cards = html_widget("", "fac-org-cards-view")
        # inclusion
        self.inclusion_by = w.Dropdown(description="By", options=["organisation", "sector"])
        self.inclusion_by.observe(self.show_inclusion, names="value")
        self.inclusion = html_widget("", "fac-org-inclusion")
        # exports
        self.export_buttons = {name: button(f"Export {name}", self.export_clicked, f"fac-export-{name}")
                               for name in formats()}  # fmt: skip
        for name, f in formats().items():
            self.export_buttons[name].tooltip = f.description
        self.downloads = html_widget("", "fac-org-downloads")
        # series
        self.series = html_widget("", "fac-org-series")
        # review an open action of an earlier meeting (the rule checks the role)
        self.review_action = w.Dropdown(
            description="Action", options=[], layout=w.Layout(width="100%"), style=WIDE
        )
        self.review_action.add_class("fac-org-review-action")
        self.review_outcome = w.ToggleButtons(
            description="Outcome",
            options=[("Done", "done"), ("Moved", "moved"), ("Dropped", "dropped")],
            style=WIDE,
        )
        self.review_outcome.add_class("fac-org-review-outcome")
        self.review_moved_to = w.Text(
            description="New due date", placeholder="YYYY-MM-DD, when moved", style=WIDE
        )
        self.review_moved_to.add_class("fac-org-review-date")
        self.review_note = w.Text(
            description="Note", placeholder="what happened, why", layout=w.Layout(width="32rem"), style=WIDE
        )
        self.review_note.add_class("fac-org-review-note")
        self.review_button = button("Record review", self.record_review, "fac-org-review", style="primary")
        # this meeting's value of a measure
        self.measure_name = w.Dropdown(
            description="Measure", options=[], layout=w.Layout(width="100%"), style=WIDE
        )
        self.measure_name.add_class("fac-org-measure-name")
        self.measure_value = w.Text(description="Value", placeholder="a number, like 27.5", style=WIDE)
        self.measure_value.add_class("fac-org-measure-value")
        self.measure_note = w.Text(
            description="Note", placeholder="where it comes from", layout=w.Layout(width="32rem"), style=WIDE
        )
        self.measure_note.add_class("fac-org-measure-note")
        self.measure_button = button("Record value", self.record_value, "fac-org-measure", style="primary")
        self.measures_view = html_widget("", "fac-org-measures")
        review_box = w.VBox(
            [html_widget("<h2>Review an open action</h2>"), self.review_action, self.review_outcome,
             w.HBox([self.review_moved_to, self.review_note], layout=w.Layout(flex_flow="row wrap")),
             w.HBox([self.review_button])]
        )  # fmt: skip
        self.review_box = review_box
        measure_box = w.VBox(
            [html_widget("<h2>This meeting's measures</h2>"), self.measures_view, self.measure_name,
             w.HBox([self.measure_value, self.measure_note], layout=w.Layout(flex_flow="row wrap")),
             w.HBox([self.measure_button])]
        )  # fmt: skip
        tabs = [
            ("People", w.VBox([self.file, self.preview, self.skip_bad, self.import_button, self.people])),
            ("Seating", w.VBox([w.HBox([self.seed, self.plan_button]),
                                w.HBox([self.move_person, self.move_table, self.move_button]),
                                self.apply_button, self.plan_view])),
            ("Join cards", w.VBox([self.links, self.cards_button, self.cards])),
            ("Inclusion", w.VBox([self.inclusion_by, self.inclusion])),
            ("Exports", w.VBox([w.HBox(list(self.export_buttons.values()), layout=w.Layout(flex_flow="row wrap")),
                                self.downloads])),
            ("Series", w.VBox([self.series, review_box, measure_box])),
            ("New event", w.VBox([self.template, self.title, self.tables, self.starts_on, self.same_series,
                                  self.create_button, self.created])),
        ]  # fmt: skip
        self.tabs = w.Tab(children=[box for _, box in tabs])
        for i, (name, _) in enumerate(tabs):
            self.tabs.set_title(i, name)
        self.widget = w.VBox(
            [w.HTML(_STYLE, layout=w.Layout(display="none")), self.header, self.message, self.tabs]
        )
        self.widget.add_class("fac-organiser")
        self.refresh()

    def say(self, text: str, *, error: bool = False) -> None:
        """A one-line message above the tabs (escaped)."""
        cls = "fac-error" if error else "fac-ok"
        set_html(self.message, f'<p class="{cls}" role="status">{esc(text)}</p>' if text else "")

    def _guard(self, fn: Callable[[], str | None]) -> None:
        try:
            said = fn()
        except FacilitationError as exc:
            self.say(str(exc), error=True)
            return
        if said:
            self.say(said)

    # -- drawing -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the header, the people, the seating choices, inclusion and the series."""
        store, event_id = self.ctx.store, self.ctx.event_id
        ev = get_event(store, event_id)
        people = list_people(store, event_id)
        set_html(
            self.header,
            f"<h1>{esc(ev.title)}</h1><p>Organiser \u00b7 {esc(ev.starts_on or 'no date')} \u00b7 "
            f"{len(people)} people \u00b7 phase: {esc(ev.phase.title)} \u00b7 join code {esc(ev.join_code)}</p>",
        )
        set_html(
            self.people,
            table_html(["name", "organisation", "sector", "role", "table"],
                       [[p.name, p.organisation, p.sector, p.role, p.table] for p in people]),
        )  # fmt: skip
        self.move_person.options = [
            (f"{p.name} ({p.organisation or 'no organisation'})", p.id) for p in people
        ]
        self.move_table.options = [(t.name, t.number) for t in list_tables(store, event_id)]
        self.inclusion_by.options = ["organisation", "sector", *demographic_fields(store, event_id)]
        self.show_inclusion()
        self.show_series()

    def show_inclusion(self, change: Any = None) -> None:
        """Invited, attended and contributed by the chosen field; groups under five merged."""
        table = inclusion(self.ctx.store, self.ctx.event_id, self.inclusion_by.value or "organisation")
        if table.empty:
            set_html(
                self.inclusion,
                "<p>Fewer than five people: nothing is shown, so nobody can be picked out.</p>",
            )
            return
        rows = [
            ["hidden (under 5)" if v is None or v != v else v for v in row]
            for row in table.astype(object).values.tolist()
        ]
        set_html(
            self.inclusion,
            table_html(list(table.columns), rows)
            + "<p>Groups of fewer than five people are merged into \u201cother\u201d and never shown on their own.</p>",
        )

    def show_series(self) -> None:
        """The events of this event's series: participation, entries, ties, groups; and open actions."""
        store, ev = self.ctx.store, get_event(self.ctx.store, self.ctx.event_id)
        if ev.series_id is None:
            set_html(self.series, "<p>This event is not part of a series.</p>")
            return
        f = frames(store, series_id=ev.series_id, kinds=["people", "entries", "ties", "groups", "actions"])
        seen: set[int] = set()
        rows = []
        for e in list_events(store, ev.series_id):
            people = set(f["people"].loc[f["people"]["event"] == e.id, "id"].astype(int))
            seen |= people
            count = {k: int((f[k]["event"] == e.id).sum()) for k in ("entries", "ties", "groups", "actions")}
            rows.append([e.starts_on or "", e.title, len(people), len(seen), count["entries"], count["ties"],
                         count["groups"], count["actions"]])  # fmt: skip
        header = ["date", "event", "people", "people so far", "entries", "ties", "groups", "actions"]
        open_rows = [[o.event_title, o.group, o.action.text, o.action.owner, o.action.due_on or "", o.action.status]
                     for o in open_actions_from_earlier_events(store, ev.id)]  # fmt: skip
        text = table_html(header, rows)
        if open_rows:
            text += "<h2>Open actions from earlier events</h2>" + table_html(
                ["event", "group", "action", "owner", "due", "status"], open_rows
            )
        assets = series_assets(store, ev.series_id)
        if assets:
            text += "<h2>Assets found across the series: what already works, and where</h2>" + table_html(
                ["meeting", "table", "asset", "evidence", "source"],
                [
                    [a.starts_on or a.event_title, a.table, a.text, a.evidence or "", a.source or ""]
                    for a in assets
                ],
            )
        text += series_plan_html(store, ev.series_id)
        set_html(self.series, text)
        self.show_reviews_and_measures()

    def show_reviews_and_measures(self) -> None:
        """The open actions to review (the box hides when there are none) and the measures."""
        store, event_id = self.ctx.store, self.ctx.event_id
        opened = open_actions_from_earlier_events(store, event_id)
        self.review_action.options = [
            (f"{o.event_date or o.event_title} \u00b7 {o.group} \u00b7 {o.action.text}", o.action.id)
            for o in opened
        ]
        self.review_box.layout.display = "" if opened else "none"
        if opened and self.review_action.value is None:
            self.review_action.value = opened[0].action.id
        names = event_measures(store, event_id)
        self.measure_name.options = [
            (f"{i}. {'Key question: ' + said if name == 'key question' else name}", name)
            for i, (name, said) in enumerate(names, start=1)
        ]
        if names and self.measure_name.value is None:
            self.measure_name.value = names[0][0]
        values = measure_values(store, event_id)
        rows = [[v.name, f"{v.value:g}", v.note, v.created_at[:16].replace("T", " ")] for v in values]
        set_html(
            self.measures_view,
            table_html(["measure", "value", "note", "recorded"], rows)
            if rows
            else "<p>No value recorded at this meeting yet.</p>"
            if names
            else "<p>This event has no key question or success measures yet: set them in its framing.</p>",
        )

    def record_review(self, _: Any = None) -> None:
        """Review the chosen action: done, moved (to the new date) or dropped, with the note."""

        def go() -> str:
            if self.review_action.value is None:
                raise FacilitationError("Choose an action to review first.")
            what = (self.review_action.label or "").split(" \u00b7 ")[-1]
            review_action(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, int(self.review_action.value),
                self.review_outcome.value, self.review_note.value,
                self.review_moved_to.value.strip() or None,
            )  # fmt: skip
            self.review_note.value = self.review_moved_to.value = ""
            self.show_series()
            return f"Reviewed ({self.review_outcome.value}): {what}"

        self._guard(go)

    def record_value(self, _: Any = None) -> None:
        """Record this meeting's value of the chosen measure (the rule checks it is a number)."""

        def go() -> str:
            if self.measure_name.value is None:
                raise FacilitationError("This event has no measure to record; set them in its framing first.")
            record_measure(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, self.measure_name.value,
                self.measure_value.value, self.measure_note.value,
            )  # fmt: skip
            said = f"Recorded {self.measure_value.value.strip()} for {self.measure_name.value}."
            self.measure_value.value = self.measure_note.value = ""
            self.show_reviews_and_measures()
            return said

        self._guard(go)

    # -- new event -------------------------------------------------------------------------
    def create_next_event(self, _: Any = None) -> None:
        """Create an event from the chosen template; show its organiser and facilitator links once."""

        def go() -> str:
            ev = get_event(self.ctx.store, self.ctx.event_id)
            keys = create_event(
                self.ctx.store, self.ctx.actor, template=self.template.value, title=self.title.value,
                tables=self.tables.value, series_id=ev.series_id if self.same_series.value else None,
                starts_on=self.starts_on.value.strip() or None,
            )  # fmt: skip
            organiser = page_url("organiser", self.base, event=keys.event_id, key=keys.organiser)
            facilitator = page_url("facilitator", self.base, event=keys.event_id, key=keys.facilitator)
            set_html(
                self.created,
                f"<p>Event {keys.event_id} created, join code <b>{esc(keys.join_code)}</b>. Keep these links private:</p>"
                f'<p>Organiser: <code class="fac-org-new-organiser">{esc(organiser)}</code></p>'
                f"<p>Facilitator: <code>{esc(facilitator)}</code></p>",
            )
            return f"Created event {keys.event_id}."

        self._guard(go)

    # -- people ------------------------------------------------------------------------------
    def on_upload(self, change: Any) -> None:
        """A file was chosen: read it and show the preview."""
        for item in change["new"] or ():
            self.load_file(bytes(item["content"]), str(item["name"]))

    def load_file(self, data: bytes, filename: str) -> None:
        """Preview an attendee list: who will be imported, and each bad row by its line."""
        from facilitation.people.importing import preview_people

        def go() -> str:
            preview = preview_people(
                data, filename, tables=len(list_tables(self.ctx.store, self.ctx.event_id))
            )
            self.upload = (data, filename)
            errors = "".join(f"<li>{esc(e)}</li>" for e in preview.errors)
            dups = "".join(f"<li>{esc(d)}</li>" for d in preview.duplicates)
            set_html(
                self.preview,
                f"<p>{esc(preview.summary().splitlines()[0])}</p>"
                + (f'<h2>Bad rows</h2><ul class="fac-org-errors">{errors}</ul>' if errors else "")
                + (f"<h2>Listed twice</h2><ul>{dups}</ul>" if dups else "")
                + table_html(["line", "name", "organisation", "sector", "role", "table"],
                             [[r.line, r.name, r.organisation, r.sector, r.role, r.table] for r in preview.rows[:200]]),
            )  # fmt: skip
            return (
                "Check the preview, then import."
                if preview.ok
                else "Some rows cannot be imported: see below."
            )

        self._guard(go)

    def import_file(self, _: Any = None) -> None:
        """Import the previewed file: every good row or nothing."""
        from facilitation.people.importing import import_people

        def go() -> str:
            if self.upload is None:
                raise FacilitationError("Choose an attendee list (CSV or XLSX) first.")
            data, filename = self.upload
            report = import_people(self.ctx.store, self.ctx.actor, self.ctx.event_id, data, filename,
                                   skip_bad_rows=self.skip_bad.value)  # fmt: skip
            self.refresh()
            return str(report)

        self._guard(go)

    # -- seating -----------------------------------------------------------------------------
    def plan_seats(self, _: Any = None) -> None:
        """A seating plan with the seed: organisations and sectors spread across tables."""
        from facilitation.people.seating import plan_seating

        def go() -> str:
            people = list_people(self.ctx.store, self.ctx.event_id)
            tables = [t.number for t in list_tables(self.ctx.store, self.ctx.event_id)]
            self.plan = dict(plan_seating(people, tables, seed=int(self.seed.value)))
            self.show_plan()
            return "A plan: move anyone by hand, then seat people by it."

        self._guard(go)

    def move(self, _: Any = None) -> None:
        """Move one person in the plan (nothing is saved until the plan is applied)."""
        if not self.plan:
            self.say("Plan the seating first.", error=True)
            return
        if self.move_person.value is None or self.move_table.value is None:
            self.say("Choose a person and a table to move them to.", error=True)
            return
        self.plan[int(self.move_person.value)] = int(self.move_table.value)
        self.show_plan()
        self.say("")

    def show_plan(self) -> None:
        """The plan by table, with how well it mixes."""
        from facilitation.people.seating import mixing_score

        people = {p.id: p for p in list_people(self.ctx.store, self.ctx.event_id)}
        score = mixing_score(list(people.values()), self.plan)
        blocks = []
        for t in list_tables(self.ctx.store, self.ctx.event_id):
            names = [people[pid] for pid, n in sorted(self.plan.items()) if n == t.number and pid in people]
            items = "".join(f"<li>{esc(p.name)} <small>{esc(p.organisation)}</small></li>" for p in names)
            blocks.append(
                f'<div class="fac-org-plan-table"><h2>{esc(t.name)} ({len(names)})</h2><ul>{items}</ul></div>'
            )
        set_html(self.plan_view, f"<p>{esc(score)}</p>" + "".join(blocks))

    def apply_seats(self, _: Any = None) -> None:
        """Seat everyone by the plan, in one write."""
        from facilitation.people.seating import apply_seating

        def go() -> str:
            if not self.plan:
                raise FacilitationError("Plan the seating first.")
            moved = apply_seating(self.ctx.store, self.ctx.actor, self.ctx.event_id, self.plan)
            self.refresh()
            return f"Seated: {moved} people moved."

        self._guard(go)

    # -- join cards, exports ---------------------------------------------------------------------
    def make_cards(self, _: Any = None) -> None:
        """Join cards to print: one per table, with its QR code and link."""

        def go() -> str:
            page = join_cards_html(self.ctx.store, self.ctx.actor, self.ctx.event_id, self.base)
            path = self.out_dir / f"join cards event {self.ctx.event_id}.html"
            path.write_text(page, encoding="utf-8")
            set_html(self.cards, download_link(path) + " \u2014 open it and print (one card per table).")
            return "Join cards ready."

        self._guard(go)

    def export_clicked(self, button: w.Button) -> None:
        """Export the format of the button pressed and offer its files for download."""
        fmt = next(name for name, b in self.export_buttons.items() if b is button)
        self.export_format(fmt)

    def export_format(self, fmt: str) -> list[Path]:
        """Export one format into this view's folder; add download links for its files."""
        paths: list[Path] = []

        def go() -> str:
            paths.extend(export(self.ctx.store, self.ctx.actor, self.ctx.event_id, fmt, self.out_dir))
            self.ready[fmt] = list(paths)
            links = "".join(f"<li>{download_link(p)}</li>" for files in self.ready.values() for p in files)
            set_html(self.downloads, f'<ul class="fac-org-download-list">{links}</ul>')
            return f"{fmt}: {len(paths)} file{'s' if len(paths) != 1 else ''} ready."

        self._guard(go)
        return paths


def organiser_page(ctx: PageContext | None = None) -> w.Widget:
    """The organiser's page for the key in the link (what ``organiser.ipynb`` displays)."""
    try:
        ctx = ctx or open_page()
        if ctx.actor.role not in ("organiser", "facilitator"):
            raise FacilitationError("This is the organiser's page; this link's key is not the organiser's.")
        view = OrganiserView(ctx)
    except FacilitationError as exc:
        if not served_by_voila():
            raise
        return error_view(exc, "fac-organiser-shell")
    return page_frame(view.widget, ctx, "fac-organiser-shell")
