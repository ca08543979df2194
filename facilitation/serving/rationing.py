"""Kernels are the server's scarce resource: who may have one, how many, and for how long.

Pure bookkeeping, with no tornado and no Voila in it, so that it is tested on its own;
``facilitation.serving.app`` calls it around every page request. A page's kernel is
a *ticket*: admitted (or refused because the server or this address is full), given
its kernel id once Voila starts one, marked served when the page's HTML is sent, and
reaped when its browser never connects the kernel's websocket within the grace period.
Wrong join codes are counted per address in a sliding minute.

Which address a request counts against is :func:`client_address`: the socket's, unless
that is a trusted reverse proxy (``facilitate serve --trusted-proxy``), and then the
right-most address of ``X-Forwarded-For`` that is not a trusted proxy. A header from
anyone else is ignored, so a loop cannot forge its way past the caps.
"""

from __future__ import annotations

import ipaddress
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = [
    "FailureLimiter",
    "Limits",
    "Network",
    "Rationer",
    "Ticket",
    "client_address",
    "memory_budget",
    "trusted_networks",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

KERNEL_MIB = 120  # a page kernel with the package imported: 110-120 MiB (VOILA.md; 20 kernels, +2.3 GiB)
MIN_RESERVE_MIB = 512  # left to the system, the database and Voila itself


@dataclass(frozen=True)
class Limits:
    """The rationing of one serve run.

    ``max_kernels`` counts every kernel, the preheated pool included; ``per_address``
    counts the kernels of one client address that are starting, waiting for their
    browser, or connected (a closed tab's kernel counts only towards the total until
    it is culled).
    """

    max_kernels: int = 40
    per_address: int = 10
    connect_grace: float = 30.0
    join_failures_per_minute: int = 10
    kernel_mib: int = KERNEL_MIB
    available_mib: int = 0

    def describe(self, pool_size: int) -> str:
        """The line ``facilitate serve`` prints.

        Examples
        --------
        >>> Limits(max_kernels=30, per_address=10, available_mib=8192).describe(6)
        'memory budget: 3.5 GiB for page kernels (8.0 GiB free, 120 MiB a kernel): at most 30 kernels (6 preheated), 10 per address; pages past that are told to try again in a minute'
        """
        return (
            f"memory budget: {self.max_kernels * self.kernel_mib / 1024:.1f} GiB for page kernels "
            f"({self.available_mib / 1024:.1f} GiB free, {self.kernel_mib} MiB a kernel): "
            f"at most {self.max_kernels} kernels ({pool_size} preheated), {self.per_address} per address; "
            "pages past that are told to try again in a minute"
        )


def memory_budget(
    available_mib: int,
    *,
    kernel_mib: int = KERNEL_MIB,
    per_address: int = 10,
    max_kernels: int | None = None,
    connect_grace: float = 30.0,
) -> Limits:
    """Limits that keep every kernel within the free memory, less a reserve.

    The reserve is a fifth of the free memory, at least 512 MiB. ``max_kernels``, when
    given, may only lower the computed cap.

    Examples
    --------
    >>> memory_budget(8192).max_kernels
    54
    >>> memory_budget(8192, max_kernels=20).max_kernels, memory_budget(600).max_kernels
    (20, 2)
    >>> memory_budget(8192, per_address=100).per_address
    54
    """
    reserve = max(MIN_RESERVE_MIB, available_mib // 5)
    cap = max(2, (available_mib - reserve) // kernel_mib)
    if max_kernels is not None:
        cap = max(1, min(cap, int(max_kernels)))
    return Limits(
        max_kernels=cap,
        per_address=max(1, min(int(per_address), cap)),
        connect_grace=connect_grace,
        kernel_mib=kernel_mib,
        available_mib=available_mib,
    )


@dataclass
class Ticket:
    """One page request's claim on a kernel."""

    address: str
    admitted_at: float
    kernel_id: str | None = None
    served_at: float | None = None  # the page's HTML was sent: the grace period starts
    connections: int = 0
    ever_connected: bool = False


@dataclass
class Rationer:
    """Kernel accounting for page requests (the preheated pool is counted, not tracked).

    Examples
    --------
    >>> now = [0.0]
    >>> r = Rationer(Limits(max_kernels=4, per_address=2, connect_grace=5), pool_size=1, clock=lambda: now[0])
    >>> a, b = r.admit("10.0.0.5"), r.admit("10.0.0.5")
    >>> r.admit("10.0.0.5")  # this address has two pages starting
    'address'
    >>> c = r.admit("10.0.0.6")
    >>> r.admit("10.0.0.7")  # three page kernels and the pool: the server is full
    'full'
    >>> r.served(c)  # its request ended before a kernel started: the ticket is given back
    >>> r.started(a, "k1"); r.started(b, "k2"); r.served(a); r.served(b)
    >>> r.connected("k1")
    >>> now[0] = 6.0
    >>> r.to_reap({"k1", "k2"})  # k2's browser never connected
    ['k2']
    >>> isinstance(r.admit("10.0.0.6"), Ticket)
    True
    """

    limits: Limits
    pool_size: int = 0
    clock: Callable[[], float] = time.monotonic
    tickets: list[Ticket] = field(default_factory=list)

    @property
    def page_kernels(self) -> int:
        """Kernels held by pages (and pages starting one)."""
        return len(self.tickets)

    def _counts_for_address(self, t: Ticket) -> bool:
        return t.served_at is None or t.connections > 0 or not t.ever_connected

    def admit(self, address: str) -> Ticket | str:
        """A ticket, or why not: ``"full"`` (the whole server) or ``"address"`` (this address)."""
        if self.page_kernels + self.pool_size >= self.limits.max_kernels:
            return "full"
        mine = sum(1 for t in self.tickets if t.address == address and self._counts_for_address(t))
        if mine >= self.limits.per_address:
            return "address"
        ticket = Ticket(address, self.clock())
        self.tickets.append(ticket)
        return ticket

    def started(self, ticket: Ticket, kernel_id: str) -> None:
        """Voila started (or handed out) ``kernel_id`` for this ticket's page."""
        ticket.kernel_id = kernel_id

    def served(self, ticket: Ticket) -> None:
        """The page's response ended; a ticket that got no kernel is given back at once."""
        ticket.served_at = self.clock()
        if ticket.kernel_id is None and ticket in self.tickets:
            self.tickets.remove(ticket)

    def _ticket_of(self, kernel_id: str) -> Ticket | None:
        return next((t for t in self.tickets if t.kernel_id == kernel_id), None)

    def connected(self, kernel_id: str) -> None:
        """A browser connected the kernel's websocket."""
        t = self._ticket_of(kernel_id)
        if t is not None:
            t.connections += 1
            t.ever_connected = True

    def disconnected(self, kernel_id: str) -> None:
        """A kernel websocket closed."""
        t = self._ticket_of(kernel_id)
        if t is not None:
            t.connections = max(0, t.connections - 1)

    def to_reap(self, alive: Iterable[str]) -> list[str]:
        """Kernels to shut down now (served, never connected, past the grace); forgets dead kernels."""
        alive = set(alive)
        now = self.clock()
        reap = []
        for t in list(self.tickets):
            if t.kernel_id is None or t.served_at is None:
                continue  # still starting: the page is being rendered
            if t.kernel_id not in alive:
                self.tickets.remove(t)  # shut down by its tab, culled, or reaped
            elif not t.ever_connected and now - t.served_at > self.limits.connect_grace:
                self.tickets.remove(t)
                reap.append(t.kernel_id)
        return reap


@dataclass
class FailureLimiter:
    """Failures per address in a sliding minute (wrong join codes).

    Examples
    --------
    >>> now = [0.0]
    >>> lim = FailureLimiter(per_minute=3, clock=lambda: now[0])
    >>> for _ in range(3):
    ...     lim.failed("10.0.0.9")
    >>> lim.blocked("10.0.0.9"), lim.blocked("10.0.0.8")
    (True, False)
    >>> now[0] = 61.0
    >>> lim.blocked("10.0.0.9")
    False
    """

    per_minute: int = 10
    clock: Callable[[], float] = time.monotonic
    window: float = 60.0
    _seen: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def _trim(self, address: str) -> deque[float]:
        times = self._seen[address]
        cutoff = self.clock() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._seen[address]
            return deque()
        return times

    def blocked(self, address: str) -> bool:
        """Whether this address used up its failures for the minute."""
        return address in self._seen and len(self._trim(address)) >= self.per_minute

    def failed(self, address: str) -> None:
        """Count one failure for this address."""
        self._seen[address].append(self.clock())


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:10.0.0.5 is 10.0.0.5
    return mapped or ip


def trusted_networks(addresses: Iterable[str]) -> tuple[Network, ...]:
    """The reverse proxies to believe, from ``--trusted-proxy`` values (an address or a network).

    Examples
    --------
    >>> [str(n) for n in trusted_networks(["127.0.0.1", "10.1.0.0/16", "::1"])]
    ['127.0.0.1/32', '10.1.0.0/16', '::1/128']
    >>> trusted_networks(["proxy.local"])
    Traceback (most recent call last):
    ...
    ValueError: --trusted-proxy proxy.local is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/24).
    """
    out = []
    for text in addresses:
        try:
            out.append(ipaddress.ip_network(str(text).strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"--trusted-proxy {text} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/24)."
            ) from None
    return tuple(out)


def _trusted(ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None, trusted: Iterable[Network]) -> bool:
    return ip is not None and any(ip.version == n.version and ip in n for n in trusted)


def client_address(peer: str, forwarded_for: Iterable[str] | str | None, trusted: Iterable[Network]) -> str:
    """The address a request counts against: the socket's, or behind a trusted proxy its client's.

    ``forwarded_for`` is the request's ``X-Forwarded-For`` (its values, if it came
    more than once). It is read only when ``peer`` is a trusted proxy, from the right:
    each proxy appends the address it got the request from, so the right-most address
    that is not a trusted proxy is the client; whatever a client wrote further left is
    its own claim and is skipped. A malformed entry there, or none, counts the request
    against the proxy.

    Examples
    --------
    >>> proxy = trusted_networks(["127.0.0.1"])
    >>> client_address("203.0.113.9", "10.0.0.1", proxy)  # not a proxy: its header is ignored
    '203.0.113.9'
    >>> client_address("127.0.0.1", "10.0.0.1, 192.168.1.20", proxy)  # the left one was forged
    '192.168.1.20'
    >>> client_address("127.0.0.1", None, proxy), client_address("127.0.0.1", "junk", proxy)
    ('127.0.0.1', '127.0.0.1')
    """
    trusted = tuple(trusted)
    if not trusted or not _trusted(_ip(peer), trusted):
        return peer
    values = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for or ())
    hops = [hop.strip() for value in values for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return peer  # a proxy writes addresses; this chain cannot be read
        if not _trusted(ip, trusted):
            return str(ip)
    return peer
