"""The facilitator in command from the terminal (issue 16): edit a live event, a run sheet,
rehearse, archive and delete, a PDF. Each on SQLite and PostgreSQL; bad input gets one
line, exit 2, and changes nothing (a backup before and after are equal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from test_cli import _keys, run

from facilitation.access import FACILITATOR, ORGANISER, VIEWER, table_actor
from facilitation.cli import main
from facilitation.errors import NotAllowed
from facilitation.events import PhaseEdit, create_event, edit_event, get_event, list_tables, start_timer
from facilitation.exports.backup import backup_data, comparable
from facilitation.live import Watcher
from facilitation.store import Store, open_store
from facilitation.store import schema as s

HALF_DAY = "innovation-challenge-half-day"


def _event(store: Store, tables: int = 3) -> int:
    return create_event(store, ORGANISER, template=HALF_DAY, title="Frailty", tables=tables).event_id


def _cli(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--db", db])
    out, err = capsys.readouterr()
    return code, out, err


def _snapshot(db: str, event_id: int) -> dict:
    store = open_store(db)
    try:
        return comparable(backup_data(store, event_id))
    finally:
        store.close()


def _verbs(store: Store, event_id: int) -> list[tuple[str, str]]:
    return store.read(
        lambda c: [
            (r.actor, r.verb)
            for r in c.execute(
                select(s.activity.c.actor, s.activity.c.verb)
                .where(s.activity.c.event_id == event_id)
                .order_by(s.activity.c.revision)
            )
        ]
    )


# --- facilitate new / edit ----------------------------------------------------------------------


def test_new_takes_the_framing(db_url: str) -> None:
    out = run(
        "new", "--template", HALF_DAY, "--title", "Frailty", "--tables", "2", "--date", "2026-03-12",
        "--challenge", "Keep people well at home", "--purpose", "One system", "--key-question",
        "Do fewer people fall?", "--success-measure", "Falls down 10%", "--success-measure",
        "Fewer admissions", "--briefing", "Local context", db=db_url,
    ).stdout  # fmt: skip
    store = open_store(db_url)
    ev = get_event(store, int(_keys(out)["event"]))
    store.close()
    assert (ev.challenge, ev.purpose, ev.key_question, ev.context_briefing, ev.starts_on) == (
        "Keep people well at home", "One system", "Do fewer people fall?", "Local context", "2026-03-12",
    )  # fmt: skip
    assert ev.success_measures == ("Falls down 10%", "Fewer admissions")


def test_edit_changes_framing_phases_and_tables_and_is_logged(db_url: str) -> None:
    store = open_store(db_url)
    ev = _event(store)
    before = get_event(store, ev)
    run(
        "edit", str(ev), "--title", "Frailty at home", "--key-question", "Fewer falls?",
        "--success-measure", "A", "--success-measure", "B", "--date", "2026-04-01",
        "--phase", "ideas", "--minutes", "45", "--prompt", "Build on what works",
        "--phase", "7", "--minutes", "20", "--table", "3", "--name", "Riverside", db=db_url,
    )  # fmt: skip
    after = get_event(store, ev)
    assert (after.title, after.key_question, after.success_measures, after.starts_on) == (
        "Frailty at home", "Fewer falls?", ("A", "B"), "2026-04-01",
    )  # fmt: skip
    by_name = {p.name: p for p in after.phases}
    assert (by_name["ideas"].minutes, by_name["ideas"].prompt) == (45, "Build on what works")
    assert by_name["action-plans"].minutes == 20
    assert [p for p in after.phases if p.name not in ("ideas", "action-plans")] == [
        p for p in before.phases if p.name not in ("ideas", "action-plans")
    ]
    assert [t.name for t in list_tables(store, ev)] == ["Table 1", "Table 2", "Riverside"]
    assert ("facilitator", "edit event") in _verbs(store, ev)
    assert "Riverside" in run("status", str(ev), db=db_url).stdout
    assert [t["name"] for t in backup_data(store, ev)["tables"]] == ["Table 1", "Table 2", "Riverside"]
    # a success measure list replaces the old one; an empty date clears it
    run("edit", str(ev), "--success-measure", "C", "--date", "", db=db_url)
    again = get_event(store, ev)
    assert again.success_measures == ("C",) and again.starts_on is None
    store.close()


BAD_EDITS = [
    (["--phase", "lunch", "--minutes", "10"], "no phase 'lunch'"),
    (["--phase", "ideas", "--minutes", "0"], "1 to 240 minutes"),
    (["--phase", "ideas", "--minutes", "-5"], "1 to 240 minutes"),
    (["--phase", "ideas", "--minutes", "241"], "1 to 240 minutes"),
    (["--phase", "ideas", "--minutes", "ten"], "1 to 240 minutes"),
    (["--date", "31/12/2026"], "2026-03-12 (year-month-day)"),
    (["--date", "2026-02-30"], "2026-03-12 (year-month-day)"),
    (["--minutes", "10"], "Name the phase first"),
    (["--phase", "ideas"], "Say what changes in phase 'ideas'"),
    (["--table", "9", "--name", "Lakeside"], "no table 9"),
    (["--table", "2", "--name", "Table 1"], "Table 1 is already called 'Table 1'"),
    (["--table", "2"], "Give table 2 a name"),
    (["--title", "   "], "title"),
    ([], "Nothing to change"),
    # a good change beside a bad one is not made either
    (["--key-question", "Kept?", "--phase", "lunch", "--minutes", "5"], "no phase 'lunch'"),
]


def test_bad_edits_get_one_line_and_change_nothing(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(db_url)
    ev = _event(store)
    store.close()
    before = _snapshot(db_url, ev)
    for args, said in BAD_EDITS:
        code, out, err = _cli(capsys, db_url, "edit", str(ev), *args)
        assert code == 2, (args, out, err)
        assert said in err and len(err.strip().splitlines()) == 1, (args, err)
    assert _snapshot(db_url, ev) == before


def test_a_bad_edit_through_the_real_command_is_one_line(tmp_path) -> None:
    db = str(tmp_path / "e.db")
    ev = _keys(run("new", "--template", HALF_DAY, "--title", "T", "--tables", "2", db=db).stdout)["event"]
    done = run("edit", ev, "--phase", "ideas", "--minutes", "-3", db=db, ok=False)
    assert done.returncode == 2 and "1 to 240 minutes, not -3" in done.stderr


def test_only_the_facilitator_or_organiser_edits(store: Store) -> None:
    ev = _event(store)
    for actor in (table_actor(1), VIEWER):
        with pytest.raises(NotAllowed):
            edit_event(store, actor, ev, key_question="Mine now")
    assert get_event(store, ev).key_question == ""
    edit_event(store, ORGANISER, ev, key_question="The organiser's")
    assert get_event(store, ev).key_question == "The organiser's"


def test_changing_the_current_phases_minutes_moves_its_countdown(store: Store) -> None:
    ev = _event(store)
    edit_event(store, FACILITATOR, ev, phases=[PhaseEdit("framing", minutes=30)])  # paused: 20 -> 30
    assert get_event(store, ev).timer_remaining == 30 * 60
    ends = start_timer(store, FACILITATOR, ev)
    edit_event(store, FACILITATOR, ev, phases=[PhaseEdit("1", minutes=25)])  # running: 5 minutes less
    assert get_event(store, ev).timer_ends_at == pytest.approx(ends - 5 * 60)
    edit_event(store, FACILITATOR, ev, phases=[PhaseEdit("ideas", minutes=50)])  # another phase: no change
    assert get_event(store, ev).timer_ends_at == pytest.approx(ends - 5 * 60)


def test_an_edit_wakes_the_pages(store: Store) -> None:
    """Pages redraw when the change signature moves: an edit moves it."""
    ev = _event(store)
    watcher = Watcher(store, ev)
    assert not watcher.changed()
    edit_event(store, FACILITATOR, ev, key_question="Seen at once?")
    assert watcher.changed()
    detail = store.read(
        lambda c: c.execute(select(s.activity.c.detail).where(s.activity.c.verb == "edit event")).scalar_one()
    )
    assert json.loads(detail) == {"key_question": "Seen at once?"}


# --- the run sheet ------------------------------------------------------------------------------


def test_runsheet_has_clock_times_prompts_notes_materials_and_roles(db_url: str, tmp_path) -> None:
    store = open_store(db_url)
    ev = create_event(
        store, ORGANISER, template=HALF_DAY, title="Frailty <script>alert(1)</script>", tables=3
    ).event_id
    edit_event(
        store, FACILITATOR, ev, key_question="Fewer <b>falls</b>?", table_names={2: "Riverside"},
        phases=[PhaseEdit("framing", minutes=30, prompt="Our purpose & question")],
    )  # fmt: skip
    store.close()
    out = tmp_path / "sheet.html"
    printed = run("export", str(ev), "--format", "runsheet", "--start", "09:30", "--out", str(out), db=db_url)
    assert printed.stdout.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    # 30 minutes of framing (edited), then the template's 25 of enablers and blockers ...
    assert "09:30–10:00" in page and "10:00–10:25" in page and "ends 12:20" in page
    assert "Our purpose &amp; question" in page and "Fewer &lt;b&gt;falls&lt;/b&gt;?" in page
    assert "<script>" not in page and "Frailty &lt;script&gt;" in page
    assert "psychological safety" in page  # the framing phase's notes, from the template
    assert "Join cards printed from the organiser page" in page  # materials
    assert "Senior sponsor: says why the system needs this" in page  # roles
    assert "Riverside" in page
    # without a start time, times run from the start; into a folder, the usual name
    folder = tmp_path / "exports"
    path = run("export", str(ev), "--format", "runsheet", "--out", str(folder), db=db_url).stdout.strip()
    assert path.endswith(" run sheet.html") and "+0:30–+0:55" in Path(path).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "runsheet", "--start", "25:99"], "like 09:30 (24-hour, 00:00 to 23:59), not '25:99'"),
        (["--format", "runsheet", "--start", "9.30"], "not '9.30'"),
        (["--format", "runsheet", "--start", "12:60"], "not '12:60'"),
        (["--format", "html", "--start", "09:30"], "--start is for the run sheet"),
        (["--format", "html", "--out", "pack.pdf"], "names a file"),
    ],
)
def test_runsheet_bad_input_is_one_line_and_writes_nothing(
    db_url: str, tmp_path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    store = open_store(db_url)
    ev = _event(store)
    store.close()
    before = _snapshot(db_url, ev)
    out = tmp_path / "out"
    out.mkdir()
    if "--out" not in args:
        args = [*args, "--out", str(out / "sheet.html")]
    code, stdout, err = _cli(capsys, db_url, "export", str(ev), *args)
    assert code == 2 and said in err and len(err.strip().splitlines()) == 1, err
    assert list(out.iterdir()) == [] and stdout == ""
    assert _snapshot(db_url, ev) == before


def test_every_shipped_template_has_notes_for_every_phase() -> None:
    from facilitation.templates import list_templates, load_template

    assert len(list_templates()) == 4
    for name in list_templates():
        for phase in load_template(name).phases:
            assert len(phase.notes) > 150, (name, phase.name)
            assert phase.roles, (name, phase.name)


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ({"notes": 3}, "phases[1].notes: must be some text"),
        ({"notes": "x" * 4001}, "phases[1].notes: is 4,001 characters long"),
        ({"materials": "pens"}, "phases[1].materials: must be a list"),
        ({"roles": ["Facilitator", ""]}, "phases[1].roles[2]: must be some text"),
        ({"notez": "typo"}, "phases[1].notez: is not a phase field"),
    ],
)
def test_the_template_loader_checks_notes_materials_and_roles(extra: dict, said: str) -> None:
    from facilitation.errors import FacilitationError
    from facilitation.templates import parse_template

    phase = {"name": "ideas", "title": "Ideas", "minutes": 10, "prompt": "Go", **extra}
    with pytest.raises(FacilitationError, match=re_escape(f"mine.yaml: {said}")):
        parse_template({"name": "x", "title": "X", "phases": [phase]}, "mine.yaml")


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


def test_notes_travel_through_a_backup_and_restore(store: Store, tmp_path) -> None:
    from facilitation.restore import restore

    ev = _event(store)
    restored = restore(store, ORGANISER, backup_data(store, ev))
    assert get_event(store, restored).phases == get_event(store, ev).phases
    assert "psychological safety" in get_event(store, restored).phases[0].notes


def test_the_organiser_page_offers_the_run_sheet() -> None:
    from facilitation.exports import formats

    assert "runsheet" in formats()  # the organiser page has a button per format
