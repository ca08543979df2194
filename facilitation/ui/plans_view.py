"""A task-and-finish group's plan, drafted on the page of the table that leads it.

The plan form (purpose, lead, sponsor, key question, measures, review dates,
destination) is loaded once per group and then left as the person types it: other
tables' changes redraw only the lists (members, linked entries, and the first actions
of :mod:`facilitation.ui.actions_view`). Every write goes through
:mod:`facilitation.plans.rules`, which checks again that this table leads the group and
that the phase takes plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from facilitation.capture.rules import Entry, list_entries
from facilitation.errors import FacilitationError
from facilitation.people.rules import Person, list_people
from facilitation.plans.rules import (
    DESTINATIONS,
    HORIZONS,
    Group,
    LinkedEntry,
    Member,
    add_member,
    link_entry,
    list_groups,
    remove_member,
    suggested_members,
    unlink_entry,
    update_group,
)
from facilitation.ui import lists
from facilitation.ui.actions_view import ActionsForm, parse_day
from facilitation.ui.links_view import NOBODY, person_label
from facilitation.ui.lists import ListWidget
from facilitation.ui.page import PageContext
from facilitation.ui.widgets import (
    WIDE,
    SavedState,
    esc,
    html_widget,
    new_token,
    set_html,
    set_options,
)

__all__ = ["PlansPanel", "PlansState", "leads_sentence"]

HORIZON_LABELS = {
    "first": "First meeting",
    "1y": "1-year review",
    "3y": "3-year review",
    "8y": "8-year review",
}
OPPOSITE = {"add member": "remove member", "remove member": "add member", "link": "unlink", "unlink": "link"}
FIELD_LABELS = {
    "purpose": "purpose",
    "lead": "lead",
    "sponsor": "sponsor",
    "key_question": "key question",
    "success_measures": "success measures",
    "review_dates": "review dates",
    "destination": "destination",
}


def leads_sentence(groups: list[Group], table: int) -> str:
    """Which table leads which group, for a table that leads none (plain text).

    Examples
    --------
    >>> from facilitation.plans.rules import Group
    >>> g = Group(1, 1, "Falls", None, "", 2, "", "", "", "", (), {}, "", None)
    >>> leads_sentence([g], 1)
    "Your table leads no task-and-finish group. Table 2 leads 'Falls'."
    >>> leads_sentence([], 1)
    'No task-and-finish groups yet: the facilitator promotes the top themes to groups.'
    """
    if not groups:
        return "No task-and-finish groups yet: the facilitator promotes the top themes to groups."
    parts = [
        f"Table {g.lead_table} leads '{g.name}'"
        if g.lead_table is not None
        else f"'{g.name}' has no lead table (the facilitator drafts it)"
        for g in groups
    ]
    return f"Your table leads no task-and-finish group. {'; '.join(parts)}."


def _entry_label(entry: Entry) -> str:
    text = entry.text if len(entry.text) <= 90 else entry.text[:89] + "\u2026"
    return f"{entry.kind.capitalize()}, table {entry.table}: {text}"


@dataclass
class PlansState:
    """What this one page holds: the group it drafts, the plan as loaded, tokens, what is shown."""

    group_id: int | None = None  # the group this page writes for; the rules check it
    form_group: int | None = None  # the group whose plan the form was loaded from
    loaded: dict[str, Any] = field(default_factory=dict)  # the plan as last read from the store
    plan_token: str = field(default_factory=new_token)
    row_tokens: dict[tuple[str, int | None, int], str] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)


class PlansPanel:
    """The plan of the group this table leads: the form, members, entries and first actions.

    Parameters
    ----------
    ctx : PageContext
        The page's store, event and actor.
    table : int
        The table this page drafts for.
    saved : SavedState
        The page's saved-state indicator.
    drafts : dict, optional
        Plan changes not saved when the panel was last closed (the phase moved on),
        by group: put back into the form, still marked not saved. The table page
        keeps them, so nothing typed is lost when the phase moves away and back.
    """

    def __init__(
        self,
        ctx: PageContext,
        table: int,
        saved: SavedState,
        *,
        drafts: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.table = int(table)
        self.saved = saved
        self.drafts = drafts if drafts is not None else {}
        self.state = PlansState()
        self.groups: list[Group] = []
        self.people: list[Person] = []

        self.note = html_widget("", "fac-plan-note")
        self.choice = w.Dropdown(
            description="Our group", options=[], style=WIDE, layout=w.Layout(display="none")
        )
        self.choice.add_class("fac-plan-choice")
        self.choice.observe(self._on_choice, names="value")

        # the plan form: drafts live in these widgets and are never overwritten by a refresh
        full = w.Layout(width="100%")
        self.purpose = w.Textarea(
            description="Purpose", placeholder="What will this group achieve?", style=WIDE, layout=full
        )
        self.purpose.add_class("fac-plan-purpose")
        self.lead = w.Text(
            description="Lead", placeholder="Who leads the group", style=WIDE, layout=w.Layout(width="48%")
        )
        self.lead.add_class("fac-plan-lead")
        self.sponsor = w.Text(
            description="Sponsor (senior responsible owner)",
            placeholder="Senior responsible owner",
            style=WIDE,
            layout=w.Layout(width="48%"),
        )
        self.sponsor.add_class("fac-plan-sponsor")
        self.key_question = w.Text(
            description="Key question", placeholder="What will show that it works?", style=WIDE, layout=full
        )
        self.key_question.add_class("fac-plan-question")
        self.measures = w.Textarea(
            description="Success measures", placeholder="One per line", style=WIDE, layout=full
        )
        self.measures.add_class("fac-plan-measures")
        self.dates = {
            h: w.DatePicker(description=HORIZON_LABELS[h], style=WIDE, layout=w.Layout(width="auto"))
            for h in HORIZONS
        }
        for h, picker in self.dates.items():
            picker.add_class(f"fac-plan-date-{h}")
        self.destination = w.Dropdown(
            description="Goes to",
            options=[("Not decided yet", "")] + [(d.capitalize(), d) for d in DESTINATIONS],
            style=WIDE,
        )
        self.destination.add_class("fac-plan-destination")
        self.save_button = w.Button(description="Save plan", button_style="primary")
        self.save_button.add_class("fac-plan-save")
        self.save_button.on_click(self.save_plan)
        self.dirty = html_widget("", "fac-plan-dirty")
        for widget in self._form_widgets():
            widget.observe(self._on_edit, names="value")

        # members
        self.members = ListWidget(title="Members", label="Members of the group", empty="No members yet.")
        self.members.add_class("fac-plan-members")
        self.members.on_action("remove", self._click_remove_member)
        self.member_choice = w.Dropdown(
            description="Add a member", options=[], style=WIDE, layout=w.Layout(width="440px")
        )
        self.member_choice.add_class("fac-plan-member-choice")
        self.member_button = w.Button(description="Add member", layout=w.Layout(width="auto"))
        self.member_button.add_class("fac-plan-member-add")
        self.member_button.on_click(self._click_add_member)
        self.suggestions = ListWidget(label="Suggested members, to reach across organisations")
        self.suggestions.add_class("fac-plan-suggestions")
        self.suggestions.on_action("add", self._click_suggested)

        # enablers and blockers
        self.linked = ListWidget(
            title="Enablers to use and blockers to remove",
            label="Enablers and blockers linked to the plan",
            empty="No enablers or blockers linked yet.",
        )
        self.linked.add_class("fac-plan-entries")
        self.linked.on_action("unlink", self._click_unlink)
        self.entry_choice = w.Dropdown(
            description="Enabler or blocker", options=[], style=WIDE, layout=w.Layout(width="640px")
        )
        self.entry_choice.add_class("fac-plan-entry-choice")
        self.entry_button = w.Button(description="Link to the plan", layout=w.Layout(width="auto"))
        self.entry_button.add_class("fac-plan-entry-link")
        self.entry_button.on_click(self._click_link_entry)

        # first actions
        self.action_form = ActionsForm(
            self.saved,
            self._write,
            lambda: self.state.group_id,
            self.ctx.watcher.check,
            scope=f"table-{self.table}-action",
            draft_key=f"event-{ctx.event_id}-table-{self.table}-action",
            written=lambda token: self.ctx.store.written(token) is not None,
        )

        def title(text: str) -> w.HTML:
            return html_widget(f'<div class="fac-section-title">{esc(text)}</div>')

        self.form = w.VBox(
            [
                self.choice,
                title("Our plan"),
                self.purpose,
                w.HBox(
                    [self.lead, self.sponsor], layout=w.Layout(width="100%", justify_content="space-between")
                ),
                self.key_question,
                self.measures,
                w.HBox(list(self.dates.values()), layout=w.Layout(flex_flow="row wrap")),
                w.HBox([self.destination, self.save_button, self.dirty]),
                self.members,
                w.HBox([self.member_choice, self.member_button]),
                self.suggestions,
                self.linked,
                w.HBox([self.entry_choice, self.entry_button]),
                title("First actions"),
                *self.action_form.widgets,
            ]
        )
        self.form.add_class("fac-plan-form")
        self.widget = w.VBox([self.note, self.form])
        self.widget.add_class("fac-plan")

    def _form_widgets(self) -> list[w.Widget]:
        return [
            self.purpose,
            self.lead,
            self.sponsor,
            self.key_question,
            self.measures,
            *self.dates.values(),
            self.destination,
        ]

    # -- the plan form -------------------------------------------------------------------
    @staticmethod
    def plan_fields(group: Group) -> dict[str, Any]:
        """A group's plan as the form holds it (text for text, dates for dates)."""
        return {
            "purpose": group.purpose,
            "lead": group.lead,
            "sponsor": group.sponsor,
            "key_question": group.key_question,
            "success_measures": "\n".join(group.success_measures),
            "review_dates": {h: parse_day(group.review_dates.get(h)) for h in HORIZONS},
            "destination": group.destination if group.destination in DESTINATIONS else "",
        }

    def form_fields(self) -> dict[str, Any]:
        """What the form holds now, as :meth:`plan_fields` would give it."""
        return {
            "purpose": self.purpose.value,
            "lead": self.lead.value,
            "sponsor": self.sponsor.value,
            "key_question": self.key_question.value,
            "success_measures": self.measures.value,
            "review_dates": {h: self.dates[h].value for h in HORIZONS},
            "destination": self.destination.value,
        }

    def _fill_form(self, fields: dict[str, Any]) -> None:
        """Put fields into the form as typed (not as stored): they show as not saved yet."""
        for name, value in fields.items():
            if name == "review_dates":
                for h, day in value.items():
                    self.dates[h].value = day
            else:
                self._field_widget(name).value = value
        self._on_edit()

    def _field_widget(self, name: str) -> w.Widget:
        return {
            "purpose": self.purpose,
            "lead": self.lead,
            "sponsor": self.sponsor,
            "key_question": self.key_question,
            "success_measures": self.measures,
            "destination": self.destination,
        }[name]

    def _load_form(self, fields: dict[str, Any]) -> None:
        self.state.loaded = fields
        self.purpose.value = fields["purpose"]
        self.lead.value = fields["lead"]
        self.sponsor.value = fields["sponsor"]
        self.key_question.value = fields["key_question"]
        self.measures.value = fields["success_measures"]
        for h in HORIZONS:
            self.dates[h].value = fields["review_dates"][h]
        self.destination.value = fields["destination"]
        self._on_edit()

    def unsaved(self) -> dict[int, dict[str, Any]]:
        """The plan's changes not saved yet, by group (what the table page keeps when the phase moves)."""
        changed = self._changed() if self.state.form_group is not None else {}
        return {self.state.form_group: changed} if changed and self.state.form_group is not None else {}

    def _changed(self) -> dict[str, Any]:
        now = self.form_fields()
        return {k: v for k, v in now.items() if v != self.state.loaded.get(k)}

    def _on_edit(self, _change: Any = None) -> None:
        changed = self._changed() if self.state.form_group is not None else {}
        set_html(
            self.dirty,
            '<span class="fac-evidence" role="status">Changes not saved yet: press Save plan.</span>'
            if changed
            else "",
        )

    @property
    def takes_input(self) -> bool:
        """Whether this table has a plan to draft (the page hides its saved state otherwise)."""
        return self.state.group_id is not None

    @property
    def group(self) -> Group | None:
        """The group this page drafts now (None: this table leads none)."""
        return next((g for g in self.groups if g.id == self.state.group_id), None)

    # -- drawing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the lists from the store; what is typed in the form stays as typed."""
        store, event_id = self.ctx.store, self.ctx.event_id
        all_groups = list_groups(store, event_id)
        self.groups = [g for g in all_groups if g.lead_table == self.table]
        group = self.group or (self.groups[0] if self.groups else None)
        self.state.group_id = group.id if group is not None else None
        options = [(g.name, g.id) for g in self.groups]
        if list(self.choice.options) != options:
            self.choice.unobserve(self._on_choice, names="value")
            self.choice.options = options
            self.choice.value = self.state.group_id
            self.choice.observe(self._on_choice, names="value")
            self.choice.layout.display = "" if len(options) > 1 else "none"
        if group is None:
            self.state.form_group = None
            self.form.layout.display = "none"
            set_html(
                self.note,
                f'<div class="fac-card fac-plan-none">{esc(leads_sentence(all_groups, self.table))}</div>',
            )
            return
        self.form.layout.display = ""
        origin = ""
        if group.theme:
            dots = f", {group.tally} dots" if group.tally is not None else ""
            origin = f'<div class="fac-evidence">From the theme \u201c{esc(group.theme)}\u201d{dots}</div>'
        set_html(self.note, f"<h2>Task-and-finish group: {esc(group.name)}</h2>{origin}")
        if group.id != self.state.form_group:
            self.state.form_group = group.id
            self.state.plan_token = new_token()
            self.state.shown.clear()
            if self.action_form.editing is not None:
                self.action_form.cancel_edit()
            self._load_form(self.plan_fields(group))
            kept = self.drafts.pop(group.id, None)
            if kept:
                # typed before the phase moved on and not saved: offered back, still marked
                self._fill_form(kept)
                self.saved.not_saved(
                    "your plan changes from before are back in the form; press Save plan to keep them"
                )
        else:
            stored = self.plan_fields(group)
            if stored != self.state.loaded and not self._changed():
                self._load_form(stored)  # changed elsewhere and nothing typed here: follow it
        self.people = list_people(store, event_id)
        self._draw_members(group)
        self._draw_entries(group, list_entries(store, event_id, kinds=("enabler", "blocker")))
        self.action_form.show(group.actions)

    def _row_token(self, what: str, key: int) -> str:
        """One token per button and thing, so a double click is one write."""
        return self.state.row_tokens.setdefault((what, self.state.group_id, key), new_token())

    def _done(self, what: str, key: int) -> None:
        """After a write, the opposite button's next click is a new write (add, remove, add)."""
        self.state.row_tokens.pop((OPPOSITE[what], self.state.group_id, key), None)

    def _draw_members(self, group: Group) -> None:
        key = (group.id, group.members, tuple(self.people))
        if self.state.shown.get("members") == key:
            return
        self.state.shown["members"] = key
        self.members.show([self._member_row(m) for m in group.members])
        taken = {m.person_id for m in group.members}
        choices = [(person_label(p), p.id) for p in self.people if p.id not in taken]
        set_options(self.member_choice, [("Choose a person", NOBODY), *choices])
        try:
            found = suggested_members(self.ctx.store, self.ctx.event_id, group.id, k=3)
        except FacilitationError:
            found = []
        self.suggestions.title = "Suggested, to reach across organisations" if found else ""
        self.suggestions.show(
            [
                lists.row(
                    s.person_id,
                    [
                        lists.cell(s.name + (f" ({s.organisation})" if s.organisation else "")),
                        lists.cell(s.reason, "fac-evidence"),
                    ],
                    [lists.button("add", "+ Add", f"Add {s.name}: {s.reason}", "fac-plan-suggest")],
                )
                for s in found
            ]
        )

    def _draw_entries(self, group: Group, entries: list[Entry]) -> None:
        key = (group.id, group.entries, tuple((e.id, e.kind, e.text, e.table) for e in entries))
        if self.state.shown.get("entries") == key:
            return
        self.state.shown["entries"] = key
        self.linked.show([self._linked_row(e) for e in group.entries])
        linked = {e.entry_id for e in group.entries}
        choices = [(_entry_label(e), e.id) for e in entries if e.id not in linked]
        set_options(self.entry_choice, [("Choose an enabler or a blocker", NOBODY), *choices])

    def _member_row(self, m: Member) -> lists.Row:
        text = (
            m.name
            + (f" ({m.organisation})" if m.organisation else "")
            + (f", {m.role}" if m.role != "member" else "")
        )
        return lists.row(
            m.person_id,
            [lists.cell(text)],
            [lists.button("remove", "Remove", f"Remove {m.name} from the group", "fac-plan-member-remove")],
            cls="fac-card",
        )

    def _linked_row(self, e: LinkedEntry) -> lists.Row:
        verb = "Use" if e.use == "use" else "Remove"
        return lists.row(
            e.entry_id,
            [
                lists.cell(verb, f"fac-kind fac-kind-{e.kind}"),
                lists.cell(e.text, "fac-entry-body"),
                lists.cell(f"(table {e.table})", "fac-evidence"),
            ],
            [
                lists.button(
                    "unlink", "Unlink", f"Unlink this {e.kind}: {e.text[:60]}", "fac-plan-entry-unlink"
                )
            ],
            cls=f"fac-card fac-kind-{e.kind}-card",
        )

    # -- handlers ---------------------------------------------------------------------------
    def _write(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> bool:
        """Call a rule with this page's actor; show saved or why not."""
        if self.state.group_id is None:
            self.saved.not_saved("Your table leads no task-and-finish group.")
            return False
        self.saved.saving(what)
        try:
            fn(self.ctx.store, self.ctx.actor, self.ctx.event_id, *args, **kwargs)
        except FacilitationError as exc:
            self.saved.not_saved(str(exc))
            return False
        except Exception:
            self.saved.not_saved("The event did not answer; what you typed is kept. Try again.")
            return False
        self.saved.saved(what)
        return True

    def save_plan(self, _button: Any = None) -> bool:
        """Save what changed in the plan form (only that, so others' edits elsewhere stay)."""
        group_id = self.state.group_id
        if group_id is None:
            self.saved.not_saved("Your table leads no task-and-finish group.")
            return False
        changed = self._changed()
        if not changed:
            self.saved.saved("the plan is as stored; nothing to change")
            return True
        values = dict(changed)
        if "review_dates" in values:
            values["review_dates"] = {
                h: d.isoformat() if d else None for h, d in values["review_dates"].items()
            }
        what = "plan: " + ", ".join(FIELD_LABELS[k] for k in changed)
        if not self._write(what, update_group, group_id, client_token=self.state.plan_token, **values):
            return False
        self.state.plan_token = new_token()
        self.state.loaded = {**self.state.loaded, **changed}
        self.ctx.watcher.check()  # may reload the form with the text as stored (trimmed lines)
        set_html(self.dirty, '<span class="fac-plan-saved">\u2714 Plan saved</span>')
        return True

    def _on_choice(self, change: Any) -> None:
        """Another group this table leads: its plan replaces the form (unsaved changes are dropped)."""
        if change["new"] is not None and change["new"] != self.state.group_id:
            self.state.group_id = change["new"]
            self.refresh()

    def _click_add_member(self, _button: Any = None) -> None:
        if not self.member_choice.value:
            self.saved.not_saved("Choose a person to add first.")
            return
        self.add_person(self.member_choice.value)

    def _click_suggested(self, person_id: int) -> None:
        self.add_person(person_id)

    def add_person(self, person_id: int) -> bool:
        """Add a person to the group (adding twice changes nothing)."""
        name = next((p.name for p in self.people if p.id == person_id), "member")
        token = self._row_token("add member", person_id)
        if not self._write(
            f"{name} is a member", add_member, self.state.group_id, person_id, client_token=token
        ):
            return False
        self._done("add member", person_id)
        self.ctx.watcher.check()
        return True

    def _click_remove_member(self, person_id: int) -> None:
        token = self._row_token("remove member", person_id)
        if self._write("member removed", remove_member, self.state.group_id, person_id, client_token=token):
            self._done("remove member", person_id)
            self.ctx.watcher.check()

    def _click_link_entry(self, _button: Any = None) -> None:
        if not self.entry_choice.value:
            self.saved.not_saved("Choose an enabler or a blocker first.")
            return
        self.link(self.entry_choice.value)

    def link(self, entry_id: int) -> bool:
        """Link an enabler to use or a blocker to remove (linking twice changes nothing)."""
        token = self._row_token("link", entry_id)
        if not self._write(
            "linked to the plan", link_entry, self.state.group_id, entry_id, client_token=token
        ):
            return False
        self._done("link", entry_id)
        self.ctx.watcher.check()
        return True

    def _click_unlink(self, entry_id: int) -> None:
        token = self._row_token("unlink", entry_id)
        if self._write("unlinked", unlink_entry, self.state.group_id, entry_id, client_token=token):
            self._done("unlink", entry_id)
            self.ctx.watcher.check()
