"""The series demo, the annual synthesis and the pack's evidence, on both engines.

The demo is built once per engine by its command (``facilitate demo --series``); the
synthesis is written by its command and read back as its readers read it: the HTML
parsed (BeautifulSoup), the Markdown parsed (mistune) and its tables checked.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import mistune
import pytest
from bs4 import BeautifulSoup
from test_restore import empty_database
from testdata import hostile_strings

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry, list_entries, series_assets
from facilitation.cli import main
from facilitation.events import create_event, get_event, set_phase
from facilitation.exports._report import report_context
from facilitation.exports.html import render as render_pack
from facilitation.exports.markdown import render as render_pack_md
from facilitation.exports.synthesis import render_html, render_markdown
from facilitation.network.graph import series_events
from facilitation.plans import add_action, list_groups, promote_theme
from facilitation.series import action_reviews, create_series, get_series, series_plan
from facilitation.series.measures import record_measure, series_measures
from facilitation.store import Store, open_store
from facilitation.store import schema as s
from facilitation.synthesis import gather_synthesis
from facilitation.themes.grouping import create_theme, merge_themes
from facilitation.voting import add_dot, reveal_votes


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def series_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The series demo, built once per engine by ``facilitate demo --series``."""
    with empty_database(request.param, tmp_path_factory.mktemp("series")) as url:
        assert main(["demo", "--series", "--db", url]) == 0
        store = open_store(url)
        try:
            yield url, store
        finally:
            store.close()


def _series_id(store: Store) -> int:
    (only,) = {get_event(store, e).series_id for e in (1, 2, 3)}
    return int(only)


def test_the_series_demo_has_all_of_it(series_db) -> None:  # type: ignore[no-untyped-def]
    _url, store = series_db
    sid = _series_id(store)
    series = get_series(store, sid)
    assert all(series.roles.values())  # convenor, curator, facilitator, administration lead
    plan = series_plan(store, sid)
    assert len(plan) == 10 and [m.held for m in plan[:4]] == [True, True, True, False]
    assert all(m.senior_leader for m in plan[:3])
    events = series_events(store, sid)
    assert [e.starts_on for e in events] == ["2027-01-12", "2027-02-09", "2027-03-09"]
    entries = [e for ev in events for e in list_entries(store, ev.id)]
    levels = Counter(e.evidence for e in entries if e.evidence)
    assert {"regional data", "national data", "sample evaluation", "research", "anecdote"} <= set(levels)
    assert all(e.source for e in entries if e.evidence and e.evidence != "assumption")
    assets = series_assets(store, sid)
    assert {a.event_id for a in assets} == {e.id for e in events} and all(a.source for a in assets)
    # reviews at the second and third meetings: done, moved and dropped, each with a note
    actions = [a.id for ev in events for g in list_groups(store, ev.id) for a in g.actions]
    reviews = [r for found in action_reviews(store, actions).values() for r in found]
    assert {r.outcome for r in reviews} == {"done", "moved", "dropped"} and all(r.note for r in reviews)
    runs = series_measures(store, sid)
    assert len(runs) == 5 and all(len(points) == 3 for points in runs.values())


