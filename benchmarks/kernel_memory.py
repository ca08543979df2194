"""A table page's kernel against a bare Voila page's: RSS, phase by phase, and what the imports cost.

Run: ``python benchmarks/kernel_memory.py [--repeats 3]``.

Each kernel is a real ipykernel started as Voila starts one (ipc transport), one at a
time, on the demo event: the bare page (one Text, one Button), a table page warmed
(its import cell run, as a preheated kernel waits), and a table page built in every
phase the demo's template has. RSS of the kernel process after its cells ran; the
figure of each is the least of ``--repeats`` kernels (other work on a shared machine
only adds). Then, in a plain process, the import cost of what a table page imports,
module by module, and the heavy libraries it must not import (pandas, networkx,
openpyxl, jinja2, matplotlib) with where each came from, if any.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line, print_table

BARE = "import ipywidgets as w\nw.VBox([w.Text(), w.Button(description='Add')])"
WARM = "from facilitation.ui.table import table_page"
BUILD = WARM + "\n_page = table_page()"
HEAVY = ("pandas", "networkx", "openpyxl", "jinja2", "matplotlib", "numpy", "scipy", "PIL")


def kernel_rss(code: str, env: dict[str, str], timeout: float = 300) -> tuple[float, list[str]]:
    """RSS in MiB of a fresh kernel after running ``code``, and which heavy libraries it imported."""
    import psutil
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3", transport="ipc")
    km.start_kernel(env={**os.environ, **env, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda _m: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the cell failed: {reply['content'].get('evalue')}")
        pid = km.provisioner.pid  # type: ignore[union-attr]
        rss = psutil.Process(pid).memory_info().rss / 2**20
        out: list[str] = []
        probe = f"import sys; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
        client.execute_interactive(
            probe,
            timeout=timeout,
            output_hook=lambda m: (
                out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
        )
        return rss, [m for m in "".join(out).strip().split(",") if m]
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="kernels per figure; the least RSS is kept")
    args = parser.parse_args(argv)

    from facilitation.access import FACILITATOR, ORGANISER
    from facilitation.demo import build_demo
    from facilitation.events import event_keys, get_event, set_phase
    from facilitation.store import open_store

    print(machine_line())
    folder = Path(tempfile.mkdtemp(prefix="fac-bench-mem-"))
    db = str(folder / "demo.db")
    os.environ.setdefault("FACILITATION_SECRET", "kernel-memory-benchmark")
    store = open_store(db)
    keys = build_demo(store)
    ev = keys.event_id
    table_key = event_keys(store, ORGANISER, ev).tables[1]
    phases = get_event(store, ev).phases
    env = {"FACILITATION_DB": db, "FACILITATION_EVENT": str(ev), "FACILITATION_KEY": table_key}
    env["FACILITATION_TABLE"] = "1"

    def least(code: str) -> tuple[float, list[str]]:
        runs = [kernel_rss(code, env) for _ in range(max(1, args.repeats))]
        return min(r for r, _ in runs), sorted({m for _, heavy in runs for m in heavy})

    bare, _ = least(BARE)
    rows: list[tuple[object, ...]] = [("bare page (Text + Button)", f"{bare:.1f}", "1.00", "")]
    warm, heavy = least(WARM)
    rows.append(("table page, warm (imports run)", f"{warm:.1f}", f"{warm / bare:.2f}", ",".join(heavy)))
    for index, phase in enumerate(phases):
        set_phase(store, FACILITATOR, ev, index)
        built, heavy = least(BUILD)
        rows.append(
            (f"table page built: {phase.name}", f"{built:.1f}", f"{built / bare:.2f}", ",".join(heavy) or "-")
        )
    store.close()
    print_table(
        f"Kernel RSS, least of {args.repeats} kernels each (MiB; ratio to the bare page's from this run)",
        ("kernel", "RSS MiB", "x bare", "heavy libraries imported"),
        rows,
    )

    script = (
        "import importlib, json, sys, psutil\n"
        "rss = lambda: psutil.Process().memory_info().rss / 2**20\n"
        "import ipykernel.ipkernel, ipywidgets\n"
        "last = rss(); out = []\n"
        "for m in ['sqlalchemy', 'yaml', 'anywidget', 'segno', 'facilitation.store', 'facilitation.ui.table']:\n"
        "    importlib.import_module(m); now = rss(); out.append((m, round(now - last, 1))); last = now\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    print_table(
        "What a table page's imports add over ipykernel + ipywidgets, in a plain process (MiB RSS, in this order)",
        ("module", "+MiB"),
        json.loads(done.stdout),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
