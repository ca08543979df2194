"""Measures over time: values of the key question and each success measure recorded per
event, and read across a series in date order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.cli import main
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.events.rules import create_event
from facilitation.exports.backup import backup_data, comparable, render
from facilitation.restore import restore
from facilitation.series.measures import measure_values, record_measure, series_measures
from facilitation.series.rules import create_series
from facilitation.store import Store, open_store
from facilitation.store import schema as s

MEASURES = ["Falls down 10%", "Fewer admissions"]


def _meeting(store: Store, sid: int | None, title: str, day: str | None) -> int:
    return create_event(
        store, ORGANISER, template="community-of-practice-online-90", title=title, tables=2,
        series_id=sid, starts_on=day, key_question="Do fewer people fall?", success_measures=MEASURES,
    ).event_id  # fmt: skip


def _count(store: Store) -> int:
    return store.read(lambda c: c.execute(select(func.count()).select_from(s.measures)).scalar_one())


def test_each_measure_across_the_series_in_date_order(store: Store) -> None:
    sid = create_series(store, ORGANISER, "CoP")
    # made out of date order: the run follows the dates, not the ids
    march = _meeting(store, sid, "March", "2027-03-09")
    january = _meeting(store, sid, "January", "2027-01-12")
    february = _meeting(store, sid, "February", "2027-02-09")
    for ev, falls, kq in ((march, "31", "2"), (january, "40", "1"), (february, "35.5", "1.5")):
        record_measure(store, ORGANISER, ev, "falls DOWN 10%", falls)
        record_measure(store, FACILITATOR, ev, "key question", kq, "scored 0-3 by the room")
    record_measure(store, ORGANISER, february, "3", "12")  # by its number: Fewer admissions
    got = series_measures(store, sid)
    assert list(got) == ["Falls down 10%", "key question", "Fewer admissions"]
    assert [(p.starts_on, p.value) for p in got["Falls down 10%"]] == [
        ("2027-01-12", 40.0), ("2027-02-09", 35.5), ("2027-03-09", 31.0),
    ]  # fmt: skip
    assert [p.event_id for p in got["key question"]] == [january, february, march]
    assert [(p.event_id, p.value) for p in got["Fewer admissions"]] == [(february, 12.0)]
    # recording again replaces the value shown and keeps the earlier one
    record_measure(store, ORGANISER, january, "2", "41", "corrected")
    assert [p.value for p in series_measures(store, sid)["Falls down 10%"]] == [41.0, 35.5, 31.0]
    assert {v.name: v.value for v in measure_values(store, january)}["Falls down 10%"] == 41.0
    kept = store.read(
        lambda c: (
            c.execute(
                select(s.measures.c.value).where(
                    s.measures.c.event_id == january, s.measures.c.deleted_at.is_not(None)
                )
            )
            .scalars()
            .all()
        )
    )
    assert kept == [40.0]


def test_bad_measures_are_refused_in_one_line_and_write_nothing(store: Store) -> None:
    ev = _meeting(store, None, "Alone", "2027-01-12")
    before = _count(store)
    for name, value, error, words in [
        ("1", "twelve", FacilitationError, "'twelve' is not a number"),
        ("1", "12%", FacilitationError, "'12%' is not a number"),
        ("1", "1,200", FacilitationError, "'1,200' is not a number"),
        ("1", "nan", FacilitationError, "'nan' is not a number"),
        ("4", "3", FacilitationError, "measures 1 to 3, not 4"),
        ("Happiness", "3", FacilitationError, "'Happiness' is not a measure of event"),
    ]:
        with pytest.raises(error, match=words):
            record_measure(store, ORGANISER, ev, name, value)
    with pytest.raises(NotAllowed):
        record_measure(store, table_actor(1), ev, "1", "3")
    assert _count(store) == before


def test_the_command_line_lists_records_and_shows_the_series(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(db_url)
    try:
        sid = create_series(store, ORGANISER, "CoP")
        first = _meeting(store, sid, "January", "2027-01-12")
        second = _meeting(store, sid, "February", "2027-02-09")
    finally:
        store.close()
    assert main(["measure", str(first), "--list", "--db", db_url]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == [
        "  1  key question: Do fewer people fall?",
        "  2  Falls down 10%",
        "  3  Fewer admissions",
    ]
    assert main(["measure", str(first), "falls down 10%", "40", "--note", "ward data", "--db", db_url]) == 0
    assert capsys.readouterr().out.strip() == f"event {first}: Falls down 10% = 40"
    assert main(["measure", str(second), "2", "35.5", "--db", db_url]) == 0
    assert main(["measure", str(second), "2", "lots", "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'lots' is not a number" in err
    assert main(["series", "measures", str(sid), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "Falls down 10%" in out
    rows = [line.split() for line in out.splitlines() if "event" in line]
    assert [(r[0], r[3]) for r in rows] == [("2027-01-12", "40"), ("2027-02-09", "35.5")]
    assert main(["series", "show", str(sid), "--db", db_url]) == 0
    assert "measures over time:" in capsys.readouterr().out


def test_measures_go_with_their_event_in_a_backup(store: Store, tmp_path: Path) -> None:
    ev = _meeting(store, None, "Alone", "2027-01-12")
    record_measure(store, ORGANISER, ev, "2", "40", "first count")
    record_measure(store, ORGANISER, ev, "2", "41", "recounted")
    data = backup_data(store, ev)
    assert [(m["value"], m["deleted_at"] is None) for m in data["measures"]] == [(40.0, False), (41.0, True)]
    fresh = open_store(str(tmp_path / "fresh.db"))
    try:
        new_id = restore(fresh, ORGANISER, json.loads(render(data)))
        assert comparable(backup_data(fresh, new_id)) == comparable(data)
        bad = json.loads(render(data))
        bad["measures"][0]["value"] = "forty"
        with pytest.raises(FacilitationError, match=r"measures\[0\].value: must be a number"):
            restore(fresh, ORGANISER, bad)
    finally:
        fresh.close()
