"""The table's drag-and-drop grouping board: entries and themes as cards, in the browser.

A small anywidget with inline ESM and CSS (no CDN). It only reports drops; the
board's Python side calls the grouping rules, so a forged drop is refused by the
rules like any other message. Every text a person typed is set with ``textContent``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import anywidget
import traitlets

__all__ = ["DragBoard", "Drop", "parse_drop"]

_ESM = """
function token() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2);
}
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "fac-dragboard-grid";
  el.appendChild(root);
  let dragged = null;
  function send(target, entry) {
    const name = root.querySelector(".fac-drag-new-name");
    model.send({
      event: "drop", entry: Number(entry), target: String(target),
      name: name ? name.value : "", token: "drag-" + token(),
    });
    if (target === "new" && name) name.value = "";  // the name went with the drop
  }
  function column(title, target, entries, cls) {
    const col = document.createElement("section");
    col.className = "fac-drag-column " + cls;
    col.dataset.target = String(target);
    const head = document.createElement("h2");  // under the page's h1: a heading level is never skipped
    head.className = "fac-drag-title";
    head.textContent = title;
    col.appendChild(head);
    for (const e of entries) {
      const card = document.createElement("div");
      card.className = "fac-drag-entry";
      card.draggable = !model.get("disabled");
      card.dataset.entry = String(e.id);
      card.textContent = e.text;
      card.title = e.kind;
      card.addEventListener("dragstart", (ev) => {
        dragged = e.id;
        ev.dataTransfer.setData("text/plain", String(e.id));
        ev.dataTransfer.effectAllowed = "move";
        card.classList.add("fac-drag-moving");
      });
      card.addEventListener("dragend", () => { card.classList.remove("fac-drag-moving"); dragged = null; });
      col.appendChild(card);
    }
    col.addEventListener("dragover", (ev) => { ev.preventDefault(); col.classList.add("fac-drag-over"); });
    col.addEventListener("dragleave", () => col.classList.remove("fac-drag-over"));
    col.addEventListener("drop", (ev) => {
      ev.preventDefault();
      col.classList.remove("fac-drag-over");
      const id = ev.dataTransfer.getData("text/plain") || dragged;
      if (id !== null && id !== "") send(target, id);
    });
    return col;
  }
  function draw() {
    const keep = root.querySelector(".fac-drag-new-name");
    const typed = keep ? keep.value : "";
    root.replaceChildren();
    const entries = model.get("entries");
    const themes = model.get("themes");
    root.appendChild(column("Not in a theme", "none",
      entries.filter((e) => e.theme_id === null), "fac-drag-loose"));
    for (const t of themes) {
      root.appendChild(column(t.name, t.id, entries.filter((e) => e.theme_id === t.id), "fac-drag-theme"));
    }
    const fresh = column("Drop here for a new theme", "new", [], "fac-drag-new");
    const label = document.createElement("label");
    const id = "fac-drag-new-" + Math.random().toString(36).slice(2);
    label.htmlFor = id;
    label.textContent = "Name of the new theme";
    const input = document.createElement("input");
    input.id = id;
    input.type = "text";
    input.className = "fac-drag-new-name";
    input.maxLength = 200;
    input.value = typed;
    fresh.appendChild(label);
    fresh.appendChild(input);
    root.appendChild(fresh);
  }
  draw();
  model.on("change:entries", draw);
  model.on("change:themes", draw);
  model.on("change:disabled", draw);
}
export default { render };
"""

_CSS = """
.fac-dragboard-grid { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; margin: 8px 0; }
.fac-drag-column { flex: 1 1 220px; max-width: 340px; min-height: 90px; padding: 8px; border-radius: 8px;
  border: 2px dashed #8a94a6; background: #f6f8fb; box-sizing: border-box; }
.fac-drag-theme { border-style: solid; border-color: #2f5d9e; }
.fac-drag-new { border-color: #1b7a3e; }
.fac-drag-over { background: #e3f0ff; border-color: #0b57d0; }
.fac-drag-column > .fac-drag-title { margin: 0 0 6px; font-size: 1rem; overflow-wrap: anywhere; }
.fac-drag-entry { background: #fff; border: 1px solid #c5cbd6; border-radius: 6px; padding: 6px 8px;
  margin: 4px 0; cursor: grab; overflow-wrap: anywhere; white-space: pre-wrap; max-height: 8em; overflow: hidden; }
.fac-drag-moving { opacity: 0.5; }
.fac-drag-new label { display: block; font-size: 0.9rem; margin-top: 6px; }
.fac-drag-new input { width: 100%; box-sizing: border-box; padding: 4px; }
/* the board's name boxes (EntryInput) sit beside buttons: the same height */
.fac-board .fac-theme-name, .fac-board .fac-rename-name { display: flex; align-items: center; gap: 6px; }
.fac-board .fac-theme-name input, .fac-board .fac-rename-name input { font-size: 16px; height: 32px;
  width: 16em; padding: 0 8px; border: 2px solid #767676; border-radius: 4px; box-sizing: border-box; }
"""


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
