"""Who worked with whom, on the table page: the lead records links for people at the table.

Each link joins someone at this table to anyone at the event, with a kind and an
optional note; the rule (:func:`facilitation.network.rules.record_link`) checks the table,
the phase and the lock again, so a forged widget message writes nothing elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.events.rules import get_event
from facilitation.network.rules import Link, list_links, record_link, withdraw_link
from facilitation.people.rules import Person, list_people
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import (
    WIDE,
    EntryInput,
    Rows,
    SavedState,
    box_token,
    button,
    entry_row,
    esc,
    html_widget,
    new_token,
    set_html,
    set_options,
)

__all__ = ["LINK_CHOICES", "NOBODY", "LinksPanel", "LinksState", "link_card", "person_label"]

# The kinds a table records, in the order people think of them (the first is the default).
LINK_CHOICES = (
    ("Worked with", "worked with"),
    ("Will work with", "will work with"),
    ("Knew before", "knew before"),
    ("Sat together", "sat together"),
)
NOBODY = 0  # the "choose ..." option: a Dropdown shows a value of None as a blank box


def person_label(person: Person, *, table: bool = True) -> str:
    """How a person shows in a list: name, organisation, table (plain text, not HTML).

    Examples
    --------
    >>> from facilitation.people.rules import Person
    >>> person_label(Person(1, "Ama", "Council", "", "", 2))
    'Ama (Council), table 2'
    >>> person_label(Person(2, "Ben", "", "", "", None))
    'Ben, no table'
    """
    text = person.name + (f" ({person.organisation})" if person.organisation else "")
    if table:
        text += f", table {person.table}" if person.table is not None else ", no table"
    return text


def link_card(link: Link) -> str:
    """One recorded link as escaped HTML.

    Examples
    --------
    >>> from facilitation.network.rules import Link
    >>> html = link_card(Link(1, "worked with", 1, 2, "<Ama>", "Ben", "on $x$", "table 1", ""))
    >>> "&lt;Ama&gt;" in html, "<Ama>" in html
    (True, False)
    """
    note = f'<span class="fac-evidence">\u201c{esc(link.note)}\u201d</span>' if link.note else ""
    return (
        f'<div class="fac-card"><b>{esc(link.name_a)}</b> {esc(link.kind)} '
        f"<b>{esc(link.name_b)}</b>{note}</div>"
    )


@dataclass
class LinksState:
    """What this page holds between refreshes: the draft's token and what is shown."""

    token: str = field(default_factory=new_token)
    shown_table_people: tuple[Person, ...] = ()
    shown_everyone: tuple[Person, ...] = ()
    shown_links: tuple[Link, ...] | None = None
    row_tokens: dict[int, str] = field(default_factory=dict)


