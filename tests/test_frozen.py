"""A voted theme is frozen: nobody changes what the room voted on unless the facilitator
reopens it with a reason; the tally, the decision log and the outcome pack then show
the result as voted and as amended. On SQLite and PostgreSQL (the ``store`` fixture).

The tests of the defects import only what main already had, so that each fails there
on its own assertion; the reopening's tests import :mod:`facilitation.themes.reopening` inside.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, Actor, table_actor
from facilitation.capture.rules import add_entry, edit_entry, list_entries, withdraw_entry
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.events.rules import create_event, set_phase
from facilitation.plans.rules import decision_log, promote_theme
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.themes.grouping import (
    add_to_theme,
    create_theme,
    dissolve_theme,
    list_themes,
    merge_themes,
    rename_theme,
    split_theme,
    ungroup,
    unmerge,
)
from facilitation.voting.rules import add_dot, open_runoff, reveal_votes, set_voting_rules, tally

T1, T2, T3 = table_actor(1), table_actor(2), table_actor(3)
NAME = "Shared care records"


def voted_event(store: Store) -> dict[str, Any]:
    """Three tables' themes; tables 2 and 3 put dots on table 1's theme, then the
    facilitator steps back from voting to grouping (the demo's path)."""
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="F", tables=3
    ).event_id
    set_voting_rules(store, FACILITATOR, ev, dots_per_voter=3, max_per_theme=3, own_themes=True)
    set_phase(store, FACILITATOR, ev, "ideas")
    e = {
        t: [add_entry(store, table_actor(t), ev, t, "idea", f"Idea {i} of table {t}") for i in range(3)]
        for t in (1, 2, 3)
    }
    set_phase(store, FACILITATOR, ev, "grouping")
    a = create_theme(store, T1, ev, 1, NAME, e[1][:2])
    b = create_theme(store, T2, ev, 2, "Transport", e[2][:1])
    c = create_theme(store, T3, ev, 3, "Workforce", e[3][:1])
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, T2, ev, a)
    add_dot(store, T3, ev, a)
    set_phase(store, FACILITATOR, ev, "grouping")
    return {"ev": ev, "e": e, "a": a, "b": b, "c": c}


def names(store: Store, ev: int) -> dict[int, str]:
    return {t.id: t.name for t in list_themes(store, ev)}


def entries_of(store: Store, ev: int, theme_id: int) -> tuple[int, ...]:
    return next(t.entry_ids for t in list_themes(store, ev) if t.id == theme_id)


def verbs(store: Store, ev: int) -> list[tuple[str, str]]:
    return store.read(
        lambda c: [
            (r.verb, r.detail)
            for r in c.execute(
                select(s.activity.c.verb, s.activity.c.detail)
                .where(s.activity.c.event_id == ev)
                .order_by(s.activity.c.revision)
            )
        ]
    )


def table_changes(store: Store, x: dict[str, Any], actor: Actor) -> dict[str, Callable[[], Any]]:
    """Every change a table (or the console) can make to table 1's voted theme or its entries."""
    ev, a, e = x["ev"], x["a"], x["e"]
    return {
        "rename": lambda: rename_theme(store, actor, ev, a, "Records"),
        "split": lambda: split_theme(store, actor, ev, a, [e[1][1]], "Other"),
        "add entries": lambda: add_to_theme(store, actor, ev, a, [e[1][2]]),
        "ungroup": lambda: ungroup(store, actor, ev, [e[1][0]]),
        "group its entries as a new theme": lambda: create_theme(store, actor, ev, 1, "Records", e[1][:2]),
        "dissolve": lambda: dissolve_theme(store, actor, ev, a),
        "edit an entry": lambda: edit_entry(store, actor, ev, e[1][0], text="Something else"),
        "withdraw an entry": lambda: withdraw_entry(store, actor, ev, e[1][1]),
    }


@pytest.mark.parametrize("who", ["table", "console"])
def test_a_voted_theme_cannot_change_after_stepping_back_to_grouping(store: Store, who: str) -> None:
    x = voted_event(store)
    ev, a = x["ev"], x["a"]
    actor = T1 if who == "table" else FACILITATOR
    before = (names(store, ev), entries_of(store, ev, a), [(n.id, n.text) for n in list_entries(store, ev)])
    for change, call in table_changes(store, x, actor).items():
        with pytest.raises(
            FacilitationError, match=f"'{NAME}' holds dots from round 1, so it is frozen"
        ) as info:
            call()
        msg = str(info.value)
        assert "\n" not in msg, change
        if who == "table":
            assert "Ask the facilitator" in msg, change
        else:
            assert f"facilitate reopen {ev} {a} --reason" in msg, change
    after = (names(store, ev), entries_of(store, ev, a), [(n.id, n.text) for n in list_entries(store, ev)])
    assert after == before


