"""Store and rules at the scale of a large event, on SQLite and on PostgreSQL.

Run: ``python benchmarks/store_scale.py [--quick] [--engine sqlite|postgresql|both]``.

The event is built the way the pages build it, through the rules, one write per
call (never a bulk insert): 40 tables, 400 people, 2,000 entries grouped into 80
table themes, 2,000 dots (each person votes with 5), 1,500 recorded links, 40
task-and-finish groups. Every call of ``add_entry`` and ``add_dot`` is timed while
the event fills, so their p95 is the cost at the full size too. Then the reads:
the tally, the network figures, and each export format, repeated.

PostgreSQL comes from ``FACILITATION_BENCH_PG_URL`` (default: the local test
database); the script works in a schema of its own, created and dropped here.
``--quick`` builds a quarter-size event and repeats less.

Prints the machine first, then one table per engine: p50, p95 and max in ms.
Nothing is asserted; these are figures for people to compare.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line, percentiles, print_table

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, table_actor
from facilitation.capture.rules import add_entry
from facilitation.events.rules import create_event, set_phase
from facilitation.exports import export, formats
from facilitation.network.figures import event_figures
from facilitation.network.rules import record_link
from facilitation.people.rules import add_person
from facilitation.plans.rules import promote_theme
from facilitation.store import Store, open_store
from facilitation.themes.grouping import create_theme
from facilitation.voting.rules import add_dot, set_voting_rules, tally

T = TypeVar("T")

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEMPLATE = "innovation-challenge-full-day"
ORGANISATIONS = 40
KINDS = ("enabler", "blocker", "idea")
EVIDENCE = (None, "local data", "research", "anecdote")


@dataclass(frozen=True)
class Scale:
    """How big the event is and how often each read is repeated."""

    tables: int
    people: int
    entries: int
    links: int
    groups: int
    dots_per_person: int
    read_repeats: int
    export_repeats: int

    @property
    def dots(self) -> int:
        return self.people * self.dots_per_person


FULL = Scale(
    tables=40,
    people=400,
    entries=2000,
    links=1500,
    groups=40,
    dots_per_person=5,
    read_repeats=20,
    export_repeats=3,
)
QUICK = Scale(
    tables=10,
    people=100,
    entries=500,
    links=375,
    groups=10,
    dots_per_person=5,
    read_repeats=5,
    export_repeats=1,
)


@dataclass
class Timings:
    """Samples in seconds, by operation, in the order first seen."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def time(self, label: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        out = fn()
        self.samples.setdefault(label, []).append(time.perf_counter() - start)
        return out

    def rows(self) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for label, samples in self.samples.items():
            p50, p95, worst = percentiles(samples)
            out.append((label, len(samples), p50, p95, worst))
        return out


def build_event(store: Store, scale: Scale, timings: Timings, rng: random.Random) -> int:
    """Build the event through the rules, timing each entry and each dot."""
    keys = create_event(store, ORGANISER, template=TEMPLATE, title="Scale benchmark", tables=scale.tables)
    ev = keys.event_id
    orgs = [f"Organisation {i:02d}" for i in range(ORGANISATIONS)]
    seats: dict[int, list[int]] = {t: [] for t in range(1, scale.tables + 1)}
    for i in range(scale.people):
        table = i % scale.tables + 1
        pid = add_person(
            store,
            ORGANISER,
            ev,
            f"Person {i:03d}",
            organisation=orgs[rng.randrange(ORGANISATIONS)],
            table=table,
        )
        seats[table].append(pid)

    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    per_table: dict[int, list[int]] = {t: [] for t in seats}
    for i in range(scale.entries):
        table = i % scale.tables + 1
        kind = KINDS[i % len(KINDS)]
        text = f"Entry {i}: {rng.choice(['shared records', 'rota gaps', 'step-down beds', 'volunteer drivers'])} at table {table}"
        entry = timings.time(
            "add an entry",
            lambda i=i, table=table, kind=kind, text=text: add_entry(
                store,
                table_actor(table),
                ev,
                table,
                kind,
                text,
                evidence=rng.choice(EVIDENCE) if kind != "idea" else None,
                client_token=f"bench-entry-{i}",
            ),
        )
        per_table[table].append(entry)

    set_phase(store, FACILITATOR, ev, "grouping")
    themes: list[int] = []
    for table, entries in per_table.items():
        half = len(entries) // 2
        for n, chunk in enumerate((entries[:half], entries[half:])):
            themes.append(
                create_theme(store, table_actor(table), ev, table, f"Theme {n + 1} of table {table}", chunk)
            )

    set_voting_rules(
        store, FACILITATOR, ev, voter="person", dots_per_voter=scale.dots_per_person, max_per_theme=2
    )
    set_phase(store, FACILITATOR, ev, "voting")
    for table, people in seats.items():
        for pid in people:
            for theme in rng.sample(themes, scale.dots_per_person):
                timings.time(
                    "spend a dot",
                    lambda table=table, pid=pid, theme=theme: add_dot(
                        store,
                        table_actor(table),
                        ev,
                        theme,
                        person_id=pid,
                        client_token=f"bench-dot-{pid}-{theme}",
                    ),
                )

    set_phase(store, FACILITATOR, ev, "collaboration")
    everyone = [(t, p) for t, ps in seats.items() for p in ps]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < scale.links:
        (table, a), (_, b) = rng.sample(everyone, 2)
        if (a, b) in pairs or (b, a) in pairs:
            continue
        pairs.add((a, b))
        timings.time(
            "record a link",
            lambda table=table, a=a, b=b: record_link(
                store, table_actor(table), ev, table, a, b, "will work with"
            ),
        )

    set_phase(store, FACILITATOR, ev, "action-plans")
    for i, theme in enumerate(themes[: scale.groups]):
        lead = i % scale.tables + 1
        timings.time(
            "promote a theme",
            lambda theme=theme, lead=lead: promote_theme(store, FACILITATOR, ev, theme, lead_table=lead),
        )
    return ev


