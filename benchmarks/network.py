"""Collaboration network: figures and layout for 400 people / 1,500 ties, and a series of 10 such events.

Run: ``python benchmarks/network.py [--db URL] [--seed N] [--events 10]``. It prints
the machine, then seconds per step. Setup writes people, seating and links in one
bulk transaction per event (a benchmark of the analysis, not of the table pages);
everything measured goes through the package's public functions.

Each event: 400 people (drawn from a community of 600, so people recur across the
series), 50 tables of 8 (1,400 "sat together" ties) and 100 links recorded between
tables: about 1,500 ties.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import networkx as nx
from _machine import machine_line

from facilitation.access import ORGANISER, SYSTEM
from facilitation.events.rules import create_event
from facilitation.exports import gexf, graphml, kumu, network_csv
from facilitation.network.figures import network_figures, series_figures
from facilitation.network.picture import layout, map_data, picture_png, picture_svg
from facilitation.network.rules import event_graph, series_graph
from facilitation.people.rules import name_key
from facilitation.series.rules import create_series
from facilitation.store import Change, Store, now, open_store
from facilitation.store import schema as s

T = TypeVar("T")

PEOPLE = 400
COMMUNITY = 600
TABLES = 50
LINKS = 100
ORGANISATIONS = 40
SECTORS = (
    "acute",
    "primary care",
    "community services",
    "mental health",
    "local authority",
    "social care",
    "voluntary sector",
    "housing",
    "public health",
)


def timed(label: str, fn: Callable[[], T], rows: list[tuple[str, float]]) -> T:
    start = time.perf_counter()
    out = fn()
    rows.append((label, time.perf_counter() - start))
    return out


def _setup_event(store: Store, event_id: int, community: list[tuple[str, int]], rng: random.Random) -> None:
    """Seat 400 of the community at 50 tables of 8 and record 100 links between tables."""
    chosen = rng.sample(range(len(community)), PEOPLE)

    def fn(conn: Connection) -> Change:
        series_id = conn.execute(select(s.events.c.series_id).where(s.events.c.id == event_id)).scalar_one()
        tables = [
            r.id
            for r in conn.execute(
                select(s.event_tables.c.id)
                .where(s.event_tables.c.event_id == event_id)
                .order_by(s.event_tables.c.number)
            )
        ]
        at = now()
        ids = []
        for i, who in enumerate(chosen):
            name, org = community[who]
            pid = conn.execute(
                select(s.people.c.id).where(
                    s.people.c.series_id == series_id, s.people.c.name_key == name_key(name)
                )
            ).scalar()
            if pid is None:
                pid = conn.execute(
                    insert(s.people)
                    .values(
                        series_id=series_id,
                        name=name,
                        name_key=name_key(name),
                        organisation_id=org,
                        created_at=at,
                    )
                    .returning(s.people.c.id)
                ).scalar_one()
            ids.append(pid)
            conn.execute(
                insert(s.attendance).values(
                    event_id=event_id, person_id=pid, table_id=tables[i % TABLES], created_at=at
                )
            )
        for _ in range(LINKS):
            a, b = rng.sample(range(PEOPLE), 2)
            conn.execute(
                insert(s.links).values(
                    event_id=event_id,
                    kind=rng.choice(("worked with", "will work with")),
                    person_a=ids[a],
                    person_b=ids[b],
                    recorded_by="system",
                    created_at=at,
                )
            )
        return Change("benchmark setup", "event", event_id)

    store.write(fn, actor=SYSTEM, event_id=event_id)


def _organisations(store: Store) -> list[int]:
    def fn(conn: Connection) -> Change:
        ids = [
            conn.execute(
                insert(s.organisations)
                .values(name=f"Organisation {i:02d}", sector=SECTORS[i % len(SECTORS)], created_at=now())
                .returning(s.organisations.c.id)
            ).scalar_one()
            for i in range(ORGANISATIONS)
        ]
        return Change("benchmark organisations", result=ids)

    return list(store.write(fn, actor=SYSTEM, event_id=None).result)


def one_event(store: Store, event_id: int, seed: int) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    g = timed("read the event's network from the store", lambda: event_graph(store, event_id), rows)
    rows.append((f"  ({g.number_of_nodes()} people, {g.number_of_edges()} ties)", float("nan")))
    f = timed(
        "all figures (betweenness, brokerage, E-I, communities...)",
        lambda: network_figures(g, seed=seed),
        rows,
    )
    pos = timed("layout, first draw (spring, seed)", lambda: layout(g, seed=seed), rows)
    g2 = g.copy()
    for i in range(5):
        g2.add_node(f"new{i}", name=f"New {i}", organisation="Organisation 00")
        g2.add_edge(f"new{i}", next(iter(g)), status="new", weight=1)
    timed(
        "layout, refresh with 5 newcomers (others fixed)", lambda: layout(g2, seed=seed, previous=pos), rows
    )
    d = timed("map data (layout + colours + sizes)", lambda: map_data(g, seed=seed), rows)
    timed("SVG picture", lambda: picture_svg(d), rows)
    timed("PNG picture (matplotlib)", lambda: picture_png(d), rows)
    timed("GraphML render", lambda: graphml.render(g, d), rows)
    timed("GEXF 1.3 render", lambda: gexf.render(g, d), rows)
    timed("Kumu XLSX + JSON render", lambda: kumu.render(g, d), rows)
    print(
        f"  figures: density {f.density:.3f}, E-I {f.ei_index:+.2f}, {len(f.communities)} communities, "
        f"modularity {f.modularity:.2f}, {len(f.isolates)} with no tie beyond their table, "
        f"{f.cross_organisation_ties} ties across organisations"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL or SQLite path (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--events", type=int, default=10)
    args = parser.parse_args(argv)
    print(machine_line())
    print(f"networkx {nx.__version__}")
    db = args.db or os.path.join(tempfile.mkdtemp(prefix="bench-network-"), "bench.db")
    store = open_store(db)
    print(f"store: {store.dialect}")
    rng = random.Random(args.seed)
    orgs = _organisations(store)
    community = [(f"Person {i:03d}", orgs[rng.randrange(len(orgs))]) for i in range(COMMUNITY)]
    sid = create_series(store, ORGANISER, "Benchmark community of practice")
    events = []
    start = time.perf_counter()
    for k in range(args.events):
        ev = create_event(
            store,
            ORGANISER,
            template="innovation-challenge-half-day",
            title=f"Meeting {k + 1}",
            tables=TABLES,
            series_id=sid,
            starts_on=f"2026-{1 + k % 12:02d}-15",
        ).event_id
        _setup_event(store, ev, community, rng)
        events.append(ev)
    print(
        f"setup: {args.events} events written in {time.perf_counter() - start:.1f} s (not part of the figures)"
    )

    def show(title: str, rows: list[tuple[str, float]]) -> None:
        print(f"\n{title}")
        for label, sec in rows:
            print(f"  {label:<62} {'' if sec != sec else f'{sec:8.3f} s'}")

    print("\nOne event (the first of the series: every tie is new)")
    show("seconds", one_event(store, events[0], args.seed))
    print(f"\nThe last event of the series (new vs renewed judged against {args.events - 1} earlier events)")
    show("seconds", one_event(store, events[-1], args.seed))

    rows: list[tuple[str, float]] = []
    whole, per_event = timed(
        f"read the whole series ({args.events} events)", lambda: series_graph(store, sid), rows
    )
    rows.append(
        (
            f"  ({whole.number_of_nodes()} people, {whole.number_of_edges()} ties over the series)",
            float("nan"),
        )
    )
    sf = timed(
        "series figures (each event + the cumulative network)",
        lambda: series_figures(store, sid, seed=args.seed),
        rows,
    )
    timed("layout of the whole series network", lambda: layout(whole, seed=args.seed), rows)
    timed("Gephi CSV with time intervals", lambda: network_csv.render(per_event), rows)
    show("Series (seconds)", rows)
    print("\nGrowth")
    print(
        f"  {'event':<12}{'people':>8}{'ties':>8}{'new':>8}{'renewed':>9}{'all people':>12}{'all ties':>10}"
    )
    for r in sf.growth_rows():
        print(
            f"  {r['title']:<12}{r['people']:>8}{r['ties']:>8}{r['new_ties']:>8}{r['renewed_ties']:>9}"
            f"{r['cumulative_people']:>12}{r['cumulative_ties']:>10}"
        )
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
