"""Widgets shared by every page: escaped text, the countdown, the saved state, the
connection heartbeat and the QR code.

Every string a person typed reaches the browser through :func:`esc` (``html.escape``)
inside an ``HTML`` widget that also carries ``mathjax_ignore`` so ``$...$`` stays
text. Nothing here reads the store.
"""

from __future__ import annotations

import html
import time
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import anywidget
import ipywidgets as w
import segno
import traitlets

__all__ = [
    "WIDE",
    "Countdown",
    "EntryInput",
    "Heartbeat",
    "Rows",
    "SavedState",
    "block",
    "button",
    "chips",
    "close_tree",
    "entry_row",
    "esc",
    "html_widget",
    "new_token",
    "qr_data_uri",
    "replace_children",
    "set_html",
    "set_options",
]

# A control's description is shown in full, not cut to ipywidgets' default width.
WIDE = {"description_width": "initial"}

# Marks a container whose text must never be typeset as maths (MathJax 2 and 3 names).
NO_MATH = "tex2jax_ignore mathjax_ignore"


def new_token() -> str:
    """A fresh token for one draft or one click: a retried or doubled write with it is one write."""
    return f"ui-{uuid.uuid4().hex}"


def button(label: str, handler: Any, cls: str = "", *, tooltip: str = "", style: str = "") -> w.Button:
    """A button as wide as its label, with a class for tests and CSS, calling ``handler`` on click.

    Examples
    --------
    >>> b = button("Edit", lambda _b: None, "fac-entry-edit", tooltip="Edit this enabler")
    >>> b.description, b.tooltip, b.layout.width, b._dom_classes
    ('Edit', 'Edit this enabler', 'auto', ('fac-entry-edit',))
    """
    b = w.Button(description=label, tooltip=tooltip, button_style=style, layout=w.Layout(width="auto"))
    if cls:
        b.add_class(cls)
    b.on_click(handler)
    return b


def entry_row(body: w.Widget, *buttons: w.Widget) -> w.HBox:
    """One row of a list: what it shows, then its buttons (long text wraps, buttons keep their width)."""
    row = w.HBox([body, *buttons], layout=w.Layout(width="100%"))
    row.add_class("fac-entry-row")
    return row


def set_options(dropdown: w.Dropdown, options: list[tuple[str, Any]]) -> None:
    """Change a dropdown's options, keeping the chosen value while it is still offered.

    Examples
    --------
    >>> d = w.Dropdown(options=[("Ama", 1), ("Tomasz", 2)], value=2)
    >>> set_options(d, [("Priya", 3), ("Tomasz", 2)]); d.value
    2
    >>> set_options(d, [("Priya", 3)]); d.value
    3
    """
    if list(dropdown.options) == options:
        return
    keep = dropdown.value
    dropdown.options = options
    values = [v for _, v in options]
    dropdown.value = keep if keep in values else (values[0] if values else None)


def esc(text: object) -> str:
    """Escape typed text for an ``HTML`` widget; quotes too, so it is safe in attributes.

    Examples
    --------
    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> esc(None)
    ''
    """
    return "" if text is None else html.escape(str(text), quote=True)


def block(text: object, cls: str = "", tag: str = "div") -> str:
    """One escaped element: ``<div class="cls">text</div>``.

    Examples
    --------
    >>> block("<b>", "fac-x")
    '<div class="fac-x">&lt;b&gt;</div>'
    """
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<{tag}{attr}>{esc(text)}</{tag}>"


def html_widget(value: str = "", *classes: str) -> w.HTML:
    """An ``HTML`` widget for markup built only from :func:`esc`-aped pieces."""
    widget = w.HTML(value=f'<div class="{NO_MATH}">{value}</div>' if value else "")
    for cls in classes:
        widget.add_class(cls)
    return widget


def set_html(widget: w.HTML, value: str) -> None:
    """Set an HTML widget's markup; traitlets sends nothing when it is unchanged."""
    new = f'<div class="{NO_MATH}">{value}</div>' if value else ""
    if widget.value != new:
        widget.value = new


