"""Exactly once, deterministically: the table's real entry box (its JavaScript in
Chromium) and its real page (``TableView`` on a real store), with every message
between them carried by the test, which decides which arrive and which are lost.

No server and no timing: a reply lost after its first message, a reload while the
first write is in flight or after it committed, are each played step by step. An idea
typed once is stored once, and the page says "Saved" when the store has it.

This is how "Lossy entry 05" was stored twice: the kernel confirmed the draft id in
one message and said "Saved" and emptied the box in the next ones; the connection
dropped between them. The browser had renewed its draft id, the box still held the
text and the page still said "Saving", so the lead pressed Enter again and the same
text went out under a new id: a second entry. A reload lost the draft id as well.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from liveserver import require_chromium

from facilitation.access import FACILITATOR, ORGANISER
from facilitation.capture.rules import list_entries
from facilitation.events.rules import EventKeys, create_event, set_phase
from facilitation.store import Store
from facilitation.store.base import Store as BaseStore
from facilitation.testing import CHROMIUM, CHROMIUM_ARGS
from facilitation.ui.page import PageParams, open_page
from facilitation.ui.table import TableView

pytestmark = [pytest.mark.browser]

T = TypeVar("T")
URL = "http://fac.test/table"
STATE_KEYS = ("value", "label", "placeholder", "disabled", "max_length", "draft_key", "persist", "draft")

HARNESS = """<!doctype html><html><body>
<div class="fac-saved-state"><div class="widget-html-content"></div></div><div id="box"></div>
<script type="module">
const ESM = %(esm)s;
const state = %(state)s;
const handlers = {};
let dirty = {};
window.__out = [];
const fire = (name, arg) => (handlers[name] || []).forEach((f) => f(arg));
const model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; dirty[k] = v; },
  save_changes: () => { window.__out.push({ update: dirty }); dirty = {}; },
  on: (name, f) => { (handlers[name] = handlers[name] || []).push(f); },
  send: (content) => { window.__out.push({ custom: content }); },
};
window.fromKernel = (name, data) => {
  if (name === "saved") {
    document.querySelector(".fac-saved-state .widget-html-content").innerHTML = data.state.value;
  } else if (data.method === "update") {
    for (const [k, v] of Object.entries(data.state)) { state[k] = v; fire("change:" + k); }
    fire("change");
  } else if (data.method === "custom") {
    fire("msg:custom", data.content);
  }
};
const mod = await import(URL.createObjectURL(new Blob([ESM], { type: "text/javascript" })));
mod.default.render({ model, el: document.getElementById("box") });
window.__ready = true;
</script></body></html>"""


class FakeComm:
    """Records what ipywidgets would send to the browser, instead of sending it."""

    kernel = object()

    def __init__(self, name: str, outbox: list[tuple[str, dict[str, Any]]], comm_id: str) -> None:
        self.name, self.outbox, self.comm_id = name, outbox, comm_id

    def send(self, data: dict[str, Any] | None = None, buffers: Any = None, **_: Any) -> None:
        self.outbox.append((self.name, json.loads(json.dumps(data))))

    def on_msg(self, _callback: Any) -> None:
        pass  # the test hands the browser's messages to the widget itself

    def close(self, *_: Any, **__: Any) -> None:
        pass


class Kernel:
    """One page's kernel: a ``TableView`` whose entry box and saved state talk to the test."""

    def __init__(self, store: Store, keys: EventKeys) -> None:
        ctx = open_page(PageParams(event=keys.event_id, key=keys.tables[1]), store=store, need_key=True)
        self.view = TableView(ctx, 1)
        self.outbox: list[tuple[str, dict[str, Any]]] = []
        for name, widget in (("entry", self.view.entry_text), ("saved", self.view.saved)):
            widget.comm = FakeComm(name, self.outbox, widget.model_id)

    def html(self) -> str:
        box = self.view.entry_text
        state = {k: getattr(box, k, "") for k in STATE_KEYS}  # every synced value the script reads
        state["check_ms"] = 3_600_000  # the test asks on the browser's behalf; nothing by a clock
        return HARNESS % {"esm": json.dumps(box._esm), "state": json.dumps(state)}

    def receive(self, messages: list[dict[str, Any]]) -> None:
        """Hand the browser's messages to the widget, as ipywidgets does (the lead has
        chosen the kind and evidence, as each entry asks)."""
        box = self.view.entry_text
        self.view.choices.choose("kind", "enabler")
        self.view.choices.choose("evidence", "not-given")
        for m in messages:
            if "update" in m:
                box._handle_msg(
                    {
                        "content": {"data": {"method": "update", "state": m["update"], "buffer_paths": []}},
                        "buffers": [],
                    }
                )
            else:
                box._handle_msg(
                    {"content": {"data": {"method": "custom", "content": m["custom"]}}, "buffers": []}
                )

    def replies(self) -> list[tuple[str, dict[str, Any]]]:
        out = list(self.outbox)
        self.outbox.clear()
        return out