def measure_reads(store: Store, ev: int, scale: Scale, timings: Timings) -> dict[str, object]:
    """Tally, network figures and every export format, repeated."""
    facts: dict[str, object] = {}
    for _ in range(scale.read_repeats):
        rows = timings.time("tally", lambda: tally(store, FACILITATOR, ev))
    facts["themes with dots"] = sum(1 for r in rows if r.dots)
    facts["dots counted"] = sum(r.dots for r in rows)
    for _ in range(max(1, scale.read_repeats // 4)):
        figures = timings.time("network figures", lambda: event_figures(store, ev))
    facts["network people"] = figures.people
    facts["network ties"] = figures.ties
    with tempfile.TemporaryDirectory(prefix="fac-bench-export-") as out:
        for name in formats():
            for n in range(scale.export_repeats):
                folder = Path(out) / f"{name}-{n}"
                written = timings.time(
                    f"export {name}", lambda name=name, folder=folder: export(store, SYSTEM, ev, name, folder)
                )
            facts[f"export {name} bytes"] = sum(p.stat().st_size for p in written if p.is_file())
    return facts


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="fac-bench-") as folder:
        yield str(Path(folder) / "scale.db")


@contextmanager
def postgres_url(base: str) -> Iterator[str]:
    """A URL whose search_path is a new schema; the schema is dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def run_engine(label: str, url: str, scale: Scale, seed: int) -> None:
    rng = random.Random(seed)
    timings = Timings()
    store = open_store(url)
    try:
        started = time.perf_counter()
        ev = build_event(store, scale, timings, rng)
        built = time.perf_counter() - started
        facts = measure_reads(store, ev, scale, timings)
    finally:
        store.close()
    print_table(
        f"{label}: {scale.tables} tables, {scale.people} people, {scale.entries} entries, {scale.dots} dots, "
        f"{scale.links} links, {scale.groups} groups (built through the rules in {built:.0f} s)",
        ("operation", "n", "p50 ms", "p95 ms", "max ms"),
        timings.rows(),
    )
    print("  " + ", ".join(f"{k}: {v}" for k, v in facts.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter-size event, fewer repeats")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    os.environ.setdefault("FACILITATION_SECRET", "benchmark-secret")
    print(machine_line())
    if args.engine in ("sqlite", "both"):
        with sqlite_url() as url:
            run_engine("SQLite", url, scale, args.seed)
    if args.engine in ("postgresql", "both"):
        base = os.environ.get("FACILITATION_BENCH_PG_URL", DEFAULT_PG)
        try:
            ctx = postgres_url(base)
            url = ctx.__enter__()
        except Exception as exc:  # no server: say so, the SQLite figures still stand
            print(f"\nPostgreSQL: skipped, cannot reach {base.split('@')[-1]}: {str(exc).splitlines()[0]}")
            return 0 if args.engine == "both" else 1
        try:
            run_engine("PostgreSQL", url, scale, args.seed)
        finally:
            ctx.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
