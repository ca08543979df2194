"""The Voila app that ``facilitate serve`` runs: Voila with a gate in front of every kernel.

- A page link is checked (:func:`facilitation.serving.gate.check_page`, against the store's
  hashed keys and the projector's derived key) before Voila starts or hands out a
  kernel: a wrong or missing key gets a one-line refusal (HTTP 403), an unknown page
  404, and no kernel, pooled or not.
- The join page is answered here, with no kernel: the form, then the typed code is
  checked and the browser is sent (303) to its table's page. Wrong codes are
  rate-limited per address.
- Kernels are rationed (:mod:`facilitation.serving.rationing`): at most ``max_kernels`` in
  all and ``max_kernels_per_address`` per client address; past that a page gets a
  short "the server is full, try again in a minute" (HTTP 503). A page whose browser
  never connects its kernel's websocket gives the kernel back after
  ``connect_grace`` seconds. The client address is the socket's, or, when that is one
  of ``trusted_proxies``, the right-most untrusted address of ``X-Forwarded-For``
  (:func:`facilitation.serving.rationing.client_address`).
- Responses are gzipped (Voila does not compress; 40 laptops share venue Wi-Fi).

Run as ``python -m facilitation.serving.server VOILA-ARGS`` (what ``facilitate serve`` does).
"""

from __future__ import annotations

import contextvars
import functools
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import tornado.httputil
import tornado.ioloop
import tornado.web
from jupyter_server.utils import url_path_join
from traitlets import Bool, Float, Int, List, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from facilitation.errors import FacilitationError, NotFound
from facilitation.serving.gate import PageQuery, check_page, join_table_link
from facilitation.serving.rationing import (
    KERNEL_MIB,
    FailureLimiter,
    Limits,
    Network,
    Rationer,
    Ticket,
    client_address,
    trusted_networks,
)
from facilitation.store import Store, open_store
from facilitation.ui.page import PageParams
from facilitation.ui.plain import MAX_TABLE_CHOICE, render_join, render_notice

__all__ = ["FacilitationVoila", "main"]

REAP_INTERVAL_MS = 2000
STATUS_INTERVAL_MS = 500
FULL = "The server is full: try again in a minute."
ADDRESS_FULL = "This computer has too many pages opening: close a tab, or try again in a minute."
TOO_MANY_CODES = "Too many wrong join codes from this computer: wait a minute, then try again."
MIN_FREE_KERNELS = 2  # refuse a page when less memory is free than this many kernels need

_TICKET: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar("facilitation_ticket", default=None)


class _Gatekeeper:
    """What the handlers share: the store, the rationing, the join-code limiter."""

    def __init__(self, limits: Limits, pool_size: int, trusted_proxies: tuple[Network, ...] = ()) -> None:
        self.limits = limits
        self.trusted_proxies = trusted_proxies
        self.rationer = Rationer(limits, pool_size=pool_size)
        self.join_failures = FailureLimiter(per_minute=limits.join_failures_per_minute)
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store()
        return self._store

    def address(self, request: tornado.httputil.HTTPServerRequest) -> str:
        """The client address a request counts against (see :func:`client_address`)."""
        peer = request.remote_ip or "?"
        return client_address(peer, request.headers.get_list("X-Forwarded-For"), self.trusted_proxies)

    def memory_short(self) -> bool:
        import psutil

        free_mib = psutil.virtual_memory().available / 2**20
        return free_mib < MIN_FREE_KERNELS * self.limits.kernel_mib


def _plain(handler: tornado.web.RequestHandler, status: int, page: str) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    handler.set_header("X-Content-Type-Options", "nosniff")
    handler.finish(page)


class GuardedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, behind the gate and the kernel rationing."""

    async def get(self, path: str | None = None) -> None:
        gate: _Gatekeeper = self.settings["facilitation_gate"]
        notebook = (path or "").strip("/")
        page = notebook[: -len(".ipynb")] if notebook.endswith(".ipynb") else ""
        params = PageParams.from_query(self.request.query)
        try:
            if page not in self.settings.get("facilitation_open_pages", ()):
                check_page(gate.store, page, PageQuery(params.event, params.key, params.table))
        except NotFound as exc:
            return _plain(self, 404, render_notice(str(exc)))
        except FacilitationError as exc:
            return _plain(self, 403, render_notice(str(exc)))
        admitted = gate.rationer.admit(gate.address(self.request))
        if not isinstance(admitted, Ticket) or gate.memory_short():
            if isinstance(admitted, Ticket):
                gate.rationer.served(admitted)  # gives it back: it has no kernel
            self.set_header("Retry-After", "60")
            message = ADDRESS_FULL if admitted == "address" else FULL
            return _plain(self, 503, render_notice(message, title="The server is full"))
        token = _TICKET.set(admitted)
        try:
            await super().get(path)
        finally:
            _TICKET.reset(token)
            gate.rationer.served(admitted)


class JoinHandler(tornado.web.RequestHandler):
    """The join page, with no kernel: the form, and on a right code a redirect to the table's page."""

    def _params(self) -> tuple[str, int | None, int | None]:
        def number(name: str) -> int | None:
            value = (self.get_argument(name, "") or "").strip()
            return int(value) if value.isdigit() and len(value) < 9 else None

        return (self.get_argument("code", "") or "")[:40], number("table"), number("event")

    def get(self) -> None:
        code, table, event = self._params()
        _plain(self, 200, render_join(code=code, table=table, event=event))

    def post(self) -> None:
        gate: _Gatekeeper = self.settings["facilitation_gate"]
        address = gate.address(self.request)
        code, table, event = self._params()
        if gate.join_failures.blocked(address):
            self.set_header("Retry-After", "60")
            return _plain(self, 429, render_join(code=code, table=table, event=event, message=TOO_MANY_CODES))
        if table is None or not 1 <= table <= MAX_TABLE_CHOICE:
            return _plain(self, 400, render_join(code=code, event=event, message="Choose your table."))
        try:
            event_id, number, key = join_table_link(gate.store, code, table, event)
        except FacilitationError as exc:
            gate.join_failures.failed(address)
            return _plain(self, 400, render_join(code=code, table=table, event=event, message=str(exc)))
        base = self.settings.get("base_url", "/")
        target = url_path_join(base, "voila/render/table.ipynb")
        self.redirect(f"{target}?{urlencode({'event': event_id, 'table': number, 'key': key})}", status=303)


def warm_pages(km: Any) -> dict[str, list[int]]:
    """``{notebook: [warm, pool size]}`` of Voila's kernel pools.

    A pooled kernel is warm when its page has run its imports and waits for its
    visitor: it has opened Voila's request-info socket (``get_query_string``).
    """
    from voila.request_info_handler import RequestInfoSocketHandler

    waiting = RequestInfoSocketHandler._waiters
    config = getattr(km, "kernel_pools_config", {}) or {}
    out: dict[str, list[int]] = {}
    for notebook, pool in getattr(km, "_pools", {}).items():
        size = int(config.get(notebook, {}).get("pool_size", 0))
        if size <= 0:
            continue
        warm = 0
        for task in pool:
            if task.done() and not task.cancelled() and task.exception() is None:
                warm += task.result().get("kernel_id") in waiting
        out[notebook] = [warm, size]
    return out


