"""Issue 13: a round's life (open, then closed by its reveal) and frozen voted themes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import create_event, get_event, set_phase
from facilitation.people.rules import add_person
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.themes.grouping import create_theme
from facilitation.ui.page import PageParams, open_page
from facilitation.ui.table import TableView
from facilitation.ui.voting_view import VotingPanel
from facilitation.voting.rules import add_dot, open_runoff, remove_dot, reveal_votes, set_voting_rules, tally

T1, T2, T3, T4 = (table_actor(n) for n in range(1, 5))
CLOSED = "Voting is closed: the result is on the projector"


def voting_event(store: Store, *, tables: int = 4, **rules: Any) -> tuple[int, dict[int, int]]:
    """An event in its voting phase; table n has one theme "Theme n" with one idea."""
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="R", tables=tables
    ).event_id
    set_phase(store, FACILITATOR, ev, "grouping")
    themes = {}
    for t in range(1, tables + 1):
        e = add_entry(store, table_actor(t), ev, t, "idea", f"Idea of table {t}")
        themes[t] = create_theme(store, table_actor(t), ev, t, f"Theme {t}", [e])
    if rules:
        set_voting_rules(store, FACILITATOR, ev, **rules)
    set_phase(store, FACILITATOR, ev, "voting")
    return ev, themes


def dots_of(store: Store, ev: int) -> dict[str, int]:
    return {r.name: r.dots for r in tally(store, FACILITATOR, ev)}


# --- a round's life ---------------------------------------------------------------------------


def test_reveal_closes_the_round_and_hiding_does_not_reopen_it(store: Store) -> None:
    ev, th = voting_event(store)
    add_dot(store, T3, ev, th[1])
    add_dot(store, T4, ev, th[2])
    reveal_votes(store, FACILITATOR, ev)
    assert dots_of(store, ev) == {"Theme 1": 1, "Theme 2": 1, "Theme 3": 0, "Theme 4": 0}
    with pytest.raises(FacilitationError, match=CLOSED):  # the tie 1-1 stays a tie
        add_dot(store, T2, ev, th[1])
    with pytest.raises(FacilitationError, match=CLOSED):
        remove_dot(store, T4, ev, th[2])
    with pytest.raises(FacilitationError, match=CLOSED):  # the console helping a table too
        add_dot(store, FACILITATOR, ev, th[1], table=2)
    reveal_votes(store, FACILITATOR, ev, revealed=False)
    with pytest.raises(FacilitationError, match=CLOSED):
        add_dot(store, T2, ev, th[1])
    assert dots_of(store, ev)["Theme 1"] == 1
    assert open_runoff(store, FACILITATOR, ev, [th[1], th[2]]) == 2  # only a run-off votes again
    assert add_dot(store, T3, ev, th[1]).round == 2


def test_the_table_page_says_voting_is_closed(store: Store) -> None:
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="P", tables=2)
    ev = keys.event_id
    set_phase(store, FACILITATOR, ev, "grouping")
    e = add_entry(store, T2, ev, 2, "idea", "Shared rota")
    theme = create_theme(store, T2, ev, 2, "Rota", [e])
    set_phase(store, FACILITATOR, ev, "voting")
    view = TableView(open_page(PageParams(event=ev, key=keys.tables[1]), store=store, need_key=True), 1)
    panel = view.panel
    assert isinstance(panel, VotingPanel)
    assert panel.add(theme)
    reveal_votes(store, FACILITATOR, ev)
    view.ctx.watcher.check()
    panel.refresh()
    assert CLOSED in panel.left.value
    row = panel.rows.rows[0]
    assert all(b["disabled"] for b in row["buttons"])
    assert not panel.add(theme)  # a forged click: refused by the rules
    assert len(tally(store, FACILITATOR, ev)) == 1 and tally(store, FACILITATOR, ev)[0].dots == 1


def test_reveal_belongs_to_its_round_across_phase_moves(store: Store) -> None:
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="S", tables=2
    ).event_id
    set_phase(store, FACILITATOR, ev, "grouping")
    e = add_entry(store, T1, ev, 1, "idea", "Joint training")
    theme = create_theme(store, T1, ev, 1, "Training", [e])
    with pytest.raises(FacilitationError, match="reveal it during the voting phase"):
        reveal_votes(store, FACILITATOR, ev)  # skipping ahead never reveals an unvoted round
    assert not get_event(store, ev).votes_revealed
    set_phase(store, FACILITATOR, ev, "voting")
    with pytest.raises(FacilitationError, match="hidden"):
        tally(store, T2, ev)  # the running tally is not shown to tables
    add_dot(store, T2, ev, theme)
    reveal_votes(store, FACILITATOR, ev)
    set_phase(store, FACILITATOR, ev, "grouping")
    set_phase(store, FACILITATOR, ev, "voting")  # back and forth never reopens it
    after = get_event(store, ev)
    assert after.votes_revealed and after.voting_closed
    with pytest.raises(FacilitationError, match=CLOSED):
        add_dot(store, T2, ev, theme)
    assert tally(store, T2, ev)[0].dots == 1


def test_messages_name_people_and_unknown_themes(store: Store) -> None:
    ev, _th = voting_event(store, voter="person", dots_per_voter=1, max_per_theme=1, must_spend_all=True)
    ama = add_person(store, ORGANISER, ev, "Ama Owusu", organisation="Council", table=1)
    with pytest.raises(FacilitationError, match="Ama Owusu still has dots") as info:
        reveal_votes(store, FACILITATOR, ev)
    assert "Person " not in str(info.value)
    with pytest.raises(NotFound, match="This event has no theme 9999") as gone:
        add_dot(store, T1, ev, 9999, person_id=ama)
    assert "reload" not in str(gone.value)
    assert store.read(lambda c: c.execute(select(s.themes.c.id).where(s.themes.c.id == 9999)).first()) is None
