"""A scripted Voila page client for the live benchmarks: fetch the page (which runs
its notebook), open the kernel socket, ask for the widget state, and send or watch
widget messages, as a browser tab does, without a browser's CPU cost.

On a 2-core machine 30 Chromium tabs swamp every figure; at an event every laptop
brings its own CPU, so the server side is what these clients measure.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import WebSocketClientConnection, websocket_connect

from facilitation.serving.server import (
    REFILL_DELAY_SECONDS,
    limits_for,
    notebooks_dir,
    pool_status,
    start_voila,
    stop_voila,
    wait_until_up,
)

__all__ = ["PageClient", "Server", "kernel_memory", "open_page", "settle"]

CONNECT_GRACE_SECONDS = 900.0

BARE_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "bare-0",
            "metadata": {},
            "outputs": [],
            "source": ["import ipywidgets as w\n", "w.VBox([w.Text(), w.Button(description='Add')])"],
        }
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


@dataclass
class Server:
    """A ``facilitate serve``-equivalent Voila process on a copy of the notebooks plus a bare page."""

    db: str
    port: int
    pool: int = 0
    gzip: bool = True
    proc: Any = None
    base: str = ""
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fac-bench-nb-")))

    def __enter__(self) -> Server:
        for nb in notebooks_dir().glob("*.ipynb"):
            shutil.copy(nb, self.folder / nb.name)
        (self.folder / "bare.ipynb").write_text(json.dumps(BARE_NOTEBOOK))
        os.environ["FACILITATION_NOTEBOOKS"] = str(self.folder)
        log = self.folder / "voila.log"
        # every benchmark page comes from 127.0.0.1: lift the per-address cap (10 at an event).
        # Lift the connect grace too: 10 Chromium tabs opened at once on 2 shared cores take
        # longer than serve's 30 s to load their scripts and connect, and their kernels were
        # reaped (the tabs never showed a widget); reaping is not what these figures measure.
        limits = replace(limits_for(self.pool, per_address=1000), connect_grace=CONNECT_GRACE_SECONDS)
        # the bare page has no key: served through the same guarded app (rationing, gzip),
        # allowed by the benchmark-only `open_pages`, which `facilitate serve` never sets
        self.proc, self.base = start_voila(
            self.db,
            port=self.port,
            pool_size=self.pool,
            gzip=self.gzip,
            log_path=log,
            limits=limits,
            open_pages=("bare",),
        )
        wait_until_up(self.proc, self.base + "/", timeout=120)
        if self.pool:
            deadline = time.monotonic() + 600
            while "is filled with" not in log.read_text(errors="replace") and time.monotonic() < deadline:
                time.sleep(0.5)
            self.wait_for_pool()  # the pooled kernels pre-run their notebook after they start
        return self

    def wait_for_pool(self, timeout: float = 600) -> None:
        """After pages took pooled kernels: wait until every pooled page is warm again (the app's status), then settle."""
        time.sleep(REFILL_DELAY_SECONDS + 2)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = pool_status(self.proc).get("table.ipynb")
            if status and status[0] >= status[1]:
                break
            time.sleep(0.5)
        settle(self.proc.pid)

    def __exit__(self, *exc: object) -> None:
        stop_voila(self.proc)
        shutil.rmtree(self.folder, ignore_errors=True)


def settle(voila_pid: int, quiet_percent: float = 15.0, timeout: float = 300) -> None:
    """Wait until Voila's kernels use almost no CPU (pre-runs and imports are done)."""
    import psutil

    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline and quiet < 3:
        try:
            kids = psutil.Process(voila_pid).children(recursive=True)
            busy = sum(k.cpu_percent(interval=None) for k in kids)
        except psutil.Error:
            return
        time.sleep(1.0)
        try:
            busy = sum(k.cpu_percent(interval=None) for k in kids)
        except psutil.Error:
            busy = 0.0
        quiet = quiet + 1 if busy < quiet_percent else 0


def kernel_memory(voila_pid: int, kernel_ids: Iterable[str] | None = None) -> list[float]:
    """RSS in MiB of each kernel process under the Voila process (only ``kernel_ids``, if given)."""
    import psutil

    wanted = None if kernel_ids is None else {f"kernel-{k}.json" for k in kernel_ids}

    try:
        children = psutil.Process(voila_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for p in children:
        try:
            cmdline = p.cmdline()
            if "ipykernel" not in " ".join(cmdline):
                continue
            if wanted is None or any(arg.rsplit("/", 1)[-1] in wanted for arg in cmdline):
                out.append(p.memory_info().rss / 1024 / 1024)
        except psutil.Error:
            continue
    return out


def _msg(session: str, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "username": "bench",
        "session": session,
        "date": "2026-01-01T00:00:00Z",
        "version": "5.3",
    }
    body = {
        "header": header,
        "parent_header": {},
        "metadata": metadata or {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }
    return json.dumps(body)


@dataclass
class PageClient:
    """One open page: its kernel socket and its widgets' state."""

    ws: WebSocketClientConnection
    kernel_id: str
    session: str
    states: dict[str, dict[str, Any]]
    opened_in: float  # seconds from the request to the widget state

    def model_with_class(self, cls: str) -> str:
        """The model id of the widget carrying CSS class ``cls``."""
        for model_id, s in self.states.items():
            if cls in (s.get("state", {}).get("_dom_classes") or ()):
                return model_id
        errors = [
            s["state"].get("value", "")
            for s in self.states.values()
            if "fac-error" in str(s["state"].get("value", ""))
        ]
        raise LookupError(f"no widget with class {cls}; the page says: {errors or 'nothing'}")

    async def send_custom(self, model_id: str, content: dict[str, Any]) -> None:
        await self.ws.write_message(
            _msg(
                self.session,
                "comm_msg",
                {"comm_id": model_id, "data": {"method": "custom", "content": content}},
            )
        )

    async def next_update(self, model_id: str, timeout: float = 30) -> dict[str, Any]:
        """Wait for the next state update of one widget; returns its new state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(self.ws.read_message(), timeout=deadline - time.monotonic())
            if raw is None:
                raise ConnectionError("kernel socket closed")
            if not isinstance(raw, str):
                continue
            m = json.loads(raw)
            if m.get("msg_type", m.get("header", {}).get("msg_type")) != "comm_msg":
                continue
            content = m.get("content", {})
            data = content.get("data", {})
            if content.get("comm_id") == model_id and data.get("method") == "update":
                return data.get("state", {})
        raise TimeoutError(model_id)

    def close(self) -> None:
        self.ws.close()

    async def shut_down(self, base: str) -> None:
        """Close the socket and ask for the kernel's shutdown, as a closing tab does."""
        self.ws.close()
        await AsyncHTTPClient().fetch(
            f"{base}/api/kernels/{self.kernel_id}", method="DELETE", raise_error=False, request_timeout=60
        )


async def open_page(base: str, path: str, *, timeout: float = 600) -> PageClient:
    """Fetch a page, connect to its kernel and wait for the widget state, as a browser would."""
    started = time.perf_counter()
    response = await AsyncHTTPClient().fetch(base + path, request_timeout=timeout, connect_timeout=timeout)
    html = response.body.decode()
    found = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', html)
    if not found:
        raise RuntimeError(f"no kernel id in {path}: {html[-500:]}")
    session = uuid.uuid4().hex
    ws = await websocket_connect(
        base.replace("http", "ws", 1) + f"/api/kernels/{found.group(1)}/channels?session_id={session}",
        max_message_size=256 * 1024 * 1024,
    )
    control = uuid.uuid4().hex
    opening = {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}}
    await ws.write_message(_msg(session, "comm_open", opening, {"version": "1.0.0"}))
    await ws.write_message(
        _msg(session, "comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = await asyncio.wait_for(ws.read_message(), timeout=deadline - time.monotonic())
        if raw is None:
            raise ConnectionError("kernel socket closed")
        if not isinstance(raw, str):
            continue
        m = json.loads(raw)
        data = m.get("content", {}).get("data", {})
        if data.get("method") == "update_states":
            return PageClient(
                ws, found.group(1), session, data.get("states", {}), time.perf_counter() - started
            )
    raise TimeoutError(path)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("a helper of benchmarks/live_latency.py and benchmarks/page_load.py")
