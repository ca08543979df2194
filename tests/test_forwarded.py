"""Behind a reverse proxy (``facilitate serve --trusted-proxy``): whose address a request counts against.

The serving app's real join handler and kernel rationing, on a real tornado server on
127.0.0.1, requests sent with and without ``X-Forwarded-For``. Naive code fails one way
or the other: counting the socket address lumps every laptop behind a proxy into one
(ten wrong codes from one laptop lock the whole room out); believing the header from
anyone lets a loop write a new address into each request and escape every cap.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import tornado.httpserver
import tornado.ioloop
import tornado.netutil
import tornado.web

from facilitation.access import ORGANISER
from facilitation.events.rules import create_event
from facilitation.serving.app import JoinHandler, _Gatekeeper
from facilitation.serving.rationing import Limits, Ticket, client_address, trusted_networks
from facilitation.store import Store

LIMIT = 10  # wrong join codes a minute per address


class _Address(tornado.web.RequestHandler):
    """Where the serving app would count this request, as text (the page handler uses the same)."""

    def get(self) -> None:
        gate: _Gatekeeper = self.settings["facilitation_gate"]
        self.finish(gate.address(self.request))


@contextmanager
def served(store: Store, trusted: tuple[str, ...]) -> Iterator[tuple[str, _Gatekeeper]]:
    """The join page and an address probe on a free port of 127.0.0.1, in a thread of their own."""
    gate = _Gatekeeper(Limits(join_failures_per_minute=LIMIT), 0, trusted_networks(trusted))
    gate._store = store
    ready = threading.Event()
    held: dict[str, object] = {}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        app = tornado.web.Application(
            [(r"/voila/render/join\.ipynb", JoinHandler), (r"/address", _Address)], facilitation_gate=gate
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        held["port"], held["loop"] = sockets[0].getsockname()[1], tornado.ioloop.IOLoop.current()
        ready.set()
        tornado.ioloop.IOLoop.current().start()
        server.stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30)
    try:
        yield f"http://127.0.0.1:{held['port']}", gate
    finally:
        loop = held["loop"]
        assert isinstance(loop, tornado.ioloop.IOLoop)
        loop.add_callback(loop.stop)
        thread.join(10)


def post(url: str, data: dict[str, str], forwarded_for: str | None = None) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode())
    if forwarded_for is not None:
        request.add_header("X-Forwarded-For", forwarded_for)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def address(base: str, forwarded_for: str | None = None) -> str:
    request = urllib.request.Request(f"{base}/address")
    if forwarded_for is not None:
        request.add_header("X-Forwarded-For", forwarded_for)
    with urllib.request.urlopen(request, timeout=30) as resp:
        return resp.read().decode()


def wrong_codes(base: str, n: int, forwarded_for: list[str | None]) -> list[int]:
    join = f"{base}/voila/render/join.ipynb"
    return [
        post(join, {"code": f"WRONG{i:02d}", "table": "1"}, forwarded_for[i % len(forwarded_for)])
        for i in range(n)
    ]


def test_a_forged_forwarded_for_from_a_client_escapes_no_cap(store: Store) -> None:
    """No trusted proxy: 25 wrong codes, each claiming a new address, are one address's."""
    create_event(store, ORGANISER, template="innovation-challenge-half-day", title="T", tables=2)
    with served(store, ()) as (base, gate):
        forged = [f"10.9.{i}.{i}" for i in range(25)]
        answers = wrong_codes(base, 25, forged)
        assert answers[:LIMIT] == [400] * LIMIT and set(answers[LIMIT:]) == {429}, answers
        assert address(base, "10.9.9.9") == "127.0.0.1"
        # the kernel caps count the same address: a loop of forged headers fills only its own share
        tickets = [gate.rationer.admit(address(base, f"10.8.0.{i}")) for i in range(12)]
        assert sum(isinstance(t, Ticket) for t in tickets) == gate.limits.per_address
        assert tickets[-1] == "address"


def test_behind_a_trusted_proxy_two_clients_are_counted_apart(store: Store) -> None:
    """The proxy is 127.0.0.1: one laptop's wrong codes lock out that laptop, not the room;
    a laptop that writes its own X-Forwarded-For is still counted as the proxy saw it."""
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="T", tables=2)
    with served(store, ("127.0.0.1",)) as (base, gate):
        assert address(base, "192.168.1.20") == "192.168.1.20"
        # the laptop forged the left part; the proxy appended what it saw
        assert address(base, "10.0.0.1, 192.168.1.20") == "192.168.1.20"
        assert address(base) == "127.0.0.1"  # nothing forwarded: the proxy's own request
        a = ["203.0.113.5"]
        forging_a = [f"10.7.0.{i}, 203.0.113.5" for i in range(25)]
        answers = wrong_codes(base, 25, forging_a)
        assert answers[:LIMIT] == [400] * LIMIT and set(answers[LIMIT:]) == {429}, answers
        assert wrong_codes(base, 1, a) == [429]
        join = f"{base}/voila/render/join.ipynb"
        right = {"code": keys.join_code, "table": "2"}

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        request = urllib.request.Request(join, data=urllib.parse.urlencode(right).encode())
        request.add_header("X-Forwarded-For", "203.0.113.6")  # another laptop behind the same proxy
        try:
            urllib.request.build_opener(NoRedirect).open(request, timeout=30)
            status = 200
        except urllib.error.HTTPError as err:
            status = err.code
        assert status == 303  # sent on to its table's page
        assert wrong_codes(base, 1, ["203.0.113.6"]) == [400]  # its own count: one wrong code
        # kernels: each laptop has its own per-address share
        for laptop in ("203.0.113.5", "203.0.113.6"):
            tickets = [gate.rationer.admit(address(base, laptop)) for _ in range(gate.limits.per_address)]
            assert all(isinstance(t, Ticket) for t in tickets), laptop
        assert gate.rationer.admit(address(base, "203.0.113.5")) == "address"


def test_the_client_is_the_right_most_untrusted_address() -> None:
    proxies = trusted_networks(["127.0.0.1", "10.0.0.0/8"])
    assert client_address("127.0.0.1", ["1.2.3.4, 10.0.0.7", "10.0.0.8"], proxies) == "1.2.3.4"
    assert client_address("10.1.1.1", "9.9.9.9, 5.6.7.8, 10.2.2.2", proxies) == "5.6.7.8"
    assert client_address("::ffff:127.0.0.1", "5.6.7.8", proxies) == "5.6.7.8"
    assert client_address("127.0.0.1", "10.0.0.3, 10.0.0.4", proxies) == "127.0.0.1"  # only proxies
    assert client_address("127.0.0.1", "5.6.7.8:4431", proxies) == "127.0.0.1"  # unreadable: the proxy's
    assert client_address("192.0.2.1", "5.6.7.8", proxies) == "192.0.2.1"
    assert client_address("127.0.0.1", "5.6.7.8", ()) == "127.0.0.1"
