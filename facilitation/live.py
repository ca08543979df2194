"""Watching the store for changes, so a page re-renders only when something changed.

Each Voila page is its own kernel; pages talk only through the store. A page holds
one :class:`Watcher` that polls cheaply about four times a second (SQLite: the
``PRAGMA data_version`` counter, then the event's signature only when it moved;
PostgreSQL: the event's signature, one indexed query) and calls the page's refresh
callbacks only when the event changed. Nothing is sent to the browser while nothing
changes, so an idle page costs almost nothing and its kernel can be culled.

The loop runs as an asyncio task only when the page is served by Voila
(``VOILA_KERNEL_ID`` is set); tests and notebooks drive it with :meth:`Watcher.check`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

from facilitation.store import Store

__all__ = ["POLL_SECONDS", "Watcher", "served_by_voila"]

POLL_SECONDS = 0.25
log = logging.getLogger(__name__)


def served_by_voila() -> bool:
    """Whether this kernel runs a page served by Voila (not a test, not nbval).

    Examples
    --------
    >>> import os
    >>> served_by_voila() == bool(os.environ.get("VOILA_KERNEL_ID"))
    True
    """
    return bool(os.environ.get("VOILA_KERNEL_ID"))


class Watcher:
    """Calls registered callbacks when an event's data changes in the store.

    Parameters
    ----------
    store : Store
        The page's store handle.
    event_id : int
        The event whose changes matter to the page.
    interval : float
        Seconds between polls while served.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.events.rules import set_input_lock
    >>> from facilitation.access import FACILITATOR
    >>> store, ev = scratch_event()
    >>> watcher = Watcher(store, ev)
    >>> seen = []
    >>> watcher.on_change(lambda: seen.append("refresh"))
    >>> watcher.check()
    False
    >>> _ = set_input_lock(store, FACILITATOR, ev, True)
    >>> watcher.check(), seen
    (True, ['refresh'])
    >>> watcher.check()
    False
    """

    def __init__(self, store: Store, event_id: int, *, interval: float = POLL_SECONDS) -> None:
        self.store = store
        self.event_id = int(event_id)
        self.interval = float(interval)
        self._callbacks: list[Callable[[], Any]] = []
        self._error_callbacks: list[Callable[[Exception | None], Any]] = []
        self._data_version: int | None = store.data_version()
        self._signature: tuple[int, int] = store.signature(self.event_id)
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def on_change(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` whenever the event changes."""
        self._callbacks.append(callback)

    def on_error(self, callback: Callable[[Exception | None], Any]) -> None:
        """Call ``callback(exc)`` when the store cannot be reached, and ``callback(None)`` when it is back."""
        self._error_callbacks.append(callback)

    @property
    def signature(self) -> tuple[int, int]:
        """The event's signature as last seen."""
        return self._signature

    def changed(self) -> bool:
        """Whether the event changed since the last look (without calling callbacks)."""
        version = self.store.data_version()
        if version is not None and version == self._data_version:
            return False
        self._data_version = version
        signature = self.store.signature(self.event_id)
        if signature == self._signature:
            return False
        self._signature = signature
        return True

    def check(self) -> bool:
        """Look once; when the event changed, call every callback. Returns whether it changed.

        A failing callback is logged and does not stop the others; a store that cannot
        be reached is reported to the ``on_error`` callbacks once, until it is back.
        """
        try:
            moved = self.changed()
        except Exception as exc:
            if not self._failing:
                self._failing = True
                log.warning("cannot reach the event store: %s", exc)
                self._notify_error(exc)
            return False
        if self._failing:
            self._failing = False
            self._notify_error(None)
        if moved:
            self.refresh_all()
        return moved

    def refresh_all(self) -> None:
        """Call every callback now (a page's first draw, or after an own write)."""
        for callback in list(self._callbacks):
            try:
                callback()
            except Exception:
                log.exception("a page refresh failed")

    def _notify_error(self, exc: Exception | None) -> None:
        for callback in list(self._error_callbacks):
            with contextlib.suppress(Exception):
                callback(exc)

    async def run(self) -> None:
        """Poll until cancelled (the kernel shuts down)."""
        while True:
            await asyncio.sleep(self.interval)
            self.check()

    def start(self, *, force: bool = False) -> bool:
        """Start polling in the kernel's event loop when served by Voila (or ``force``).

        Returns whether the loop was started. Outside Voila (tests, nbval) nothing runs
        in the background and :meth:`check` is called by hand.
        """
        if self._task is not None or not (force or served_by_voila()):
            return False
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return False
        self._task = loop.create_task(self.run())
        return True

    def stop(self) -> None:
        """Stop the polling loop, if any."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