class FacilitationVoila(Voila):  # type: ignore[misc]
    """Voila with the gate, the kernel rationing, the kernel-free join page and gzip."""

    max_kernels = Int(40, config=True, help="kernels in all, the preheated pool included")
    max_kernels_per_address = Int(10, config=True, help="kernels of pages from one client address")
    connect_grace = Float(
        30.0, config=True, help="seconds a page's browser has to connect its kernel (slow Wi-Fi: 30)"
    )
    join_failures_per_minute = Int(10, config=True, help="wrong join codes per address per minute")
    pool_size = Int(0, config=True, help="preheated kernels in all (counted against max_kernels)")
    kernel_mib = Int(KERNEL_MIB, config=True, help="a warmed kernel's RSS in MiB, measured by serve")
    status_file = Unicode(
        "", config=True, help="where the pool's warm pages are kept for `facilitate serve` (JSON)"
    )
    gzip = Bool(True, config=True, help="gzip compressible responses")
    trusted_proxies = List(
        Unicode(),
        [],
        config=True,
        help="reverse proxies (addresses or networks) whose X-Forwarded-For names the client",
    )
    open_pages = List(
        Unicode(),
        [],
        config=True,
        help="benchmark pages served with no key, still rationed (benchmarks/page_load.py's bare page); "
        "`facilitate serve` never sets it",
    )

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        limits = Limits(
            max_kernels=self.max_kernels,
            per_address=self.max_kernels_per_address,
            connect_grace=self.connect_grace,
            join_failures_per_minute=self.join_failures_per_minute,
            kernel_mib=self.kernel_mib,
        )
        self.gate = _Gatekeeper(limits, self.pool_size, trusted_networks(self.trusted_proxies))
        settings["facilitation_gate"] = self.gate
        settings["facilitation_open_pages"] = tuple(self.open_pages)
        self._watch_kernel_manager(self.kernel_manager, self.gate.rationer)
        return settings

    @staticmethod
    def _watch_kernel_manager(km: Any, rationer: Rationer) -> None:
        """Note which kernel a page request got, and when browsers connect to kernels.

        The handler starts a kernel through ``km.start_kernel`` or takes a preheated one
        through ``km.get_rendered_notebook``; both are wrapped on the instance, so the
        pool's own refills (which call the class's method) are not page kernels.
        """

        def wrap_start(original: Any) -> Any:
            @functools.wraps(original)
            async def start_kernel(*args: Any, **kwargs: Any) -> Any:
                kernel_id = await original(*args, **kwargs)
                ticket = _TICKET.get()
                if ticket is not None:
                    rationer.started(ticket, kernel_id)
                return kernel_id

            return start_kernel

        def wrap_pooled(original: Any) -> Any:
            @functools.wraps(original)
            async def get_rendered_notebook(*args: Any, **kwargs: Any) -> Any:
                result = await original(*args, **kwargs)
                ticket = _TICKET.get()
                if ticket is not None:
                    rationer.started(ticket, result[2])
                return result

            return get_rendered_notebook

        km.start_kernel = wrap_start(km.start_kernel)
        if hasattr(km, "get_rendered_notebook"):
            km.get_rendered_notebook = wrap_pooled(km.get_rendered_notebook)
        connect, disconnect = km.notify_connect, km.notify_disconnect

        def notify_connect(kernel_id: str) -> None:
            connect(kernel_id)
            rationer.connected(kernel_id)

        def notify_disconnect(kernel_id: str) -> None:
            disconnect(kernel_id)
            rationer.disconnected(kernel_id)

        km.notify_connect, km.notify_disconnect = notify_connect, notify_disconnect

    def init_handlers(self) -> list[Any]:
        handlers: list[Any] = []
        for spec in super().init_handlers():
            if len(spec) > 1 and spec[1] is TornadoVoilaHandler:
                spec = (spec[0], GuardedVoilaHandler, *spec[2:])
            handlers.append(spec)
        join = (url_path_join(self.server_url, r"/voila/render/join\.ipynb"), JoinHandler)
        return [join, *handlers]

    async def _reap(self) -> None:
        km = self.kernel_manager
        for kernel_id in self.gate.rationer.to_reap(km.list_kernel_ids()):
            self.log.info("Kernel %s: its page never connected; shutting it down", kernel_id)
            try:
                await km.shutdown_kernel(kernel_id)
            except Exception as exc:  # a kernel gone already is fine; keep reaping
                self.log.warning("Could not shut down kernel %s: %s", kernel_id, exc)

    def _write_status(self) -> None:
        """Keep the pool's warm pages in ``status_file`` (only when they change)."""
        status = {"pools": warm_pages(self.kernel_manager)}
        if status == self._last_status:
            return
        self._last_status = status
        path = Path(self.status_file)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(status))
        tmp.replace(path)

    def listen(self) -> None:
        if self.gzip and tornado.web.GZipContentEncoding not in self.app.transforms:
            self.app.transforms.append(tornado.web.GZipContentEncoding)
        tornado.ioloop.PeriodicCallback(self._reap, REAP_INTERVAL_MS).start()
        if self.status_file:
            self._last_status: dict[str, Any] | None = None
            tornado.ioloop.PeriodicCallback(self._write_status, STATUS_INTERVAL_MS).start()
        self.log.info("Kernel rationing: %s", self.gate.limits)
        super().listen()


def main(argv: list[str] | None = None) -> None:
    """Run the app (``python -m facilitation.serving.server``)."""
    FacilitationVoila.launch_instance(argv)