class Browser:
    """The harness page in Chromium: the real entry box script, messages by hand."""

    def __init__(self, pw_browser: Any, kernel: Kernel) -> None:
        self.context = pw_browser.new_context()
        self.page = self.context.new_page()
        self.kernel = kernel
        self.page.route(URL, lambda route: route.fulfill(body=self.kernel.html(), content_type="text/html"))
        self.page.goto(URL)
        self.page.wait_for_function("() => window.__ready === true")

    def reload(self, kernel: Kernel) -> None:
        """The lead reloads: the same tab, a new kernel."""
        self.kernel = kernel
        self.page.reload()
        self.page.wait_for_function("() => window.__ready === true")

    def sent(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("() => window.__out.splice(0)"))

    def deliver(self, replies: list[tuple[str, dict[str, Any]]]) -> None:
        for name, data in replies:
            self.page.evaluate("([n, d]) => window.fromKernel(n, d)", [name, data])

    def type_and_enter(self, text: str) -> None:
        box = self.page.locator("#box input")
        if box.input_value() != text:
            box.fill(text)
        box.press("Enter")

    def box(self) -> str:
        return str(self.page.locator("#box input").input_value())

    def state(self) -> str:
        return str(self.page.locator(".fac-saved-state").inner_text())

    def close(self) -> None:
        self.context.close()


def in_chromium(scenario: Callable[[Any], T]) -> T:
    """Run ``scenario(browser)`` in a thread of its own (Playwright's sync API needs it)."""
    require_chromium()

    def run() -> T:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return scenario(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=300)


@pytest.fixture
def keys(store: Store) -> EventKeys:
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Once", tables=2)
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    return keys


def stored(store: Store, keys: EventKeys, text: str) -> int:
    return [e.text for e in list_entries(store, keys.event_id, table=1)].count(text)


def lead_retries(browser: Browser, text: str) -> None:
    """What the lead does when the page does not say "Saved": Enter again, retyping if emptied."""
    if "Saved" in browser.state() and text in browser.state():
        return
    browser.type_and_enter(text)


def test_a_reply_lost_part_way_never_doubles_the_entry(store: Store, keys: EventKeys) -> None:
    """The write commits; the connection drops after the first k messages of its reply,
    for every k. The lead presses Enter again (typing the text again if the box is empty)
    unless the page says "Saved". Then the link is back and everything arrives.

    Fails on a token renewed in one message while "Saved" and the empty box come in
    later ones: the retry goes out under a new draft id and is stored twice."""

    def scenario(pw_browser: Any) -> list[str]:
        problems = []
        k = 0
        while True:
            text = f"Lossy entry {k:02d}"
            browser = Browser(pw_browser, Kernel(store, keys))
            try:
                kernel = browser.kernel
                browser.type_and_enter(text)
                kernel.receive(browser.sent())
                replies = kernel.replies()
                browser.deliver(replies[:k])  # then the socket drops: the rest is lost
                lead_retries(browser, text)
                kernel.receive(browser.sent())  # the link is back
                browser.deliver(kernel.replies())
                if stored(store, keys, text) != 1:
                    problems.append(f"{text}: stored {stored(store, keys, text)} times (reply cut after {k})")
                if "Saved" not in browser.state() or browser.box():
                    problems.append(f"{text}: page says {browser.state()!r}, box {browser.box()!r}")
            finally:
                browser.close()
            if k >= len(replies):
                return problems
            k += 1

    assert in_chromium(scenario) == []