class LinksPanel:
    """A table's links: pick someone here, someone anywhere, the kind and a note; then Enter.

    Parameters
    ----------
    ctx : PageContext
        The page's store, event and actor.
    table : int
        The table this page records for.
    saved : SavedState
        The page's saved-state indicator.
    """

    def __init__(self, ctx: PageContext, table: int, saved: SavedState) -> None:
        self.ctx = ctx
        self.table = int(table)
        self.saved = saved
        self.state = LinksState()
        self.person = w.Dropdown(description="Someone at our table", options=[], style=WIDE)
        self.person.add_class("fac-links-person")
        self.other = w.Dropdown(
            description="Linked with", options=[], style=WIDE, layout=w.Layout(width="440px")
        )
        self.other.add_class("fac-links-other")
        self.kind = w.ToggleButtons(options=LINK_CHOICES, value="worked with", description="How", style=WIDE)
        self.kind.add_class("fac-links-kind")
        self.note = EntryInput(
            label="Note (optional)",
            placeholder="What on? Then press Enter",
            max_length=1000,
            layout=w.Layout(width="100%"),
            draft_key=f"event-{ctx.event_id}-table-{self.table}-link-note",
        )
        self.note.add_class("fac-entry-text")  # the entry box's look: a large labelled input
        self.note.add_class("fac-links-note")
        self.note.on_submit(self.submit)
        self.note.answer_checks(f"table-{self.table}-link", self._written, "link")
        self.submit_button = w.Button(description="Record link", button_style="primary")
        self.submit_button.add_class("fac-links-submit")
        self.submit_button.on_click(self.submit)
        self.hint = html_widget("", "fac-links-hint")
        self.link_rows = Rows(
            self._link_row,
            '<p class="fac-more">No links yet. What you record shows on the projector\'s map.</p>',
        )
        self.rows = self.link_rows.box
        self.rows.add_class("fac-links-list")
        self.widget = w.VBox(
            [
                html_widget('<div class="fac-section-title">Who worked with whom</div>'),
                self.hint,
                w.HBox([self.person, self.other]),
                self.kind,
                w.HBox([self.note, self.submit_button], layout=w.Layout(width="100%")),
                html_widget('<div class="fac-section-title">Links recorded at our table</div>'),
                self.rows,
            ]
        )
        self.widget.add_class("fac-links")

    # -- drawing ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the people and the links from the store; the draft is left as typed."""
        store, event_id = self.ctx.store, self.ctx.event_id
        everyone = tuple(list_people(store, event_id))
        here = tuple(p for p in everyone if p.table == self.table)
        if here != self.state.shown_table_people:
            self.state.shown_table_people = here
            set_options(self.person, [(person_label(p, table=False), p.id) for p in here])
            set_html(
                self.hint,
                ""
                if here
                else '<p class="fac-more">Add the people at your table (below) first; '
                "then record who worked with whom.</p>",
            )
        if everyone != self.state.shown_everyone:
            self.state.shown_everyone = everyone
            set_options(
                self.other, [("Choose a person", NOBODY)] + [(person_label(p), p.id) for p in everyone]
            )
        locked = get_event(store, event_id).input_locked
        if self.submit_button.disabled != locked:
            self.submit_button.disabled = locked
        links = tuple(list_links(store, event_id, table=self.table))
        if links != self.state.shown_links:
            self.state.shown_links = links
            for x in links:  # kept after a withdrawal, so a double click on Withdraw is one write
                self.state.row_tokens.setdefault(x.id, new_token())
            self.link_rows.show(reversed(links))

    def _link_row(self, link: Link) -> w.HBox:
        withdraw = button(
            "Withdraw",
            partial(self._click_withdraw, link.id),
            "fac-links-withdraw",
            tooltip=f"Withdraw: {link.name_a} {link.kind} {link.name_b}",
        )
        return entry_row(html_widget(link_card(link), "fac-entry"), withdraw)

    def _written(self, token: str) -> bool:
        return self.ctx.store.written(token) is not None

    # -- handlers ----------------------------------------------------------------------
    def submit(self, _widget: Any = None) -> bool:
        """Record the link chosen in the form; the form is kept when it cannot be saved."""
        draft, note = self.note.draft, self.note.value
        if not self.person.value:
            self.saved.not_saved("Choose someone at your table first.")
            self.note.not_stored(draft, note, refused=True)  # the note comes back into the box
            return False
        if not self.other.value:
            self.saved.not_saved("Choose who they are linked with.")
            self.note.not_stored(draft, note, refused=True)
            return False
        return self.record(self.person.value, self.other.value, self.kind.value, note, draft=draft)

    def record(self, person_a: int, person_b: int, kind: str, note: str = "", *, draft: str = "") -> bool:
        """Record a link through the rule, with this draft's token (a double click records once)."""
        self.saved.saving("link")
        token = box_token(f"table-{self.table}-link", draft, note) if draft else self.state.token
        try:
            record_link(
                self.ctx.store,
                self.ctx.actor,
                self.ctx.event_id,
                self.table,
                person_a,
                person_b,
                kind,
                note,
                client_token=token,
            )
        except FacilitationError as exc:
            self.note.not_stored(draft, note, refused=True)
            self.saved.not_saved(str(exc))
            return False
        except Exception:
            self.note.not_stored(draft, note, refused=True)
            self.saved.not_saved("The event did not answer; your choice is kept. Press Enter to try again.")
            return False
        names = {p.id: p.name for p in self.state.shown_everyone}
        said = f"{names.get(person_a, 'they')} {kind} {names.get(person_b, 'them')}"
        self.note.stored(draft, note, said)  # the browser empties the note (at once on Enter)
        self.saved.saved(said)
        self.state.token = new_token()
        self.ctx.watcher.check()
        return True

    def _click_withdraw(self, link_id: int, _button: Any = None) -> None:
        self.withdraw(link_id)

    def withdraw(self, link_id: int) -> bool:
        """Withdraw a link recorded at this table (kept in the store and the log)."""
        self.saved.saving("withdrawing")
        token = self.state.row_tokens.get(link_id) or new_token()
        try:
            withdraw_link(self.ctx.store, self.ctx.actor, self.ctx.event_id, link_id, client_token=token)
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        self.saved.saved("link withdrawn")
        self.ctx.watcher.check()
        return True
