"""Widgets shared by every page: escaped text, the countdown, the saved state, the
connection heartbeat and the QR code.

Every string a person typed reaches the browser through :func:`esc` (``html.escape``)
inside an ``HTML`` widget that also carries ``mathjax_ignore`` so ``$...$`` stays
text. Nothing here reads the store.
"""

from __future__ import annotations

import hashlib
import html
import time
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from importlib import resources
from typing import Any, Generic, TypeVar

import anywidget
import ipywidgets as w
import traitlets

__all__ = [
    "WIDE",
    "Countdown",
    "EntryInput",
    "Heartbeat",
    "Rows",
    "SavedState",
    "block",
    "box_token",
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
    "typed_label",
]


def _asset(name: str) -> str:
    """A widget's JavaScript or CSS, a file beside this module (package data)."""
    return resources.files("facilitation.ui").joinpath(name).read_text(encoding="utf-8")


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


def typed_label(text: str) -> dict[str, object]:
    """A widget's ``description`` that holds typed text: escaped, and never typeset as maths.

    A plain description is set as text, but the page then runs MathJax over it, so a
    theme named ``$x$`` became markup; with these arguments the label is an escaped
    span that MathJax skips.

    >>> typed_label("$x$ <b>")["description"]
    '<span class="tex2jax_ignore mathjax_ignore">$x$ &lt;b&gt;</span>'
    """
    return {"description": f'<span class="{NO_MATH}">{esc(text)}</span>', "description_allow_html": True}


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
    import segno  # the projector's and join card's QR code; a table page has none

    return segno.make(url, error="m").svg_data_uri(scale=scale, border=2, dark="#000", light="#fff")


_COUNTDOWN_ESM = _asset("countdown.js")


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


_HEARTBEAT_ESM = _asset("heartbeat.js")