def qr_data_uri(url: str, *, scale: int = 6) -> str:
    """A QR code of ``url`` as an SVG data URI (drawn locally, no network).

    Examples
    --------
    >>> qr_data_uri("http://127.0.0.1:8866/").startswith("data:image/svg+xml")
    True
    """
    return segno.make(url, error="m").svg_data_uri(scale=scale, border=2, dark="#000", light="#fff")


_COUNTDOWN_ESM = """
function fmt(s) {
  s = Math.max(0, Math.round(s));
  const m = Math.floor(s / 60), r = s % 60;
  return m + ":" + String(r).padStart(2, "0");
}
function render({ model, el }) {
  el.classList.add("fac-countdown");
  const out = document.createElement("div");
  out.setAttribute("role", "timer");
  out.setAttribute("aria-live", "off");
  el.appendChild(out);
  let offset = 0;  // server clock minus this browser's clock, in seconds
  const sentAt = Date.now() / 1000;
  model.on("msg:custom", (msg) => {
    if (msg && msg.server_now !== undefined) {
      const now = Date.now() / 1000;
      offset = msg.server_now - (sentAt + now) / 2;
    }
  });
  model.send({ sync: sentAt });
  function draw() {
    const ends = model.get("ends_at");
    const left = model.get("remaining");
    let text, state;
    if (ends !== null && ends !== undefined) {
      const s = ends - (Date.now() / 1000 + offset);
      text = fmt(s); state = s <= 0 ? "over" : (s <= 60 ? "last-minute" : "running");
    } else if (left !== null && left !== undefined) {
      text = fmt(left); state = "paused";
    } else { text = ""; state = "none"; }
    if (out.textContent !== text) out.textContent = text;
    el.dataset.state = state;
    out.setAttribute("aria-label", state === "paused" ? "Timer paused at " + text : "Time left " + text);
  }
  draw();
  const timer = setInterval(draw, 250);
  model.on("change:ends_at", draw);
  model.on("change:remaining", draw);
  return () => clearInterval(timer);
}
export default { render };
"""


