"""The projector's redraw reads one snapshot: one read transaction per refresh, in every phase.

It read the event, the tables, the strip's counts and the wall in five or more
transactions (``get_event``, ``list_tables``, ``list_entries`` twice, ``tally``...),
each at a different moment of the store; at 40 tables that was most of its refresh.
"""

from __future__ import annotations

from typing import Any

import pytest

from facilitation.access import FACILITATOR
from facilitation.demo import build_demo
from facilitation.events import get_event, set_phase
from facilitation.store import Store, open_store
from facilitation.ui.page import PageParams, open_page
from facilitation.ui.projector import ProjectorView
from facilitation.voting import reveal_votes


class CountingStore:
    """Counts the read transactions a store is asked for (writes are not expected)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reads = 0

    def read(self, fn: Any) -> Any:
        self.reads += 1
        return self.store.read(fn)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture
def demo(tmp_path) -> tuple[Store, int]:
    store = open_store(str(tmp_path / "demo.db"))
    keys = build_demo(store)
    yield store, keys.event_id
    store.close()


def test_every_phase_redraws_from_one_read(demo) -> None:
    store, ev = demo
    counting = CountingStore(store)
    view = ProjectorView(open_page(PageParams(event=ev), store=store, need_key=False))
    view.ctx.store = counting  # type: ignore[assignment]
    phases = get_event(store, ev).phases
    seen = []
    for index, phase in enumerate(phases):
        set_phase(store, FACILITATOR, ev, index)
        if phase.input == "links":
            continue  # the collaboration map is a widget of its own, with its own reads
        counting.reads = 0
        view.refresh()
        assert counting.reads == 1, (phase.name, counting.reads)
        assert f"fac-wall-phase-{index}" in view.wall._dom_classes
        seen.append(phase.input or phase.name)
        if phase.input == "voting":
            reveal_votes(store, FACILITATOR, ev, force=True)
            counting.reads = 0
            view.refresh()
            assert counting.reads == 1 and "fac-ranked" in view.wall.value  # the result, from the same read
    assert {"capture", "ideas", "grouping", "voting", "plans"} <= set(seen), seen
