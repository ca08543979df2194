"""``facilitate serve``: Voila on its own, with the project's template and settings.

Voila runs standalone (never JupyterLab, never as a server extension), so a browser
can send widget messages but never run code. Settings measured on a 2-core machine
(see ``shared/VOILA.md``): a preheated kernel pool for ``table.ipynb`` only, the ipc
transport (TCP ports race when a pool fills), culling of idle kernels, xsrf checks
off so a closing tab can shut its kernel down. The app is a subclass of Voila's
(:mod:`facilitation.serving.app`): it checks every page's key before a kernel starts,
answers the join page without a kernel, rations kernels under a memory budget that
:func:`serve` computes and prints, and gzips responses.

Run as ``python -m facilitation.serving.server VOILA-ARGS`` this module runs that app.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facilitation.access import ORGANISER
from facilitation.errors import FacilitationError
from facilitation.events.rules import event_keys, get_event, list_tables
from facilitation.serving.gate import event_projector_key
from facilitation.serving.rationing import Limits, memory_budget
from facilitation.store import open_store

__all__ = [
    "PageLinks",
    "child_pids",
    "limits_for",
    "notebooks_dir",
    "page_links",
    "serve",
    "start_voila",
    "voila_command",
    "voila_config",
]

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # facilitation/, above this package
TEMPLATE = "facilitation"
CULL_IDLE_SECONDS = 300
CULL_INTERVAL_SECONDS = 60
MAX_POOL = 12  # preheated table kernels: ~110 MiB each; refills follow as pages open
REFILL_DELAY_SECONDS = 20
# nbclient waits 4 s for a cell's output after its reply, then renders the page without
# it: under load (40 table pages opening on 2 cores) a table page came up with no entry
# box ("Timeout waiting for IOPub output" in Voila's log, benchmarks/live_latency.py).
IOPUB_TIMEOUT_SECONDS = 60


def notebooks_dir() -> Path:
    """The folder of page notebooks (``notebooks/`` beside the package, or ``FACILITATION_NOTEBOOKS``)."""
    env = os.environ.get("FACILITATION_NOTEBOOKS")
    candidates = [Path(env)] if env else []
    candidates += [PACKAGE_DIR.parent / "notebooks", PACKAGE_DIR / "notebooks"]
    for path in candidates:
        if (path / "table.ipynb").is_file():
            return path
    raise FacilitationError(
        "The page notebooks (notebooks/table.ipynb ...) were not found. "
        "Run from a clone of the project or set FACILITATION_NOTEBOOKS."
    )


@dataclass(frozen=True)
class PageLinks:
    """Every page's link for one event.

    The projector's link carries only the projector's read-only key: safe to show the
    room. The others carry write keys: keep them off the projector.
    """

    projector: str
    facilitator: str
    tables: dict[str, str]
    organiser: str
    join: str

    def lines(self) -> list[str]:
        """One line per page, as ``facilitate serve`` prints them."""
        out = [f"projector: {self.projector}", f"facilitator: {self.facilitator}"]
        out += [f"table {name}: {url}" for name, url in self.tables.items()]
        out += [f"organiser: {self.organiser}", f"join: {self.join}"]
        return out


def page_links(db: str | None, event_id: int, base_url: str) -> PageLinks:
    """The links of every page of an event served at ``base_url``."""
    from facilitation.ui.page import page_url

    store = open_store(db)
    try:
        keys = event_keys(store, ORGANISER, event_id)
        projector_key = event_projector_key(store, ORGANISER, event_id)
        tables = list_tables(store, event_id)
    finally:
        store.close()
    return PageLinks(
        projector=page_url("projector", base_url, event=event_id, key=projector_key),
        facilitator=page_url("facilitator", base_url, event=event_id, key=keys.facilitator),
        tables={
            t.name.removeprefix("Table ").strip() or str(t.number): page_url(
                "table", base_url, event=event_id, key=keys.tables[t.number]
            )
            for t in tables
            if t.number in keys.tables
        },
        organiser=page_url("organiser", base_url, event=event_id, key=keys.organiser),
        join=page_url("join", base_url, event=event_id),
    )


def limits_for(pool_size: int, *, max_kernels: int | None = None, per_address: int = 10) -> Limits:
    """The kernel rationing of a serve run: what the free memory (psutil) allows, at most ``max_kernels``."""
    import psutil

    return memory_budget(
        int(psutil.virtual_memory().available // 2**20), max_kernels=max_kernels, per_address=per_address
    )


def voila_config(
    pool_size: int,
    limits: Limits | None = None,
    *,
    gzip: bool = True,
    open_pages: tuple[str, ...] = (),
    trusted_proxies: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The Voila configuration (``voila.json``) of a serve run.

    ``open_pages`` names notebooks served with no key (still rationed): only the
    benchmarks' bare page; :func:`serve` never passes it. ``trusted_proxies`` are the
    reverse proxies whose ``X-Forwarded-For`` names the client (``--trusted-proxy``).
    """
    limits = limits or Limits()
    app: dict[str, Any] = {
        "max_kernels": limits.max_kernels,
        "max_kernels_per_address": limits.per_address,
        "connect_grace": limits.connect_grace,
        "join_failures_per_minute": limits.join_failures_per_minute,
        "pool_size": pool_size,
        "gzip": gzip,
    }
    if open_pages:
        app["open_pages"] = list(open_pages)
    if trusted_proxies:
        app["trusted_proxies"] = list(trusted_proxies)
    return {
        "FacilitationVoila": app,
        "VoilaConfiguration": {
            "template": TEMPLATE,
            "preheat_kernel": pool_size > 0,
            "default_pool_size": 0,
            "show_tracebacks": False,
        },
        "Voila": {
            "open_browser": False,
            "port_retries": 0,
            "tornado_settings": {"disable_check_xsrf": True},
        },
        "VoilaKernelManager": {
            "kernel_pools_config": {"table.ipynb": {"pool_size": pool_size}, "default": {"pool_size": 0}},
            # Refill after the rush: refills started at once with the pages they replace
            # took the CPU those pages needed (benchmarks/page_load.py, 30 at once).
            "fill_delay": REFILL_DELAY_SECONDS,
        },
        "MappingKernelManager": {
            "cull_idle_timeout": CULL_IDLE_SECONDS,
            "cull_interval": CULL_INTERVAL_SECONDS,
            "cull_connected": False,
        },
        "KernelManager": {"transport": "ipc"},
        "VoilaExecutor": {"iopub_timeout": IOPUB_TIMEOUT_SECONDS},
    }


