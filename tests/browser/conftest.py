"""A real ``facilitate serve`` on a free port, and Chromium driven by Playwright.

The event is built with the rules, as an organiser and a facilitator would: four
tables, a framing, people at two tables, the enablers-and-blockers phase. The
server runs in its own process group; teardown stops it with SIGTERM (``serve``
then stops Voila and its kernels) and kills whatever is left.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.events import EventKeys, create_event, set_phase
from facilitation.people import add_person
from facilitation.serving import _children
from facilitation.store import Store, open_store

HERE = Path(__file__).parent
DATA = HERE.parent / "data"
ARTIFACTS = HERE.parent / "artifacts"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def hostile_strings() -> list[str]:
    """The shared hostile strings, one per line, plus a 10,000-character one."""
    lines = (DATA / "hostile-strings.txt").read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip()] + ["x" * 9_990 + "<b>end</b>"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@dataclass
class Server:
    """A running ``facilitate serve``: its process, Voila's pid and the links it printed."""

    process: subprocess.Popen[bytes]
    voila_pid: int | None
    links: dict[str, str]

    def stop(self) -> None:
        """Stop it for certain: SIGTERM, then SIGKILL to whatever is left."""
        _stop(self.process, self.voila_pid)


def start_server(db: str, event_id: int, folder: Path, *, port: int | None = None, pool: int = 2) -> Server:
    """Start ``facilitate serve`` in its own session and wait until it prints its links."""
    folder.mkdir(parents=True, exist_ok=True)
    out_path, err_path = folder / "serve.out", folder / "serve.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "facilitation.cli", "serve", str(event_id), "--db", db,
             "--port", str(port or free_port()), "--pool", str(pool)],
            stdout=out,
            stderr=err,
            start_new_session=True,
        )  # fmt: skip
    links: dict[str, str] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = out_path.read_text(errors="replace")
        if "join:" in text and "organiser:" in text:
            for line in text.splitlines():
                m = re.match(r"^(projector|facilitator|organiser|join|table \S+): (http\S+)$", line)
                if m:
                    links[m.group(1)] = m.group(2)
            break
        if proc.poll() is not None:
            break
        time.sleep(0.25)
    found = re.search(r"Voila is process (\d+)", err_path.read_text(errors="replace"))
    server = Server(proc, int(found.group(1)) if found else None, links)
    if "projector" not in links:
        server.stop()
        pytest.fail("facilitate serve did not print its links:\n" + err_path.read_text()[-3000:])
    return server


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
        base = server.links["projector"].split("/voila/")[0]
        yield Served(db, store, keys, server.links, server.process, server.voila_pid, base)
    finally:
        server.stop()
        store.close()


def _stop(proc: subprocess.Popen[bytes], voila_pid: int | None) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    if voila_pid is not None and Path(f"/proc/{voila_pid}").exists():
        # serve did not stop it: kill Voila and its kernels (each kernel has a session of its own)
        for pid in [voila_pid, *_children(voila_pid)]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but Chromium is not at /usr/bin/chromium: browser tests must run in CI")
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
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


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page (axe injected from node_modules)."""
    if not AXE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but axe-core is missing: run `npm install` in tests/browser")
        pytest.skip("run `npm install` in tests/browser for axe-core")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
