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
from facilitation.events.rules import PhaseEdit, create_event, edit_event, get_event, list_tables, start_timer
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
    from facilitation.events.templates import list_templates, load_template

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
    from facilitation.events.templates import parse_template

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


# --- rehearse, archive, delete ------------------------------------------------------------------


def _seated_event_with_history(store: Store) -> int:
    """An event with people seated, an edited set-up, entries, themes and dots."""
    from facilitation.capture import rules as capture
    from facilitation.events.rules import set_phase
    from facilitation.people.rules import add_person
    from facilitation.themes import grouping
    from facilitation.voting import rules as voting

    ev = _event(store, tables=2)
    edit_event(
        store, FACILITATOR, ev, challenge="Falls", key_question="Fewer falls?", table_names={2: "Riverside"},
        phases=[PhaseEdit("ideas", minutes=35)],
    )  # fmt: skip
    for name, org, table in (("Ada", "Eastbrook Council", 1), ("Ben", "St Mary's", 2), ("Cy", "Age UK", 2)):
        add_person(store, ORGANISER, ev, name, organisation=org, table=table)
    set_phase(store, FACILITATOR, ev, "ideas")
    entry = capture.add_entry(store, table_actor(1), ev, 1, "idea", "Falls clinic at the library")
    set_phase(store, FACILITATOR, ev, "grouping")
    theme = grouping.create_theme(store, table_actor(1), ev, 1, "Community", [entry])
    set_phase(store, FACILITATOR, ev, "voting")
    voting.add_dot(store, table_actor(1), ev, theme)
    return ev


def _count(store: Store, table, event_id: int) -> int:
    from sqlalchemy import func

    return store.read(
        lambda c: c.execute(
            select(func.count()).select_from(table).where(table.c.event_id == event_id)
        ).scalar_one()
    )


def test_rehearse_copies_the_set_up_and_nothing_the_room_made(db_url: str) -> None:
    from facilitation.people.rules import list_people

    store = open_store(db_url)
    ev = _seated_event_with_history(store)
    before = comparable(backup_data(store, ev))
    store.close()
    out = run("rehearse", str(ev), db=db_url).stdout
    keys = _keys(out)
    dry = int(keys["event"])
    assert dry != ev and len(keys["facilitator key"]) == 32 and {"table 1 key", "table 2 key"} <= set(keys)
    assert f"/voila/render/projector.ipynb?event={dry}&key=" in out and "table Riverside: " in out
    store = open_store(db_url)
    real, copy = get_event(store, ev), get_event(store, dry)
    assert copy.title == "Rehearsal: Frailty" and copy.phase_index == 0 and copy.series_id is None
    assert (copy.challenge, copy.key_question, copy.phases, copy.voting_rules) == (
        real.challenge, real.key_question, real.phases, real.voting_rules,
    )  # fmt: skip
    assert [(t.number, t.name) for t in list_tables(store, dry)] == [(1, "Table 1"), (2, "Riverside")]
    seats = sorted((p.name, p.organisation, p.table) for p in list_people(store, dry))
    assert seats == sorted((p.name, p.organisation, p.table) for p in list_people(store, ev))
    assert {p.id for p in list_people(store, dry)}.isdisjoint({p.id for p in list_people(store, ev)})
    for table in (s.entries, s.themes, s.dots, s.links, s.groups):
        assert _count(store, table, dry) == 0, table.name
    assert _verbs(store, dry) == [("organiser", "rehearse event")]
    assert comparable(backup_data(store, ev)) == before  # the real event is untouched
    store.close()


