"""Time to an interactive table page, beside a bare Voila page; memory; first-load bytes.

Run: ``python benchmarks/page_load.py [--one 5] [--burst 30] [--pool 30] [--port 8892] [--no-browser]``.

* Time to interactive, server side: a scripted client per page fetches the page,
  opens its kernel socket and waits for the widget state (``_pageclient.py``); one
  page at a time (``--one`` pages in turn) and ``--burst`` pages at once; without
  and with the preheated pool for ``table.ipynb``; beside ``bare.ipynb`` (one Text,
  one Button) on the same server. The ratio to the bare page is the figure.
* Memory: RSS of every kernel after the burst, per kernel and in all.
* First load in Chromium: bytes on the wire and requests, gzipped (as
  ``facilitate serve`` serves) and not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line, print_table
from _pageclient import Server, kernel_memory, open_page

from facilitation.access import FACILITATOR, ORGANISER
from facilitation.events import EventKeys, create_event, set_phase
from facilitation.store import open_store

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def table_path(keys: EventKeys, n: int) -> str:
    return f"/voila/render/table.ipynb?event={keys.event_id}&key={keys.tables[n]}"


async def one_at_a_time(base: str, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        page = await open_page(base, path)
        times.append(page.opened_in)
        page.close()
    return times


async def all_at_once(base: str, paths: list[str]) -> list[float]:
    pages = await asyncio.gather(*[open_page(base, p) for p in paths])
    for p in pages:
        p.close()
    return [p.opened_in for p in pages]


def first_load(url: str) -> tuple[int, int]:
    """Bytes received (encoded, as on the wire) and requests for one page load in Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        received = {"bytes": 0, "requests": 0}

        def done(event: dict) -> None:
            received["bytes"] += int(event.get("encodedDataLength", 0))
            received["requests"] += 1

        cdp.on("Network.loadingFinished", done)
        page.goto(url)
        page.wait_for_selector(".fac-entry-text input", timeout=120_000)
        page.wait_for_load_state("networkidle")
        page.close(run_before_unload=True)
        browser.close()
    return received["bytes"], received["requests"]


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=int, default=5, help="pages opened one after another")
    parser.add_argument("--burst", type=int, default=30, help="pages opened at once")
    parser.add_argument("--pool", type=int, default=30, help="preheated table kernels in the pooled run")
    parser.add_argument("--port", type=int, default=8892)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium first-load figures")
    args = parser.parse_args()
    print(machine_line())
    os.environ.setdefault("FACILITATION_SECRET", "benchmark")
    db = str(Path(tempfile.mkdtemp(prefix="fac-bench-")) / "load.db")
    store = open_store(db)
    keys = create_event(
        store,
        ORGANISER,
        template="innovation-challenge-half-day",
        title="Load",
        tables=max(args.burst, args.one),
    )
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    store.close()

    timing_rows = []
    memory_rows = []
    for pool in (0, args.pool):
        with Server(db, args.port, pool=pool) as server:
            label = f"pool {pool}" if pool else "no pool"
            bare_one = asyncio.run(one_at_a_time(server.base, ["/voila/render/bare.ipynb"] * args.one))
            table_one = asyncio.run(
                one_at_a_time(server.base, [table_path(keys, n) for n in range(1, args.one + 1)])
            )
            table_burst = asyncio.run(
                all_at_once(server.base, [table_path(keys, n) for n in range(1, args.burst + 1)])
            )
            memory = kernel_memory(server.proc.pid)
            bare_burst = asyncio.run(all_at_once(server.base, ["/voila/render/bare.ipynb"] * args.burst))
            b1, t1 = statistics.median(bare_one), statistics.median(table_one)
            timing_rows.append((label, "bare page, one at a time", len(bare_one), b1, max(bare_one), 1.0))
            timing_rows.append(
                (label, "table page, one at a time", len(table_one), t1, max(table_one), t1 / b1)
            )
            bb, tb = statistics.median(bare_burst), statistics.median(table_burst)
            timing_rows.append(
                (label, f"bare page, {args.burst} at once", len(bare_burst), bb, max(bare_burst), 1.0)
            )
            timing_rows.append(
                (label, f"table page, {args.burst} at once", len(table_burst), tb, max(table_burst), tb / bb)
            )
            memory_rows.append(
                (label, len(memory), sum(memory), sum(memory) / max(1, len(memory)), max(memory or [0]))
            )
    print_table(
        "time to an interactive page, server side (fetch + kernel socket + widget state), seconds",
        ["server", "page", "pages", "median s", "max s", "x bare"],
        timing_rows,
    )
    print_table(
        f"kernel memory after {args.burst} table pages (plus the pool's refills)",
        ["server", "kernels", "RSS MiB in all", "MiB per kernel", "largest MiB"],
        memory_rows,
    )
    if not args.no_browser:
        rows = []
        for gzip in (True, False):
            with Server(db, args.port, pool=0, gzip=gzip) as server:
                size, requests = first_load(server.base + table_path(keys, 1))
            rows.append(("gzip" if gzip else "plain", requests, size / 1024 / 1024))
        print_table("first load of a table page in Chromium", ["served", "requests", "MiB on the wire"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