class Heartbeat(anywidget.AnyWidget):
    """Pings its kernel from the browser; when answers stop, shows a banner asking to reload.

    A dropped connection, a dead or culled kernel and a stopped server all look the
    same from the browser: no answer. The banner appears within ``timeout_ms`` plus
    one interval, so widgets never look alive when they are not. The pings go on
    while it shows: when the link comes back, the first answer takes the banner away.
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


_ENTRY_ESM = _asset("entry_input.js")


class EntryInput(anywidget.AnyWidget):
    """A labelled one-line text box whose Enter sends the text with it: every box that
    saves on Enter (the entry, a theme's name, a link's note, an action, a person).

    One save mechanism for all of them. With a plain ``Text`` widget the Enter message
    can reach the kernel before the last keystrokes' value update (custom messages skip
    the update queue), which cut the end off fast typists' entries: here the submit
    carries its text. Enter empties the box at once, so the next entry typed straight
    after is a draft of its own and never lands inside the one on its way; the text
    waits in the browser until the kernel answers it with :meth:`stored` ("Saved") or
    :meth:`not_stored` (refused: it comes back into the box). Each text sent has a draft
    id made by the browser, so a view that names its write with :func:`box_token` stores
    it once however often it is sent (Enter again, a reload, a resent message). While a
    text is unconfirmed the browser asks every ``check_ms`` (``event: "check"``); the
    page answers with :meth:`stored` or :meth:`not_stored` (then the browser sends it
    again under the same name).

    The box's text belongs to the browser: the kernel writes into it only with
    :meth:`fill`. With a ``draft_key`` what is typed and not sent, and what is sent and
    not confirmed, are kept in the tab's sessionStorage under that key, and offered
    back when the box is drawn again (a reload, or the phase moving away and back).
    """

    _esm = _ENTRY_ESM
    value = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    max_length = traitlets.Int(20_000).tag(sync=True)
    # where the browser keeps drafts ("" keeps none)
    draft_key = traitlets.Unicode("").tag(sync=True)
    # whether drafts are kept and brought back (not while an entry is edited)
    persist = traitlets.Bool(True).tag(sync=True)
    check_ms = traitlets.Int(3000).tag(sync=True)
    # the browser's current draft id, so a click on a button names the same draft
    draft = traitlets.Unicode("").tag(sync=True)

    # how long after a text was stored a keystroke update bringing it back is dropped
    LATE_S = 3.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._submit_callbacks: list[Any] = []
        self._check_callbacks: list[Any] = []
        self._used: tuple[str, float] = ("", 0.0)
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
            self._used = ("", 0.0)  # a submit is the browser's own word: never dropped as late
            if isinstance(content.get("value"), str):
                self.value = content["value"]
            if draft:
                self.draft = draft
            for callback in list(self._submit_callbacks):
                callback(self)
        elif content.get("event") == "check" and draft and isinstance(content.get("value"), str):
            for callback in list(self._check_callbacks):
                callback(draft, content["value"])

    def answer_checks(self, scope: str, written: Callable[[str], bool], said: str = "") -> None:
        """Answer the browser's "was it stored?" for a box whose writes are named
        ``box_token(scope, draft, text)``; ``written(token)`` asks the store (a read)."""

        def check(draft: str, text: str) -> None:
            try:
                found = written(box_token(scope, draft, text))
            except Exception:
                return  # the store is not reachable: the browser asks again
            if found:
                self.stored(draft, text, said)
            else:
                self.not_stored(draft, text)

        self.on_check(check)

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply the browser's update, less a late keystroke's.

        The kernel-side half of the late-keystroke guard: the browser's last keystroke
        update can reach the kernel after Enter's submit and put the stored text back,
        and a button (Add) would then send it again. Only just after, only that text.
        """
        used, when = self._used
        if used and sync_data.get("value") == used and time.monotonic() - when < self.LATE_S:
            sync_data = {**sync_data, "value": ""}
        super().set_state(sync_data)

    def used(self, text: str) -> None:
        """``text`` was stored: the kernel forgets it (a late keystroke update bringing it back is dropped)."""
        self._used = (text, time.monotonic())
        if self.value == text:
            self.value = ""

    def fill(self, text: str) -> None:
        """Put ``text`` into the box in the browser (an edit started or cancelled), as a new draft."""
        self._used = ("", 0.0)
        self.value = text
        self.send({"fill": text})

    def stored(self, draft: str, text: str, saved: str = "") -> None:
        """Tell the browser the store has ``draft`` with ``text``: it says "Saved" (and empties
        the box if a button sent what it holds).

        One message, sent before any other word of the write, so a connection lost
        after it cannot leave a box that is full with a draft already renewed.
        """
        self.used(text)
        if draft:
            self.send({"draft": draft, "text": text, "stored": True, "saved": saved})

    def not_stored(self, draft: str, text: str, *, refused: bool = False) -> None:
        """Tell the browser the store does not have ``draft`` with ``text``.

        ``refused``: a rule said no (the page says why); the text comes back into the
        box. Otherwise the browser sends it again under the same draft id.
        """
        if draft:
            self.send({"draft": draft, "text": text, "stored": False, "refused": refused})


def box_token(scope: str, draft: str, text: str) -> str:
    """The client token of a box's draft: where it was typed, the browser's draft id, its text.

    The same draft sent again has the same token, so the store keeps it once. Spaces
    do not make a draft new; another text under the same id is another write.

    Examples
    --------
    >>> box_token("table-1-action", "d-1", "Map  flows") == box_token("table-1-action", "d-1", " Map flows")
    True
    >>> box_token("table-1-action", "d-1", "Map flows") == box_token("table-2-action", "d-1", "Map flows")
    False
    """
    digest = hashlib.sha256(f"{draft}\n{' '.join(text.split())}".encode()).hexdigest()[:40]
    return f"{scope}-{digest}"


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
    """The table page's one save line, shared by every box: Ready, Saving, Saved or Not
    saved with what to do (class ``fac-saved-state``).

    The kernel says "Saved" only after the write committed. The entry boxes' browser
    side writes "Saving" (and "Saved" on the kernel's word) into the same element, so
    the line tells the truth while the kernel cannot be reached.
    """

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

    def ready(self, message: str = "") -> None:
        """Nothing is on its way: what the page says when a phase starts (a past phase's word goes)."""
        self._set("idle", message)

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