def test_archive_hides_from_lists_and_closes_the_pages(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from facilitation.errors import FacilitationError
    from facilitation.events.rules import ARCHIVED, event_keys, table_for_join_code
    from facilitation.serving.gate import PageQuery, check_page, event_projector_key

    store = open_store(db_url)
    ev, other = _event(store), _event(store)
    keys = event_keys(store, ORGANISER, ev)
    projector = event_projector_key(store, ORGANISER, ev)
    store.close()
    run("archive", str(ev), db=db_url)
    listed = run("list", db=db_url).stdout
    assert keys.join_code not in listed and str(get_event(open_store(db_url), other).join_code) in listed
    assert f"{keys.join_code}" in run("list", "--all", db=db_url).stdout
    store = open_store(db_url)
    for page, query in (
        ("projector", PageQuery(ev, projector)),
        ("facilitator", PageQuery(ev, keys.facilitator)),
        ("organiser", PageQuery(ev, keys.organiser)),
        ("table", PageQuery(ev, keys.tables[1], 1)),
    ):
        with pytest.raises(NotAllowed, match="archived"):
            check_page(store, page, query)
    with pytest.raises(FacilitationError, match="archived"):
        table_for_join_code(store, keys.join_code, 1)
    # a wrong key still learns nothing: the same answer as for any event
    with pytest.raises(NotAllowed, match="key is not right"):
        check_page(store, "projector", PageQuery(ev, "0" * 32))
    assert "archived" in ARCHIVED
    # still reachable by id for status, export and backup; archiving twice is one line
    assert "Frailty" in run("status", str(ev), db=db_url).stdout
    code, _, err = _cli(capsys, db_url, "archive", str(ev))
    assert code == 2 and "archived already" in err
    run("archive", str(ev), "--undo", db=db_url)
    assert keys.join_code in run("list", db=db_url).stdout
    assert check_page(store, "facilitator", PageQuery(ev, keys.facilitator)).role == "facilitator"
    assert [v for _a, v in _verbs(store, ev)][-2:] == ["archive event", "unarchive event"]
    store.close()


def test_delete_needs_yes_writes_a_backup_that_restores_then_removes(db_url: str, tmp_path) -> None:
    store = open_store(db_url)
    ev = _seated_event_with_history(store)
    before = comparable(backup_data(store, ev))
    store.close()
    refused = run("delete", str(ev), db=db_url, ok=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert comparable(backup_data(open_store(db_url), ev)) == before  # refused: nothing changed
    target = tmp_path / "kept.json"
    out = run("delete", str(ev), "--yes", "--backup", str(target), db=db_url).stdout
    assert f"backup: {target.resolve()}" in out and "deleted: event" in out
    assert "There is no event" in run("status", str(ev), db=db_url, ok=False).stderr
    assert "Frailty" not in run("list", "--all", db=db_url).stdout
    data = json.loads(target.read_text(encoding="utf-8"))
    assert comparable(data) == before  # the backup is the event as it was
    back = _keys(run("restore", str(target), db=db_url).stdout)["event"]
    store = open_store(db_url)
    assert comparable(backup_data(store, int(back))) == before
    store.close()


def test_delete_with_an_unwritable_backup_deletes_nothing(
    db_url: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(db_url)
    ev = _event(store)
    store.close()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = _cli(capsys, db_url, "delete", str(ev), "--yes", "--backup", str(blocker / "b.json"))
    assert code == 2 and "nothing was deleted" in err and len(err.strip().splitlines()) == 1
    assert get_event(open_store(db_url), ev).title == "Frailty"


def test_only_the_organiser_or_facilitator_rehearses_archives_deletes(store: Store) -> None:
    from facilitation.events.rules import archive_event, delete_event, rehearse_event

    ev = _event(store)
    for actor in (table_actor(1), VIEWER):
        for rule in (rehearse_event, archive_event, delete_event):
            with pytest.raises(NotAllowed):
                rule(store, actor, ev)
    assert get_event(store, ev).archived_at is None
    from facilitation.events.rules import list_events

    assert [e.id for e in list_events(store)] == [ev]


# --- the PDF ------------------------------------------------------------------------------------


def _long_event(store: Store) -> int:
    from facilitation.capture import rules as capture
    from facilitation.events.rules import set_phase

    ev = create_event(
        store, ORGANISER, template=HALF_DAY, title='Frailty "at home" <b>2026</b>', tables=2
    ).event_id
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    for i in range(12):
        text = f"Entry {i}: " + "a long account of what helps or hinders, with its evidence " * (1 + i % 5)
        capture.add_entry(store, table_actor(1 + i % 2), ev, 1 + i % 2, ("enabler", "blocker")[i % 2], text,
                          evidence="local data")  # fmt: skip
    return ev


def test_pdf_has_every_page_numbered_with_the_title(
    db_url: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pypdf  # a test extra

    store = open_store(db_url)
    ev = _long_event(store)
    store.close()
    out = tmp_path / "pack.pdf"
    code, stdout, err = _cli(capsys, db_url, "export", str(ev), "--format", "pdf", "--out", str(out))
    assert code == 0, err
    assert stdout.strip() == str(out)
    reader = pypdf.PdfReader(str(out))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert text.endswith(f'Frailty "at home" <b>2026</b> page {number} of {pages}'), text[-120:]


def test_pdf_splits_no_table_row_across_pages(tmp_path) -> None:
    from facilitation.exports import html as html_export
    from facilitation.exports import pdf
    from facilitation.exports._report import report_context

    store = open_store(str(tmp_path / "e.db"))
    ev = _long_event(store)
    document = pdf.layout(html_export.render(report_context(store, ev)))
    store.close()
    where: dict[int, set[int]] = {}
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():  # WeasyPrint's layout boxes
            if getattr(box, "element_tag", None) != "tr":
                continue
            if all(cell.tag == "th" for cell in box.element):
                continue  # a header row, repeated on each page a table runs to
            where.setdefault(id(box.element), set()).add(index)
    assert len(document.pages) >= 2 and where
    assert all(len(on) == 1 for on in where.values())


def test_pdf_without_weasyprint_says_what_to_install(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "e.db")
    store = open_store(db)
    ev = _event(store)
    store.close()
    monkeypatch.setitem(__import__("sys").modules, "weasyprint", None)  # as if not installed
    code, _, err = _cli(capsys, db, "export", str(ev), "--format", "pdf", "--out", str(tmp_path / "p.pdf"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "pip install 'facilitation[pdf]'" in err and not (tmp_path / "p.pdf").exists()