def voila_command(config_dir: Path, host: str, port: int) -> list[str]:
    """The command line of the Voila process (the guarded app of :mod:`facilitation.serving.app`)."""
    return [
        sys.executable,
        "-m",
        "facilitation.serving.server",
        str(notebooks_dir()),
        f"--Voila.config_file_paths={config_dir}",
        f"--Voila.ip={host}",
        f"--Voila.port={port}",
        "--no-browser",
    ]


def _public_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        import socket

        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect(("192.0.2.1", 9))  # no packet is sent; this picks the LAN address
                return s.getsockname()[0]
        except OSError:
            return socket.gethostname()
    return host


def start_voila(
    db: str | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8866,
    pool_size: int = 0,
    gzip: bool = True,
    log_path: str | Path | None = None,
    limits: Limits | None = None,
    open_pages: tuple[str, ...] = (),
    trusted_proxies: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """Start the Voila process (without waiting for it) and return it with its base URL.

    ``limits`` rations the kernels (default: :func:`limits_for` the pool size);
    ``open_pages`` is for benchmarks only; ``trusted_proxies`` as in :func:`voila_config`.
    """
    _check_port_free(host, port)
    limits = limits or limits_for(pool_size)
    config_dir = Path(tempfile.mkdtemp(prefix="facilitation-voila-"))
    config = voila_config(
        pool_size, limits, gzip=gzip, open_pages=open_pages, trusted_proxies=trusted_proxies
    )
    (config_dir / "voila.json").write_text(json.dumps(config, indent=2))
    base_url = f"http://{_public_host(host)}:{port}"
    env = dict(os.environ)
    if db:
        env["FACILITATION_DB"] = str(Path(db).resolve()) if "://" not in db else db
    env["FACILITATION_PUBLIC_URL"] = base_url
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(PACKAGE_DIR), env.get("JUPYTER_PATH", "")) if p)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    out: Any = open(log_path, "ab") if log_path else None  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        voila_command(config_dir, host, port),
        env=env,
        stdout=out or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if out else None,
        start_new_session=True,  # its kernels go with it when the group is stopped
    )
    return proc, base_url