def test_the_console_cannot_merge_or_unmerge_a_voted_theme(store: Store) -> None:
    x = voted_event(store)
    ev, a, b = x["ev"], x["a"], x["b"]
    with pytest.raises(FacilitationError, match=f"'{NAME}' holds dots from round 1"):
        merge_themes(store, FACILITATOR, ev, [a, b], "Records and transport")
    # a member of a voted event-wide theme is frozen with it
    set_phase(store, FACILITATOR, ev, "grouping")
    w = merge_themes(store, FACILITATOR, ev, [b, x["c"]], "Moving people")
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, T1, ev, w)
    set_phase(store, FACILITATOR, ev, "grouping")
    for change in (
        lambda: unmerge(store, FACILITATOR, ev, [b]),
        lambda: rename_theme(store, T2, ev, b, "Buses"),
        lambda: withdraw_entry(store, T2, ev, x["e"][2][0]),
    ):
        with pytest.raises(
            FacilitationError, match="'Moving people' holds dots from round 1, so it is frozen"
        ):
            change()
    assert names(store, ev)[b] == "Transport"


def runoff_event(store: Store) -> dict[str, Any]:
    """Round 1: table 1's theme wins with 2 dots, the other two tie on 1 and go to a run-off."""
    x = voted_event(store)
    ev = x["ev"]
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, T1, ev, x["b"])
    add_dot(store, T2, ev, x["c"])
    reveal_votes(store, FACILITATOR, ev)
    open_runoff(store, FACILITATOR, ev, [x["b"], x["c"]])
    add_dot(store, T1, ev, x["b"])
    return x


def test_a_runoff_leaves_round_1s_winner_frozen_and_in_the_tally(store: Store) -> None:
    x = runoff_event(store)
    ev, a = x["ev"], x["a"]
    for change in (
        lambda: dissolve_theme(store, FACILITATOR, ev, a),
        lambda: rename_theme(store, FACILITATOR, ev, a, "Records"),
        lambda: merge_themes(store, FACILITATOR, ev, [a], "Records"),
    ):
        with pytest.raises(FacilitationError, match=f"'{NAME}' holds dots from round 1, so it is frozen"):
            change()
    assert [(r.name, r.dots, r.rank) for r in tally(store, FACILITATOR, ev, round=1)] == [
        (NAME, 2, 1),
        ("Transport", 1, 2),
        ("Workforce", 1, 2),
    ]


def test_the_tally_never_drops_a_theme_that_received_dots(store: Store) -> None:
    from facilitation.themes.reopening import reopen_theme

    x = runoff_event(store)
    ev, a = x["ev"], x["a"]
    reopen_theme(store, FACILITATOR, ev, a, "Duplicate of the records theme at table 2")
    dissolve_theme(store, FACILITATOR, ev, a)
    first = tally(store, FACILITATOR, ev, round=1)
    assert (first[0].name, first[0].dots, first[0].rank) == (NAME, 2, 1)
    assert first[0].amended is not None and "dissolved" in first[0].amended
    assert "Duplicate of the records theme at table 2" in first[0].amended
    assert all(r.amended is None for r in first[1:])


def test_only_the_facilitator_reopens_and_only_with_a_reason(store: Store) -> None:
    from facilitation.themes.reopening import reopen_theme

    x = voted_event(store)
    ev, a = x["ev"], x["a"]
    for actor in (T1, T2, ORGANISER):
        with pytest.raises(NotAllowed, match="Only the facilitator"):
            reopen_theme(store, actor, ev, a, "typo")
    for reason in ("", "   ", None):
        with pytest.raises(FacilitationError, match="Write the reason"):
            reopen_theme(store, FACILITATOR, ev, a, reason)  # type: ignore[arg-type]
    with pytest.raises(FacilitationError, match="characters"):
        reopen_theme(store, FACILITATOR, ev, a, "x" * 600)
    with pytest.raises(FacilitationError, match="'Transport' holds no dots, so it is not frozen"):
        reopen_theme(store, FACILITATOR, ev, x["b"], "typo")
    with pytest.raises(FacilitationError, match="no theme 9999"):
        reopen_theme(store, FACILITATOR, ev, 9999, "typo")
    assert not [v for v, _ in verbs(store, ev) if v == "reopen theme"]
    with pytest.raises(FacilitationError, match="frozen"):
        rename_theme(store, T1, ev, a, "Records")