def test_the_synthesis_command_writes_html_and_markdown_that_read_back(
    series_db, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    url, store = series_db
    sid = _series_id(store)
    capsys.readouterr()
    assert (
        main(["export", "--series", str(sid), "--format", "synthesis", "--out", str(tmp_path), "--db", url])
        == 0
    )
    printed = capsys.readouterr().out.splitlines()
    html_file, md_file = (Path(p) for p in printed)
    assert html_file.suffix == ".html" and md_file.suffix == ".md" and html_file.parent == tmp_path

    page = html_file.read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find_all("script") and not re.search(r'(src|href)="https?:', page)  # offline

    def rows(section: str) -> list[list[str]]:
        table = soup.find("section", id=section).find("table")
        return [
            [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in table.find("tbody").find_all("tr")
        ]

    recurring = rows("recurring")
    assert len(recurring) >= 4 and all(r[1] == "3" for r in recurring[:4])  # themes at all three meetings
    assert any("2027-02-09" in r[2] and "2027-03-09" in r[2] for r in recurring)
    growth = rows("network")
    assert [g[0] for g in growth] == ["2027-01-12", "2027-02-09", "2027-03-09"]
    so_far = [int(g[6]) for g in growth]
    assert so_far == sorted(so_far) and so_far[0] < so_far[-1]
    assert int(growth[1][4]) > 0 and int(growth[2][4]) > 0  # renewed ties: people came back
    bridges = soup.find("section", id="network").find_all("table")[1]
    assert len(bridges.find_all("tr")) > 2
    actions = soup.find("section", id="actions").get_text(" ", strip=True)
    assert (
        re.search(r"\d+ done", actions) and re.search(r"[1-9]\d* overdue", actions) and "moved to" in actions
    )
    charts = soup.find("section", id="measures").find_all("svg")
    assert len(charts) == 5 and all(len(c.find_all("circle")) == 3 and c.find("polyline") for c in charts)
    assert {r[1] for r in rows("reviews")} == {"1", "3", "8"}
    assert len(rows("assets")) == len(series_assets(store, sid))
    evidence = {r[0]: r[1:] for r in rows("evidence")}
    assert list(evidence) == [*s.EVIDENCE_LEVELS, "not given"] and len(evidence["local data"]) == 3

    md = md_file.read_text(encoding="utf-8")
    ast = mistune.create_markdown(renderer="ast", plugins=["table"])(md)
    headings = [
        "".join(c.get("raw", "") for c in n["children"])
        for n in ast
        if n["type"] == "heading" and n["attrs"]["level"] == 2
    ]
    assert headings == [
        "Meetings", "Themes that recur across meetings", "The people network", "Actions by group",
        "Measures over time", "Reviews due at 1, 3 and 8 years", "Assets found: what already works, and where",
        "What the entries rested on",
    ]  # fmt: skip
    tables = [n for n in ast if n["type"] == "table"]
    assert len(tables) >= 10
    html_md = mistune.html(md)  # what a Markdown reader shows: the same assets, escaped
    for a in series_assets(store, sid):
        assert a.text.replace("'", "&#x27;") in html_md or a.text in html_md


def test_bad_synthesis_requests_get_one_line(series_db, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    url, _store = series_db
    capsys.readouterr()
    assert (
        main(["export", "--series", "999", "--format", "synthesis", "--out", str(tmp_path), "--db", url]) != 0
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no series 999" in err
    out = tmp_path / "one.html"
    assert main(["export", "--series", "1", "--format", "synthesis", "--out", str(out), "--db", url]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "takes a folder" in err and not out.exists()
    assert main(["export", "--series", "1", "--format", "xlsx", "--out", str(tmp_path), "--db", url]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--format synthesis" in err
    assert list(tmp_path.iterdir()) == []


def _hostile_series(store: Store) -> tuple[int, str]:
    """Two meetings of a series where every typed field is hostile text."""
    bad = hostile_strings()
    evil = "<script>alert(1)</script> [x](javascript:alert(1)) | # =1+1"
    sid = create_series(store, ORGANISER, evil, bad[0])
    for n, day in enumerate(("2027-01-12", "2027-02-09")):
        ev = create_event(
            store, ORGANISER, template="innovation-challenge-half-day", title=f"{evil} {n}", tables=2,
            series_id=sid, starts_on=day, key_question=evil, success_measures=[evil + " measure"],
        ).event_id  # fmt: skip
        set_phase(store, FACILITATOR, ev, "enablers-blockers")
        e1 = add_entry(store, table_actor(1), ev, 1, "enabler", evil, evidence="national data", source=evil)
        add_entry(
            store,
            table_actor(2),
            ev,
            2,
            "asset",
            evil + " asset",
            evidence="research",
            source=bad[n + 1][:300],
        )
        set_phase(store, FACILITATOR, ev, "grouping")
        t1 = create_theme(store, table_actor(1), ev, 1, evil + " theme", [e1])
        theme = merge_themes(store, FACILITATOR, ev, [t1], evil + " theme")
        set_phase(store, FACILITATOR, ev, "voting")
        add_dot(store, table_actor(1), ev, theme)
        reveal_votes(store, FACILITATOR, ev)
        set_phase(store, FACILITATOR, ev, "action-plans")
        gid = promote_theme(store, FACILITATOR, ev, theme, lead_table=1)
        add_action(store, table_actor(1), ev, gid, evil + " action", owner=evil, due_on="2027-01-20")
        record_measure(store, ORGANISER, ev, "key question", 3 + n, evil)
    return sid, evil


def test_typed_text_is_escaped_in_the_synthesis(store: Store) -> None:
    sid, evil = _hostile_series(store)
    found = gather_synthesis(store, sid)
    page = render_html(found)
    assert "<script>alert" not in page
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find_all("script")
    assert soup.find("h1").get_text() == f"Annual synthesis: {evil}"
    assets = soup.find("section", id="assets").find("tbody").find_all("tr")
    assert [tr.find("td").get_text() for tr in assets] == [evil + " asset"] * 2
    assert evil + " theme" in soup.find("section", id="recurring").get_text()
    chart = soup.find("section", id="measures").find("svg")
    assert evil not in str(chart) or "<script" not in str(chart)
    md = render_markdown(found)
    rendered = mistune.html(md)
    assert "<script" not in rendered and "javascript:" not in re.sub(
        r"\\", "", "".join(re.findall(r'href="[^"]*"', rendered))
    )
    assert "<a " not in rendered


def test_the_pack_says_what_the_entries_rest_on_and_lists_assets(store: Store) -> None:
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Pack", tables=2
    ).event_id
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    add_entry(
        store,
        table_actor(1),
        ev,
        1,
        "enabler",
        "Dashboard shows falls",
        evidence="local data",
        source="<b>Dash</b>",
    )
    add_entry(store, table_actor(1), ev, 1, "enabler", "ICB figures", evidence="regional data")
    add_entry(store, table_actor(2), ev, 2, "blocker", "Heard at huddle", evidence="anecdote")
    add_entry(
        store,
        table_actor(2),
        ev,
        2,
        "asset",
        "Falls team in North Vale",
        evidence="sample evaluation",
        source="Audit of 40",
    )
    context = report_context(store, ev, pictures=False)
    soup = BeautifulSoup(render_pack(context), "html.parser")
    shares = {
        tr.find_all("td")[0].get_text(): (tr.find_all("td")[1].get_text(), tr.find_all("td")[2].get_text())
        for tr in soup.find("section", id="evidence").find("tbody").find_all("tr")
    }
    assert shares["local data"] == ("1", "25%") and shares["sample evaluation"] == ("1", "25%")
    assert shares["national data"] == ("0", "0%") and list(shares) == [*s.EVIDENCE_LEVELS, "not given"]
    assets = soup.find(id="assets").find_next("table").find("tbody").find_all("td")
    assert [td.get_text() for td in assets] == [
        "Falls team in North Vale",
        "2",
        "sample evaluation",
        "Audit of 40",
    ]
    assert "Source: <b>Dash</b>" in soup.get_text() and "<b>Dash</b>" not in render_pack(context)
    md = render_pack_md(context)
    assert "| Falls team in North Vale | 2 | sample evaluation | Audit of 40 |" in md
    assert "\\<b\\>Dash\\</b\\>" in md and "| regional data | 1 | 25% |" in md


def test_the_synthesis_prints_with_chromium(series_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Printed as a board member would print it: every section in the PDF, the charts drawn."""
    import shutil
    import subprocess

    import pypdf

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Chromium is not installed")
    _url, store = series_db
    page = tmp_path / "synthesis.html"
    page.write_text(render_html(gather_synthesis(store, _series_id(store))), encoding="utf-8")
    pdf = tmp_path / "synthesis.pdf"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
    subprocess.run(
        [chromium, *flags, f"--print-to-pdf={pdf}", page.as_uri()],
        check=True,
        timeout=120,
        capture_output=True,
    )
    reader = pypdf.PdfReader(str(pdf))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 3
    for heading in ("Themes that recur across meetings", "Measures over time", "Reviews due at 1, 3 and 8 years",
                    "Assets found", "What the entries rested on"):  # fmt: skip
        assert heading in text