def _check_port_free(host: str, port: int) -> None:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0" if host in ("", "::") else host, port))
        except OSError as exc:
            raise FacilitationError(
                f"Port {port} is already in use (another `facilitate serve`?). Stop it or give another --port."
            ) from exc


def child_pids(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Voila's kernels run in sessions of their own)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def wait_until_up(proc: subprocess.Popen[bytes], url: str, timeout: float = 60.0) -> None:
    """Wait until Voila answers at ``url``; raise if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise FacilitationError(
                f"Voila stopped at start-up (exit {proc.returncode}). Is the port already in use? Try --port."
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status < 500:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise FacilitationError(f"Voila did not answer at {url} within {timeout:.0f} s.")


def stop_voila(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop Voila and its kernels (its process group): SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    kernels = child_pids(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # Voila shuts its kernels down on SIGTERM
        proc.wait(timeout=timeout)
        return
    except (ProcessLookupError, PermissionError):
        return
    except subprocess.TimeoutExpired:
        pass
    for pid in [proc.pid, *kernels]:  # a Voila stuck in a send ignores SIGTERM (VOILA.md)
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
    proc.wait(timeout=timeout)


def serve(
    db: str | None,
    event_id: int,
    *,
    host: str = "127.0.0.1",
    port: int = 8866,
    open_browser: bool = False,
    pool_size: int | None = None,
    max_kernels: int | None = None,
    per_address: int = 10,
    trusted_proxies: tuple[str, ...] = (),
) -> int:
    """Serve an event's pages until interrupted; prints the memory budget, every page's link and a QR code.

    Parameters
    ----------
    db : str or None
        SQLite file or ``postgresql+psycopg://`` URL (None: ``FACILITATION_DB`` or the default).
    event_id : int
        The event to serve.
    host, port : str, int
        Where Voila listens; ``0.0.0.0`` lets the tables' laptops reach it.
    open_browser : bool
        Open the projector page in this machine's browser.
    pool_size : int, optional
        Preheated ``table.ipynb`` kernels (default: one per table, at most 12, and at
        most half the kernel budget).
    max_kernels : int, optional
        Kernels in all, the pool included (default: what the free memory allows, less a reserve).
    per_address : int
        Kernels of pages opened from one client address.
    trusted_proxies : tuple of str
        Reverse proxies (addresses or networks) in front of the server: a request from
        one of them counts against the right-most address of its ``X-Forwarded-For``
        that is not a trusted proxy. Anyone else's ``X-Forwarded-For`` is ignored.

    Returns
    -------
    int
        The exit code (0 after Ctrl+C).
    """
    from facilitation.serving.rationing import trusted_networks

    try:
        trusted_networks(trusted_proxies)
    except ValueError as exc:
        raise FacilitationError(str(exc)) from None
    store = open_store(db)
    try:
        get_event(store, event_id)
        n_tables = len(list_tables(store, event_id))
    finally:
        store.close()
    pool = min(n_tables, MAX_POOL) if pool_size is None else max(0, int(pool_size))
    limits = limits_for(pool, max_kernels=max_kernels, per_address=per_address)
    pool = min(pool, limits.max_kernels // 2)  # the pool never takes the pages' kernels
    proc, base_url = start_voila(
        db, host=host, port=port, pool_size=pool, limits=limits, trusted_proxies=tuple(trusted_proxies)
    )
    print(f"facilitate: Voila is process {proc.pid}; stop with Ctrl+C", file=sys.stderr, flush=True)
    print(limits.describe(pool), flush=True)
    if trusted_proxies:
        print(
            f"trusted proxies: {', '.join(trusted_proxies)} (their X-Forwarded-For names the client)",
            flush=True,
        )

    def _stop(_sig: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)  # a service manager's stop also stops the kernels
    try:
        wait_until_up(proc, f"http://127.0.0.1:{port}/" if host in ("0.0.0.0", "::") else f"{base_url}/")
        links = page_links(db, event_id, base_url)
        for line in links.lines():
            print(line, flush=True)
        print(f"Tables join at {links.join} with the code on the projector:", flush=True)
        import segno

        segno.make(links.join, error="m").terminal(compact=True)
        sys.stdout.flush()
        if open_browser:
            import webbrowser

            webbrowser.open(links.projector)
        return proc.wait() or 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop_voila(proc)
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    from facilitation.serving.app import main

    main()