def test_a_reload_after_the_write_committed_asks_the_store_and_says_saved(
    store: Store, keys: EventKeys
) -> None:
    """The write commits and its whole reply is lost; the lead reloads the tab. Before
    anything is sent again the page asks the store, says "Saved" and empties the box.

    Fails when the draft id lives only in the page: after the reload the page knows
    nothing of the draft, and the text typed again is a second entry."""
    text = "Typed once, reloaded"

    def scenario(pw_browser: Any) -> dict[str, Any]:
        browser = Browser(pw_browser, Kernel(store, keys))
        try:
            browser.type_and_enter(text)
            browser.kernel.receive(browser.sent())
            browser.kernel.replies()  # all lost
            browser.reload(Kernel(store, keys))
            asked = browser.sent()
            browser.kernel.receive(asked)
            browser.deliver(browser.kernel.replies())
            seen = {"asked": asked, "state": browser.state(), "box": browser.box()}
            lead_retries(browser, text)
            browser.kernel.receive(browser.sent())
            browser.deliver(browser.kernel.replies())
            return seen
        finally:
            browser.close()

    seen = in_chromium(scenario)
    assert not any(m.get("custom", {}).get("event") == "submit" for m in seen["asked"]), seen
    assert "Saved" in seen["state"] and text in seen["state"] and seen["box"] == "", seen
    assert stored(store, keys, text) == 1


def test_a_retry_while_the_first_write_is_in_flight_is_stored_once(
    store: Store, keys: EventKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first write is inside its transaction (held there by the test) when the lead
    reloads and sends the draft again from a new kernel; then both finish. One entry,
    and the page says "Saved". On both engines: on PostgreSQL the two transactions
    really overlap.

    Fails when the reloaded page sends the draft under a new id."""
    text = "Sent while the first was in flight"
    inside, release = threading.Event(), threading.Event()
    kind = type(store)
    before_commit = kind._before_commit
    held: list[bool] = []

    def slow_before_commit(self: BaseStore, conn: Any, event_id: int | None) -> None:
        if not held and threading.current_thread().name == "first-write":
            held.append(True)
            inside.set()
            assert release.wait(60)
        before_commit(self, conn, event_id)

    monkeypatch.setattr(kind, "_before_commit", slow_before_commit)

    def scenario(pw_browser: Any) -> dict[str, Any]:
        browser = Browser(pw_browser, Kernel(store, keys))
        try:
            first = browser.kernel
            browser.type_and_enter(text)
            messages = browser.sent()
            t1 = threading.Thread(target=first.receive, args=(messages,), name="first-write")
            t1.start()
            assert inside.wait(60)
            browser.reload(Kernel(store, keys))
            second = browser.kernel
            second.receive(browser.sent())  # a reloaded page asks first: not stored yet
            browser.deliver(second.replies())
            lead_retries(browser, text)
            t2 = threading.Thread(target=second.receive, args=(browser.sent(),), name="retry")
            t2.start()
            release.set()
            t1.join(60)
            t2.join(60)
            browser.deliver(second.replies())
            return {"state": browser.state(), "box": browser.box()}
        finally:
            release.set()
            browser.close()

    seen = in_chromium(scenario)
    assert stored(store, keys, text) == 1
    assert "Saved" in seen["state"] and seen["box"] == "", seen
