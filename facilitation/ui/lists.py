"""Lists and small forms as one widget each, drawn by the browser from JSON.

A page's list (entries, people, links, members, actions, dots) is one
:class:`ListWidget`: its state is the rows as data, and ``lists.js`` draws them
(``textContent`` only), so a list of forty entries is two widget models, not a
hundred and twenty. A row's buttons are real ``<button>`` elements; a click sends
``{"action": ..., "id": ...}`` naming the row by its id, and the handler re-reads the
store and calls a rule with the page's actor, so a click still counts after another
laptop redrew the list and a forged message can do no more than the rule allows.

:class:`Controls` is the same for a handful of choices, fields and buttons (the kind
and evidence of an entry, the person form's organisation and buttons): the browser
sends what was chosen; a button's message carries every value it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

__all__ = ["Button", "Controls", "ListWidget", "Row", "button", "cell", "row"]

_HERE = Path(__file__).resolve().parent
Row = dict[str, Any]
Button = dict[str, Any]


def cell(text: object, cls: str = "") -> dict[str, str]:
    """One piece of a row: text (drawn with ``textContent``) and its class.

    Examples
    --------
    >>> cell("<b>Ama</b>", "fac-person")
    {'text': '<b>Ama</b>', 'cls': 'fac-person'}
    """
    return {"text": "" if text is None else str(text), "cls": cls}


def button(action: str, label: str, title: str = "", cls: str = "", *, disabled: bool = False) -> Button:
    """One button of a row: the action its click sends, what it says, its accessible name.

    Examples
    --------
    >>> button("withdraw", "Withdraw", "Withdraw this enabler", "fac-entry-withdraw")["action"]
    'withdraw'
    """
    return {"action": action, "label": label, "title": title, "cls": cls, "disabled": bool(disabled)}


def row(
    row_id: int,
    cells: Sequence[dict[str, str]],
    buttons: Sequence[Button] = (),
    cls: str = "",
    row_cls: str = "",
    *,
    check: dict[str, Any] | None = None,
) -> Row:
    """One row: its id (what a click names), its pieces, its buttons, the card's class;
    ``check`` ({"label", "text", "checked"}) puts a checkbox first (a change sends ``check``)."""
    out = {"id": int(row_id), "cells": list(cells), "buttons": list(buttons), "cls": cls, "row_cls": row_cls}
    if check is not None:
        out["check"] = check
    return out


def _row_id(value: object) -> int | None:
    """A row id from a browser message: an int (not a bool), else nothing.

    Examples
    --------
    >>> _row_id(3), _row_id(True), _row_id("3"), _row_id(None)
    (3, None, None, None)
    """
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ListWidget(anywidget.AnyWidget):
    """A list whose rows the browser draws from ``rows`` (see :func:`row`).

    Examples
    --------
    >>> seen = []
    >>> lw = ListWidget(label="Our entries", empty="Nothing yet.")
    >>> lw.on_action("withdraw", seen.append)
    >>> lw.show([row(7, [cell("Shared care")], [button("withdraw", "Withdraw")])])
    >>> lw.press("withdraw", 7); lw.press("withdraw", "7"); lw.press("forged", 7)
    >>> seen
    [7]
    """

    _esm = _HERE / "lists.js"
    _css = _HERE / "lists.css"
    part = traitlets.Unicode("list").tag(sync=True)
    rows = traitlets.List().tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    empty = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handlers: dict[str, Callable[[int], Any]] = {}
        self.on_msg(self._on_message)

    def on_action(self, action: str, handler: Callable[[int], Any]) -> None:
        """Call ``handler(row_id)`` when a row's ``action`` button is clicked."""
        self._handlers[action] = handler

    def show(self, rows: Sequence[Row]) -> None:
        """Draw these rows (traitlets sends nothing when they are unchanged)."""
        rows = list(rows)
        if rows != self.rows:
            self.rows = rows

    def press(self, action: str, row_id: object) -> None:
        """What a click in the browser does (tests and the keyboard path call the same)."""
        rid = _row_id(row_id)
        handler = self._handlers.get(action) if isinstance(action, str) else None
        if rid is not None and handler is not None:
            handler(rid)

    def on_check(self, handler: Callable[[int, bool], Any]) -> None:
        """Call ``handler(row_id, checked)`` when a row's checkbox changes."""
        self._check: Callable[[int, bool], Any] | None = handler

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("action") == "check":
            rid, checked = _row_id(content.get("id")), content.get("checked")
            handler = getattr(self, "_check", None)
            if rid is not None and isinstance(checked, bool) and handler is not None:
                handler(rid, checked)
            return
        self.press(content.get("action"), content.get("id"))  # type: ignore[arg-type]


