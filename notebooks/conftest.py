"""``pytest notebooks/`` (nbval): every page notebook runs headless against the demo event.

Outside Voila a page reads ``FACILITATION_DB``, ``FACILITATION_EVENT``,
``FACILITATION_KEY`` and ``FACILITATION_TABLE`` instead of a query string. This
builds the demo event once, in a temporary folder, and sets those variables only
while a notebook's kernel starts (the kernel inherits them), so no other test in
the same run sees them. Set ``FACILITATION_EVENT`` yourself to run the notebooks
against another event. The key is the facilitator's, which opens every page (the
table page as table 1).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_NAMES = ("FACILITATION_DB", "FACILITATION_EVENT", "FACILITATION_KEY", "FACILITATION_TABLE", "FACILITATION_SECRET")


def _demo_env(config: pytest.Config) -> dict[str, str]:
    cached = getattr(config, "_facilitation_demo_env", None)
    if cached is not None:
        return cached
    if os.environ.get("FACILITATION_EVENT"):
        env: dict[str, str] = {}
    else:
        from facilitation.demo import DEMO_SEED, build_demo
        from facilitation.store import open_store

        db = Path(tempfile.mkdtemp(prefix="facilitation-nbval-")) / "demo.db"
        store = open_store(str(db))
        keys = build_demo(store, seed=DEMO_SEED)
        store.close()
        env = {
            "FACILITATION_DB": str(db),
            "FACILITATION_EVENT": str(keys.event_id),
            "FACILITATION_KEY": keys.facilitator,
            "FACILITATION_TABLE": "1",
        }
    config._facilitation_demo_env = env  # type: ignore[attr-defined]
    return env


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Around a notebook's setup (where nbval starts its kernel): the demo's variables."""
    if item.path.suffix != ".ipynb":
        yield
        return
    saved = {name: os.environ.get(name) for name in _NAMES}
    os.environ.update(_demo_env(item.config))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