def test_a_reopened_theme_changes_on_the_record_and_freezes_again(store: Store) -> None:
    from facilitation.themes.reopening import close_reopening, list_reopenings, reopen_theme

    x = voted_event(store)
    ev, a, e = x["ev"], x["a"], x["e"]
    reopen_theme(store, FACILITATOR, ev, a, "Table 1 asked: <b>typo</b> in the name")
    rename_theme(store, T1, ev, a, "Shared care record")
    edit_entry(store, T1, ev, e[1][0], text="Idea 0, reworded")
    logged = [json.loads(d) for v, d in verbs(store, ev) if v == "reopen theme"]
    assert logged == [
        {"theme": a, "name": NAME, "rounds": [1], "reason": "Table 1 asked: <b>typo</b> in the name"}
    ]
    (r,) = list_reopenings(store, ev)
    assert r.voted_name == NAME and r.reopened_by == FACILITATOR.label and r.closed_at is None
    assert r.voted_entries == (("idea", "Idea 0 of table 1", 1), ("idea", "Idea 1 of table 1", 1))
    close_reopening(store, FACILITATOR, ev, a)
    with pytest.raises(FacilitationError, match="'Shared care record' holds dots from round 1"):
        withdraw_entry(store, T1, ev, e[1][1])
    # a reopening also ends when the phase moves
    reopen_theme(store, FACILITATOR, ev, a, "One more fix")
    set_phase(store, FACILITATOR, ev, "voting")
    set_phase(store, FACILITATOR, ev, "grouping")
    with pytest.raises(FacilitationError, match="frozen"):
        withdraw_entry(store, T1, ev, e[1][1])


def test_reopening_an_event_wide_theme_frees_its_members(store: Store) -> None:
    from facilitation.themes.reopening import reopen_theme

    x = voted_event(store)
    ev, b, c = x["ev"], x["b"], x["c"]
    w = merge_themes(store, FACILITATOR, ev, [b, c], "Moving people")
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, T1, ev, w)
    set_phase(store, FACILITATOR, ev, "grouping")
    with pytest.raises(FacilitationError, match="'Transport' is frozen by 'Moving people'"):
        reopen_theme(store, FACILITATOR, ev, b, "wrong theme")
    reopen_theme(store, FACILITATOR, ev, w, "Workforce belongs elsewhere")
    unmerge(store, FACILITATOR, ev, [c])
    rename_theme(store, T2, ev, b, "Buses")
    (row,) = [r for r in tally(store, FACILITATOR, ev, round=1) if r.theme_id == w]
    assert (
        row.name == "Moving people"
        and row.amended is not None
        and "entries changed (2 as voted, 1 now)" in row.amended
    )


def test_the_tally_decision_log_and_pack_show_the_result_as_voted_and_as_amended(
    store: Store, tmp_path: Path
) -> None:
    from facilitation.exports import html, markdown
    from facilitation.themes.reopening import reopen_theme

    x = voted_event(store)
    ev, a, e = x["ev"], x["a"], x["e"]
    set_phase(store, FACILITATOR, ev, "voting")
    reveal_votes(store, FACILITATOR, ev)
    promote_theme(store, FACILITATOR, ev, a)
    # before any reopening: the decision log lists the entries the room voted on
    (d,) = decision_log(store, ev)
    assert [t for _, _, t, _ in d.entries] == ["Idea 0 of table 1", "Idea 1 of table 1"]
    reopen_theme(store, FACILITATOR, ev, a, "Merged with <script>x</script> later")
    rename_theme(store, FACILITATOR, ev, a, "Records")
    withdraw_entry(store, FACILITATOR, ev, e[1][1])
    (row,) = [r for r in tally(store, FACILITATOR, ev, round=1) if r.theme_id == a]
    assert row.name == NAME and row.dots == 2
    assert row.amended == (
        "Amended after the vote: renamed 'Records', entries changed (2 as voted, 1 now) "
        "(reopened by the facilitator: Merged with <script>x</script> later)"
    )
    (d,) = decision_log(store, ev)
    assert d.theme == NAME and d.amended == row.amended
    assert [t for _, _, t, _ in d.entries] == ["Idea 0 of table 1", "Idea 1 of table 1"]
    assert [t for _, _, t, _ in d.entries_now] == ["Idea 0 of table 1"]
    page = Path(html.write(store, ev, tmp_path)[0]).read_text(encoding="utf-8")
    assert (
        "Amended after the vote: renamed &#39;Records&#39;" in page
        or "Amended after the vote: renamed &#x27;Records&#x27;" in page
    )
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert "Idea 1 of table 1" in page  # as voted, though withdrawn since
    text = Path(markdown.write(store, ev, tmp_path)[0]).read_text(encoding="utf-8")
    assert "Amended after the vote" in text and "(amended)" in text.replace("\\", "")


