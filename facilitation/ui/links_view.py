"""Who worked with whom, on the table page: the lead records links for people at the table.

Each link joins someone at this table to anyone at the event, with a kind and an
optional note; the rule (:func:`facilitation.network.rules.record_link`) checks the table,
the phase and the lock again, so a forged widget message writes nothing elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.events import get_event
from facilitation.network import Link, list_links, record_link, withdraw_link
from facilitation.people import Person, list_people
from facilitation.ui import lists
from facilitation.ui.lists import ListWidget
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import (
    EntryInput,
    SavedState,
    box_token,
    esc,
    html_widget,
    new_token,
    set_html,
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
    """A table's links: choose someone here, find anyone by typing part of a name, the
    kind and a note; then Enter. Nobody is chosen for the lead.

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
        self.hint = html_widget("", "fac-links-hint")
        self.form = lists.Controls(items=[])
        self.form.add_class("fac-links-form")
        self.form.fill({"how": LINK_CHOICES[0][1]})
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
        self.buttons = lists.Controls(
            items=[lists.action("record", "Record link", "fac-links-submit", primary=True)]
        )
        self.buttons.on_action("record", self.submit)
        self.rows = ListWidget(
            title="Links recorded at our table",
            label="Links recorded at our table, newest first",
            empty="No links yet. What you record shows on the projector's map.",
        )
        self.rows.add_class("fac-links-list")
        self.rows.on_action("withdraw", self.withdraw)
        line = w.HBox([self.note, self.buttons], layout=w.Layout(width="100%"))
        line.add_class("fac-entry-line")
        self.widget = w.VBox([self.hint, self.form, line, self.rows])
        self.widget.add_class("fac-links")

    # -- drawing ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the people and the links from the store; the draft is left as typed."""
        store, event_id = self.ctx.store, self.ctx.event_id
        everyone = tuple(list_people(store, event_id))
        here = tuple(p for p in everyone if p.table == self.table)
        if here != self.state.shown_table_people or everyone != self.state.shown_everyone:
            self.state.shown_table_people, self.state.shown_everyone = here, everyone
            set_html(
                self.hint,
                '<div class="fac-section-title">Who did you work with?</div>'
                + (
                    ""
                    if here
                    else '<p class="fac-more">Nobody is listed at your table yet: ask the facilitator to '
                    "seat your table's people, then record who worked with whom.</p>"
                ),
            )
            self.form.set_items(
                [
                    lists.select(
                        "person",
                        "Someone at our table",
                        [("choose\u2026", "")] + [(person_label(p, table=False), str(p.id)) for p in here],
                        "fac-links-person",
                    ),
                    lists.picker(
                        "other",
                        "Linked with",
                        [(person_label(p), str(p.id)) for p in everyone],
                        "fac-links-other",
                    ),
                    lists.radio("how", "How", LINK_CHOICES, "fac-links-kind"),
                ]
            )
        locked = get_event(store, event_id).input_locked
        items = [lists.action("record", "Record link", "fac-links-submit", primary=True)]
        items[0]["disabled"] = locked
        self.buttons.set_items(items)
        links = tuple(list_links(store, event_id, table=self.table))
        if links != self.state.shown_links:
            self.state.shown_links = links
            for x in links:  # kept after a withdrawal, so a double click on Withdraw is one write
                self.state.row_tokens.setdefault(x.id, new_token())
            self.rows.show([self._link_row(x) for x in reversed(links)])

    def _link_row(self, link: Link) -> lists.Row:
        return lists.row(
            link.id,
            [
                lists.cell(link.name_a, "fac-link-name"),
                lists.cell(link.kind, "fac-link-kind"),
                lists.cell(link.name_b, "fac-link-name"),
                lists.cell(f"\u201c{link.note}\u201d" if link.note else "", "fac-evidence"),
            ],
            [
                lists.button(
                    "withdraw",
                    "Withdraw",
                    f"Withdraw: {link.name_a} {link.kind} {link.name_b}",
                    "fac-links-withdraw",
                )
            ],
            cls="fac-card fac-entry",
        )

    def _written(self, token: str) -> bool:
        return self.ctx.store.written(token) is not None

    def _chosen_id(self, name: str) -> int | None:
        value = self.form.get(name)
        return int(value) if value.isdigit() else None

    # -- handlers ----------------------------------------------------------------------
    def submit(self, _widget: Any = None) -> bool:
        """Record the link chosen in the form; the form is kept when it cannot be saved."""
        draft, note = self.note.draft, self.note.value
        person, other = self._chosen_id("person"), self._chosen_id("other")
        if not person:
            self.saved.not_saved("Choose someone at your table first.")
            self.note.not_stored(draft, note, refused=True)  # the note comes back into the box
            return False
        if not other:
            self.saved.not_saved(
                "Choose who they are linked with: type part of a name under \u201cLinked with\u201d."
            )
            self.note.not_stored(draft, note, refused=True)
            return False
        how = self.form.get("how") or LINK_CHOICES[0][1]
        if self.record(person, other, how, note, draft=draft):
            self.form.fill({"how": how})  # the next link chooses its people again
            return True
        return False

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
