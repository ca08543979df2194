"""A series that runs itself: meetings planned in one monthly slot, roles, a senior
leader per meeting, and the series calendar read back with the icalendar library."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, text

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.cli import main
from facilitation.errors import NotAllowed
from facilitation.events.rules import create_event
from facilitation.exports.backup import backup_data, comparable, render
from facilitation.exports.ics import render_series
from facilitation.restore import restore
from facilitation.series.rules import (
    create_series,
    get_series,
    parse_slot,
    plan_series,
    series_plan,
    set_meeting,
    set_series_roles,
)
from facilitation.store import Store, open_store
from facilitation.store import schema as s
from facilitation.store.migrations import MIGRATIONS, applied

PLAN = ["--start", "2027-01", "--weekday", "tuesday", "--week", "2", "--time", "14:00", "--minutes", "90"]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def counts(store: Store) -> tuple[int, int]:
    return store.read(
        lambda c: (
            c.execute(select(func.count()).select_from(s.series_meetings)).scalar_one(),
            c.execute(select(func.count()).select_from(s.activity)).scalar_one(),
        )
    )


def test_plan_the_second_tuesday_skipping_august_and_december(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "series", "new", "Systems leadership CoP", "--db", db_url)[0] == 0
    code, out, err = cli(capsys, "series", "plan", "1", *PLAN, "--count", "10", "--db", db_url)
    assert code == 0, err
    assert "the 2nd Tuesday of each month, 14:00 for 90 minutes" in out
    code, shown, _ = cli(capsys, "series", "show", "1", "--db", db_url)
    dates = [line.split()[1] for line in shown.splitlines() if " min " in line]
    assert dates == [
        "2027-01-12", "2027-02-09", "2027-03-09", "2027-04-13", "2027-05-11",
        "2027-06-08", "2027-07-13", "2027-09-14", "2027-10-12", "2027-11-09",
    ]  # fmt: skip
    assert all("14:00" in line and "90 min" in line for line in shown.splitlines() if " min " in line)
    # told otherwise: August and December too
    code, out, err = cli(
        capsys, "series", "plan", "1", *PLAN, "--count", "12", "--include-august", "--include-december",
        "--db", db_url,
    )  # fmt: skip
    assert code == 0, err
    store = open_store(db_url)
    try:
        months = [m.starts_on[:7] for m in series_plan(store, 1)]
        assert months == [f"2027-{m:02d}" for m in range(1, 13)]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("--count", "0"), "Plan 1 to 60 meetings, not 0."),
        (("--start", "2027-13"), "not '2027-13'"),
        (("--weekday", "funday"), "'funday' is not a weekday"),
        (("--time", "25:99"), "not '25:99'"),
        (("--minutes", "0"), "1 to 720 minutes, not 0"),
        (("--minutes", "-30"), "1 to 720 minutes, not -30"),
        (("--week", "5"), "Use --week last"),
        (("--skip-months", "smarch"), "'smarch' is not a month"),
    ],
)
def test_bad_plans_get_one_line_exit_2_and_write_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str], change: tuple[str, str], words: str
) -> None:
    cli(capsys, "series", "new", "CoP", "--db", db_url)
    store = open_store(db_url)
    try:
        before = counts(store)
        argv = ["series", "plan", "1", *PLAN, "--count", "3"]
        i = argv.index(change[0]) if change[0] in argv else None
        if i is None:
            argv += list(change)
        else:
            argv[i + 1] = change[1]
        code, _out, err = cli(capsys, *argv, "--db", db_url)
        assert code == 2
        assert len(err.strip().splitlines()) == 1 and words in err, err
        assert counts(store) == before
    finally:
        store.close()


def test_week_last_takes_the_last_weekday_whether_fourth_or_fifth() -> None:
    slot = parse_slot("2027-01", "friday", "last", "09:30", 150, 3, skip_months="")
    from facilitation.series.rules import plan_dates

    got = plan_dates(slot.year, slot.month, slot.weekday, slot.week, slot.count, slot.skip_months)
    assert [d.isoformat() for d in got] == ["2027-01-29", "2027-02-26", "2027-03-26"]


def test_replanning_never_touches_a_meeting_already_held(store: Store) -> None:
    sid = create_series(store, ORGANISER, "CoP")
    plan_series(store, ORGANISER, sid, parse_slot("2027-01", "tuesday", 2, "14:00", 90, 4))
    set_meeting(store, ORGANISER, sid, 2, senior_leader="Dr Held")
    set_meeting(store, ORGANISER, sid, 3, senior_leader="Dr Kept")
    # meeting 2 (2027-02-09) is held: an event of the series on its date
    create_event(
        store, ORGANISER, template="community-of-practice-online-90", title="February", tables=2,
        series_id=sid, starts_on="2027-02-09",
    )  # fmt: skip
    # re-plan: 15:00 for 60 minutes, five meetings from March
    got = plan_series(store, ORGANISER, sid, parse_slot("2027-03", "tue", 2, "15:00", 60, 5))
    assert got == {"planned": 3, "updated": 2, "removed": 1, "kept": 1}
    plan = series_plan(store, sid)
    assert [(m.starts_on, m.start_time, m.minutes, m.held) for m in plan] == [
        ("2027-02-09", "14:00", 90, True),  # held: untouched
        ("2027-03-09", "15:00", 60, False),  # kept its date: re-timed, senior leader kept
        ("2027-04-13", "15:00", 60, False),
        ("2027-05-11", "15:00", 60, False),
        ("2027-06-08", "15:00", 60, False),
        ("2027-07-13", "15:00", 60, False),
    ]
    assert plan[0].senior_leader == "Dr Held" and plan[0].event_id is not None
    assert plan[1].senior_leader == "Dr Kept"
    # the removed meeting (2027-01-12) is soft-deleted, not erased
    gone = store.read(
        lambda c: (
            c.execute(
                select(s.series_meetings.c.starts_on).where(s.series_meetings.c.deleted_at.is_not(None))
            )
            .scalars()
            .all()
        )
    )
    assert gone == ["2027-01-12"]


def test_roles_and_senior_leaders_are_the_organisers_and_shown(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "series", "new", "CoP", "--db", db_url)
    cli(capsys, "series", "plan", "1", *PLAN, "--count", "3", "--db", db_url)
    code, _out, err = cli(
        capsys, "series", "roles", "1", "--convenor", "Asha Patel", "--curator", "Ben Okafor",
        "--facilitator", "Cara Jones", "--administration-lead", "Dev Singh", "--db", db_url,
    )  # fmt: skip
    assert code == 0, err
    code, _out, err = cli(
        capsys, "series", "meeting", "1", "2", "--senior-leader", "Dr <b>Lee</b>", "--db", db_url
    )
    assert code == 0, err
    code, _out, err = cli(capsys, "series", "meeting", "1", "4", "--senior-leader", "Nobody", "--db", db_url)
    assert code == 2 and "meetings 1 to 3, not 4" in err
    shown = cli(capsys, "series", "show", "1", "--db", db_url)[1]
    assert (
        "convenor: Asha Patel; curator: Ben Okafor; facilitator: Cara Jones; administration lead: Dev Singh"
        in shown
    )
    assert "2027-02-09 14:00   90 min  planned  senior leader: Dr <b>Lee</b>" in shown
    store = open_store(db_url)
    try:
        for actor in (FACILITATOR, table_actor(1)):
            with pytest.raises(NotAllowed):
                set_series_roles(store, actor, 1, convenor="Mallory")
            with pytest.raises(NotAllowed):
                set_meeting(store, actor, 1, 1, senior_leader="Mallory")
            with pytest.raises(NotAllowed):
                plan_series(store, actor, 1, parse_slot("2028-01", "mon", 1, "10:00", 60, 1))
        assert get_series(store, 1).convenor == "Asha Patel"
        assert [m.senior_leader for m in series_plan(store, 1)] == ["", "Dr <b>Lee</b>", ""]
        assert series_plan(store, 1)[0].starts_on == "2027-01-12"
    finally:
        store.close()


def _vevents(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_the_series_calendar_reads_back_with_stable_unique_uids(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "series", "new", "CoP", "--db", db_url)
    cli(capsys, "series", "new", "Another CoP", "--db", db_url)
    for sid in ("1", "2"):
        cli(capsys, "series", "plan", sid, *PLAN, "--count", "10", "--db", db_url)
    out = tmp_path / "cop.ics"
    code, printed, err = cli(
        capsys, "export", "--series", "1", "--format", "ics", "--out", str(out), "--db", db_url
    )
    assert code == 0, err
    assert printed.strip() == str(out)
    events = _vevents(out.read_bytes())
    assert len(events) == 10
    first = events[0]
    start, end = first.decoded("dtstart"), first.decoded("dtend")
    assert start == datetime(2027, 1, 12, 14, 0) and start.tzinfo is None  # floating local time
    assert end == datetime(2027, 1, 12, 15, 30)
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == 10
    # stable: the same file again; unique: another series' meetings on the same dates differ
    store = open_store(db_url)
    try:
        assert [str(e["uid"]) for e in _vevents(render_series(store, 1))] == uids
        assert not set(uids) & {str(e["uid"]) for e in _vevents(render_series(store, 2))}
        # the nonce, not the id, makes the UID: the id is nowhere in it
        zoned = _vevents(render_series(store, 1, timezone="Europe/London"))
        assert str(zoned[0].decoded("dtstart").tzinfo) == "Europe/London"
        assert zoned[0]["dtstart"].params["TZID"] == "Europe/London"
        assert Calendar.from_ical(render_series(store, 1, timezone="Europe/London")).walk("VTIMEZONE")
    finally:
        store.close()
    code, _, err = cli(
        capsys, "export", "--series", "1", "--format", "ics", "--timezone", "Mars/Olympus", "--db", db_url
    )
    assert code == 2 and "is not a time zone" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli(capsys, "export", "--series", "1", "--format", "xlsx", "--db", db_url)
    assert code == 2 and "--format ics" in err


def test_a_series_without_planned_meetings_has_no_calendar(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "series", "new", "CoP", "--db", db_url)
    code, _, err = cli(capsys, "export", "--series", "1", "--format", "ics", "--db", db_url)
    assert code == 2 and "has no planned meetings" in err


def test_roles_and_plan_restore_with_the_series_into_an_empty_database(store: Store, tmp_path: Path) -> None:
    sid = create_series(store, ORGANISER, "CoP")
    set_series_roles(store, ORGANISER, sid, convenor="Asha", curator="Ben", administration_lead="Dev")
    plan_series(store, ORGANISER, sid, parse_slot("2027-01", "tuesday", 2, "14:00", 90, 3))
    set_meeting(store, ORGANISER, sid, 1, senior_leader="Dr Lee")
    ev = create_event(
        store, ORGANISER, template="community-of-practice-online-90", title="January", tables=2,
        series_id=sid, starts_on="2027-01-12",
    ).event_id  # fmt: skip
    data = backup_data(store, ev)
    assert data["series"]["convenor"] == "Asha"
    assert [m["starts_on"] for m in data["series"]["meetings"]] == ["2027-01-12", "2027-02-09", "2027-03-09"]
    fresh = open_store(str(tmp_path / "fresh.db"))
    try:
        new_id = restore(fresh, ORGANISER, json.loads(render(data)))
        assert comparable(backup_data(fresh, new_id)) == comparable(data)
        new_sid = fresh.read(
            lambda c: c.execute(select(s.events.c.series_id).where(s.events.c.id == new_id)).scalar()
        )
        plan = series_plan(fresh, new_sid)
        assert plan[0].held and plan[0].senior_leader == "Dr Lee" and plan[0].event_id == new_id
        # a new series gets a new calendar nonce: a restored calendar never overwrites the first
        assert {str(e["uid"]) for e in _vevents(render_series(fresh, new_sid))}.isdisjoint(
            {str(e["uid"]) for e in _vevents(render_series(store, sid))}
        )
        bad = json.loads(render(data))
        bad["series"]["meetings"][1]["start_time"] = "25:99"
        with pytest.raises(Exception, match=r"series.meetings\[1\].start_time: must be a time like 14:00"):
            restore(fresh, ORGANISER, bad)
    finally:
        fresh.close()


def test_migrations_0006_and_0007_bring_an_older_database_up(db_url: str) -> None:
    """A database made before them (0001 and 0002 only) gains the columns and tables; the
    numbers 3-5 of other branches are a gap that migrate skips over and would still apply."""
    store = open_store(db_url)

    def downgrade(conn: Any) -> None:
        for name in ("series_meetings", "action_reviews", "measures"):
            conn.execute(text(f"DROP TABLE {name}"))
        for col in ("convenor", "curator", "facilitator", "administration_lead", "calendar_nonce"):
            conn.execute(text(f"ALTER TABLE series DROP COLUMN {col}"))
        conn.execute(text("DELETE FROM schema_migrations WHERE version IN (6, 7)"))
        conn.execute(text("INSERT INTO series (name, description, created_at) VALUES ('Old', '', 'x')"))

    with store._write_conn() as conn:
        downgrade(conn)
    store.close()
    store = open_store(db_url)
    try:
        assert store.read(applied) == {v for v, _n, _f in MIGRATIONS} >= {1, 2, 6, 7}
        nonce = store.read(lambda c: c.execute(select(s.series.c.calendar_nonce)).scalar())
        assert nonce and len(nonce) == 32
        assert get_series(store, 1).roles["convenor"] == ""
        plan_series(store, ORGANISER, 1, parse_slot("2027-01", "tuesday", 2, "14:00", 90, 2))
        assert len(_vevents(render_series(store, 1))) == 2
        store.read(lambda c: c.execute(select(func.count()).select_from(s.measures)).scalar_one())
    finally:
        store.close()


def test_the_organiser_series_tab_shows_roles_meetings_and_measures_escaped(store: Store) -> None:
    from facilitation.series.measures import record_measure
    from facilitation.ui.organiser import series_plan_html

    sid = create_series(store, ORGANISER, "CoP")
    set_series_roles(store, ORGANISER, sid, convenor="<b>Asha</b>")
    plan_series(store, ORGANISER, sid, parse_slot("2027-01", "tuesday", 2, "14:00", 90, 2))
    set_meeting(store, ORGANISER, sid, 1, senior_leader="<script>x</script>")
    ev = create_event(
        store, ORGANISER, template="community-of-practice-online-90", title="<i>January</i>", tables=2,
        series_id=sid, starts_on="2027-01-12", success_measures=["Falls <down>"],
    ).event_id  # fmt: skip
    record_measure(store, ORGANISER, ev, "1", "40", "<img src=x>")
    html = series_plan_html(store, sid)
    assert "&lt;b&gt;Asha&lt;/b&gt;" in html and "<b>Asha" not in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<td>2027-02-09</td><td>14:00</td><td>90</td>" in html
    assert f"<td>event {ev}</td>" in html
    assert "Falls &lt;down&gt;" in html and "&lt;img src=x&gt;" in html and "<td>40</td>" in html
