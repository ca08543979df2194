"""The table's drag-and-drop grouping board: entries and themes as cards, in the browser.

A small anywidget; its ESM and CSS are ``dragboard.js`` and ``dragboard.css`` beside
this module (package data, no CDN). It only reports drops; the
board's Python side calls the grouping rules, so a forged drop is refused by the
rules like any other message. Every text a person typed is set with ``textContent``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any, NamedTuple

import anywidget
import traitlets

__all__ = ["DragBoard", "Drop", "parse_drop"]


def _asset(name: str) -> str:
    """A widget's JavaScript or CSS, a file beside this module (package data)."""
    return resources.files("facilitation.ui").joinpath(name).read_text(encoding="utf-8")


_ESM = _asset("dragboard.js")

_CSS = _asset("dragboard.css")


class Drop(NamedTuple):
    """A drop as the browser reported it."""

    entry: int
    target: int | str  # a theme id, "new" or "none"
    name: str  # typed in the "new theme" card
    token: str  # the browser's client token: a drop sent twice is stored once


def parse_drop(content: Any) -> Drop | None:
    """Read a drop message; anything malformed is ``None`` (forged messages are ignored).

    Examples
    --------
    >>> parse_drop({"event": "drop", "entry": 3, "target": "7", "name": "", "token": "drag-x"})
    Drop(entry=3, target=7, name='', token='drag-x')
    >>> parse_drop({"event": "drop", "entry": "x", "target": "new"}) is None
    True
    """
    if not isinstance(content, dict) or content.get("event") != "drop":
        return None
    entry, target = content.get("entry"), content.get("target")
    if isinstance(entry, bool) or not isinstance(entry, int | float) or entry != int(entry):
        return None
    if not isinstance(target, str | int) or isinstance(target, bool):
        return None
    text = str(target)
    if text.isdigit():
        where: int | str = int(text)
    elif text in ("new", "none"):
        where = text
    else:
        return None
    name = content.get("name", "")
    token = content.get("token", "")
    if not isinstance(name, str) or not isinstance(token, str) or len(token) > 80:
        return None
    return Drop(int(entry), where, name, token)


class DragBoard(anywidget.AnyWidget):
    """Entries and themes as cards; a drop on a theme, on "new theme" or on "not in a theme"
    calls the callbacks given to :meth:`on_drop` with a :class:`Drop`."""

    _esm = _ESM
    _css = _CSS
    entries: traitlets.List[dict[str, Any]] = traitlets.List([]).tag(sync=True)  # id, text, kind, theme_id
    themes: traitlets.List[dict[str, Any]] = traitlets.List([]).tag(sync=True)  # id, name
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._callbacks: list[Callable[[Drop], Any]] = []
        self.add_class("fac-dragboard")
        self.on_msg(self._on_message)

    def on_drop(self, callback: Callable[[Drop], Any]) -> None:
        """Call ``callback(drop)`` for every well-formed drop."""
        self._callbacks.append(callback)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        drop = parse_drop(content)
        if drop is None:
            return
        for callback in list(self._callbacks):
            callback(drop)

    def drop(self, entry_id: int, target: int | str, name: str = "", token: str = "") -> None:
        """What the browser sends on a drop (for tests and the keyboard-free path)."""
        self._on_message(
            self, {"event": "drop", "entry": entry_id, "target": target, "name": name, "token": token}, []
        )
