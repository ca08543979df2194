"""At each meeting of a series, the open actions of earlier meetings are reviewed: done,
moved (to a new date) or dropped, with a note; every review is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_plans import planned_event

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.cli import main
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.exports.backup import backup_data, comparable, render
from facilitation.plans.rules import list_groups, open_actions_from_earlier_events
from facilitation.restore import check_backup, restore
from facilitation.series.rules import action_reviews, create_series, review_action
from facilitation.store import Store, open_store
from facilitation.store import schema as s


def _series_of_two(store: Store) -> tuple[int, int, int, list[int]]:
    sid = create_series(store, ORGANISER, "Frailty community of practice")
    first = planned_event(store, series_id=sid, title="Meeting 1", starts_on="2026-11-26")
    second = planned_event(store, series_id=sid, title="Meeting 2", starts_on="2026-12-08")
    return sid, first.event_id, second.event_id, first.actions


def _rows(store: Store) -> tuple[int, int]:
    return store.read(
        lambda c: (
            c.execute(select(func.count()).select_from(s.action_reviews)).scalar_one(),
            c.execute(select(func.count()).select_from(s.activity)).scalar_one(),
        )
    )


def test_a_meeting_reviews_earlier_actions_and_keeps_every_review(store: Store) -> None:
    _sid, first, second, actions = _series_of_two(store)
    assert len(actions) >= 2
    open_before = {o.action.id for o in open_actions_from_earlier_events(store, second)}
    assert set(actions) <= open_before
    moved = review_action(
        store, FACILITATOR, second, actions[0], "moved", "Waiting for the data", "2027-04-13"
    )
    review_action(store, ORGANISER, second, actions[1], "done", "Register is live")
    open_after = {o.action.id for o in open_actions_from_earlier_events(store, second)}
    assert actions[0] in open_after and actions[1] not in open_after
    # moved again at a later review: both reviews are kept, in order
    third = planned_event(store, series_id=_sid, title="Meeting 3", starts_on="2026-12-09").event_id
    review_action(store, FACILITATOR, third, actions[0], "dropped", "Superseded by the ICS plan")
    history = action_reviews(store, [actions[0]])[actions[0]]
    assert [(r.outcome, r.moved_to, r.meeting_on, r.reviewed_by) for r in history] == [
        ("moved", "2027-04-13", "2026-12-08", "facilitator"),
        ("dropped", None, "2026-12-09", "facilitator"),
    ]
    assert history[0].id == moved and history[0].note == "Waiting for the data"
    assert history[0].meeting_event_id == second and history[1].meeting_event_id == third
    by_id = {a.id: a for g in list_groups(store, first) for a in g.actions}
    assert by_id[actions[0]].status == "dropped" and by_id[actions[0]].due_on == "2027-04-13"
    assert by_id[actions[1]].status == "done"
    verbs = store.read(
        lambda c: (
            c.execute(
                select(s.activity.c.event_id)
                .where(s.activity.c.verb == "review action")
                .order_by(s.activity.c.revision)
            )
            .scalars()
            .all()
        )
    )
    assert verbs == [second, second, third]


def test_reviews_are_refused_in_one_line_and_change_nothing(store: Store) -> None:
    _sid, first, second, actions = _series_of_two(store)
    other_series = create_series(store, ORGANISER, "Another series")
    stranger = planned_event(store, series_id=other_series, title="Elsewhere", starts_on="2026-11-20")
    alone = planned_event(store, title="No series", starts_on="2026-12-01").event_id
    before = _rows(store)
    cases = [
        (table_actor(1), second, actions[0], "done", None, NotAllowed, "cannot"),
        (FACILITATOR, second, stranger.actions[0], "done", None, FacilitationError, "another series"),
        (FACILITATOR, first, actions[0], "done", None, FacilitationError, "this meeting or a later one"),
        (FACILITATOR, alone, actions[0], "done", None, FacilitationError, "not in a series"),
        (FACILITATOR, second, actions[0], "moved", None, FacilitationError, "needs its new due date"),
        (FACILITATOR, second, actions[0], "moved", "09/04/2027", FacilitationError, "like 2026-03-12"),
        (FACILITATOR, second, actions[0], "moved", "2026-12-02", FacilitationError, "before this meeting"),
        (FACILITATOR, second, actions[0], "done", "2027-05-01", FacilitationError, "Only a moved action"),
        (FACILITATOR, second, 99999, "done", None, FacilitationError, "no action 99999"),
    ]
    for actor, ev, action, outcome, moved_to, error, words in cases:
        with pytest.raises(error, match=words):
            review_action(store, actor, ev, action, outcome, "note", moved_to)
    assert _rows(store) == before
    review_action(store, FACILITATOR, second, actions[0], "done")
    with pytest.raises(FacilitationError, match="already done"):
        review_action(store, FACILITATOR, second, actions[0], "dropped")


def test_the_command_line_lists_and_reviews(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(db_url)
    try:
        _sid, _first, second, actions = _series_of_two(store)
    finally:
        store.close()
    assert main(["series", "review", str(second), "--db", db_url]) == 0
    listed = capsys.readouterr().out
    assert f"{actions[0]:>4}  " in listed and "2026-11-26" in listed
    argv = ["series", "review", str(second), str(actions[0]), "--moved", "2027-04-13", "--note", "Needs data"]
    assert main([*argv, "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "moved to 2027-04-13 at the meeting of 2026-12-08, by the organiser" in out and "Needs data" in out
    assert main(["series", "review", str(second), "--db", db_url]) == 0
    assert "moved to 2027-04-13" in capsys.readouterr().out  # the history shows in the list
    assert main(["series", "review", str(second), str(actions[1]), "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--done, --moved DATE or --dropped" in err
    assert main(["series", "review", str(second), str(actions[1]), "--moved", "soon", "--db", db_url]) == 2
    assert "not 'soon'" in capsys.readouterr().err
    assert main(["series", "review", str(second), str(actions[1]), "--dropped", "--db", db_url]) == 0


def test_reviews_go_with_their_actions_in_a_backup(store: Store, tmp_path: Path) -> None:
    _sid, first, second, actions = _series_of_two(store)
    review_action(store, FACILITATOR, second, actions[0], "moved", "Later", "2027-04-13")
    data = backup_data(store, first)
    assert [(r["outcome"], r["moved_to"], r["meeting_on"]) for r in data["action_reviews"]] == [
        ("moved", "2027-04-13", "2026-12-08")
    ]
    fresh = open_store(str(tmp_path / "fresh.db"))
    try:
        new_id = restore(fresh, ORGANISER, json.loads(render(data)))
        assert comparable(backup_data(fresh, new_id)) == comparable(data)
    finally:
        fresh.close()
    bad = json.loads(render(data))
    bad["action_reviews"][0]["moved_to"] = None
    with pytest.raises(
        FacilitationError, match=r"action_reviews\[0\].moved_to: a moved action has a new date"
    ):
        check_backup(bad)
    bad["action_reviews"][0].update(moved_to="2027-04-13", outcome="postponed")
    with pytest.raises(FacilitationError, match=r"action_reviews\[0\].outcome: 'postponed' is not a review"):
        check_backup(bad)
