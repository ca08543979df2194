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
from facilitation.events import event_keys, get_event, list_tables
from facilitation.serving.gate import event_projector_key
from facilitation.serving.rationing import KERNEL_MIB, Limits, memory_budget
from facilitation.store import open_store

__all__ = [
    "PageLinks",
    "PoolPlan",
    "available_mib",
    "child_pids",
    "limits_for",
    "measure_kernel_mib",
    "notebooks_dir",
    "page_links",
    "plan_pool",
    "pool_status",
    "serve",
    "spares_for",
    "start_voila",
    "voila_command",
    "voila_config",
]

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # facilitation/, above this package
TEMPLATE = "facilitation"
CULL_IDLE_SECONDS = 300
CULL_INTERVAL_SECONDS = 60
MAX_POOL = 12  # the old cap of the pool, kept for the benchmarks' comparison runs
# A page taken from the pool is replaced at once: while the room is joining, the next
# laptop must find a warm page too (the pool holds a page for every table and spares).
REFILL_DELAY_SECONDS = 0
WARM_PAGES = ("projector.ipynb", "facilitator.ipynb")  # one preheated kernel each, beside the tables'
MIN_SPARES = 2  # preheated table pages for second laptops: a quarter more than the tables, at least two
STATUS_INTERVAL_SECONDS = 0.5
STATUS_FILE = "pool-status.json"
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


def limits_for(
    pool_size: int,
    *,
    max_kernels: int | None = None,
    per_address: int = 10,
    kernel_mib: int = KERNEL_MIB,
    free_mib: int | None = None,
) -> Limits:
    """The kernel rationing of a serve run: what the free memory allows, at most ``max_kernels``.

    ``free_mib`` defaults to :func:`available_mib`; ``kernel_mib`` is a warmed kernel's RSS.
    """
    return memory_budget(
        available_mib() if free_mib is None else free_mib,
        kernel_mib=kernel_mib,
        max_kernels=max_kernels,
        per_address=per_address,
    )