def test_a_backup_keeps_the_reopenings_and_restores_them(store: Store, tmp_path: Path) -> None:
    from facilitation.exports.backup import backup_data, comparable, render
    from facilitation.restore import restore
    from facilitation.store import open_store
    from facilitation.themes.reopening import list_reopenings, reopen_theme

    x = voted_event(store)
    ev, a = x["ev"], x["a"]
    reopen_theme(store, FACILITATOR, ev, a, "Typo")
    rename_theme(store, T1, ev, a, "Records")
    data = backup_data(store, ev)
    assert [r["reason"] for r in data["theme_reopenings"]] == ["Typo"]
    fresh = open_store(str(tmp_path / "fresh.db"))
    try:
        new = restore(fresh, ORGANISER, json.loads(render(data)))
        assert comparable(backup_data(fresh, new)) == comparable(data)
        assert [r.voted_name for r in list_reopenings(fresh, new)] == [NAME]
        assert tally(fresh, SYSTEM, new, round=1)[0].amended is not None
    finally:
        fresh.close()


def test_facilitate_reopen(store: Store, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from facilitation.cli import main

    x = voted_event(store)
    ev, a = x["ev"], x["a"]
    assert main(["reopen", str(ev), "--db", db_url]) == 0
    assert capsys.readouterr().out == f"{a}\t{NAME}\tround 1\tfrozen\n"
    assert main(["reopen", str(ev), str(a), "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("facilitate: Say why it must change") and len(err.strip().splitlines()) == 1
    assert main(["reopen", str(ev), str(a), "--reason", "Typo", "--db", db_url]) == 0
    assert "reopened" in capsys.readouterr().out
    rename_theme(store, T1, ev, a, "Records")
    assert main(["reopen", str(ev), str(a), "--done", "--db", db_url]) == 0
    capsys.readouterr()
    with pytest.raises(FacilitationError, match="frozen"):
        rename_theme(store, T1, ev, a, "Records again")
    assert main(["reopen", str(ev), "Records", "--reason", "x", "--db", db_url]) == 2
    assert "is named by its number" in capsys.readouterr().err


def test_the_console_reopens_with_a_reason_and_freezes_again(tmp_path: Path) -> None:
    from facilitation.events.rules import event_keys
    from facilitation.store import open_store
    from facilitation.ui.console import ConsoleView
    from facilitation.ui.page import PageParams, open_page

    store = open_store(str(tmp_path / "console.db"))
    try:
        x = voted_event(store)
        ev, a = x["ev"], x["a"]
        keys = event_keys(store, ORGANISER, ev)
        console = ConsoleView(
            open_page(PageParams(event=ev, key=keys.facilitator), store=store, need_key=True)
        )
        board = console.board
        assert board.reopen_row.layout.display == ""
        assert list(board.voted_choice.options) == [(f"{NAME} (frozen)", a)]
        board.voted_choice.value = a
        board.reason.value = "   "
        board.reopen_button.click()
        assert "Write the reason" in console.message.value and board.reason.value == "   "
        board.reason.value = "Table 1 spotted a typo"
        board.reopen_button.click()
        assert "Reopened" in console.message.value and board.reason.value == ""
        assert list(board.voted_choice.options) == [(f"{NAME} (reopened)", a)]
        rename_theme(store, T1, ev, a, "Shared care record")
        board.freeze_button.click()
        assert "Frozen again" in console.message.value
        with pytest.raises(FacilitationError, match="frozen"):
            rename_theme(store, T1, ev, a, "Again")
    finally:
        store.close()


def test_migration_0003_adds_the_reopenings_to_a_database_made_before(db_url: str) -> None:
    from sqlalchemy import delete, inspect

    from facilitation.store import open_store
    from facilitation.store.migrations import applied, schema_migrations

    first = open_store(db_url)
    with first._write_conn() as conn:  # a database as 0002 left it
        conn.exec_driver_sql("DROP TABLE theme_reopenings")
        conn.execute(delete(schema_migrations).where(schema_migrations.c.version == 3))
    first.close()
    again = open_store(db_url)
    try:
        assert 3 in again.read(applied)
        assert again.read(lambda c: inspect(c).has_table("theme_reopenings"))
        x = voted_event(again)
        from facilitation.themes.reopening import reopen_theme

        assert reopen_theme(again, FACILITATOR, x["ev"], x["a"], "After the upgrade") >= 1
    finally:
        again.close()
