"""The table page: who is at the table, and the input for the current phase.

The page acts as its table only (``ctx.actor`` comes from the key in the link); every
handler calls a rule with that actor, and the rule checks it again, so a forged widget
message cannot write for another table or move the event.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from facilitation.capture import EVIDENCE_LEVELS, EVIDENCED_KINDS
from facilitation.capture.rules import (
    Entry,
    add_entry,
    edit_entry,
    list_entries,
    restore_entry,
    withdraw_entry,
)
from facilitation.errors import FacilitationError
from facilitation.events.rules import Event, get_event, list_tables, mark_table_done
from facilitation.live import served_by_voila
from facilitation.people import Person, add_person, list_people, remove_from_event, update_person
from facilitation.ui import lists
from facilitation.ui.lists import ListWidget
from facilitation.ui.page import PageContext, error_view, open_page, page_frame
from facilitation.ui.widgets import (
    Countdown,
    EntryInput,
    SavedState,
    box_token,
    esc,
    html_widget,
    new_token,
    replace_children,
    set_html,
)

__all__ = ["TableState", "TableView", "draft_token", "entry_card", "table_page"]

# Which kinds a table types during each phase input; the first is the default.
PHASE_KINDS: dict[str, tuple[str, ...]] = {
    "capture": ("enabler", "blocker", "asset"),
    "ideas": ("idea", "question", "asset"),
    "questions": ("question",),
    "grouping": ("idea",),
}
EDITABLE_INPUTS = ("capture", "ideas", "questions", "grouping")
KIND_LABELS = {
    "enabler": "Enabler",
    "blocker": "Blocker",
    "idea": "Idea",
    "question": "Question",
    "asset": "Asset",
}
# the evidence level is chosen for each enabler and blocker: "not given" is a choice, no default is
NOT_GIVEN = "not-given"
EVIDENCE_CHOICES: list[tuple[str, str]] = [
    ("choose\u2026", ""),
    ("not given", NOT_GIVEN),
    *[(e, e) for e in EVIDENCE_LEVELS],
]
EVIDENCE_VALUES = frozenset(v for _, v in EVIDENCE_CHOICES if v)
# the phase inputs whose form asks for them (enablers-blockers, and ideas for an asset)
EVIDENCE_INPUTS = ("capture", "ideas")
# the source box takes more than the rule allows, so a long paste is refused with a word, not cut
SOURCE_BOX_LENGTH = 2000
# how long "Withdrawn \u2014 Undo" stays in our entries after a withdraw
UNDO_SECONDS = 60.0


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
    # entries this page withdrew, with when: offered back ("Withdrawn \u2014 Undo") for a while
    withdrawn: dict[int, tuple[Entry, float]] = field(default_factory=dict)


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
    >>> from facilitation.capture.rules import Entry
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

    Only the current phase's part is built: the people form in framing and close, the
    entry box and our entries while entries are typed, the board, the dots, the links
    or the plan in their phases. Each list is one :class:`ListWidget` whose rows the
    browser draws, so a page stays a few dozen widget models whatever it lists.

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
        self.head = w.HBox(
            [self.header, self.timer], layout=w.Layout(justify_content="space-between", width="100%")
        )
        self.head.add_class("fac-table-head")
        self.saved = SavedState()
        self.done_button = w.Button(
            description="Our table is done", button_style="success", layout=w.Layout(width="auto")
        )
        self.done_button.add_class("fac-table-done")
        self.done_button.on_click(self.toggle_done)
        self.panel: Any = None  # the grouping board, voting panel, links or plan
        self.parts: list[w.Widget] = []  # what the current phase shows between the save line and "done"

        # built for the phases that show them, closed when the phase moves on
        self.entry_box: w.VBox | None = None
        self.entry_list: ListWidget | None = None
        self.people_list: ListWidget | None = None

        self.widget = w.VBox([self.head, self.saved, self.done_button])
        self.widget.add_class("fac-table-page")
        ctx.watcher.on_change(self.refresh)
        self.refresh()

    def _written(self, token: str) -> bool:
        return self.ctx.store.written(token) is not None

    # -- building the phase's part ----------------------------------------------------------
    def _build_entry_box(self, phase_input: str) -> list[w.Widget]:
        kinds = PHASE_KINDS[phase_input]
        items: list[dict[str, Any]] = []
        if len(kinds) > 1:
            items.append(lists.radio("kind", "Kind", [(KIND_LABELS[k], k) for k in kinds], "fac-entry-kind"))
        if phase_input in EVIDENCE_INPUTS:
            only = "" if phase_input == "capture" else " (asset)"
            items.append(lists.select("evidence", f"Evidence{only}", EVIDENCE_CHOICES, "fac-entry-evidence"))
            items.append(
                lists.field(
                    "source",
                    f"Source{only}",
                    "Report, data, who said it",
                    "fac-entry-source",
                    max_length=SOURCE_BOX_LENGTH,
                )
            )
        self.choices = lists.Controls(items=items)
        self.choices.add_class("fac-entry-choices")
        self.entry_text = EntryInput(
            placeholder="Type, then press Enter",
            label="Entry",
            layout=w.Layout(width="100%"),
            draft_key=f"event-{self.ctx.event_id}-table-{self.table}",
        )
        self.entry_text.add_class("fac-entry-text")
        self.entry_text.on_submit(self.submit)
        self.entry_text.on_check(self.check_draft)
        self.entry_buttons = lists.Controls(items=self._entry_button_items())
        self.entry_buttons.add_class("fac-entry-buttons")
        self.entry_buttons.on_action("add", self.submit)
        self.entry_buttons.on_action("cancel-edit", self.cancel_edit)
        line = w.HBox([self.entry_text, self.entry_buttons], layout=w.Layout(width="100%"))
        line.add_class("fac-entry-line")
        self.entry_box = w.VBox([self.choices, line] if items else [line])
        self.entry_box.add_class("fac-entry-box")
        self.entry_list = lists.ListWidget(
            title="Our entries",
            label="Our entries, newest first",
            empty="Nothing yet. What you add shows here and on the projector.",
        )
        self.entry_list.add_class("fac-entry-list")
        self.entry_list.on_action("edit", self.start_edit)
        self.entry_list.on_action("withdraw", self.withdraw)
        self.entry_list.on_action("undo", self.undo_withdraw)
        self.state.shown_entries = None
        self.state.editing_entry = None
        return [self.entry_box, self.entry_list]

    def _entry_button_items(self) -> list[dict[str, Any]]:
        editing = self.state.editing_entry is not None
        items = [lists.action("add", "Save changes" if editing else "Add", "fac-entry-submit", primary=True)]
        if editing:
            items.append(lists.action("cancel-edit", "Cancel edit", "fac-entry-cancel"))
        return items

    def _build_people(self) -> list[w.Widget]:
        self.people_list = lists.ListWidget(
            title="Who is at this table",
            label="People at this table",
            empty="Nobody listed yet: add the people at your table.",
        )
        self.people_list.add_class("fac-people-list")
        self.people_list.on_action("edit", self.start_person_edit)
        self.people_list.on_action("remove", self.remove_person)
        # the person's name saves on Enter, through the entry boxes' one mechanism
        self.person_name = EntryInput(placeholder="Name", label="Name", max_length=200)
        self.person_name.add_class("fac-person-name")
        self.person_name.on_submit(self.save_person)
        self.person_name.answer_checks(f"table-{self.table}-person", self._written, "person")
        self.person_form = lists.Controls(items=self._person_items())
        self.person_form.add_class("fac-person-form")
        self.person_form.on_action("add-person", self.save_person)
        self.person_form.on_action("cancel-person", self.cancel_person_edit)
        form = w.HBox([self.person_name, self.person_form], layout=w.Layout(width="100%"))
        form.add_class("fac-person-line")
        self.state.shown_people = None
        self.state.editing_person = None
        return [self.people_list, form]

    def _person_items(self) -> list[dict[str, Any]]:
        editing = self.state.editing_person is not None
        items = [
            lists.field("organisation", "Organisation", "Organisation", "fac-person-org"),
            lists.action(
                "add-person", "Save person" if editing else "Add person", "fac-person-add", primary=True
            ),
        ]
        if editing:
            items.append(lists.action("cancel-person", "Cancel", "fac-person-cancel"))
        return items

    def _build_panel(self, kind: str) -> list[w.Widget]:
        """The grouping board, the voting panel, the links, the plan or the system map, in their phases."""
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
        return [self.panel.widget] if self.panel is not None else []

    def _switch_parts(self, kind: str) -> None:
        """Close the last phase's part and build this one's."""
        if self.panel is not None and hasattr(self.panel, "unsaved"):
            self.state.plan_drafts.update(self.panel.unsaved())  # kept for the way back
        self.panel = None
        self.entry_box = self.entry_list = self.people_list = None
        self.state.withdrawn.clear()
        parts: list[w.Widget] = []
        if kind in ("grouping", "voting", "links", "plans", "system-map"):
            # grouping: the board alone, no second list of the same entries (issue 18)
            parts += self._build_panel(kind)
        elif kind in PHASE_KINDS:
            parts += self._build_entry_box(kind)
        else:
            parts += self._build_people()
        old = self.parts
        self.parts = parts
        replace_children(self.widget, [self.head, self.saved, *parts, self.done_button])
        del old

    # -- drawing ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw from the store; widgets whose content did not change send nothing."""
        event = get_event(self.ctx.store, self.ctx.event_id)
        self._draw_phase(event)
        self.timer.show(event.timer_ends_at, event.timer_remaining)
        if self.panel is not None:
            self.panel.refresh()
        if self.entry_list is not None:
            entries = tuple(reversed(list_entries(self.ctx.store, self.ctx.event_id, table=self.table)))
            self.state.shown_entries = entries
            self._draw_entries(event, entries)
        elif self.entry_box is not None:
            self.state.shown_entries = tuple(
                list_entries(self.ctx.store, self.ctx.event_id, table=self.table)
            )
        if self.people_list is not None:
            people = tuple(list_people(self.ctx.store, self.ctx.event_id, table=self.table))
            self.state.shown_people = people
            self.people_list.show([self._person_row(p) for p in people])
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
        lock = (
            '<div class="fac-message fac-message-error fac-lock-note" role="status">Input is locked by the '
            "facilitator; what you typed is kept.</div>"
            if event.input_locked
            else ""
        )
        set_html(
            self.header,
            f"<h1>{esc(self.table_name)} \u00b7 {esc(event.title)}</h1>"
            f'<div class="fac-phase-line"><strong>{esc(phase.title)}</strong> '
            f"(phase {event.phase_index + 1} of {len(event.phases)})</div>"
            f'<div class="fac-prompt-small">{esc(phase.prompt)}</div>{lock}',
        )
        if event.phase.input != self.state.panel_input or self.state.phase_index is None:
            self.state.panel_input = event.phase.input
            self._switch_parts(event.phase.input)
        if event.phase_index != self.state.phase_index:
            # a past phase's word ("Saved: Dot is at this table") does not stay on this one
            self.state.phase_index = event.phase_index
            self.saved.ready(_ready_hint(phase.input))
        if key == self.state.phase_key:
            return
        self.state.phase_key = key
        if self.entry_box is not None:
            self.entry_text.disabled = event.input_locked
            self._set_entry_buttons(event.input_locked)

    def _set_entry_buttons(self, locked: bool) -> None:
        items = self._entry_button_items()
        for item in items:
            item["disabled"] = locked
        self.entry_buttons.set_items(items)

    def _editable(self, event: Event) -> bool:
        return event.phase.input in EDITABLE_INPUTS and not event.input_locked

    def _draw_entries(self, event: Event, entries: tuple[Entry, ...]) -> None:
        assert self.entry_list is not None
        editable = self._editable(event)
        now = time.monotonic()
        for entry_id, (_entry, when) in list(self.state.withdrawn.items()):
            if now - when > UNDO_SECONDS or any(e.id == entry_id for e in entries):
                del self.state.withdrawn[entry_id]
        rows = [
            lists.row(
                entry.id,
                [
                    lists.cell("Withdrawn", "fac-kind fac-kind-withdrawn"),
                    lists.cell(entry.text, "fac-entry-body"),
                ],
                [
                    lists.button(
                        "undo",
                        "Undo",
                        f"Undo: bring back \u201c{_short(entry.text)}\u201d",
                        "fac-entry-undo",
                        disabled=not editable,
                    )
                ],
                cls=f"fac-card fac-kind-{entry.kind}-card",
                row_cls="fac-list-withdrawn",
            )
            for entry, _when in sorted(self.state.withdrawn.values(), key=lambda item: -item[1])
        ]
        rows += [self._entry_row(entry, editable) for entry in entries]
        self.entry_list.show(rows)

    def _entry_row(self, entry: Entry, editable: bool) -> lists.Row:
        what = f"{KIND_LABELS.get(entry.kind, entry.kind).lower()} \u201c{_short(entry.text, 40)}\u201d"
        return lists.row(
            entry.id,
            [
                lists.cell(KIND_LABELS.get(entry.kind, entry.kind), f"fac-kind fac-kind-{entry.kind}"),
                lists.cell(entry.text, "fac-entry-body"),
                lists.cell(f"({entry.evidence})" if entry.evidence else "", "fac-evidence"),
            ],
            [
                lists.button("edit", "Edit", f"Edit this {what}", "fac-entry-edit", disabled=not editable),
                lists.button(
                    "withdraw",
                    "Withdraw",
                    f"Withdraw this {what}",
                    "fac-entry-withdraw",
                    disabled=not editable,
                ),
            ],
            cls=f"fac-card fac-entry fac-kind-{entry.kind}-card",
        )

    def _person_row(self, person: Person) -> lists.Row:
        return lists.row(
            person.id,
            [
                lists.cell(person.name, "fac-person-label"),
                lists.cell(
                    f"\u2014 {person.organisation}" if person.organisation else "", "fac-person-org-label"
                ),
            ],
            [
                lists.button("edit", "Edit", f"Edit {person.name}", "fac-person-edit"),
                lists.button(
                    "remove", "Remove", f"Remove {person.name} from this table", "fac-person-remove"
                ),
            ],
            cls="fac-person",
        )

    # -- entries ------------------------------------------------------------------------
    def _token(self, draft: str, text: str) -> str:
        """The draft's client token: the browser's draft id, or the page's own without a browser."""
        return draft_token(self.table, draft, text) if draft else self.state.draft_token

    def _chosen(self) -> tuple[str | None, str | None, str | None, str]:
        """The kind, evidence and source the lead chose for this entry, or why it cannot be saved yet.

        Nothing is chosen for the lead: with two kinds one must be picked, and for an
        enabler, blocker or asset an evidence level too ("not given" is a choice, and
        comes back as ``""``). The source is what the lead typed (``""`` for none); an
        idea or a question carries neither, so a level or source given for one is
        refused rather than dropped. Evidence and source are ``None`` where the phase
        does not ask for them (an edit then leaves them as they are)."""
        kinds = PHASE_KINDS.get(self.state.panel_input, ())
        if not kinds:
            return None, None, None, "Entries are not taken in this phase."
        editing = next((e for e in self.state.shown_entries or () if e.id == self.state.editing_entry), None)
        if editing is not None and editing.kind not in kinds:
            # an earlier phase's entry keeps its kind, evidence and source: only its words change
            return editing.kind, None, None, ""
        kind = kinds[0] if len(kinds) == 1 else self.choices.get("kind")
        if kind not in kinds:
            names = " or ".join(KIND_LABELS[k] for k in kinds)
            return None, None, None, f"Choose {names} first; your text is kept."
        if self.state.panel_input not in EVIDENCE_INPUTS:
            return kind, None, None, ""
        evidence = self.choices.get("evidence")
        source = self.choices.get("source").strip()
        if kind not in EVIDENCED_KINDS:
            # the rule refuses a level or a source on an idea or a question (capture._check_evidenced)
            return kind, ("" if evidence in ("", NOT_GIVEN) else evidence), source, ""
        if evidence not in EVIDENCE_VALUES:
            return (
                None,
                None,
                None,
                "Choose the evidence level (or \u201cnot given\u201d) first; your text is kept.",
            )
        return kind, ("" if evidence == NOT_GIVEN else evidence), source, ""

    def submit(self, _button: Any = None) -> bool:
        """Store the typed entry (or the edit) once; the draft stays in the box until it is stored.

        Enter and the Add button both name the browser's current draft, so pressing
        Enter again, clicking Add, a reload or a resent message after a lost reply
        finds the first write instead of making a second.
        """
        if self.entry_box is None:
            return False  # a late message from a box of another phase
        text = self.entry_text.value
        draft = self.entry_text.draft
        if not text.strip():
            self.saved.not_saved("Type something first.")
            return False
        token = self._token(draft, text)
        kind, evidence, source, why = self._chosen()
        if kind is None:
            if draft and self._written(token) and self.state.editing_entry is None:
                # sent again after it was stored (and the choices were reset): it is there
                prior = self.ctx.store.written(token)
                self._confirm(draft, text, prior.result if prior and isinstance(prior.result, int) else None)
                return True
            self.entry_text.not_stored(draft, text, refused=True)
            self.saved.not_saved(why)
            return False
        self.saved.saving(text[:60])
        editing = self.state.editing_entry
        try:
            if editing is not None:
                edit_entry(
                    self.ctx.store,
                    self.ctx.actor,
                    self.ctx.event_id,
                    editing,
                    text=text,
                    kind=kind,
                    evidence=evidence,  # "" clears a level, None leaves it
                    source=source,
                    client_token=token,
                )
                entry_id = editing
            else:
                entry_id = add_entry(
                    self.ctx.store,
                    self.ctx.actor,
                    self.ctx.event_id,
                    self.table,
                    kind,
                    text,
                    evidence=evidence or None,
                    source=source or None,
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
        if not text.strip() or self.entry_box is None:
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
        kind, shown = (entry.kind, entry.text) if entry is not None else ("", text)
        label = f"{KIND_LABELS.get(kind, '')} \u201c{_short(shown)}\u201d".strip()
        self.entry_text.stored(draft, text, label)  # the browser's box: emptied there, never here
        self.saved.saved(label)
        self.choices.reset()  # the next entry chooses its own kind and evidence, and names its source
        if edited:
            self._end_edit()
        self.state.draft_token = new_token()
        self.ctx.watcher.check()

    def start_edit(self, entry_id: int) -> None:
        """Put an entry of this table into the input box to change it."""
        entry = next((e for e in self.state.shown_entries or () if e.id == entry_id), None)
        if entry is None or self.entry_box is None:
            self.saved.not_saved("That entry is not there any more.")
            return
        self.state.editing_entry = entry.id
        self.state.draft_token = new_token()
        self.entry_text.persist = False  # an edit is not brought back as a new entry after a reload
        values = {"kind": entry.kind}
        if self.state.panel_input in EVIDENCE_INPUTS and entry.kind in EVIDENCED_KINDS:
            values["evidence"] = entry.evidence or NOT_GIVEN
            values["source"] = entry.source or ""
        self.choices.fill(values)
        self.entry_text.fill(entry.text)
        self._set_entry_buttons(False)

    def cancel_edit(self, _button: Any = None) -> None:
        """Leave edit mode; nothing is changed."""
        if self.entry_box is None:
            return
        self.entry_text.fill("")
        self.choices.reset()
        self._end_edit()

    def _end_edit(self) -> None:
        # the box's text is the browser's: what the lead typed after the edit stays there
        self.state.editing_entry = None
        self.state.draft_token = new_token()
        self.entry_text.persist = True
        self._set_entry_buttons(False)

    def withdraw(self, entry_id: int) -> bool:
        """Withdraw an entry (kept in the store and the log, hidden from pages); Undo is offered."""
        entry = next(
            (
                e
                for e in list_entries(self.ctx.store, self.ctx.event_id, table=self.table)
                if e.id == entry_id
            ),
            None,
        )
        self.saved.saving("withdrawing")
        try:
            withdraw_entry(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, entry_id, client_token=new_token()
            )
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        if entry is not None:
            self.state.withdrawn[entry.id] = (entry, time.monotonic())
        self.saved.saved(f"withdrawn \u201c{_short(entry.text) if entry else ''}\u201d; Undo brings it back")
        self.ctx.watcher.check()
        self._redraw_entries()
        return True

    def undo_withdraw(self, entry_id: int) -> bool:
        """Bring back an entry this page withdrew (the rule checks the table and the frozen themes)."""
        self.saved.saving("bringing it back")
        try:
            restore_entry(
                self.ctx.store, self.ctx.actor, self.ctx.event_id, entry_id, client_token=new_token()
            )
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        gone = self.state.withdrawn.pop(entry_id, None)
        self.saved.saved(f"back: \u201c{_short(gone[0].text) if gone else ''}\u201d")
        self.ctx.watcher.check()
        self._redraw_entries()
        return True

    def _redraw_entries(self) -> None:
        if self.entry_list is not None:
            event = get_event(self.ctx.store, self.ctx.event_id)
            entries = tuple(reversed(list_entries(self.ctx.store, self.ctx.event_id, table=self.table)))
            self.state.shown_entries = entries
            self._draw_entries(event, entries)

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
        if self.people_list is None:
            return False
        name, draft = self.person_name.value, self.person_name.draft
        organisation = self.person_form.get("organisation")
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
                    organisation=organisation,
                    client_token=token,
                )
            else:
                add_person(
                    self.ctx.store,
                    self.ctx.actor,
                    self.ctx.event_id,
                    name,
                    organisation=organisation,
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

    def start_person_edit(self, person_id: int) -> None:
        """Put a person of this table into the form to change their name or organisation."""
        person = next((p for p in self.state.shown_people or () if p.id == person_id), None)
        if person is None or self.people_list is None:
            self.saved.not_saved("That person is not at this table any more.")
            return
        self.state.editing_person = person.id
        self.state.person_token = new_token()
        self.person_name.fill(person.name)
        self.person_form.set_items(self._person_items())
        self.person_form.fill({"organisation": person.organisation})

    def cancel_person_edit(self, _button: Any = None) -> None:
        """Empty the person form."""
        if self.people_list is None:
            return
        self.person_name.fill("")
        self._end_person_edit()

    def _end_person_edit(self) -> None:
        # the name box is the browser's (emptied there on Enter or on the kernel's word)
        self.state.editing_person = None
        self.state.person_token = new_token()
        self.person_form.set_items(self._person_items())
        self.person_form.reset()

    def remove_person(self, person_id: int) -> bool:
        """Take a person off this event (the rule checks they are at this table)."""
        try:
            remove_from_event(self.ctx.store, self.ctx.actor, self.ctx.event_id, person_id)
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        self.saved.saved("removed from this table")
        self.ctx.watcher.check()
        return True


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3] + "\u2026"


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
