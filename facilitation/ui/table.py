"""The table page: who is at the table, and the input for the current phase.

The page acts as its table only (``ctx.actor`` comes from the key in the link); every
handler calls a rule with that actor, and the rule checks it again, so a forged widget
message cannot write for another table or move the event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import ipywidgets as w

from facilitation.capture import Entry, add_entry, edit_entry, list_entries, withdraw_entry
from facilitation.errors import FacilitationError
from facilitation.events import Event, get_event, list_tables, mark_table_done
from facilitation.live import served_by_voila
from facilitation.people import Person, add_person, list_people, remove_from_event, update_person
from facilitation.store.schema import EVIDENCE_LEVELS
from facilitation.ui.page import PageContext, error_view, open_page, page_frame
from facilitation.ui.widgets import (
    WIDE,
    Countdown,
    EntryInput,
    Rows,
    SavedState,
    block,
    box_token,
    button,
    entry_row,
    esc,
    html_widget,
    new_token,
    replace_children,
    set_html,
)

__all__ = ["TableState", "TableView", "draft_token", "entry_card", "table_page"]

# Which kinds a table types during each phase input; the first is the default.
PHASE_KINDS: dict[str, tuple[str, ...]] = {
    "capture": ("enabler", "blocker"),
    "ideas": ("idea", "question"),
    "questions": ("question",),
    "grouping": ("idea",),
}
EDITABLE_INPUTS = ("capture", "ideas", "questions", "grouping")
KIND_LABELS = {"enabler": "Enabler", "blocker": "Blocker", "idea": "Idea", "question": "Question"}


@dataclass
class TableState:
    """What this one page holds between refreshes: the draft, its token, what is shown."""

    editing_entry: int | None = None
    editing_person: int | None = None
    draft_token: str = field(default_factory=new_token)
    person_token: str = field(default_factory=new_token)
    shown_entries: tuple[Entry, ...] | None = None  # None: not drawn yet, so an empty list shows its hint
    shown_people: tuple[Person, ...] | None = None
    phase_key: tuple[Any, ...] = ()
    phase_index: int | None = None
    panel_input: str = ""
    # a plan's changes not saved when the phase moved on, by group: offered back on return
    plan_drafts: dict[int, dict[str, Any]] = field(default_factory=dict)


def draft_token(table: int, draft: str, text: str) -> str:
    """The client token of a table's draft: its table, the browser's draft id and its text.

    The same draft sent again (Enter again, Add, after a reload, a resent message) has
    the same token, so the store keeps it once. Spaces do not make a draft new; another
    text under the same id (the browser missed a confirmation, or the lead changed the
    text before sending it again) is another entry. The table is part of it, so no page
    can name another table's draft.

    Examples
    --------
    >>> draft_token(1, "d-1", "Shared care") == draft_token(1, "d-1", " Shared  care ")
    True
    >>> len({draft_token(1, "d-1", "Shared care"), draft_token(2, "d-1", "Shared care"),
    ...      draft_token(1, "d-2", "Shared care"), draft_token(1, "d-1", "Shared care record")})
    4
    >>> len(draft_token(1, "x" * 64, "y" * 20_000)) <= 80
    True
    """
    return box_token(f"table-{int(table)}", draft, text)


def entry_card(entry: Entry) -> str:
    """One entry as escaped HTML: the kind as a word and a colour, the text, the evidence.

    Examples
    --------
    >>> from facilitation.capture import Entry
    >>> e = Entry(1, 2, "blocker", "<script>x</script>", "anecdote", None, None, None, "", None)
    >>> "<script>" in entry_card(e), "&lt;script&gt;" in entry_card(e)
    (False, True)
    """
    evidence = f'<span class="fac-evidence">({esc(entry.evidence)})</span>' if entry.evidence else ""
    return (
        f'<div class="fac-card fac-kind-{esc(entry.kind)}-card">'
        f'<span class="fac-kind fac-kind-{esc(entry.kind)}">{esc(KIND_LABELS.get(entry.kind, entry.kind))}</span>'
        f'<span class="fac-entry-body">{esc(entry.text)}</span>{evidence}</div>'
    )


class TableView:
    """The widgets of one table's page and the handlers behind them.

    Parameters
    ----------
    ctx : PageContext
        The page's store, event and actor (a table, or the facilitator helping).
    table : int
        The table number this page writes for.
    """

    def __init__(self, ctx: PageContext, table: int) -> None:
        self.ctx = ctx
        self.table = int(table)
        self.state = TableState()
        self.table_name = next(
            (t.name for t in list_tables(ctx.store, ctx.event_id) if t.number == self.table),
            f"Table {self.table}",
        )

        self.header = html_widget("", "fac-table-header")
        self.timer = Countdown()
        self.timer.add_class("fac-timer")
        self.lock_note = html_widget("", "fac-lock-note")

        # who is at the table
        self.people_rows = Rows(
            self._person_row,
            '<p class="fac-more">Nobody listed yet: add the people at your table.</p>',
            key=lambda p: (p.id, p.name, p.organisation),
        )
        self.people_list = self.people_rows.box
        self.people_list.add_class("fac-people-list")
        # the person's name saves on Enter, through the entry boxes' one mechanism
        self.person_name = EntryInput(
            placeholder="Name", label="Name", max_length=200, layout=w.Layout(width="300px")
        )
        self.person_name.add_class("fac-person-name")
        self.person_name.on_submit(self.save_person)
        self.person_name.answer_checks(f"table-{self.table}-person", self._written, "person")
        self.person_org = w.Text(
            placeholder="Organisation", description="Organisation", layout=w.Layout(width="360px"), style=WIDE
        )
        self.person_button = w.Button(description="Add person", button_style="")
        self.person_button.add_class("fac-person-add")
        self.person_button.on_click(self.save_person)
        self.person_cancel = w.Button(description="Cancel", layout=w.Layout(display="none"))
        self.person_cancel.on_click(self.cancel_person_edit)
        people_box = w.VBox(
            [
                html_widget('<div class="fac-section-title">Who is at this table</div>'),
                self.people_list,
                w.HBox([self.person_name, self.person_org, self.person_button, self.person_cancel]),
            ]
        )

        # the input of the current phase
        self.kind = w.ToggleButtons(
            options=[("Enabler", "enabler"), ("Blocker", "blocker")], description="Kind", style=WIDE
        )
        self.kind.add_class("fac-entry-kind")
        self.evidence = w.Dropdown(
            options=[("evidence: not given", "")] + [(e, e) for e in EVIDENCE_LEVELS],
            value="",
            description="Evidence",
            style=WIDE,
        )
        self.evidence.add_class("fac-entry-evidence")
        self.entry_text = EntryInput(
            placeholder="Type, then press Enter",
            label="Entry",
            layout=w.Layout(width="100%"),
            draft_key=f"event-{ctx.event_id}-table-{self.table}",
        )
        self.entry_text.add_class("fac-entry-text")
        self.entry_text.on_submit(self.submit)
        self.entry_text.on_check(self.check_draft)
        self.submit_button = w.Button(description="Add", button_style="primary")
        self.submit_button.add_class("fac-entry-submit")
        self.submit_button.on_click(self.submit)
        self.cancel_button = w.Button(description="Cancel edit", layout=w.Layout(display="none"))
        self.cancel_button.on_click(self.cancel_edit)
        self.saved = SavedState()
        self.entry_box = w.VBox(
            [
                w.HBox([self.kind, self.evidence]),
                w.HBox(
                    [self.entry_text, self.submit_button, self.cancel_button], layout=w.Layout(width="100%")
                ),
            ]
        )
        self.entry_box.add_class("fac-entry-box")
        self.entry_rows = Rows(
            self._entry_row,
            '<p class="fac-more">Nothing yet. What you add shows here and on the projector.</p>',
        )
        self.entry_list = self.entry_rows.box
        self.entry_list.add_class("fac-entry-list")
        self.done_button = w.Button(
            description="Our table is done", button_style="success", layout=w.Layout(width="auto")
        )
        self.done_button.add_class("fac-table-done")
        self.done_button.on_click(self.toggle_done)
        self.extra = w.VBox([])  # the grouping board, voting panel, links or plan
        self.panel: Any = None
        self.entries_title = html_widget('<div class="fac-section-title">Our entries</div>')

        self.widget = w.VBox(
            [
                w.HBox(
                    [self.header, self.timer], layout=w.Layout(justify_content="space-between", width="100%")
                ),
                self.lock_note,
                self.saved,  # the one save line, in every phase (CSS keeps it in view)
                self.entry_box,
                self.extra,
                self.entries_title,
                self.entry_list,
                self.done_button,
                people_box,
            ]
        )
        self.widget.add_class("fac-table-page")
        ctx.watcher.on_change(self.refresh)
        self.refresh()

    def _written(self, token: str) -> bool:
        return self.ctx.store.written(token) is not None

    # -- drawing ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw from the store; widgets whose content did not change send nothing."""
        event = get_event(self.ctx.store, self.ctx.event_id)
        self._draw_phase(event)
        self.timer.show(event.timer_ends_at, event.timer_remaining)
        self._draw_panel(event)
        entries = tuple(reversed(list_entries(self.ctx.store, self.ctx.event_id, table=self.table)))
        if entries != self.state.shown_entries:
            self.state.shown_entries = entries
            self.entry_rows.show(entries)
        self._draw_entry_buttons(event)
        people = tuple(list_people(self.ctx.store, self.ctx.event_id, table=self.table))
        if people != self.state.shown_people:
            self.state.shown_people = people
            self.people_rows.show(people)
        done = next(
            (t.done_phase for t in list_tables(self.ctx.store, self.ctx.event_id) if t.number == self.table),
            None,
        )
        label = "We are not done yet" if done == event.phase_index else "Our table is done"
        if self.done_button.description != label:
            self.done_button.description = label

    def _draw_phase(self, event: Event) -> None:
        phase = event.phase
        key = (event.phase_index, event.input_locked)
        set_html(
            self.header,
            f"<h1>{esc(self.table_name)} \u00b7 {esc(event.title)}</h1>"
            f'<div class="fac-phase-line"><strong>{esc(phase.title)}</strong> '
            f"(phase {event.phase_index + 1} of {len(event.phases)})</div>"
            f'<div class="fac-prompt-small">{esc(phase.prompt)}</div>',
        )
        set_html(
            self.lock_note,
            '<div class="fac-message fac-message-error" role="status">Input is locked by the facilitator; '
            "what you typed is kept.</div>"
            if event.input_locked
            else "",
        )
        if event.phase_index != self.state.phase_index:
            # a past phase's word ("Saved: Dot is at this table") does not stay on this one
            self.state.phase_index = event.phase_index
            self.saved.ready(_ready_hint(phase.input))
        if key == self.state.phase_key:
            return
        self.state.phase_key = key
        kinds = PHASE_KINDS.get(phase.input, ())
        show = bool(kinds)
        self.entry_box.layout.display = "" if show else "none"
        # while recording links or drafting plans the table's own entries are noise
        listed = "none" if phase.input in ("links", "plans") else ""
        self.entries_title.layout.display = self.entry_list.layout.display = listed
        if show:
            options = [(KIND_LABELS[k], k) for k in kinds]
            if list(self.kind.options) != options:
                self.kind.options = options
                self.kind.value = kinds[0]
            self.evidence.layout.display = "" if phase.input == "capture" else "none"
        self.entry_text.disabled = event.input_locked
        self.submit_button.disabled = event.input_locked

    def _draw_panel(self, event: Event) -> None:
        """The grouping board, the voting panel, the links or the plan, during their phases."""
        kind = event.phase.input
        if kind != self.state.panel_input:
            self.state.panel_input = kind
            if self.panel is not None and hasattr(self.panel, "unsaved"):
                self.state.plan_drafts.update(self.panel.unsaved())  # kept for the way back
            self.panel = None
            if kind == "grouping":
                from facilitation.ui.board import TableBoard

                self.panel = TableBoard(self.ctx, self.table, self.saved)
            elif kind == "voting":
                from facilitation.ui.voting_view import VotingPanel

                self.panel = VotingPanel(self.ctx, self.table, self.saved)
            elif kind == "links":
                from facilitation.ui.links_view import LinksPanel

                self.panel = LinksPanel(self.ctx, self.table, self.saved)
            elif kind == "plans":
                from facilitation.ui.plans_view import PlansPanel

                self.panel = PlansPanel(self.ctx, self.table, self.saved, drafts=self.state.plan_drafts)
            elif kind == "system-map":
                from facilitation.ui.system_map_view import SystemMapPanel

                self.panel = SystemMapPanel(self.ctx, self.table, self.saved)
            replace_children(self.extra, [self.panel.widget] if self.panel is not None else [])
        if self.panel is not None:
            self.panel.refresh()

    def _editable(self, event: Event) -> bool:
        return event.phase.input in EDITABLE_INPUTS and not event.input_locked

    def _draw_entry_buttons(self, event: Event) -> None:
        editable = self._editable(event)
        for row in self.entry_list.children:
            for child in getattr(row, "children", ()):
                if isinstance(child, w.Button) and child.disabled == editable:
                    child.disabled = not editable

    def _entry_row(self, entry: Entry) -> w.HBox:
        return entry_row(
            html_widget(entry_card(entry), "fac-entry"),
            button(
                "Edit",
                partial(self._click_edit, entry.id),
                "fac-entry-edit",
                tooltip=f"Edit this {entry.kind}",
            ),
            button(
                "Withdraw",
                partial(self._click_withdraw, entry.id),
                "fac-entry-withdraw",
                tooltip=f"Withdraw this {entry.kind}",
            ),
        )

    def _person_row(self, person: Person) -> w.HBox:
        text = block(
            f"{person.name}" + (f" \u2014 {person.organisation}" if person.organisation else ""), "fac-person"
        )
        return entry_row(
            html_widget(text),
            button("Edit", partial(self._click_edit_person, person.id), tooltip=f"Edit {person.name}"),
            button(
                "Remove",
                partial(self._click_remove_person, person.id),
                tooltip=f"Remove {person.name} from this table",
            ),
        )

    # -- entries ------------------------------------------------------------------------
    def _token(self, draft: str, text: str) -> str:
        """The draft's client token: the browser's draft id, or the page's own without a browser."""
        return draft_token(self.table, draft, text) if draft else self.state.draft_token

    def submit(self, _button: Any = None) -> bool:
        """Store the typed entry (or the edit) once; the draft stays in the box until it is stored.

        Enter and the Add button both name the browser's current draft, so pressing
        Enter again, clicking Add, a reload or a resent message after a lost reply
        finds the first write instead of making a second.
        """
        text = self.entry_text.value
        if not text.strip():
            self.saved.not_saved("Type something first.")
            return False
        self.saved.saving(text[:60])
        draft = self.entry_text.draft
        token = self._token(draft, text)
        editing = self.state.editing_entry
        try:
            if editing is not None:
                edit_entry(
                    self.ctx.store,
                    self.ctx.actor,
                    self.ctx.event_id,
                    self.state.editing_entry,
                    text=text,
                    kind=self.kind.value,
                    evidence=self.evidence.value if self.evidence.layout.display != "none" else None,
                    client_token=token,
                )
                entry_id = self.state.editing_entry
            else:
                entry_id = add_entry(
                    self.ctx.store,
                    self.ctx.actor,
                    self.ctx.event_id,
                    self.table,
                    self.kind.value,
                    text,
                    evidence=(self.evidence.value or None)
                    if self.kind.value in ("enabler", "blocker")
                    else None,
                    client_token=token,
                )
        except FacilitationError as exc:
            self.entry_text.not_stored(draft, text, refused=True)
            self.saved.not_saved(str(exc))
            return False
        except Exception:
            # the write may have committed: the browser asks again, and the store answers
            self.saved.not_saved("The event did not answer; your text is kept. Press Enter to try again.")
            return False
        self._confirm(draft, text, entry_id, edited=editing is not None)
        return True

    def check_draft(self, draft: str, text: str) -> bool:
        """Answer a browser that lost a reply: was its draft stored? Writes nothing.

        Stored: the page says "Saved" and the box is emptied, exactly as after the
        write's own reply. Not stored: the browser keeps the text for Enter.
        """
        if not text.strip():
            return False
        try:
            prior = self.ctx.store.written(self._token(draft, text))
        except Exception:
            return False  # the store is not reachable: the browser asks again
        if prior is None:
            self.entry_text.not_stored(draft, text)  # the browser sends it again, under the same name
            return False
        editing = self.state.editing_entry
        entry_id = prior.result if isinstance(prior.result, int) else editing
        self._confirm(draft, text, entry_id, edited=editing is not None and entry_id == editing)
        return True

    def _confirm(self, draft: str, text: str, entry_id: int | None, *, edited: bool = False) -> None:
        """The store has the draft: tell the browser first (one message), then the page."""
        entry = next(
            (
                e
                for e in list_entries(self.ctx.store, self.ctx.event_id, table=self.table)
                if e.id == entry_id
            ),
            None,
        )
        kind, shown = (entry.kind, entry.text) if entry is not None else (self.kind.value, text)
        label = f"{KIND_LABELS.get(kind, '')} \u201c{_short(shown)}\u201d"
        self.entry_text.stored(draft, text, label)  # the browser's box: emptied there, never here
        self.saved.saved(label)
        if edited:
            self._end_edit()
        self.state.draft_token = new_token()
        self.ctx.watcher.check()

    def _click_edit(self, entry_id: int, _button: Any = None) -> None:
        self.start_edit(entry_id)

    def _click_withdraw(self, entry_id: int, _button: Any = None) -> None:
        self.withdraw(entry_id)

    def start_edit(self, entry_id: int) -> None:
        """Put an entry of this table into the input box to change it."""
        entry = next((e for e in self.state.shown_entries or () if e.id == entry_id), None)
        if entry is None:
            self.saved.not_saved("That entry is not there any more.")
            return
        self.state.editing_entry = entry.id
        self.state.draft_token = new_token()
        self.entry_text.persist = False  # an edit is not brought back as a new entry after a reload
        if entry.kind in [v for _, v in self.kind.options]:
            self.kind.value = entry.kind
        self.evidence.value = entry.evidence or ""
        self.entry_text.fill(entry.text)
        self.submit_button.description = "Save changes"
        self.cancel_button.layout.display = ""

    def cancel_edit(self, _button: Any = None) -> None:
        """Leave edit mode; nothing is changed."""
        self.entry_text.fill("")
        self._end_edit()

    def _end_edit(self) -> None:
        # the box's text is the browser's: what the lead typed after the edit stays there
        self.state.editing_entry = None
        self.state.draft_token = new_token()
        self.entry_text.persist = True
        self.submit_button.description = "Add"
        self.cancel_button.layout.display = "none"

    def withdraw(self, entry_id: int) -> bool:
        """Withdraw an entry (kept in the store and the log, hidden from pages)."""
        self.saved.saving("withdrawing")
        try:
            withdraw_entry(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, entry_id, client_token=new_token()
            )
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        self.saved.saved("entry withdrawn")
        self.ctx.watcher.check()
        return True

    def toggle_done(self, _button: Any = None) -> None:
        """Tell the facilitator the table has finished this phase (or not yet)."""
        event = get_event(self.ctx.store, self.ctx.event_id)
        done = next(
            (t.done_phase for t in list_tables(self.ctx.store, self.ctx.event_id) if t.number == self.table),
            None,
        )
        try:
            mark_table_done(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, self.table, done != event.phase_index
            )
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return
        self.ctx.watcher.check()

    # -- people ---------------------------------------------------------------------------
    def save_person(self, _button: Any = None) -> bool:
        """Add the person typed in the form, or save the edit of one already listed.

        Enter in the name or "Add person"; in every phase the save line says "Saved"
        or why not (an empty name is refused by the rule, and said so)."""
        name, draft = self.person_name.value, self.person_name.draft
        token = box_token(f"table-{self.table}-person", draft, name) if draft else self.state.person_token
        self.saved.saving(_short(name) or "person")
        try:
            if self.state.editing_person is not None:
                update_person(
                    self.ctx.store,
                    self.ctx.actor,
                    self.ctx.event_id,
                    self.state.editing_person,
                    name=name,
                    organisation=self.person_org.value,
                    client_token=token,
                )
            else:
                add_person(
                    self.ctx.store,
                    self.ctx.actor,
                    self.ctx.event_id,
                    name,
                    organisation=self.person_org.value,
                    table=self.table,
                    client_token=token,
                )
        except FacilitationError as exc:
            self.person_name.not_stored(draft, name, refused=True)
            self.saved.not_saved(str(exc))
            return False
        except Exception:
            self.person_name.not_stored(draft, name, refused=True)
            self.saved.not_saved("The event did not answer; what you typed is kept. Try again.")
            return False
        said = f"{' '.join(name.split())} is at this table"
        self.person_name.stored(draft, name, said)
        self.saved.saved(said)
        self._end_person_edit()
        self.ctx.watcher.check()
        return True

    def _click_edit_person(self, person_id: int, _button: Any = None) -> None:
        person = next((p for p in self.state.shown_people or () if p.id == person_id), None)
        if person is None:
            return
        self.state.editing_person = person.id
        self.state.person_token = new_token()
        self.person_name.fill(person.name)
        self.person_org.value = person.organisation
        self.person_button.description = "Save person"
        self.person_cancel.layout.display = ""

    def cancel_person_edit(self, _button: Any = None) -> None:
        """Empty the person form."""
        self.person_name.fill("")
        self._end_person_edit()

    def _end_person_edit(self) -> None:
        # the name box is the browser's (emptied there on Enter or on the kernel's word)
        self.state.editing_person = None
        self.state.person_token = new_token()
        self.person_org.value = ""
        self.person_button.description = "Add person"
        self.person_cancel.layout.display = "none"

    def _click_remove_person(self, person_id: int, _button: Any = None) -> None:
        try:
            remove_from_event(self.ctx.store, self.ctx.actor, self.ctx.event_id, person_id)
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return
        self.ctx.watcher.check()


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "\u2026"


def _ready_hint(phase_input: str) -> str:
    """What the save line says when a phase starts.

    Examples
    --------
    >>> _ready_hint("none")
    'add the people at your table; each is saved at once'
    """
    if phase_input in PHASE_KINDS:
        return "type, then press Enter; each entry is saved at once"
    return {
        "links": "choose who worked with whom, then press Enter or Record link",
        "plans": "each action and member is saved at once; the plan form when you press Save plan",
        "voting": "a dot counts when it is saved",
        "system-map": "add an element or an arrow; each is saved at once",
    }.get(phase_input, "add the people at your table; each is saved at once")


def table_page(ctx: PageContext | None = None) -> w.Widget:
    """The whole table page for the key in the link (what ``table.ipynb`` displays)."""
    try:
        ctx = ctx or open_page()
        table = ctx.actor.table if ctx.actor.role == "table" else ctx.params.table
        if table is None:
            raise FacilitationError(
                "This link is not a table's link. Use your table's link or the join page."
            )
        view = TableView(ctx, table)
    except FacilitationError as exc:
        if not served_by_voila():
            raise  # nbval and notebooks opened by hand show the reason as an error
        return error_view(exc, "fac-table-shell")
    return page_frame(view.widget, ctx, "fac-table-shell")
