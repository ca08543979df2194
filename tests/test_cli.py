"""The ``facilitate`` command as a real subprocess: output, exit codes, one-line errors."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from facilitation.cli import build_parser

FACILITATE = shutil.which("facilitate", path=str(Path(sys.executable).parent)) or "facilitate"

DATA = Path(__file__).parent / "data"


def run(*args: str, db: str | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
    argv = [FACILITATE, *args] + (["--db", db] if db else [])
    env = {k: v for k, v in os.environ.items() if k != "FACILITATION_DB"}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=240, env=env)
    if ok:
        assert done.returncode == 0, done.stderr
    else:
        assert done.returncode != 0, done.stdout
        assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done


def _keys(out: str) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9 ]+?): (\S+)$", out, re.MULTILINE))


def test_demo_then_status_prints_six_tables(db_url):
    keys = _keys(run("demo", db=db_url).stdout)
    assert keys["event"].isdigit() and re.fullmatch(r"[A-Z2-9]{6}", keys["join code"])
    assert {f"table {n} key" for n in range(1, 7)} <= set(keys)
    out = run("status", keys["event"], db=db_url).stdout
    rows = [line for line in out.splitlines() if line.startswith("Table ")]
    assert len(rows) == 6
    assert all(int(line.split()[-1]) > 0 for line in rows)
    assert "action-plans" in out
    by_code = run("status", keys["join code"], db=db_url).stdout
    assert by_code == out
    listed = run("list", db=db_url).stdout
    assert keys["join code"] in listed and "action-plans" in listed
    assert "Eastbrook healthy ageing programme" in run("series", "list", db=db_url).stdout


def test_new_prints_id_join_code_and_keys(tmp_path):
    db = str(tmp_path / "e.db")
    out = run(
        "new", "--template", "innovation-challenge-half-day", "--title", "Discharge", "--tables", "3", db=db
    ).stdout
    keys = _keys(out)
    assert keys["event"] == "1" and len(keys["facilitator key"]) == 32 and len(keys["organiser key"]) == 32
    assert {k for k in keys if k.startswith("table ")} == {"table 1 key", "table 2 key", "table 3 key"}


def _new(db: str, tables: int = 6) -> str:
    out = run(
        "new",
        "--template",
        "innovation-challenge-half-day",
        "--title",
        "Imports",
        "--tables",
        str(tables),
        db=db,
    )
    return _keys(out.stdout)["event"]


def test_import_people_good_file_then_seat(tmp_path):
    db = str(tmp_path / "e.db")
    ev = _new(db)
    out = run("import-people", ev, str(DATA / "attendees.csv"), db=db).stdout
    assert "60 people from 12 organisations" in out and "60 new" in out
    dry = run("seat", ev, "--seed", "3", "--dry-run", db=db).stdout
    assert "dry run" in dry and dry.count("table ") >= 6
    seated = run("seat", ev, "--seed", "3", db=db).stdout
    assert "seated 60 people at 6 tables" in seated
    assert run("seat", ev, "--seed", "3", db=db).stdout.endswith("(0 moved)\n")


def test_import_people_bad_file_imports_nothing(tmp_path):
    db = str(tmp_path / "e.db")
    ev = _new(db, tables=2)
    done = run("import-people", ev, str(DATA / "attendees-messy.csv"), db=db, ok=False)
    for line in (
        "line 2:",
        "line 20:",
        "line 24: no name",
        "line 25:",
        "line 23: Kwame O'Brien is listed again",
    ):
        assert line in done.stdout
    assert "nothing imported" in done.stderr
    status = run("import-people", ev, str(DATA / "attendees.csv"), "--dry-run", db=db).stdout
    assert "dry run: nothing imported (60 people would be)" in status
    run("import-people", ev, str(DATA / "attendees-messy.csv"), "--dry-run", db=db, ok=False)
    skipping = run(
        "import-people", ev, str(DATA / "attendees-messy.csv"), "--dry-run", "--skip-bad-rows", db=db
    )
    assert "dry run" in skipping.stdout
    # still nobody: a dry run and a refused import changed nothing
    out = run("seat", ev, "--dry-run", db=db, ok=False)
    assert "nobody to seat" in out.stderr


def test_import_people_skip_bad_rows(tmp_path):
    db = str(tmp_path / "e.db")
    ev = _new(db)
    out = run("import-people", ev, str(DATA / "attendees-messy.csv"), "--skip-bad-rows", db=db).stdout
    assert "20 new" in out and "skipped 2 bad rows" in out


def test_import_people_xlsx(tmp_path):
    db = str(tmp_path / "e.db")
    ev = _new(db)
    book = Workbook()
    book.active.append(["Name", "Organization", "Job title", "Table"])
    book.active.append(["Ama Owusu", "Eastbrook City Council", "Commissioner", 2])
    buf = io.BytesIO()
    book.save(buf)
    path = tmp_path / "people.xlsx"
    path.write_bytes(buf.getvalue())
    assert "1 new" in run("import-people", ev, str(path), db=db).stdout


@pytest.mark.parametrize(
    "args",
    [
        ("status", "999"),
        ("status", "NOPE42"),
        ("import-people", "1", "/nonexistent/people.csv"),
        ("new", "--template", "no-such-template", "--title", "x"),
        ("phase", "1", "no-such-phase"),
        ("seat", "999"),
        ("series", "show", "999"),
        ("serve", "1", "--trusted-proxy", "proxy.local"),  # refused before anything starts
    ],
)
def test_errors_exit_non_zero_with_one_line(tmp_path, args):
    db = str(tmp_path / "e.db")
    _new(db)
    done = run(*args, db=db, ok=False)
    assert done.stderr.startswith("facilitate: ")


def test_bad_db_folder_is_one_line(tmp_path):
    run("list", db=str(tmp_path / "missing" / "e.db"), ok=False)


def test_demo_serve_without_serving_module_is_one_line(tmp_path, monkeypatch, capsys):
    from facilitation.cli import main

    monkeypatch.setitem(sys.modules, "facilitation.serving.server", None)  # as if not installed
    assert main(["demo", "--serve", "--db", str(tmp_path / "e.db")]) == 2
    err = capsys.readouterr().err
    assert "facilitation.serving.server is missing" in err and len(err.strip().splitlines()) == 1


def test_demo_serve_calls_serving(tmp_path, monkeypatch, capsys):
    import facilitation.serving.server
    from facilitation.cli import main

    calls = []
    monkeypatch.setattr(facilitation.serving.server, "serve", lambda *a, **k: calls.append((a, k)) or 0)
    db = str(tmp_path / "e.db")
    assert main(["demo", "--serve", "--host", "0.0.0.0", "--port", "9000", "--db", db]) == 0
    assert calls == [((db, 1), {"host": "0.0.0.0", "port": 9000})]
    assert "join code: " in capsys.readouterr().out


def test_serve_passes_every_trusted_proxy(tmp_path, monkeypatch):
    import facilitation.serving.server
    from facilitation.cli import main

    calls = []
    monkeypatch.setattr(facilitation.serving.server, "serve", lambda *a, **k: calls.append(k) or 0)
    db = str(tmp_path / "e.db")
    _new(db)
    assert (
        main(["serve", "1", "--db", db, "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.0/8"]) == 0
    )
    assert main(["serve", "1", "--db", db]) == 0
    assert [c["trusted_proxies"] for c in calls] == [("127.0.0.1", "10.0.0.0/8"), ()]


def test_series_commands(tmp_path):
    db = str(tmp_path / "e.db")
    sid = run("series", "new", "Community of practice", db=db).stdout.split()[-1]
    ev = _new(db)
    assert "is in series" in run("series", "add", sid, ev, db=db).stdout
    shown = run("series", "show", sid, db=db).stdout
    assert "Community of practice (series 1, 1 events)" in shown and "Imports" in shown
    assert "Imports" in run("list", "--series", sid, db=db).stdout


def _subcommands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _subcommands())
def test_every_subcommand_has_help(command, capsys):
    # in-process for speed (argparse prints help and exits 0); the real process is tested below
    from facilitation.cli import main

    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: facilitate " + command)


def test_subcommand_help_in_a_real_process():
    for command in ("demo", "import-people", "seat"):
        assert run(command, "--help").stdout.startswith("usage: facilitate " + command)


def test_top_level_help_lists_my_commands():
    out = run("--help").stdout
    for command in ("demo", "import-people", "seat", "list", "series", "status", "new"):
        assert command in out


# --- input the command line refuses (in-process: the same main() the console script runs) ------------


def _main(capsys, *args: str, ok: bool = True) -> str:
    from facilitation.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    if ok:
        assert code == 0, err
        return out
    assert code != 0 and not out, out
    assert len(err.strip().splitlines()) == 1 and err.startswith("facilitate: "), err
    return err


@pytest.mark.parametrize("day", ["31/12/2026", "not a date", "2026-13-01"])
def test_new_refuses_a_date_that_is_not_iso(tmp_path, capsys, day):
    db = str(tmp_path / "e.db")
    tpl = ("--template", "innovation-challenge-half-day", "--title", "Dated")
    err = _main(capsys, "new", *tpl, "--date", day, "--db", db, ok=False)
    assert "a date like 2026-03-12 (year-month-day)" in err and day in err
    assert "no events yet" in _main(capsys, "list", "--db", db)  # nothing made
    assert "event: 1" in _main(capsys, "new", *tpl, "--date", "2026-12-31", "--db", db)


def test_phase_by_number_as_shown_and_by_name_in_any_case(tmp_path, capsys):
    db = str(tmp_path / "e.db")
    _main(capsys, "new", "--template", "innovation-challenge-half-day", "--title", "Phases", "--db", db)
    out = _main(capsys, "phase", "1", "3", "--db", db)
    assert out.startswith("phase 3/8: ")
    assert out.split(" [")[0] in _main(capsys, "status", "1", "--db", db)  # the number status shows
    assert "[voting]" in _main(capsys, "phase", "1", "VOTING", "--db", db)
    assert _main(capsys, "phase", "1", "Prev", "--db", db).startswith("phase 4/8")
    for bad in ("0", "9", "lunch"):
        _main(capsys, "phase", "1", bad, "--db", db, ok=False)
    assert "phase 4/8" in _main(capsys, "status", "1", "--db", db)  # nothing moved


def test_timer_takes_1_to_240_minutes(tmp_path, capsys):
    db = str(tmp_path / "e.db")
    _main(capsys, "new", "--template", "innovation-challenge-half-day", "--title", "Timed", "--db", db)
    for bad in ("0", "241", "soon", "nan"):
        err = _main(capsys, "timer", "1", "start", bad, "--db", db, ok=False)
        assert "1 to 240 minutes" in err
    assert "paused" in _main(capsys, "status", "1", "--db", db)  # nothing started
    assert re.match(
        r"timer: 2(40:00|39:5\d) running", _main(capsys, "timer", "1", "start", "240", "--db", db)
    )
    assert "running" in _main(capsys, "status", "1", "--db", db)
    assert "at most 240 minutes" in _main(capsys, "timer", "1", "extend", "5", "--db", db, ok=False)
    assert "paused" in _main(capsys, "timer", "1", "pause", "--db", db)
