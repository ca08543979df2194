"""Submit on a table page to visible on the projector: p50 and p95, with N table pages open.

Run: ``python benchmarks/live_latency.py [--tables 10 30] [--samples 40] [--port 8890]``.
The ramp: ``python benchmarks/live_latency.py --ramp [--step 10] [--max-tables 60]`` adds
table pages until the p95 passes 1 s, and prints where that happened.

Every page is a scripted client (see ``_pageclient.py``): the table pages send the
Enter of their entry box with the text, exactly the widget message a browser sends;
the projector client times the update of its ``fac-projector-wall`` widget that
carries the text. Browser rendering (a few ms) is not included; a browser tab per
page would measure the 2 cores, not the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line, percentiles, print_table
from _pageclient import Server, kernel_memory, open_page

from facilitation.access import FACILITATOR, ORGANISER
from facilitation.events import create_event, set_phase
from facilitation.store import open_store


async def run_case(base: str, keys: object, n_tables: int, samples: int) -> tuple[list[float], float]:
    event_id = keys.event_id  # type: ignore[attr-defined]
    projector = await open_page(base, f"/voila/render/projector.ipynb?event={event_id}")
    wall = projector.model_with_class("fac-projector-wall")
    opened = await asyncio.gather(
        *[
            open_page(base, f"/voila/render/table.ipynb?event={event_id}&key={keys.tables[n]}")  # type: ignore[attr-defined]
            for n in range(1, n_tables + 1)
        ]
    )
    inputs = [t.model_with_class("fac-entry-text") for t in opened]
    latencies = []
    for i in range(samples):
        text = f"bench {n_tables}-{i} {time.time_ns()}"
        t = i % n_tables
        sent = time.perf_counter()
        await opened[t].send_custom(inputs[t], {"event": "submit", "value": text})
        while True:
            state = await projector.next_update(wall, timeout=30)
            if text in state.get("value", ""):
                break
        latencies.append(time.perf_counter() - sent)
        await asyncio.sleep(0.1)
    open_seconds = max(t.opened_in for t in opened)
    for c in [projector, *opened]:
        c.close()
    return latencies, open_seconds


def main() -> int:
    signal.signal(
        signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt())
    )  # stop Voila on timeout
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--port", type=int, default=8890)
    parser.add_argument("--ramp", action="store_true", help="add pages until p95 passes 1 s")
    parser.add_argument("--step", type=int, default=10, help="pages added per ramp step")
    parser.add_argument("--max-tables", type=int, default=60, help="where the ramp stops")
    args = parser.parse_args()
    print(machine_line())
    os.environ.setdefault("FACILITATION_SECRET", "benchmark")
    rows = []
    sizes = list(range(args.step, args.max_tables + 1, args.step)) if args.ramp else args.tables
    passed_at = None
    for n in sizes:
        db = str(Path(tempfile.mkdtemp(prefix="fac-bench-")) / "live.db")
        store = open_store(db)
        keys = create_event(
            store, ORGANISER, template="innovation-challenge-half-day", title="Latency", tables=max(n, 1)
        )
        set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
        store.close()
        with Server(db, args.port, pool=0) as server:
            latencies, open_s = asyncio.run(run_case(server.base, keys, n, args.samples))
            memory = kernel_memory(server.proc.pid)
        p50, p95, worst = percentiles(latencies)
        rows.append(
            (
                n,
                len(latencies),
                p50,
                p95,
                worst,
                open_s,
                len(memory),
                sum(memory),
                sum(memory) / max(1, len(memory)),
            )
        )
        if args.ramp and p95 > 1000:
            passed_at = n
            break
    print_table(
        "submit on a table page -> update on the projector (scripted clients, SQLite, poll 0.25 s)",
        [
            "table pages",
            "samples",
            "p50 ms",
            "p95 ms",
            "max ms",
            "all open s",
            "kernels",
            "RSS MiB",
            "MiB/kernel",
        ],
        rows,
    )
    if args.ramp:
        if passed_at is None:
            print(f"\nramp: p95 stayed under 1 s up to {sizes[-1]} table pages")
        else:
            print(f"\nramp: p95 passed 1 s at {passed_at} table pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
