"""A page open for a whole event must not grow: every redraw closes the widgets it replaces.

A table page, the projector and the console stay open for three hours and redraw
whenever the event changes. A list redrawn by assigning new ``children`` leaves each
old row's widgets open in the kernel and in the browser's widget manager; after a
few hundred changes the page slows and its kernel holds thousands of dead models
(the attack tests saw ``request_states`` take minutes on such a page).

Each test makes a change and undoes it through the rules, many times, refreshing
the pages after each write; the number of open widgets must come back to where it
was. Naive code fails this: ``box.children = rows`` without closing the old rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from ipywidgets import Widget
from ipywidgets.widgets.widget import _instances

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.events.rules import EventKeys, create_event, set_phase
from facilitation.network.rules import record_link, withdraw_link
from facilitation.people.rules import add_person
from facilitation.plans.rules import add_action, promote_theme, remove_action
from facilitation.store import Store, open_store
from facilitation.themes.grouping import add_to_theme, create_theme, ungroup
from facilitation.ui.console import ConsoleView
from facilitation.ui.page import PageContext, PageParams, open_page
from facilitation.ui.projector import ProjectorView
from facilitation.ui.table import TableView
from facilitation.voting.rules import add_dot, remove_dot

ROUNDS = 12


@pytest.fixture
def event(tmp_path: Any) -> Iterator[tuple[Store, EventKeys, dict[str, int]]]:
    """Two tables with people, entries, a theme each and a group led by table 1."""
    store = open_store(str(tmp_path / "lifetime.db"))
    keys = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Long day", tables=2
    )
    ev = keys.event_id
    ids: dict[str, int] = {}
    for t in (1, 2):
        for n in "ab":
            ids[f"person {t}{n}"] = add_person(
                store, table_actor(t), ev, f"Person {t}{n}", organisation=f"Org {t}{n}", table=t
            )
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    for t in (1, 2):
        for kind in ("enabler", "blocker", "idea"):
            ids[f"{kind} {t}"] = add_entry(store, table_actor(t), ev, t, kind, f"{kind.title()} of table {t}")
    set_phase(store, FACILITATOR, ev, "grouping")
    for t in (1, 2):
        ids[f"theme {t}"] = create_theme(
            store, table_actor(t), ev, t, f"Theme {t}", [ids[f"enabler {t}"], ids[f"blocker {t}"]]
        )
    ids["group"] = promote_theme(store, FACILITATOR, ev, ids["theme 1"], lead_table=1)
    yield store, keys, ids
    store.close()


def ctx_for(store: Store, keys: EventKeys, key: str | None) -> PageContext:
    return open_page(PageParams(event=keys.event_id, key=key), store=store, need_key=key is not None)


def reachable(roots: Iterable[Widget]) -> set[int]:
    """Every widget a page shows or holds: children, layouts, styles, any widget in a synced trait."""
    seen: set[int] = set()
    todo = list(roots)
    while todo:
        widget = todo.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        for name in widget.keys:
            value = getattr(widget, name, None)
            for x in value if isinstance(value, list | tuple) else (value,):
                if isinstance(x, Widget):
                    todo.append(x)
    return seen


def left_open(
    store: Store, keys: EventKeys, phase: str, change: Callable[[], None], undo: Callable[[], None]
) -> list[str]:
    """Widgets opened by ``ROUNDS`` changes and undos, still open but shown by no page, by kind."""
    set_phase(store, FACILITATOR, keys.event_id, phase)
    table = TableView(ctx_for(store, keys, keys.tables[1]), 1)
    projector = ProjectorView(ctx_for(store, keys, None))
    console = ConsoleView(ctx_for(store, keys, keys.facilitator))
    views = (table, projector, console)

    def refresh() -> None:
        for view in views:
            view.refresh()

    refresh()
    change()
    refresh()
    undo()
    refresh()  # every lazily built part drawn once, with and without the change
    before = set(_instances)
    for _ in range(ROUNDS):
        change()
        refresh()
        undo()
        refresh()
    shown = reachable(view.widget for view in views)
    grown = [x for k, x in _instances.items() if k not in before and id(x) not in shown]
    kinds = Counter(f"{type(x).__name__} {' '.join(getattr(x, '_dom_classes', ()))}".strip() for x in grown)
    return [f"{n} x {kind}" for kind, n in kinds.most_common()]


def test_the_grouping_board_does_not_grow(event: tuple[Store, EventKeys, dict[str, int]]) -> None:
    store, keys, ids = event
    ev, lead = keys.event_id, table_actor(1)
    grown = left_open(
        store,
        keys,
        "grouping",
        lambda: ungroup(store, lead, ev, [ids["enabler 1"]]),
        lambda: add_to_theme(store, lead, ev, ids["theme 1"], [ids["enabler 1"]]),
    )
    assert grown == [], f"left open by {ROUNDS} regroupings: {grown}"


def test_the_voting_rows_do_not_grow(event: tuple[Store, EventKeys, dict[str, int]]) -> None:
    store, keys, ids = event
    ev, lead = keys.event_id, table_actor(1)
    grown = left_open(
        store,
        keys,
        "voting",
        lambda: add_dot(store, lead, ev, ids["theme 2"]),
        lambda: remove_dot(store, lead, ev, ids["theme 2"]),
    )
    assert grown == [], f"left open by {ROUNDS} dots on and off: {grown}"


def test_the_links_list_does_not_grow(event: tuple[Store, EventKeys, dict[str, int]]) -> None:
    store, keys, ids = event
    ev, lead = keys.event_id, table_actor(1)
    made: list[int] = []
    grown = left_open(
        store,
        keys,
        "collaboration",
        lambda: made.append(
            record_link(
                store, lead, ev, 1, ids["person 1a"], ids["person 2a"], "worked with", f"n{len(made)}"
            )
        ),
        lambda: withdraw_link(store, lead, ev, made[-1]),
    )
    assert grown == [], f"left open by {ROUNDS} links recorded and withdrawn: {grown}"


def test_the_plan_does_not_grow(event: tuple[Store, EventKeys, dict[str, int]]) -> None:
    store, keys, ids = event
    ev, lead = keys.event_id, table_actor(1)
    made: list[int] = []
    grown = left_open(
        store,
        keys,
        "action-plans",
        lambda: made.append(add_action(store, lead, ev, ids["group"], f"First action {len(made)}")),
        lambda: remove_action(store, lead, ev, made[-1]),
    )
    assert grown == [], f"left open by {ROUNDS} actions added and removed: {grown}"
