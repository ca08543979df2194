"""``pytest --nbval-lax notebooks/``: every page notebook runs headless against the demo event.

Outside Voila a page reads ``FACILITATION_DB``, ``FACILITATION_EVENT``,
``FACILITATION_KEY`` and ``FACILITATION_TABLE`` instead of a query string; this
builds the demo event in a temporary folder and sets them before any kernel
starts (set them yourself to run the notebooks against another event). The key is
the facilitator's, which opens every page (the table page as table 1).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("FACILITATION_EVENT"):
        return
    from facilitation.demo import DEMO_SEED, build_demo
    from facilitation.store import open_store

    db = Path(tempfile.mkdtemp(prefix="facilitation-nbval-")) / "demo.db"
    os.environ.setdefault("FACILITATION_SECRET", "nbval-secret")
    store = open_store(str(db))
    keys = build_demo(store, seed=DEMO_SEED)
    store.close()
    os.environ.update(
        FACILITATION_DB=str(db),
        FACILITATION_EVENT=str(keys.event_id),
        FACILITATION_KEY=keys.facilitator,
        FACILITATION_TABLE="1",
    )
