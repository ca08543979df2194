"""A real ``facilitate serve`` on a free port, and Chromium driven by Playwright.

The event is built with the rules, as an organiser and a facilitator would: four
tables, a framing, people at two tables, the enablers-and-blockers phase. The
server runs in its own process group; teardown stops it with SIGTERM (``serve``
then stops Voila and its kernels) and kills whatever is left.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from liveserver import require_chromium, start_server

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.events.rules import EventKeys, create_event, set_phase
from facilitation.people.rules import add_person
from facilitation.store import Store, open_store
from facilitation.testing import CHROMIUM, CHROMIUM_ARGS

# test_kill_rounds starts servers of its own, the way the session's server is started
__all__ = ["start_server"]

HERE = Path(__file__).parent
DATA = HERE.parent / "data"
ARTIFACTS = HERE.parent / "artifacts"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser


def hostile_strings() -> list[str]:
    """The shared hostile strings, one per line, plus a 10,000-character one."""
    lines = (DATA / "hostile-strings.txt").read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip()] + ["x" * 9_990 + "<b>end</b>"]


@dataclass
class Served:
    """A running server and what the tests need to reach it."""

    db: str
    store: Store
    keys: EventKeys
    links: dict[str, str]
    process: subprocess.Popen[bytes]
    voila_pid: int | None
    base: str


def build_event(store: Store) -> EventKeys:
    """A small event at the enablers-and-blockers phase, built through the rules."""
    keys = create_event(
        store,
        ORGANISER,
        template="innovation-challenge-half-day",
        title="Frailty in the community",
        tables=4,
        challenge="Keep older people with frailty well at home for longer.",
        purpose="One system, one plan, across health, care and the voluntary sector.",
        key_question="Do fewer people over 75 go to hospital after a fall?",
        success_measures=["Falls admissions down 15% in a year", "People say they feel in control"],
    )
    for table, name, org in [
        (1, "Ama Owusu", "Eastbrook City Council"),
        (1, "Tomasz Nowak", "Eastbrook Hospitals NHS Trust"),
        (2, "Priya Shah", "Age Well Eastbrook"),
    ]:
        add_person(store, table_actor(table), keys.event_id, name, organisation=org, table=table)
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    return keys


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``facilitate serve`` on a free port against a fresh event; stopped for certain at the end."""
    folder = tmp_path_factory.mktemp("served")
    db = str(folder / "event.db")
    os.environ.setdefault("FACILITATION_SECRET", "browser-tests-secret")
    store = open_store(db)
    keys = build_event(store)
    server = start_server(db, keys.event_id, folder)
    try:
        yield Served(db, store, keys, server.links, server.process, server.voila_pid, server.base)
    finally:
        server.stop()
        store.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Pages:
    """Opens pages and closes them so their kernels shut down (run_before_unload)."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.opened: list[Any] = []
        self.dialogs: list[str] = []

    def open(self, url: str, *, width: int = 1366, height: int = 768, ready: str = ".fac-page") -> Any:
        context = self.browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.on("dialog", self._dialog)
        page.goto(url, timeout=120_000)
        page.wait_for_selector(ready, timeout=60_000)
        self.opened.append(page)
        return page

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close_all(self) -> None:
        for page in self.opened:
            try:
                page.close(run_before_unload=True)
                page.context.close()
            except Exception:
                pass
        self.opened.clear()


@pytest.fixture
def pages(browser: Any) -> Iterator[Pages]:
    p = Pages(browser)
    yield p
    p.close_all()


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot under tests/artifacts/ (gitignored) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def axe_violations(page: Any, *, enhanced_contrast: bool = False) -> list[dict[str, Any]]:
    """Every axe-core violation on the page, of any impact (axe injected from node_modules).

    Each violation carries its rule id, impact, help text and up to five nodes, each as
    its target (CSS selectors) and a snippet of its HTML, so a failure says where to look.
    ``enhanced_contrast`` adds axe's 7:1 text contrast rule (off by default in axe): the
    projector's target, read from the back of a room.
    """
    if not AXE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but axe-core is missing: run `npm install` in tests/browser")
        pytest.skip("run `npm install` in tests/browser for axe-core")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (enhanced) => await axe.run(document, {resultTypes: ['violations'],"
        " rules: {'color-contrast-enhanced': {enabled: enhanced}}})",
        enhanced_contrast,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [{"target": n["target"], "html": n["html"][:160]} for n in v["nodes"][:5]],
            "count": len(v["nodes"]),
        }
        for v in result["violations"]
    ]


def describe_violations(violations: list[dict[str, Any]]) -> list[str]:
    """One line per violating node: rule id, impact, target and a snippet of its HTML."""
    lines = []
    for v in violations:
        more = v["count"] - len(v["nodes"])
        for n in v["nodes"]:
            lines.append(f"{v['id']} ({v['impact']}): {' '.join(map(str, n['target']))} :: {n['html']}")
        if more > 0:
            lines.append(f"{v['id']} ({v['impact']}): and {more} more nodes")
    return lines