class Countdown(anywidget.AnyWidget):
    """A countdown drawn by the browser from an end time; the kernel sends only changes.

    ``ends_at`` is the epoch second the timer ends while it runs; ``remaining`` the
    seconds left while paused. The browser asks the kernel for its clock once, so a
    laptop whose clock is wrong still shows the right time.
    """

    _esm = _COUNTDOWN_ESM
    ends_at = traitlets.Float(None, allow_none=True).tag(sync=True)
    remaining = traitlets.Float(None, allow_none=True).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._on_sync)

    def _on_sync(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and "sync" in content:
            self.send({"server_now": time.time()})

    def show(self, ends_at: float | None, remaining: float | None) -> None:
        """Show a running timer (``ends_at``), a paused one (``remaining``) or none."""
        if self.ends_at != ends_at:
            self.ends_at = ends_at
        rounded = None if remaining is None else float(round(remaining))
        if self.remaining != rounded:
            self.remaining = rounded


_HEARTBEAT_ESM = """
function render({ model, el }) {
  // The page scrolls inside #rendered_cells; make it reachable by keyboard (WCAG 2.1.1).
  const cells = document.getElementById("rendered_cells");
  if (cells && !cells.hasAttribute("tabindex")) {
    cells.tabIndex = 0;
    cells.setAttribute("role", "region");
    cells.setAttribute("aria-label", "Page content");
  }
  let last = Date.now();
  let lost = false;
  el.classList.add("fac-heartbeat");
  model.on("msg:custom", (msg) => { if (msg && msg.pong !== undefined) last = Date.now(); });
  function banner() {
    if (lost) return;
    lost = true;
    const b = document.createElement("div");
    b.className = "fac-reload-banner";
    b.setAttribute("role", "alert");
    const p = document.createElement("span");
    p.textContent = model.get("message");
    const btn = document.createElement("button");
    btn.textContent = "Reload the page";
    btn.addEventListener("click", () => window.location.reload());
    b.appendChild(p); b.appendChild(btn);
    document.body.appendChild(b);
    document.body.classList.add("fac-disconnected");
  }
  function beat() {
    if (Date.now() - last > model.get("timeout_ms")) { banner(); return; }
    try { model.send({ ping: Date.now() }); } catch (e) { banner(); }
  }
  beat();
  const timer = setInterval(beat, model.get("interval_ms"));
  return () => clearInterval(timer);
}
export default { render };
"""


class Heartbeat(anywidget.AnyWidget):
    """Pings its kernel from the browser; when answers stop, shows a banner asking to reload.

    A dropped connection, a dead or culled kernel and a stopped server all look the
    same from the browser: no answer. The banner appears within ``timeout_ms`` plus
    one interval, so widgets never look alive when they are not.
    """

    _esm = _HEARTBEAT_ESM
    interval_ms = traitlets.Int(2000).tag(sync=True)
    timeout_ms = traitlets.Int(6500).tag(sync=True)
    message = traitlets.Unicode(
        "The connection to the event was lost. Reload the page: everything saved is kept."
    ).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layout = w.Layout(width="0px", height="0px", overflow="hidden")
        self.on_msg(self._on_ping)

    def _on_ping(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and "ping" in content:
            self.send({"pong": content["ping"]})


_ENTRY_ESM = """
function render({ model, el }) {
  const id = "fac-input-" + Math.random().toString(36).slice(2);
  const label = document.createElement("label");
  label.htmlFor = id;
  label.className = "fac-input-label";
  const input = document.createElement("input");
  input.id = id;
  input.type = "text";
  input.autocomplete = "off";
  input.spellcheck = true;
  el.appendChild(label);
  el.appendChild(input);
  function draw() {
    label.textContent = model.get("label");
    input.placeholder = model.get("placeholder");
    input.disabled = model.get("disabled");
    input.maxLength = model.get("max_length");
    if (input.value !== model.get("value")) input.value = model.get("value");
  }
  draw();
  model.on("change", draw);

  function showState(state, word, text) {
    // The saved state is drawn by the kernel; while the kernel cannot be reached, or
    // its word was lost on the way, only the browser can say where an entry is.
    // Written inside the HTML widget's own content element: the kernel's next word
    // replaces exactly that element's content.
    const outer = document.querySelector(".fac-saved-state");
    if (!outer) return;
    const place = outer.querySelector(".widget-html-content") || outer;
    place.innerHTML = "";
    const box = document.createElement("div");
    box.className = "fac-state fac-state-" + state;
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = { saved: "\\u2714", saving: "\\u2026", "not-saved": "\\u26a0" }[state] || "";
    const strong = document.createElement("strong");
    strong.textContent = word;
    box.appendChild(icon);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(strong);
    if (text) box.appendChild(document.createTextNode(": " + text));
    place.appendChild(box);
  }
  const short = (text) => text.length <= 60 ? text : text.slice(0, 57) + "\\u2026";

  if (!model.get("draft_key")) {
    // a name box of a board or a panel: Enter sends the text with it, nothing more
    input.addEventListener("input", () => { model.set("value", input.value); model.save_changes(); });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault();
        if (!input.value.trim()) return;
        showState("saving", "Saving", short(input.value));
        model.send({ event: "submit", value: input.value });
      }
    });
    return;
  }

  // The entry box of a table. A draft has an id, made here; the id with the draft's
  // text names the write (the kernel adds the table), so the store keeps it once
  // however often it is sent. The id and the text stay in this tab's sessionStorage
  // until the kernel says the store has them: Enter again, Add, a reload, a dropped
  // socket or a resent message all name the same draft. The box is emptied only on
  // that word, and the id is renewed with it.
  const key = "fac-draft:" + model.get("draft_key");
  const newDraft = () => (self.crypto && crypto.randomUUID) ? crypto.randomUUID()
    : Math.random().toString(36).slice(2) + Date.now().toString(36);
  function load() {
    try {
      const kept = JSON.parse(sessionStorage.getItem(key) || "null");
      if (kept && typeof kept.draft === "string" && typeof kept.text === "string") return kept;
    } catch (e) { /* storage refused or damaged: a new draft */ }
    return null;
  }
  function keep() {
    if (!model.get("persist")) return;  // an edit is not a draft to bring back after a reload
    try {
      if (input.value.trim()) sessionStorage.setItem(key, JSON.stringify({ draft: draft, text: input.value }));
      else if (!sent) sessionStorage.removeItem(key);
    } catch (e) { /* private mode: the draft lives as long as the page */ }
  }
  function forget() { try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ } }
  function share() { model.set("draft", draft); model.save_changes(); }

  const kept = load();
  let draft = kept ? kept.draft : newDraft();
  let sent = null;       // {draft, text, at}: sent and not yet confirmed
  let asked = 0;         // when the kernel was last asked about it
  share();
  if (kept && model.get("persist")) {
    // A reload with an unconfirmed draft: bring the text back and ask the store
    // whether it was stored before anything is sent again.
    if (!input.value.trim()) {
      input.value = kept.text;
      model.set("value", kept.text);
      model.save_changes();
    }
    sent = { draft: kept.draft, text: kept.text, at: Date.now(), asking: true };
    showState("saving", "Checking", "whether \\u201c" + short(kept.text) + "\\u201d was saved");
    ask();
  }

  function ask() {
    if (!sent) return;
    asked = Date.now();
    try { model.send({ event: "check", draft: sent.draft, value: sent.text }); } catch (e) { /* asked again later */ }
  }
  const timer = setInterval(() => {
    if (!sent) return;
    const waited = Date.now() - sent.at;
    if (waited > 3000 && !sent.waiting) {
      sent.waiting = true;
      showState("saving", "Saving", "waiting for the connection. Your text is kept here; "
        + "it is sent once, however often you press Enter.");
    }
    if (Date.now() - asked >= model.get("check_ms")) ask();  // answered once the link is back
  }, 500);

  input.addEventListener("input", () => {
    model.set("value", input.value);
    model.save_changes();
    keep();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing) {
      e.preventDefault();
      if (!input.value.trim()) return;
      sent = { draft: draft, text: input.value, at: Date.now() };
      asked = Date.now();
      keep();
      showState("saving", "Saving", short(input.value));
      // the text travels with the submit: a value update still queued cannot be overtaken
      model.send({ event: "submit", value: input.value, draft: draft });
    }
  });
  model.on("msg:custom", (msg) => {
    if (!msg || typeof msg !== "object") return;
    const ours = msg.draft === draft || (sent && msg.draft === sent.draft);
    if (!ours) return;  // an older draft's late word
    const same = sent && msg.draft === sent.draft && msg.text === sent.text;
    if (msg.stored) {
      if (input.value === msg.text) {
        input.value = "";
        model.set("value", "");
        model.save_changes();
      }
      if (same || !sent) sent = null;
      if (msg.draft === draft) draft = newDraft();
      share();
      if (!input.value.trim()) forget(); else keep();
      showState("saved", "Saved", msg.saved || short(msg.text));
    } else if (same) {
      // the store does not have it (the message was lost, or it was refused): the
      // text stays in the box and Enter sends it, under the same name
      const asking = sent.asking;
      sent = null;
      keep();
      if (!msg.refused && asking) {
        showState("not-saved", "Not saved yet", "\\u201c" + short(msg.text)
          + "\\u201d is in the box: press Enter to save it.");
      } else if (!msg.refused) {
        showState("not-saved", "Not saved", "\\u201c" + short(msg.text)
          + "\\u201d was lost on the way. It is still in the box: press Enter to send it again.");
      }
    }
  });
  return () => clearInterval(timer);
}
export default { render };
"""


class EntryInput(anywidget.AnyWidget):
    """A labelled one-line text box whose Enter sends the text with it.

    With a plain ``Text`` widget the Enter message can reach the kernel before the
    last keystrokes' value update (custom messages skip the update queue), which
    cut the end off fast typists' entries. Here the submit carries its text.

    With a ``draft_key`` (the table's entry box) the box keeps drafts: the browser
    names each draft with an id, kept in the tab's sessionStorage with its text until
    :meth:`stored` says the store has it, so a draft sent again (Enter again, Add, a
    reload, a resent message) is the same write. While a sent draft is unconfirmed the
    browser asks every ``check_ms`` (``event: "check"``); the page answers with
    :meth:`stored` or :meth:`not_stored`.
    """

    _esm = _ENTRY_ESM
    value = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    max_length = traitlets.Int(20_000).tag(sync=True)
    # where the browser keeps unconfirmed drafts ("" keeps none: a name box)
    draft_key = traitlets.Unicode("").tag(sync=True)
    # whether the draft is brought back after a reload (not while an entry is edited)
    persist = traitlets.Bool(True).tag(sync=True)
    check_ms = traitlets.Int(3000).tag(sync=True)
    # the browser's current draft id, so a click on a button names the same draft
    draft = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._submit_callbacks: list[Any] = []
        self._check_callbacks: list[Any] = []
        self.on_msg(self._on_message)

    def on_submit(self, callback: Any) -> None:
        """Call ``callback(widget)`` when Enter is pressed (after ``value`` and ``draft`` are set)."""
        self._submit_callbacks.append(callback)

    def on_check(self, callback: Any) -> None:
        """Call ``callback(draft, text)`` when the browser asks whether a sent draft was stored."""
        self._check_callbacks.append(callback)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        draft = _draft_id(content.get("draft"))
        if content.get("event") == "submit":
            if isinstance(content.get("value"), str):
                self.value = content["value"]
            if draft:
                self.draft = draft
            for callback in list(self._submit_callbacks):
                callback(self)
        elif content.get("event") == "check" and draft and isinstance(content.get("value"), str):
            for callback in list(self._check_callbacks):
                callback(draft, content["value"])

    def stored(self, draft: str, text: str, saved: str = "") -> None:
        """Tell the browser the store has ``draft`` with ``text``: it empties the box and says "Saved".

        One message, sent before any other word of the write, so a connection lost
        after it cannot leave a box that is full with a draft already renewed.
        """
        if draft:
            self.send({"draft": draft, "text": text, "stored": True, "saved": saved})

    def emptied(self) -> None:
        """Take the value as the browser's after :meth:`stored`: ``""``, sent to nobody.

        The browser empties its own box on the ``stored`` word (only while it still
        shows that text). A ``""`` sent from here as well arrives after it, and wiped
        what the lead had typed in the meantime: an Enter pressed then found an empty
        box and the next entry was never sent. The browser's own update of the value
        follows in either case.
        """
        with self._lock_property(value=""):
            self.value = ""

    def not_stored(self, draft: str, text: str, *, refused: bool = False) -> None:
        """Tell the browser the store does not have ``draft`` with ``text`` (``refused``: a rule said no)."""
        if draft:
            self.send({"draft": draft, "text": text, "stored": False, "refused": refused})


def _draft_id(value: object) -> str:
    """A browser's draft id as the kernel keeps it: short, letters, digits and dashes only.

    Examples
    --------
    >>> _draft_id("0b4c-9e"), _draft_id(7), _draft_id("a" * 100) == "a" * 64, _draft_id("<x>")
    ('0b4c-9e', '', True, '')
    """
    if not isinstance(value, str):
        return ""
    value = value[:64]
    return value if value and all(c.isalnum() or c == "-" for c in value) else ""


class SavedState(w.HTML):
    """The table page's saved / saving / not saved indicator (class ``fac-saved-state``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("fac-saved-state")
        self.state = "idle"
        self._seq = 0
        self._set("idle", "type, then press Enter; each entry is saved at once")

    def _set(self, state: str, message: str) -> None:
        self.state = state
        # a new value every time: the browser may have drawn "Saving" over the last one
        self._seq += 1
        icon = {"idle": "\u270e", "saved": "\u2714", "saving": "\u2026", "not-saved": "\u26a0"}[state]
        label = {"idle": "Ready", "saved": "Saved", "saving": "Saving", "not-saved": "Not saved"}[state]
        self.value = (
            f'<div class="fac-state fac-state-{state} {NO_MATH}" role="status" aria-live="polite" '
            f'data-seq="{self._seq}">'
            f'<span aria-hidden="true">{icon}</span> <strong>{label}</strong>'
            f"{': ' + esc(message) if message else ''}</div>"
        )

    def saving(self, message: str = "") -> None:
        """A write is on its way to the store."""
        self._set("saving", message)

    def saved(self, message: str = "") -> None:
        """The write is stored."""
        self._set("saved", message)

    def not_saved(self, message: str) -> None:
        """The write failed; ``message`` says why and what to do (the draft is kept)."""
        self._set("not-saved", message)


def chips(items: Iterable[tuple[str, str]], cls: str = "fac-chip") -> str:
    """Small labelled counts: ``[("Table 1", "3"), ...]`` as escaped spans."""
    return "".join(
        f'<span class="{esc(cls)}"><span class="fac-chip-label">{esc(a)}</span> <b>{esc(b)}</b></span>'
        for a, b in items
    )


def _descendants(widgets: Iterable[w.Widget]) -> Iterator[w.Widget]:
    """Each widget, its children's, and the layout and style models each one owns."""
    for widget in widgets:
        yield widget
        for part in ("layout", "style"):
            owned = getattr(widget, part, None)
            if isinstance(owned, w.Widget):
                yield owned
        yield from _descendants(getattr(widget, "children", ()) or ())


def close_tree(widget: w.Widget) -> None:
    """Close a widget no longer shown, with its children and their layout and style models.

    Examples
    --------
    >>> row = w.HBox([w.Button(description="+ dot")])
    >>> button = row.children[0]
    >>> close_tree(row)
    >>> row.comm is None, button.comm is None, button.style.comm is None
    (True, True, True)
    """
    for part in _descendants([widget]):
        part.close()


def _close_unshown(box: w.Box, old: Iterable[w.Widget]) -> None:
    keep = {id(widget) for widget in _descendants([box])}
    for widget in _descendants(old):
        if id(widget) not in keep:
            widget.close()


def replace_children(box: w.Box, children: Sequence[w.Widget]) -> None:
    """Show ``children`` in ``box`` and close the widgets it no longer shows.

    A list redrawn on every change would otherwise leave each old row's widgets open
    in the kernel and the browser, and a long event's page would slow down. A
    widget's layout and style are models of their own, closed with it unless a
    widget still shown shares them.

    Examples
    --------
    >>> box = w.VBox([w.Button(description="old")])
    >>> old = box.children[0]
    >>> replace_children(box, [w.Button(description="new")])
    >>> old.comm is None, old.layout.comm is None, old.style.comm is None, box.children[0].description
    (True, True, True, 'new')
    """
    old = list(box.children)
    box.children = tuple(children)
    _close_unshown(box, old)


T = TypeVar("T")


class Rows(Generic[T]):
    """A list of rows, one per item, each made once and kept while its item is shown.

    A redraw makes rows only for new or changed items and closes only the rows of
    items no longer shown. A list remade whole on every change would close the row a
    person is clicking when another laptop's entry redraws the list, and the click,
    on its way over venue Wi-Fi, would reach a closed widget and do nothing.

    Parameters
    ----------
    make : callable
        Makes the row of one item.
    empty : str
        The HTML shown when there are no items (escaped by the caller).
    key : callable, optional
        What the row shows of an item: items with equal keys share a row. By default
        the item itself (a frozen dataclass or a tuple).

    Examples
    --------
    >>> rows = Rows(lambda name: w.Button(description=name), "<p>Nobody yet.</p>")
    >>> rows.show(["Ama", "Tomasz"])
    >>> ama = rows.box.children[0]
    >>> tomasz = rows.box.children[1]
    >>> rows.show(["Ama", "Priya"])
    >>> rows.box.children[0] is ama, tomasz.comm is None, rows.box.children[1].description
    (True, True, 'Priya')
    >>> rows.show([])
    >>> "Nobody yet." in rows.box.children[0].value
    True
    """

    def __init__(
        self, make: Callable[[T], w.Widget], empty: str = "", *, key: Callable[[T], Hashable] | None = None
    ) -> None:
        self.box = w.VBox([])
        self._make = make
        self._key: Callable[[T], Hashable] = key or (lambda item: item)  # type: ignore[return-value]
        self._rows: dict[Hashable, w.Widget] = {}
        self._empty = [html_widget(empty)] if empty else []

    def show(self, items: Iterable[T]) -> None:
        """Show a row for each item, in order (items with equal keys are shown once)."""
        rows: dict[Hashable, w.Widget] = {}
        for item in items:
            k = self._key(item)
            if k not in rows:
                rows[k] = self._rows.pop(k, None) or self._make(item)
        gone = list(self._rows.values())
        self._rows = rows
        self.box.children = tuple(rows.values()) or tuple(self._empty)
        _close_unshown(self.box, gone)