def radio(name: str, label: str, options: Sequence[tuple[str, str]], cls: str = "") -> dict[str, Any]:
    """A radio group: nothing is chosen until the person chooses."""
    return {"type": "radio", "name": name, "label": label, "options": [list(o) for o in options], "cls": cls}


def select(name: str, label: str, options: Sequence[tuple[str, str]], cls: str = "") -> dict[str, Any]:
    """A drop-down whose first option (value ``""``) says "choose"."""
    return {"type": "select", "name": name, "label": label, "options": [list(o) for o in options], "cls": cls}


def field(
    name: str, label: str, placeholder: str = "", cls: str = "", max_length: int = 200
) -> dict[str, Any]:
    """A one-line text field (its value goes with every button of the same controls)."""
    return {
        "type": "text",
        "name": name,
        "label": label,
        "placeholder": placeholder,
        "cls": cls,
        "max_length": max_length,
    }


def picker(name: str, label: str, options: Sequence[tuple[str, str]], cls: str = "") -> dict[str, Any]:
    """A searchable choice: type part of a label, pick one of the matches (no default)."""
    return {"type": "picker", "name": name, "label": label, "options": [list(o) for o in options], "cls": cls}


def action(name: str, label: str, cls: str = "", *, primary: bool = False, title: str = "") -> dict[str, Any]:
    """A button of the controls: its click sends ``name`` and every value shown."""
    return {"type": "button", "action": name, "label": label, "cls": cls, "primary": primary, "title": title}


class Controls(anywidget.AnyWidget):
    """Choices, fields and buttons drawn by the browser from ``items``.

    ``chosen`` is what the browser chose (kept by the kernel as messages arrive);
    :meth:`reset` and :meth:`fill` change what the browser shows.

    Examples
    --------
    >>> c = Controls(items=[radio("kind", "Kind", [("Enabler", "enabler")]), action("add", "Add")])
    >>> pressed = []
    >>> c.on_action("add", lambda: pressed.append(c.get("kind")))
    >>> c._on_message(c, {"action": "choose", "name": "kind", "value": "enabler"}, [])
    >>> c._on_message(c, {"action": "add", "values": {"kind": "blocker"}}, [])
    >>> pressed, c.get("kind")
    (['blocker'], 'blocker')
    >>> c.reset(); c.get("kind")
    ''
    """

    _esm = _HERE / "lists.js"
    _css = _HERE / "lists.css"
    part = traitlets.Unicode("controls").tag(sync=True)
    items = traitlets.List().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chosen: dict[str, str] = {}
        self._seq = 0
        self._handlers: dict[str, Callable[[], Any]] = {}
        self.on_msg(self._on_message)

    def get(self, name: str) -> str:
        """What is chosen or typed for ``name`` (``""`` when nothing)."""
        return self.chosen.get(name, "")

    def choose(self, name: str, value: str) -> None:
        """Choose ``value`` for ``name``, as the person would."""
        self.chosen[name] = value

    def fill(self, values: dict[str, str]) -> None:
        """Show these values in the browser (an edit started)."""
        self.chosen = {k: str(v) for k, v in values.items()}
        self._seq += 1
        self.values = {**self.chosen, "_seq": str(self._seq)}

    def reset(self) -> None:
        """Nothing chosen: the next entry asks again."""
        self.fill({})

    def on_action(self, name: str, handler: Callable[[], Any]) -> None:
        """Call ``handler()`` when the button ``name`` is clicked (after its values are taken)."""
        self._handlers[name] = handler

    def set_items(self, items: list[dict[str, Any]]) -> None:
        """Change what is shown (unchanged items send nothing)."""
        if items != self.items:
            self.items = items

    def press(self, name: str) -> None:
        """What a click on the button ``name`` does."""
        handler = self._handlers.get(name)
        if handler is not None:
            handler()

    def _names(self) -> set[str]:
        return {i["name"] for i in self.items if "name" in i}

    def _take(self, name: object, value: object) -> None:
        if isinstance(name, str) and name in self._names() and isinstance(value, str):
            self.chosen[name] = value[:2000]

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("action"), str):
            return
        if content["action"] == "choose":
            self._take(content.get("name"), content.get("value"))
            return
        values = content.get("values")
        if isinstance(values, dict):
            for name, value in values.items():
                if name != "_seq":
                    self._take(name, value)
        self.press(content["action"])
