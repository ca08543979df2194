"""A real ``facilitate serve`` for tests that need one, and the Chromium they drive it with.

Every test that talks to a served page (the browser tests, the attack tests, the
lossy-connection and kill tests, two servers on one PostgreSQL) starts its server
here, so a server is started, found and stopped one way: in a session of its own on
a free port, ready once it prints its links, stopped by PID (SIGTERM to ``serve``,
which stops Voila and its kernels; SIGKILL to whatever of ours is left).

The server inherits this process's environment, so ``FACILITATION_SECRET`` set by the
test before the start is the one its pages derive keys from.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from facilitation.serving import child_pids
from facilitation.testing import CHOOSE_KIND, CHROMIUM

IN_CI = os.environ.get("CI", "").lower() == "true"
LINK = re.compile(r"^(projector|facilitator|organiser|join|table \S+): (http\S+)$")


def require_chromium() -> None:
    """Skip without Chromium; under ``CI=true`` a missing Chromium is a failure instead."""
    if Path(CHROMIUM).exists():
        return
    if IN_CI:
        pytest.fail(f"CI=true but Chromium is not at {CHROMIUM}: browser tests must run in CI")
    pytest.skip(f"Chromium is not installed at {CHROMIUM} (Debian/Ubuntu: apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A ``facilitate serve`` process, Voila's pid once known, and the links it printed."""

    process: subprocess.Popen[bytes]
    folder: Path
    port: int
    voila_pid: int | None = None
    links: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 120) -> Server:
        """Wait until ``serve`` prints its links (Voila answers by then); fail with its stderr if not."""
        out, err = self.folder / "serve.out", self.folder / "serve.err"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            text = out.read_text(errors="replace")
            if "join:" in text and "organiser:" in text:
                self.links = {m.group(1): m.group(2) for m in map(LINK.match, text.splitlines()) if m}
                break
            time.sleep(0.25)
        found = re.search(r"Voila is process (\d+)", err.read_text(errors="replace"))
        self.voila_pid = int(found.group(1)) if found else None
        if "projector" not in self.links:
            self.stop()
            pytest.fail(
                "facilitate serve did not print its links:\n" + err.read_text(errors="replace")[-3000:]
            )
        return self

    def stop(self) -> None:
        """Stop it for certain: SIGTERM to ``serve``, then SIGKILL to whatever of ours is left."""
        proc = self.process
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if self.voila_pid is not None and Path(f"/proc/{self.voila_pid}").exists():
            # serve did not stop it: Voila and its kernels (each kernel has a session of its own)
            for pid in [self.voila_pid, *child_pids(self.voila_pid)]:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


def launch(
    db: str,
    event_id: int,
    folder: Path,
    *,
    port: int | None = None,
    pool: int = 2,
    extra: tuple[str, ...] = (),
) -> Server:
    """Start ``facilitate serve`` in a session of its own without waiting (see :meth:`Server.wait_ready`).

    ``extra`` are more ``serve`` options (``--per-address 4``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    with open(folder / "serve.out", "wb") as out, open(folder / "serve.err", "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "facilitation.cli", "serve", str(event_id), "--db", db,
             "--port", str(port), "--pool", str(pool), *extra],
            stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip
    return Server(proc, folder, port)


def start_server(
    db: str,
    event_id: int,
    folder: Path,
    *,
    port: int | None = None,
    pool: int = 2,
    extra: tuple[str, ...] = (),
) -> Server:
    """Start ``facilitate serve`` and wait until it prints its links."""
    return launch(db, event_id, folder, port=port, pool=pool, extra=extra).wait_ready()


def choose_kind(page: Any, kind: str = "", evidence: str = "not-given") -> None:
    """Choose the entry's kind (the first offered unless named) and, where asked, its evidence."""
    page.evaluate(CHOOSE_KIND, [kind, evidence])
