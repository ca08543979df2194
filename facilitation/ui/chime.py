"""The chime at zero: a short three-note sound made in the browser with Web Audio
(nothing downloaded), switched on from the console (:func:`facilitation.events.rules.set_display`).

The browser schedules it from the countdown's end time; the kernel sends only changes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anywidget
import traitlets

__all__ = ["Chime"]


class Chime(anywidget.AnyWidget):
    """Rings once when the timer ending at ``ends_at`` reaches zero, if ``enabled``.

    Examples
    --------
    >>> c = Chime()
    >>> c.show(1_900_000_000.0, True); (c.ends_at, c.enabled)
    (1900000000.0, True)
    >>> c.show(None, False); (c.ends_at, c.enabled)
    (None, False)
    """

    _esm = Path(__file__).with_name("chime.js")
    ends_at = traitlets.Float(None, allow_none=True).tag(sync=True)
    enabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._on_sync)

    def _on_sync(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and "sync" in content:
            self.send({"server_now": time.time()})

    def show(self, ends_at: float | None, enabled: bool) -> None:
        """Ring at ``ends_at`` (epoch seconds; None: no running timer) when ``enabled``."""
        if self.ends_at != ends_at:
            self.ends_at = ends_at
        if self.enabled != bool(enabled):
            self.enabled = bool(enabled)
