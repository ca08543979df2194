"""Widget models a table page makes in each phase, built in a plain process on the demo event.

Run: ``python benchmarks/page_models.py [--table 1]``.

Each phase: the demo event is set to the phase, a table page is built for one table
(``TableView`` on a real SQLite store, the way ``table.ipynb`` builds it), and
``len(ipywidgets.Widget.widgets)`` counted: every model the page makes, layouts and
styles included, each a comm the browser must build a view for. Issue 15's target is
at most 40 in every phase.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path

import ipywidgets as w

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line, print_table

from facilitation.access import FACILITATOR
from facilitation.demo import build_demo
from facilitation.events import get_event, set_phase
from facilitation.store import Store, open_store
from facilitation.ui.page import PageParams, open_page, page_frame
from facilitation.ui.table import TableView

TARGET = 40
warnings.filterwarnings("ignore", "Widget.widgets is deprecated", DeprecationWarning)


def models_per_phase(store: Store, event_id: int, key: str, table: int) -> list[tuple[str, int]]:
    """(phase name, widget models) for a table page built fresh in each phase of the event.

    The page is what ``table_page`` shows (the frame with its stylesheet and heartbeat
    included), without starting its live updates."""
    out = []
    for phase in get_event(store, event_id).phases:
        set_phase(store, FACILITATOR, event_id, phase.name)
        for widget in list(w.Widget.widgets.values()):
            widget.close()
        ctx = open_page(PageParams(event=event_id, key=key), store=store)
        page_frame(TableView(ctx, table).widget, None, "fac-table-shell")
        out.append((phase.name, len(w.Widget.widgets)))
    for widget in list(w.Widget.widgets.values()):
        widget.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=int, default=1)
    args = parser.parse_args()
    print(machine_line())
    os.environ.setdefault("FACILITATION_SECRET", "benchmark")
    store = open_store(str(Path(tempfile.mkdtemp(prefix="fac-models-")) / "demo.db"))
    keys = build_demo(store)
    rows = models_per_phase(store, keys.event_id, keys.tables[args.table], args.table)
    print_table(
        f"widget models of table {args.table}'s page on the demo event (target: at most {TARGET})",
        ["phase", "models", "within target"],
        [(name, n, "yes" if n <= TARGET else "no") for name, n in rows],
    )
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
