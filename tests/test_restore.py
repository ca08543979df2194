"""Restore anywhere: every backup rebuilds into an empty database on SQLite and PostgreSQL,
and a bad file is refused in one line naming its row and field, with nothing written.

The property test builds random event histories through the rules (entries, themes,
merges, dots, reveals, run-offs, links, groups, members, actions, withdrawals), backs
each up, restores it into a new empty database and finds the two backups equal.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Float, Integer, String, create_engine, func, insert, select, text
from test_plans import planned_event
from testdata import hostile_strings

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, table_actor
from facilitation.capture import EVIDENCED_KINDS
from facilitation.capture import rules as capture
from facilitation.cli import main
from facilitation.errors import FacilitationError
from facilitation.events.rules import create_event, get_event, set_phase
from facilitation.exports import backup as backup_module
from facilitation.exports.backup import KINDS, NOT_KINDS, backup_data, comparable, render
from facilitation.network import rules as network
from facilitation.people.rules import add_person
from facilitation.plans import rules as plans
from facilitation.restore import EVENT_FIELDS, FIELDS, check_backup, restore
from facilitation.series.rules import create_series
from facilitation.store import Change, Store, open_store
from facilitation.store import schema as s
from facilitation.text import clean_text
from facilitation.themes import grouping
from facilitation.voting import rules as voting

PG_URL = os.environ.get("FACILITATION_TEST_PG_URL", "")


@contextmanager
def empty_database(engine: str, folder: Path) -> Iterator[str]:
    """A new, empty database on ``engine``, as a --db value (a PostgreSQL schema of its own)."""
    if engine == "sqlite":
        yield str(folder / f"empty-{uuid.uuid4().hex[:8]}.db")
        return
    if not PG_URL:
        pytest.skip("set FACILITATION_TEST_PG_URL to run the PostgreSQL half")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def engine_of(store: Store) -> str:
    return "postgresql" if store.dialect == "postgresql" else "sqlite"


def restored_copy(data: dict[str, Any], engine: str, folder: Path) -> dict[str, Any]:
    """Restore ``data`` into a new empty database and back it up again."""
    with empty_database(engine, folder) as url:
        fresh = open_store(url)
        try:
            return backup_data(fresh, restore(fresh, ORGANISER, json.loads(render(data))))
        finally:
            fresh.close()


def row_counts(store: Store) -> dict[str, int]:
    def q(conn: Any) -> dict[str, int]:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in s.metadata.sorted_tables
        }

    return store.read(q)


# --- the demo, and a series, into empty databases ----------------------------------------------------


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``facilitate demo`` then ``facilitate backup 1``, once for the module."""
    folder = tmp_path_factory.mktemp("demo")
    db = str(folder / "demo.db")
    assert main(["demo", "--db", db]) == 0
    file = folder / "demo-backup.json"
    assert main(["backup", "1", "--db", db, "--out", str(file)]) == 0
    return file


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_demo_backup_restores_into_a_new_empty_database(
    engine: str, demo_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(demo_backup.read_text(encoding="utf-8"))
    assert any(t["merged_into"] for t in data["themes"])  # the defect: merged themes
    with empty_database(engine, tmp_path) as url:
        capsys.readouterr()
        assert main(["restore", str(demo_backup), "--db", url]) == 0, capsys.readouterr().err
        assert main(["status", "1", "--db", url]) == 0
        store = open_store(url)
        try:
            assert comparable(backup_data(store, 1)) == comparable(data)
        finally:
            store.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_events_of_a_series_restore_into_one_new_database(engine: str, tmp_path: Path) -> None:
    source = open_store(str(tmp_path / "series.db"))
    series = create_series(source, ORGANISER, "Frailty community of practice")
    first = planned_event(source, series_id=series, title="Meeting 1")
    second = planned_event(source, series_id=series, title="Meeting 2")
    backups = [backup_data(source, first.event_id), backup_data(source, second.event_id)]
    with empty_database(engine, tmp_path) as url:
        fresh = open_store(url)
        try:
            ids = [restore(fresh, ORGANISER, json.loads(render(b))) for b in backups]
            for new_id, before in zip(ids, backups, strict=True):
                assert comparable(backup_data(fresh, new_id)) == comparable(before)
            events = [get_event(fresh, i) for i in ids]
            assert events[0].series_id is not None and events[0].series_id == events[1].series_id

            def people_of(conn: Any, event_id: int) -> set[int]:
                return set(
                    conn.execute(
                        select(s.attendance.c.person_id).where(s.attendance.c.event_id == event_id)
                    ).scalars()
                )

            # one identity per person across the series, as the rules keep it
            assert fresh.read(lambda c: people_of(c, ids[0]) == people_of(c, ids[1]))
        finally:
            fresh.close()
    source.close()


# --- random histories through the rules ----------------------------------------------------------------

TABLES = (1, 2, 3)
TEXT = st.one_of(
    st.sampled_from(
        ["Shared care record", "Workforce", "  Falls\u202e huddle ", "a\x00b\x07c", "=1+1", "Ünïcode ✓"]
    ),
    st.builds("{}.".format, st.text(max_size=10)),  # anything typed, never empty after cleaning
)
INDEX = st.integers(min_value=0, max_value=30)


class History:
    """One event built through the rules; every refusal is part of its history too."""

    def __init__(self, store: Store, draw: Callable[[Any], Any]) -> None:
        self.store, self.draw = store, draw
        series = None
        if draw(st.booleans()):
            series = create_series(store, ORGANISER, f"Series {uuid.uuid4().hex[:6]}")
        self.ev = create_event(
            store, ORGANISER, template="innovation-challenge-half-day",
            title=clean_text(draw(TEXT), required=False) or "Event", tables=len(TABLES), series_id=series,
            starts_on=draw(st.sampled_from([None, "2026-03-12"])),
            success_measures=[draw(st.sampled_from(["Falls down 10%", "  Fewer\u202e admissions "]))],
        ).event_id  # fmt: skip
        self.people: list[int] = []
        self.entries: dict[int, int] = {}  # entry -> its table
        self.links: list[int] = []
        self.groups: list[int] = []
        self.actions: list[int] = []

    def pick(self, ids: list[int]) -> int:
        return ids[self.draw(INDEX) % len(ids)] if ids else 1

    def table(self) -> int:
        return self.draw(st.sampled_from(TABLES))

    def phase(self, name: str) -> None:
        set_phase(self.store, FACILITATOR, self.ev, name)

    def themes(self, *, event_wide: bool | None = None, ballot: bool = False) -> list[int]:
        found = (
            grouping.votable_themes(self.store, self.ev)
            if ballot
            else grouping.list_themes(self.store, self.ev)
        )
        return [t.id for t in found if event_wide is None or t.event_wide == event_wide]

    # each step below is one public rule
    def person(self) -> None:
        org = self.draw(st.sampled_from(["Council", "Hospital", "Charity", ""]))
        t = self.draw(st.sampled_from([*TABLES, None]))
        self.people.append(
            add_person(self.store, ORGANISER, self.ev, self.draw(TEXT), organisation=org, table=t)
        )

    def entry(self) -> None:
        kind = self.draw(st.sampled_from(["enabler", "blocker", "idea", "question", "asset"]))
        self.phase("enablers-blockers" if kind in ("enabler", "blocker") else "ideas")
        t = self.table()
        evidence, source = None, None
        if kind in EVIDENCED_KINDS:  # an idea or a question rests on no evidence (the rule refuses one)
            evidence = self.draw(
                st.sampled_from([None, "research", "anecdote", "regional data", "sample evaluation"])
            )
            source = self.draw(st.one_of(st.none(), TEXT))
        author = self.pick(self.people) if self.people and self.draw(st.booleans()) else None
        eid = capture.add_entry(
            self.store, table_actor(t), self.ev, t, kind, self.draw(TEXT),
            evidence=evidence, source=source, author_id=author,
        )  # fmt: skip
        self.entries[eid] = t

    def edit(self) -> None:
        capture.edit_entry(
            self.store, FACILITATOR, self.ev, self.pick(list(self.entries)), text=self.draw(TEXT)
        )

    def withdraw(self) -> None:
        capture.withdraw_entry(self.store, FACILITATOR, self.ev, self.pick(list(self.entries)))

    def theme(self) -> None:
        self.phase("grouping")
        t = self.table()
        own = [e for e, table in self.entries.items() if table == t]
        chosen = self.draw(st.lists(st.sampled_from(own), min_size=1, max_size=3)) if own else []
        grouping.create_theme(self.store, table_actor(t), self.ev, t, self.draw(TEXT), chosen)

    def merge(self) -> None:
        chosen = self.draw(
            st.lists(st.sampled_from(self.themes(event_wide=False) or [1]), min_size=1, max_size=3)
        )
        wide = self.themes(event_wide=True)
        into = self.pick(wide) if wide and self.draw(st.booleans()) else None
        grouping.merge_themes(self.store, FACILITATOR, self.ev, chosen, self.draw(TEXT), into=into)

    def unmerge(self) -> None:
        grouping.unmerge(self.store, FACILITATOR, self.ev, [self.pick(self.themes(event_wide=False))])

    def dissolve(self) -> None:
        grouping.dissolve_theme(self.store, FACILITATOR, self.ev, self.pick(self.themes()))

    def rename(self) -> None:
        grouping.rename_theme(self.store, FACILITATOR, self.ev, self.pick(self.themes()), self.draw(TEXT))

    def rules(self) -> None:
        voter = self.draw(st.sampled_from(["table", "person"]))
        dots = self.draw(st.integers(1, 4))
        cap = self.draw(st.integers(1, dots))
        voting.set_voting_rules(
            self.store, FACILITATOR, self.ev, voter=voter, dots_per_voter=dots, max_per_theme=cap
        )

    def dot(self) -> None:
        self.phase("voting")
        theme = self.pick(self.themes(ballot=True))
        if get_event(self.store, self.ev).voting_rules.voter == "person":
            voting.add_dot(self.store, FACILITATOR, self.ev, theme, person_id=self.pick(self.people))
        else:
            t = self.table()
            voting.add_dot(self.store, table_actor(t), self.ev, theme, table=t)

    def undot(self) -> None:
        self.phase("voting")
        voting.remove_dot(self.store, table_actor(1), self.ev, self.pick(self.themes(ballot=True)), table=1)

    def reveal(self) -> None:
        voting.reveal_votes(self.store, FACILITATOR, self.ev, self.draw(st.booleans()), force=True)

    def runoff(self) -> None:
        ballot = self.themes(ballot=True) or [1]
        voting.open_runoff(
            self.store, FACILITATOR, self.ev, self.draw(st.lists(st.sampled_from(ballot), max_size=3))
        )

    def link(self) -> None:
        self.phase("collaboration")
        a, b, kind = (
            self.pick(self.people),
            self.pick(self.people),
            self.draw(st.sampled_from(network.LINK_KINDS)),
        )
        self.links.append(
            network.record_link(self.store, FACILITATOR, self.ev, None, a, b, kind, self.draw(TEXT))
        )

    def unlink(self) -> None:
        network.withdraw_link(self.store, FACILITATOR, self.ev, self.pick(self.links))

    def promote(self) -> None:
        theme = self.pick(self.themes(ballot=True))
        self.groups.append(
            plans.promote_theme(self.store, FACILITATOR, self.ev, theme, lead_table=self.table())
        )

    def plan(self) -> None:
        plans.update_group(
            self.store, FACILITATOR, self.ev, self.pick(self.groups), purpose=self.draw(TEXT), lead=self.draw(TEXT),
            success_measures=[self.draw(TEXT)], review_dates={"1y": "2027-03-12"},
            destination=self.draw(st.sampled_from(["", "board", "exemplar hub"])),
        )  # fmt: skip

    def member(self) -> None:
        role = self.draw(st.sampled_from(plans.MEMBER_ROLES))
        plans.add_member(
            self.store, FACILITATOR, self.ev, self.pick(self.groups), self.pick(self.people), role=role
        )

    def link_entry(self) -> None:
        plans.link_entry(
            self.store, FACILITATOR, self.ev, self.pick(self.groups), self.pick(list(self.entries))
        )

    def action(self) -> None:
        due = self.draw(st.sampled_from([None, "2027-01-31"]))
        group = self.pick(self.groups)
        self.actions.append(
            plans.add_action(self.store, FACILITATOR, self.ev, group, self.draw(TEXT), due_on=due)
        )

    def edit_action(self) -> None:
        status = self.draw(st.sampled_from(s.ACTION_STATUSES))
        action = self.pick(self.actions)
        plans.update_action(self.store, FACILITATOR, self.ev, action, status=status, owner=self.draw(TEXT))

    def remove_action(self) -> None:
        plans.remove_action(self.store, FACILITATOR, self.ev, self.pick(self.actions))

    def last_phase(self) -> None:
        self.phase(self.draw(st.sampled_from(["framing", "grouping", "voting", "action-plans", "close"])))


# Every history walks an event from start to finish (so each has themes, merges, dots,
# groups and actions to restore), then takes random steps of any kind.
SKELETON = [
    ("person", 2, 5), ("entry", 4, 10), ("theme", 2, 5), ("merge", 1, 3), ("rules", 0, 1), ("dot", 2, 8),
    ("runoff", 0, 1), ("dot", 0, 4), ("reveal", 0, 1), ("link", 1, 3), ("promote", 1, 2), ("plan", 0, 1),
    ("member", 0, 2), ("link_entry", 0, 2), ("action", 1, 3), ("edit_action", 0, 1),
]  # fmt: skip
STEPS = [
    name
    for name in vars(History)
    if not name.startswith("_") and name not in ("pick", "table", "phase", "themes")
]


def walk(data: st.DataObject) -> list[str]:
    """The steps of one history."""
    steps = [step for step, low, high in SKELETON for _ in range(data.draw(st.integers(low, high)))]
    return steps + data.draw(st.lists(st.sampled_from(STEPS), max_size=15))


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_random_histories_restore_into_an_empty_database(engine: str, tmp_path: Path) -> None:
    with empty_database(engine, tmp_path) as url:
        source = open_store(url)
        try:
            _histories(source, engine, tmp_path)
        finally:
            source.close()


def _histories(source: Store, engine: str, tmp_path: Path) -> None:
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        history = History(source, data.draw)
        for step in walk(data):
            with suppress(FacilitationError):  # a refusal is part of the history: the rules decide
                getattr(history, step)()
        first = backup_data(source, history.ev)
        assert comparable(restored_copy(first, engine, tmp_path)) == comparable(first)

    run()


# --- what a restore checks ------------------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parts, last = path.split(".")
        target: Any = data
        for p in parts:
            target = target[int(p)] if p.isdigit() else target[p]
        target[int(last) if last.isdigit() else last] = value

    return edit


def _row(kind: str, where: Callable[[dict[str, Any]], bool], col: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        next(r for r in data[kind] if where(r))[col] = value

    return edit


def _both(path: str, **values: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        for col, value in values.items():
            _set(f"{path}.{col}", value)(data)

    return edit


def _same_people(data: dict[str, Any]) -> None:
    data["links"][0]["person_b"] = data["links"][0]["person_a"]


def _merged(r: dict[str, Any]) -> bool:
    return r["merged_into"] is not None


BAD: list[tuple[str, Edit, str]] = [
    (
        "phase 99",
        _set("event.phase_index", 99),
        r"^backup\.json: event\.phase_index: 99 is not a phase of this event \(0-7\)$",
    ),
    (
        "phase 'two'",
        _set("event.phase_index", "two"),
        r"^backup\.json: event\.phase_index: must be a whole number, not 'two'$",
    ),
    (
        "a long name",
        _set("people.0.name", "x" * 50_000_000),
        r"^backup\.json: people\[0\]\.name: The name is 50,000,000 characters long; the most is 200\.$",
    ),
    (
        "link kind",
        _set("links.0.kind", "enemies"),
        r"^backup\.json: links\[0\]\.kind: 'enemies' is not a kind of link \(sat together, ",
    ),
    (
        "entry text a number",
        _set("entries.0.text", 5),
        r"^backup\.json: entries\[0\]\.text: must be text, not the number 5$",
    ),
    (
        "entry kind",
        _set("entries.0.kind", "wish"),
        r"^backup\.json: entries\[0\]\.kind: An entry is an enabler, blocker",
    ),
    (
        "evidence",
        _set("entries.0.evidence", "hearsay"),
        r"entries\[0\]\.evidence: The evidence level is one of",
    ),
    (
        "entry phase",
        _set("entries.0.phase_index", 8),
        r"entries\[0\]\.phase_index: 8 is not a phase of this event \(0-7\)",
    ),
    ("empty entry", _set("entries.1.text", " \u200b "), r"entries\[1\]\.text: The entry is empty"),
    (
        "dangling theme",
        _set("entries.0.theme_id", 999),
        r"entries\[0\]\.theme_id: the file is damaged: it refers to themes 999",
    ),
    (
        "merged into a table theme",
        _row("themes", _merged, "merged_into", 3),
        r"themes\[\d\]\.merged_into: theme 3 is a table's theme",
    ),
    (
        "merged into nothing",
        _row("themes", _merged, "merged_into", 77),
        r"themes\[\d\]\.merged_into: the file is damaged: it refers to themes 77",
    ),
    (
        "action status",
        _set("actions.0.status", "maybe"),
        r"actions\[0\]\.status: An action's status is one of",
    ),
    (
        "due date",
        _set("actions.0.due_on", "31/12/2026"),
        r"actions\[0\]\.due_on: The due date is a date like 2026-03-12 \(year-month-day\), not '31/12/2026'",
    ),
    (
        "destination",
        _set("groups.0.destination", "the moon"),
        r"groups\[0\]\.destination: A group goes to an exemplar hub or to the board",
    ),
    (
        "review dates",
        _set("groups.0.review_dates", {"2y": "2028-01-01"}),
        r"groups\[0\]\.review_dates: Review dates are for first, 1y",
    ),
    (
        "member role",
        _set("group_members.0.role", "boss"),
        r"group_members\[0\]\.role: 'boss' is not a member's role",
    ),
    (
        "voting rules",
        _set("event.voting_rules.dots_per_voter", 0),
        r"^backup\.json: event\.voting_rules: voting\.dots_per_voter: must be between 1 and 50",
    ),
    (
        "phases",
        _set("event.phases.1.minutes", "ten"),
        r"^backup\.json: event: phases\[2\]\.minutes: must be a whole number",
    ),
    (
        "dot round",
        _set("dots.0.round", 5),
        r"dots\[0\]\.round: 5 is not a voting round of this event \(1-1\)",
    ),
    (
        "too many dots on a theme",
        _both("dots.1", voter="table:1", voter_table_id=1),
        r"dots\[\d\]\.theme_id: table:1 has more than 2 dots on theme 1$",
    ),
    (
        "a dot of another table",
        _set("dots.1.voter", "table:1"),
        r"dots\[1\]\.voter: table 1 is not the voter's table",
    ),
    ("a voter that is nobody", _set("dots.0.voter", "team:1"), r"dots\[0\]\.voter: 'team:1' is not a voter"),
    ("a link to oneself", _same_people, r"links\[0\]\.person_b: a link joins two different people"),
    (
        "a flag",
        _set("attendance.0.attended", "yes"),
        r"attendance\[0\]\.attended: must be true or false, not 'yes'",
    ),
    ("a time", _set("entries.0.created_at", "yesterday"), r"entries\[0\]\.created_at: must be a time like"),
    (
        "a field nobody knows",
        _set("themes.0.colour", "red"),
        r"themes\[0\]\.colour: is not a field of themes",
    ),
    ("two rows, one id", _set("tables.1.id", 1), r"tables\[1\]\.id: 1 is the id of an earlier row of tables"),
    ("a table twice", _set("tables.1.number", 1), r"tables\[\d\]\.number: table 1 is in the file twice"),
    (
        "a run-off of nothing",
        _set("event.runoff_themes", [1, 99]),
        r"event\.runoff_themes: the file is damaged: it refers to themes 99",
    ),
    ("no title", _set("event.title", None), r"event\.title: is empty; it must have a value"),
    ("a series without a name", _set("series", {"name": 3}), r"series\.name: must be text, not the number 3"),
    ("an export time", _set("exported_at", "x" * 100), r"exported_at: must be a time like"),
    ("a log row", _set("activity.0.detail", "gone"), r"activity\[0\]\.detail: must be a record, not 'gone'"),
    (
        "another version",
        _set("version", 2),
        r"backup\.json is a backup of version 2; this toolkit reads version 1",
    ),
    ("not a backup", _set("format", "zip"), r"backup\.json is not a facilitation event backup"),
]


@pytest.fixture
def planned_backup(store: Store) -> tuple[Store, dict[str, Any]]:
    p = planned_event(store)
    return store, backup_data(store, p.event_id)


@pytest.mark.parametrize(("what", "edit", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_by_row_and_field_and_nothing_is_written(
    planned_backup: tuple[Store, dict[str, Any]], what: str, edit: Edit, message: str
) -> None:
    store, good = planned_backup
    data = copy.deepcopy(good)
    edit(data)
    before = row_counts(store)
    with pytest.raises(FacilitationError, match=message) as caught:
        restore(store, ORGANISER, data, source="backup.json")
    assert "\n" not in str(caught.value)
    assert row_counts(store) == before


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_command_line_refuses_a_bad_file_in_one_line_and_writes_nothing(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = open_store(str(tmp_path / "source.db"))
    data = backup_data(source, planned_event(source).event_id)
    with empty_database(engine, tmp_path) as url:
        store = open_store(url)
        before = row_counts(store)
        for phase in (99, "two"):
            data["event"]["phase_index"] = phase
            file = tmp_path / "backup.json"
            file.write_text(render(data), encoding="utf-8")
            capsys.readouterr()
            assert main(["restore", str(file), "--db", url]) == 2
            out = capsys.readouterr()
            assert out.out == ""
            lines = out.err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("facilitate: backup.json: event.phase_index: ")
            assert "reload" not in out.err.lower()
        assert row_counts(store) == before
        store.close()
    source.close()


def test_typed_text_is_cleaned_as_the_rules_clean_it(store: Store, tmp_path: Path) -> None:
    """NUL, BEL and U+202E in a title never reach the store, an export or a file name."""
    p = planned_event(store)
    data = backup_data(store, p.event_id)
    data["event"]["title"] = "Frailty\x00 and\x07 falls\u202e"
    data["entries"][0]["text"] = "  Shared\u200b care\nrecord  "
    data["links"][0]["note"] = "met\x00 at\ntable"
    new_id = restore(store, ORGANISER, data)
    again = backup_data(store, new_id)
    assert again["event"]["title"] == "Frailty and falls"
    assert again["entries"][0]["text"] == "Shared care record"  # one line, as an entry is typed
    assert again["links"][0]["note"] == "met at\ntable"  # a note keeps its lines
    names = [path.name for path in backup_module.write(store, new_id, tmp_path)]
    assert not any(ch in name for name in names for ch in "\x00\x07\u202e")


# the hostile strings that cleaning changes (control characters, bidi, zero width, spaces)
@pytest.mark.parametrize(
    "hostile",
    [h for h in hostile_strings() if h != clean_text(h, max_length=20_000, required=False)][:8],
    ids=lambda h: repr(h[:20]),
)
def test_a_backup_restores_as_its_check_reads_it(tmp_path: Path, hostile: str) -> None:
    """Text stored without the rules (a fixture's raw rows, an old database) comes back cleaned."""
    store = open_store(str(tmp_path / "h.db"))
    data = backup_data(store, planned_event(store, text=hostile).event_id)
    checked = check_backup(json.loads(render(data)))
    assert comparable(backup_data(store, restore(store, ORGANISER, data))) == comparable(checked)
    for row in checked["themes"]:
        assert row["name"] == clean_text(row["name"], max_length=200)
    store.close()


def test_every_column_has_a_check_and_every_table_a_place() -> None:
    """A migration that adds a table or a text column says how a backup holds and checks it."""
    placed = {t.name for t in KINDS.values()} | set(NOT_KINDS)
    assert {t.name for t in s.metadata.sorted_tables} <= placed, "add the new table to exports.backup.KINDS"
    plain = (Integer, Float, Boolean)
    for kind, table in KINDS.items():
        for col in table.c:
            if col.name in backup_module.LEFT_OUT or isinstance(col.type, plain) or col.foreign_keys:
                continue
            if col.name.endswith("_at") and isinstance(col.type, String):
                continue  # times the store writes
            assert (kind, col.name) in FIELDS, f"say how restore checks {kind}.{col.name} (restore.FIELDS)"
    for col in s.events.c:
        if (
            col.name in backup_module.EVENT_LEFT_OUT
            or isinstance(col.type, plain)
            or col.name.endswith("_at")
        ):
            continue
        assert col.name in EVENT_FIELDS, f"say how restore checks event.{col.name} (restore.EVENT_FIELDS)"


def test_a_clash_in_the_store_names_no_page(store: Store) -> None:
    """The store's message is read at a terminal as well as on a page."""
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Clash", tables=2
    ).event_id

    def dup(conn: Any) -> Change:
        conn.execute(
            insert(s.event_tables).values(event_id=ev, number=1, name="Again", key_hash="x", created_at="now")
        )
        return Change("dup")

    with pytest.raises(FacilitationError, match="clashes with something already saved") as caught:
        store.write(dup, actor=SYSTEM, event_id=ev)
    assert "page" not in str(caught.value).lower() and "reload" not in str(caught.value).lower()


def test_restore_is_a_rule_and_the_export_only_renders(store: Store) -> None:
    """One restore, with the rules (issue 14): the backup export renders and writes a file,
    and a backup comes back only through facilitation.restore, checked like typed input."""
    p = planned_event(store)
    data = backup_data(store, p.event_id)
    assert not hasattr(backup_module, "restore")
    new_id = restore(store, ORGANISER, json.loads(render(data)))
    assert comparable(backup_data(store, new_id)) == comparable(data)
    set_phase(store, FACILITATOR, new_id, "close")
