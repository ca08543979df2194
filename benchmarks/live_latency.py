"""Submit on a table page to visible on the projector: p50 and p95, with N table pages open.

Run: ``python benchmarks/live_latency.py [--tables 10 30 40] [--samples 40] [--port 8890]``.
The ramp: ``python benchmarks/live_latency.py --ramp [--step 10] [--max-tables 60]`` adds
table pages until the p95 passes 1 s, and prints where that happened. An event has at most
60 tables; past 60 pages, the extra pages are second laptops at a table.

Two ways to open the pages, both against the same ``facilitate serve``-equivalent server:

* ``--clients chromium`` (the default): every page is a real Chromium tab. A table
  lead's Enter is a key press in the tab's entry box; the projector tab records, in a
  MutationObserver, the moment the text is in its idea wall. Both times are read from
  the browser's one clock, so the figure is what a person sees, rendering included.
  The tabs share this machine's cores with the server, so the figure is pessimistic
  for an event, where every laptop brings its own CPU.
* ``--clients scripted``: every page is a scripted client (``_pageclient.py``) that
  sends exactly the widget message a browser sends, and the projector client times
  the update of its ``fac-projector-wall`` widget. This measures the server alone,
  and is what the ramp uses by default: 60 tabs would measure the 2 cores, not the server.
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
from facilitation.events.rules import EventKeys, create_event, set_phase
from facilitation.store import open_store
from facilitation.testing import CHOOSE_KIND, CHROMIUM, CHROMIUM_ARGS

OPEN_BATCH = 5  # table tabs opened at once in Chromium
MAX_TABLES = 60  # the most an event has; pages beyond it are second laptops at a table
# The projector tab notes when each awaited text first shows in its idea wall.
WATCH_WALL = """() => {
  window.__want = new Set(); window.__seen = {};
  const look = () => {
    const wall = document.querySelector('.fac-projector-wall');
    if (!wall) return;
    const text = wall.textContent;
    for (const t of window.__want) if (text.includes(t)) { window.__seen[t] = Date.now(); window.__want.delete(t); }
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def table_path(keys: EventKeys, n: int) -> str:
    """The n-th table page; past the event's last table, a second laptop at a table."""
    table = (n - 1) % len(keys.tables) + 1
    return f"/voila/render/table.ipynb?event={keys.event_id}&key={keys.tables[table]}"


def run_chromium_case(
    base: str, voila_pid: int, keys: EventKeys, n_tables: int, samples: int, batch: int = OPEN_BATCH
) -> tuple[list[float], float, list[float]]:
    """Real Chromium tabs: key presses on table pages, a MutationObserver on the projector.

    Each tab has a browser context of its own, as each table has a laptop of its own:
    tabs of one context share Chromium's six connections per host, and a page that
    Voila is still streaming holds one, so 30 tabs of one context starve each other.
    Tabs open ``batch`` at a time, as leads arrive over a minute or two rather than in
    one instant; the time to open them all is printed, not the point.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            projector = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            # the facilitator key opens the projector too (the gate refuses a link with no key)
            projector.goto(
                f"{base}/voila/render/projector.ipynb?event={keys.event_id}&key={keys.facilitator}",
                timeout=300_000,
            )
            projector.wait_for_selector(".fac-projector-wall", timeout=300_000)
            projector.evaluate(WATCH_WALL)
            started = time.perf_counter()
            tables = [
                browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
                for _ in range(n_tables)
            ]
            for first in range(0, n_tables, batch):
                wave = list(enumerate(tables, start=1))[first : first + batch]
                for n, tab in wave:  # the wave's requests all in flight before any is awaited
                    tab.goto(base + table_path(keys, n), wait_until="commit", timeout=600_000)
                for _n, tab in wave:
                    tab.wait_for_selector(".fac-entry-text input", timeout=600_000)
            open_seconds = time.perf_counter() - started
            latencies = []
            for i in range(samples):
                text = f"bench {n_tables}-{i} {time.time_ns()}"
                tab = tables[i % n_tables]
                box = tab.locator(".fac-entry-text input")
                box.fill(text)
                projector.evaluate("t => window.__want.add(t)", text)
                tab.evaluate(CHOOSE_KIND, ["", "not-given"])  # each entry chooses its kind
                sent = tab.evaluate("() => Date.now()")
                box.press("Enter")
                projector.wait_for_function("t => t in window.__seen", arg=text, timeout=30_000)
                latencies.append((projector.evaluate("t => window.__seen[t]", text) - sent) / 1000)
                time.sleep(0.1)
            memory = kernel_memory(voila_pid)  # while every page is open
            for tab in [projector, *tables]:
                tab.close(run_before_unload=True)  # so each kernel is asked to shut down
                tab.context.close()
        finally:
            browser.close()
    return latencies, open_seconds, memory


async def run_scripted_case(
    base: str, voila_pid: int, keys: EventKeys, n_tables: int, samples: int
) -> tuple[list[float], float, list[float]]:
    """Scripted clients: the widget messages a browser sends, without a browser's CPU."""
    event_id = keys.event_id
    projector = await open_page(
        base, f"/voila/render/projector.ipynb?event={event_id}&key={keys.facilitator}"
    )
    wall = projector.model_with_class("fac-projector-wall")
    opened = await asyncio.gather(*[open_page(base, table_path(keys, n)) for n in range(1, n_tables + 1)])
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
    memory = kernel_memory(voila_pid)  # while every page is open
    for c in [projector, *opened]:
        c.close()
    return latencies, open_seconds, memory


def main() -> int:
    signal.signal(
        signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt())
    )  # stop Voila on timeout
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[10, 30, 40])
    parser.add_argument(
        "--clients",
        choices=["chromium", "scripted"],
        help="real Chromium tabs (the default) or scripted page clients (the ramp's default)",
    )
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--port", type=int, default=8890)
    parser.add_argument("--ramp", action="store_true", help="add pages until p95 passes 1 s")
    parser.add_argument("--step", type=int, default=10, help="pages added per ramp step")
    parser.add_argument("--max-tables", type=int, default=60, help="where the ramp stops")
    args = parser.parse_args()
    clients = args.clients or ("scripted" if args.ramp else "chromium")
    print(machine_line())
    os.environ.setdefault("FACILITATION_SECRET", "benchmark")
    rows = []
    sizes = list(range(args.step, args.max_tables + 1, args.step)) if args.ramp else args.tables
    passed_at = None
    for n in sizes:
        db = str(Path(tempfile.mkdtemp(prefix="fac-bench-")) / "live.db")
        store = open_store(db)
        keys = create_event(
            store,
            ORGANISER,
            template="innovation-challenge-half-day",
            title="Latency",
            tables=min(max(n, 1), MAX_TABLES),
        )
        set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
        store.close()
        with Server(db, args.port, pool=0) as server:
            case = (server.base, server.proc.pid, keys, n, args.samples)
            if clients == "chromium":
                latencies, open_s, memory = run_chromium_case(*case)
            else:
                latencies, open_s, memory = asyncio.run(run_scripted_case(*case))
        p50, p95, worst = percentiles(latencies)
        print(f"{n} table pages: p50 {p50:.0f} ms, p95 {p95:.0f} ms", file=sys.stderr, flush=True)
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
        f"submit on a table page -> shown on the projector ({clients} pages, SQLite, poll 0.25 s)",
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