def spares_for(tables: int) -> int:
    """Preheated table pages for second laptops: a quarter more than the tables, at least two.

    Examples
    --------
    >>> [spares_for(n) for n in (0, 4, 8, 9, 30, 40)]
    [2, 2, 2, 3, 8, 10]
    """
    return max(MIN_SPARES, -(-tables // 4))


@dataclass(frozen=True)
class PoolPlan:
    """How many pages ``facilitate serve`` preheats, and what the memory allows.

    ``wanted`` is a page for every table, the spares, the projector and the console;
    ``table_pool`` and ``other_pools`` are what the memory budget lets it preheat.
    A warm page taken by a laptop is refilled at once, so the budget must hold the
    pool and the pages in use (every table's, the projector's, the console's) together.
    """

    tables: int
    spares: int
    table_pool: int
    other_pools: tuple[tuple[str, int], ...]
    limits: Limits
    explicit: bool = False

    @property
    def wanted(self) -> int:
        """Warm pages wanted: every table, the spares, the projector and the console."""
        return self.tables + self.spares + len(WARM_PAGES)

    @property
    def size(self) -> int:
        """Kernels preheated in all."""
        return self.table_pool + sum(n for _, n in self.other_pools)

    def pools(self) -> dict[str, int]:
        """Voila's ``kernel_pools_config`` sizes, notebook by notebook."""
        return {"table.ipynb": self.table_pool, **dict(self.other_pools)}

    def short(self) -> bool:
        """Whether the memory holds fewer warm pages than wanted."""
        return not self.explicit and self.size < self.wanted

    def describe(self) -> list[str]:
        """What ``facilitate serve`` prints about the pool before it fills.

        Examples
        --------
        >>> print("\\n".join(plan_pool(30, memory_budget(4096, kernel_mib=64)).describe()))
        Not enough memory for a warm page at every table: 4.0 GiB free holds 51 page kernels of 64 MiB;
        30 tables, 8 spares, the projector and the console want 40 warm pages beside the 32 pages in use (72 kernels, 4.5 GiB).
        Preheating 19 of the 40 (the projector, the console and 17 table pages); the other tables' pages start cold (10-20 s each).
        >>> print("\\n".join(plan_pool(30, memory_budget(2048, kernel_mib=64)).describe()))
        Not enough memory for a warm page at every table: 2.0 GiB free holds 24 page kernels of 64 MiB;
        30 tables, 8 spares, the projector and the console want 40 warm pages beside the 32 pages in use (72 kernels, 4.5 GiB).
        Preheating none: 24 pages can be open at once, so 8 of the 32 will be told the server is full. Free memory or use a larger machine.
        """
        lim = self.limits
        if self.explicit:
            return [f"preheating {self.table_pool} table page(s) (--pool)"]
        if not self.short():
            return [
                f"preheating {self.size} pages: {self.tables} tables, {self.spares} spares for second "
                f"laptops, the projector and the console ({self.size * lim.kernel_mib / 1024:.1f} GiB "
                f"at {lim.kernel_mib} MiB a warm kernel; memory for {lim.max_kernels} kernels)"
            ]
        in_use = self.tables + len(WARM_PAGES)
        need = self.wanted + in_use
        by_memory = memory_budget(lim.available_mib, kernel_mib=lim.kernel_mib).max_kernels
        holder = (
            f"{lim.available_mib / 1024:.1f} GiB free"
            if by_memory <= lim.max_kernels
            else "the kernel budget (--max-kernels)"
        )
        lines = [
            "Not enough memory for a warm page at every table: "
            f"{holder} holds {lim.max_kernels} page kernels of {lim.kernel_mib} MiB;",
            f"{self.tables} tables, {self.spares} spares, the projector and the console want "
            f"{self.wanted} warm pages beside the {in_use} pages in use "
            f"({need} kernels, {need * lim.kernel_mib / 1024:.1f} GiB).",
        ]
        if self.size == 0:
            lines.append(
                f"Preheating none: {lim.max_kernels} pages can be open at once, so "
                f"{max(0, in_use - lim.max_kernels)} of the {in_use} will be told the server is full. "
                "Free memory or use a larger machine."
            )
            return lines
        warm = [
            {"projector.ipynb": "the projector", "facilitator.ipynb": "the console"}[nb]
            for nb, n in self.other_pools
            if n
        ]
        lines.append(
            f"Preheating {self.size} of the {self.wanted} ("
            + ", ".join([*warm, f"{self.table_pool} table pages"][:-1])
            + (" and " if warm else "")
            + f"{self.table_pool} table pages); the other tables' pages start cold (10-20 s each)."
        )
        return lines


def plan_pool(tables: int, limits: Limits, pool_size: int | None = None) -> PoolPlan:
    """The warm pages of a serve run: every table, spares, projector and console, within ``limits``.

    The pool and the pages in use must fit the kernel budget together (a taken page is
    refilled at once), so the pool gets what is left after every table's, the projector's
    and the console's page: the projector and the console first, then the tables. An
    explicit ``pool_size`` (``--pool``) preheats that many table pages only, at most half
    the budget, as before.

    Examples
    --------
    >>> plan = plan_pool(30, memory_budget(20_000, kernel_mib=64))
    >>> plan.wanted, plan.size, plan.pools()
    (40, 40, {'table.ipynb': 38, 'projector.ipynb': 1, 'facilitator.ipynb': 1})
    >>> plan_pool(4, memory_budget(20_000)).pools()
    {'table.ipynb': 6, 'projector.ipynb': 1, 'facilitator.ipynb': 1}
    >>> plan_pool(30, memory_budget(20_000), pool_size=2).pools()
    {'table.ipynb': 2}
    """
    spares = spares_for(tables)
    if pool_size is not None:
        table_pool = max(0, min(int(pool_size), limits.max_kernels // 2))
        return PoolPlan(tables, spares, table_pool, (), limits, explicit=True)
    wanted = tables + spares + len(WARM_PAGES)
    room = max(0, min(wanted, limits.max_kernels - tables - len(WARM_PAGES)))
    others = tuple((nb, 1 if i < room else 0) for i, nb in enumerate(WARM_PAGES))
    return PoolPlan(tables, spares, room - sum(n for _, n in others), others, limits)


def available_mib() -> int:
    """Memory free for kernels: psutil's available memory, within this process's cgroup limit if any.

    A service manager's memory budget (``MemoryMax=``, a container's limit) caps the
    kernels too: what is left under it counts when it is less than the machine's.
    """
    import psutil

    free = int(psutil.virtual_memory().available // 2**20)
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
    except (OSError, ValueError):
        return free
    if limit.isdigit():
        free = min(free, max(0, (int(limit) - used) // 2**20))
    return free


def measure_kernel_mib(notebook: str = "table.ipynb", timeout: float = 120.0) -> int | None:
    """The RSS in MiB of a warmed kernel: one started as Voila's pool starts them, its imports run.

    Runs the notebook's cells up to the page call (the first cell: what a pooled kernel
    runs before its visitor comes), reads the kernel process's RSS and shuts it down.
    None when no kernel could be started.
    """
    import psutil
    from jupyter_client.manager import KernelManager

    nb = json.loads((notebooks_dir() / notebook).read_text())
    first = next(("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"), "")
    km = KernelManager(kernel_name="python3", transport="ipc")
    try:
        km.start_kernel(env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        client = km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=timeout)
            reply = client.execute_interactive(first, timeout=timeout, output_hook=lambda _msg: None)
            if reply["content"]["status"] != "ok":
                return None
            pid = km.provisioner.pid if km.provisioner else None  # type: ignore[union-attr]
            if pid is None:
                return None
            return int(psutil.Process(pid).memory_info().rss / 2**20 + 0.5)
        finally:
            client.stop_channels()
    except Exception:  # a probe that fails falls back to the measured default
        return None
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)


def voila_config(
    pool_size: int | dict[str, int],
    limits: Limits | None = None,
    *,
    gzip: bool = True,
    open_pages: tuple[str, ...] = (),
    trusted_proxies: tuple[str, ...] = (),
    status_file: str | Path | None = None,
) -> dict[str, Any]:
    """The Voila configuration (``voila.json``) of a serve run.

    ``pool_size`` is the preheated ``table.ipynb`` kernels, or the pool of each
    notebook (:meth:`PoolPlan.pools`). ``open_pages`` names notebooks served with no
    key (still rationed): only the benchmarks' bare page; :func:`serve` never passes
    it. ``trusted_proxies`` are the reverse proxies whose ``X-Forwarded-For`` names
    the client (``--trusted-proxy``). ``status_file`` is where the app keeps how many
    pooled pages are warm (what ``serve`` shows while the pool fills).
    """
    limits = limits or Limits()
    pools = {"table.ipynb": pool_size} if isinstance(pool_size, int) else dict(pool_size)
    pools = {nb: max(0, int(n)) for nb, n in pools.items() if n}
    total = sum(pools.values())
    app: dict[str, Any] = {
        "max_kernels": limits.max_kernels,
        "max_kernels_per_address": limits.per_address,
        "connect_grace": limits.connect_grace,
        "join_failures_per_minute": limits.join_failures_per_minute,
        "kernel_mib": limits.kernel_mib,
        "pool_size": total,
        "gzip": gzip,
    }
    if status_file is not None:
        app["status_file"] = str(status_file)
    if open_pages:
        app["open_pages"] = list(open_pages)
    if trusted_proxies:
        app["trusted_proxies"] = list(trusted_proxies)
    return {
        "FacilitationVoila": app,
        "VoilaConfiguration": {
            "template": TEMPLATE,
            "preheat_kernel": total > 0,
            "default_pool_size": 0,
            "show_tracebacks": False,
        },
        "Voila": {
            "open_browser": False,
            "port_retries": 0,
            "tornado_settings": {"disable_check_xsrf": True},
        },
        "VoilaKernelManager": {
            "kernel_pools_config": {
                **{nb: {"pool_size": n} for nb, n in pools.items()},
                "default": {"pool_size": 0},
            },
            # Refill at once: with a warm page for every table and spares, a refill no
            # longer competes with cold pages for the CPU, and the next laptop needs it.
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
    pools: dict[str, int] | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start the Voila process (without waiting for it) and return it with its base URL.

    ``limits`` rations the kernels (default: :func:`limits_for` the pool size);
    ``open_pages`` is for benchmarks only; ``trusted_proxies`` as in :func:`voila_config`;
    ``pools`` (a :meth:`PoolPlan.pools`) replaces ``pool_size`` when given. The app keeps
    its pool's state in ``pool-status.json`` beside its config (:func:`pool_status`).
    """
    _check_port_free(host, port)
    limits = limits or limits_for(pool_size)
    config_dir = Path(tempfile.mkdtemp(prefix="facilitation-voila-"))
    config = voila_config(
        pools if pools is not None else pool_size,
        limits,
        gzip=gzip,
        open_pages=open_pages,
        trusted_proxies=trusted_proxies,
        status_file=config_dir / STATUS_FILE,
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
    proc.status_path = config_dir / STATUS_FILE  # type: ignore[attr-defined]
    return proc, base_url


def pool_status(proc: subprocess.Popen[bytes]) -> dict[str, list[int]]:
    """The warm pages of each pooled notebook, ``{"table.ipynb": [ready, size], ...}``, as the app last wrote them."""
    path = getattr(proc, "status_path", None)
    try:
        data = json.loads(Path(path).read_text()) if path else {}
    except (OSError, ValueError):
        return {}
    return {str(k): [int(v[0]), int(v[1])] for k, v in data.get("pools", {}).items()}


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


def warming_line(status: dict[str, list[int]], plan: PoolPlan) -> str:
    """The progress line while the pool fills.

    Examples
    --------
    >>> plan = plan_pool(30, memory_budget(20_000, kernel_mib=64))
    >>> warming_line({"table.ipynb": [10, 38], "projector.ipynb": [1, 1]}, plan)
    'Warming pages: 11/40'
    """
    ready = sum(min(r, plan.pools().get(nb, 0)) for nb, (r, _size) in status.items())
    return f"Warming pages: {ready}/{plan.size}"


def ready_line(plan: PoolPlan, seconds: float) -> str:
    """The one line ``serve`` prints when every preheated page is warm.

    Examples
    --------
    >>> ready_line(plan_pool(30, memory_budget(20_000, kernel_mib=64)), 94.4)
    "Ready: every table's page is warm (30 tables, 8 spares, the projector and the console; 40 kernels in 94 s). Open the doors."
    """
    if plan.explicit:
        return f"Ready: {plan.table_pool} table page(s) warm ({plan.size} kernels in {seconds:.0f} s)."
    if plan.table_pool < plan.tables:
        return (
            f"Ready: {plan.size} pages warm, {plan.table_pool} of them for the {plan.tables} tables "
            f"(the others start cold; {seconds:.0f} s)."
        )
    return (
        f"Ready: every table's page is warm ({plan.tables} tables, {plan.table_pool - plan.tables} spares, "
        f"the projector and the console; {plan.size} kernels in {seconds:.0f} s). Open the doors."
    )


def show_warming(proc: subprocess.Popen[bytes], plan: PoolPlan, started: float) -> bool:
    """Show ``Warming pages: k/n`` while the pool fills, then the ready line; False if Voila stopped first.

    On a terminal the count is redrawn in place; in a log each new count is a line.
    """
    tty = sys.stdout.isatty()
    shown = ""
    while proc.poll() is None:
        status = pool_status(proc)
        line = warming_line(status, plan)
        if line != shown:
            print(("\r" if tty else "") + line, end="" if tty else "\n", flush=True)
            shown = line
        ready = sum(min(r, plan.pools().get(nb, 0)) for nb, (r, _size) in status.items())
        if ready >= plan.size:
            if tty:
                print(flush=True)
            print(ready_line(plan, time.monotonic() - started), flush=True)
            return True
        time.sleep(STATUS_INTERVAL_SECONDS)
    return False


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
    """Serve an event's pages until interrupted.

    Prints the memory budget and the warm pages it holds, every page's link and a QR
    code, then ``Warming pages: k/n`` while the pool fills and one line when every
    table's page is warm.

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
        Preheat exactly this many ``table.ipynb`` kernels and nothing else (at most half
        the kernel budget). Default: a warm page for every table, spares for second
        laptops (a quarter more, at least two), the projector and the console, as far
        as the memory holds them beside the pages in use (:func:`plan_pool`), with a
        warmed kernel's RSS measured first (:func:`measure_kernel_mib`).
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
    kernel_mib = KERNEL_MIB
    if pool_size is None:
        print("facilitate: measuring a warm table page's kernel ...", file=sys.stderr, flush=True)
        measured = measure_kernel_mib()
        kernel_mib = measured or KERNEL_MIB
    limits = limits_for(0, max_kernels=max_kernels, per_address=per_address, kernel_mib=kernel_mib)
    plan = plan_pool(n_tables, limits, pool_size)
    proc, base_url = start_voila(
        db,
        host=host,
        port=port,
        pool_size=plan.table_pool,
        pools=plan.pools(),
        limits=limits,
        trusted_proxies=tuple(trusted_proxies),
    )
    print(f"facilitate: Voila is process {proc.pid}; stop with Ctrl+C", file=sys.stderr, flush=True)
    print(limits.describe(plan.size), flush=True)
    for line in plan.describe():
        print(line, flush=True)
    if trusted_proxies:
        print(
            f"trusted proxies: {', '.join(trusted_proxies)} (their X-Forwarded-For names the client)",
            flush=True,
        )

    def _stop(_sig: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)  # a service manager's stop also stops the kernels
    try:
        started = time.monotonic()
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
        if plan.size:
            show_warming(proc, plan, started)
        return proc.wait() or 0
        return proc.wait() or 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop_voila(proc)
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    from facilitation.serving.app import main

    main()
