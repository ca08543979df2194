"""The live event in real Chromium against a real ``facilitate serve``."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from liveserver import choose_kind
from playwright.sync_api import expect
from sqlalchemy import select

from facilitation.access import FACILITATOR
from facilitation.capture.rules import list_entries
from facilitation.events.rules import get_event, set_phase
from facilitation.store.schema import activity
from facilitation.text import clean_text
from facilitation.ui.projector import COLUMN_LIMIT

from .conftest import Pages, Served, axe_violations, hostile_strings, screenshot

pytestmark = pytest.mark.browser


def type_entry(page, text: str, *, press_enter: bool = True) -> None:
    box = page.locator(".fac-entry-text input")
    choose_kind(page)
    box.fill(text)
    if press_enter:
        box.press("Enter")
    else:
        page.locator(".fac-entry-submit").click()


def test_entry_reaches_projector_and_screenshots(served: Served, pages: Pages) -> None:
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")
    projector = pages.open(served.links["projector"], width=1920, height=1080, ready=".fac-projector-wall")
    table = pages.open(served.links["table 1"], ready=".fac-entry-text input")
    type_entry(table, "Shared care record across the system")
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
    type_entry(table, "Rotas that never line up", press_enter=False)
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
    wall = projector.locator(".fac-projector-wall")
    expect(wall).to_contain_text("Shared care record across the system", timeout=5_000)
    expect(wall).to_contain_text("Rotas that never line up", timeout=5_000)
    expect(projector.locator(".fac-join-code")).to_contain_text(served.keys.join_code)
    expect(projector.locator(".fac-phase-title")).to_contain_text("Enablers and blockers")
    expect(projector.locator(".fac-timer")).to_have_text(re.compile(r"\d+:\d\d"))
    screenshot(projector, "projector-1920x1080")
    screenshot(table, "table-1366x768")
    assert not pages.dialogs


def test_join_by_code_and_phase_follows_the_console(served: Served, pages: Pages) -> None:
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")
    join = pages.open(served.links["join"], ready=".fac-join-code-input input")
    join.locator(".fac-join-code-input input").fill(served.keys.join_code.lower())
    join.locator(".fac-join-table select").select_option(label="Table 3")
    join.locator(".fac-join-submit").click()
    join.wait_for_selector(".fac-entry-text input", timeout=15_000)
    type_entry(join, "Joined by code")
    expect(join.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
    assert [
        e.table for e in list_entries(served.store, served.keys.event_id) if e.text == "Joined by code"
    ] == [3]

    console = pages.open(served.links["facilitator"], ready=".fac-next-phase")
    console.locator(".fac-next-phase").click()
    expect(join.locator(".fac-table-header")).to_contain_text("Ideas", timeout=5_000)
    expect(join.locator(".fac-entry-kind")).to_contain_text("Idea")
    screenshot(console, "console-1366x768")
    console.locator(".fac-prev-phase").click()
    expect(join.locator(".fac-table-header")).to_contain_text("Enablers and blockers", timeout=5_000)
    assert get_event(served.store, served.keys.event_id).phase.name == "enablers-blockers"


def test_the_projector_link_on_the_console_and_the_organiser_page_opens_the_projector(
    served: Served, pages: Pages
) -> None:
    """The facilitator opens the projector from the console (or the organiser page), not the CLI's printout."""
    console = pages.open(served.links["facilitator"], ready=".fac-projector-link a")
    href = console.locator(".fac-projector-link a").get_attribute("href")
    assert href == served.links["projector"]  # the projector's own read-only key, as serve printed it
    organiser = pages.open(served.links["organiser"], ready=".fac-organiser")
    organiser.get_by_role("tab", name="Join cards").click()
    assert organiser.locator(".fac-org-links a").first.get_attribute("href") == href
    with console.context.expect_page() as opened:
        console.locator(".fac-projector-link a").click()
    projector = opened.value
    pages.opened.append(projector)
    projector.wait_for_selector(".fac-projector-wall", timeout=60_000)
    expect(projector.locator(".fac-join-code")).to_contain_text(served.keys.join_code)


def test_reload_keeps_everything(served: Served, pages: Pages) -> None:
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")
    table = pages.open(served.links["table 2"], ready=".fac-entry-text input")
    type_entry(table, "Kept after a reload")
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
    table.reload()
    table.wait_for_selector(".fac-entry-list", timeout=60_000)
    expect(table.locator(".fac-entry-list")).to_contain_text("Kept after a reload")
    set_phase(served.store, FACILITATOR, served.keys.event_id, "framing")  # people are framing's part
    expect(table.locator(".fac-people-list")).to_contain_text("Priya Shah", timeout=15_000)
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")


def test_keyboard_alone(served: Served, pages: Pages) -> None:
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")
    table = pages.open(served.links["table 4"], ready=".fac-entry-text input")
    table.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(40):
        table.keyboard.press("Tab")
        if table.evaluate("document.activeElement.closest('.fac-entry-kind') !== null"):
            break
    else:
        pytest.fail("the entry's kind cannot be reached with Tab")
    table.keyboard.press("Space")  # choose the kind (nothing is chosen for the lead)
    table.keyboard.press("Tab")
    assert table.evaluate("document.activeElement.closest('.fac-entry-evidence') !== null")
    table.keyboard.press("ArrowDown")  # "not given": a choice too
    for _ in range(5):
        table.keyboard.press("Tab")
        if table.evaluate("document.activeElement.closest('.fac-entry-text') !== null"):
            break
    else:
        pytest.fail("the entry box cannot be reached with Tab")
    table.keyboard.type("Typed with the keyboard only")
    table.keyboard.press("Enter")
    expect(table.locator(".fac-entry-list")).to_contain_text("Typed with the keyboard only", timeout=10_000)
    for _ in range(10):
        table.keyboard.press("Tab")
        if table.evaluate("document.activeElement.closest('.fac-entry-edit') !== null"):
            break
    else:
        pytest.fail("the entry's Edit button cannot be reached with Tab")
    table.keyboard.press("Enter")
    expect(table.locator(".fac-entry-text input")).to_have_value(
        "Typed with the keyboard only", timeout=5_000
    )


def test_hostile_strings_show_as_typed(served: Served, pages: Pages) -> None:
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")
    projector = pages.open(served.links["projector"], width=1920, height=1080, ready=".fac-projector-wall")
    table = pages.open(served.links["table 2"], ready=".fac-entry-text input")
    strings = hostile_strings()
    assert len(strings) >= 30
    box = table.locator(".fac-entry-text input")
    # the projector shows the newest COLUMN_LIMIT enablers: a batch is checked while all of it is on the wall
    for batch_start in range(0, len(strings), COLUMN_LIMIT):
        batch = strings[batch_start : batch_start + COLUMN_LIMIT]
        for s in batch:
            box.fill(s)
            choose_kind(table)
            box.press("Enter")
            if len(s) > 1000:
                expect(table.locator(".fac-saved-state")).to_contain_text("Not saved", timeout=10_000)
                box.fill("")
            else:
                expect(box).to_have_value("", timeout=10_000)
        expected = {clean_text(s) for s in batch if len(s) <= 1000}
        for text in expected:
            projector.wait_for_function(
                "t => [...document.querySelectorAll('.fac-projector-wall .fac-entry-body')].some(e => e.textContent === t)",
                arg=text,
                timeout=5_000,
            )
    wall = projector.locator(".fac-projector-wall")
    assert wall.locator("img, script, iframe, a, svg, object, embed, mjx-container").count() == 0
    assert projector.locator("mjx-container, .MathJax").count() == 0
    assert table.locator(".fac-entry-list img, .fac-entry-list script, .fac-entry-list a").count() == 0
    assert not pages.dialogs
    screenshot(projector, "projector-hostile-1920x1080")


def test_text_typed_the_moment_saved_shows_stays_in_the_box(served: Served, pages: Pages) -> None:
    """The lead types the next entry at once: nothing of it is wiped by the last entry's word.

    The box is watched from the page: the moment the browser empties it for the stored
    entry, the next text is typed into it (as a fast typist does), and any later write
    that takes that text away is recorded. The kernel's own "" for the stored entry
    arrived after the browser had emptied the box and wiped what was typed since (CI:
    test_hostile_strings_show_as_typed pressed Enter on a wiped box, so one hostile
    string was never sent and never reached the projector).
    """
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")
    table = pages.open(served.links["table 3"], ready=".fac-entry-text input")
    first, following = "Saved before the next one", "Typed the moment Saved showed"
    table.evaluate(
        """(next) => {
          const input = document.querySelector('.fac-entry-text input');
          const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
          window.facWipes = [];
          window.facTyped = false;
          Object.defineProperty(input, 'value', {
            configurable: true,
            get() { return native.get.call(this); },
            set(v) {
              const before = native.get.call(this);
              native.set.call(this, v);
              if (window.facTyped && before === next && v !== next) window.facWipes.push(v);
              if (!window.facTyped && before !== '' && v === '') {
                window.facTyped = true;  // the box was emptied for the stored entry: type at once
                queueMicrotask(() => {
                  native.set.call(input, next);
                  input.dispatchEvent(new Event('input', { bubbles: true }));
                });
              }
            },
          });
        }""",
        following,
    )
    type_entry(table, first)
    # the page lists the entry after every other word of the write has reached the browser
    expect(table.locator(".fac-entry-list")).to_contain_text(first, timeout=10_000)
    table.wait_for_function("() => window.facTyped", timeout=10_000)
    expect(table.locator(".fac-saved-state")).to_contain_text("Saved", timeout=10_000)
    assert table.evaluate("window.facWipes") == [], "what was typed after Saved was wiped from the box"
    box = table.locator(".fac-entry-text input")
    expect(box).to_have_value(following)
    choose_kind(table)
    box.press("Enter")
    expect(table.locator(".fac-entry-list")).to_contain_text(following, timeout=10_000)
    texts = [e.text for e in list_entries(served.store, served.keys.event_id) if e.table == 3]
    assert texts.count(first) == 1 and texts.count(following) == 1


def _kernel_id(page: Any) -> str:
    return page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


async def _forge(base: str, kernel_id: str, marker: Path) -> list[str]:
    """Connect to a table page's kernel as a second browser tab could, and send every
    widget a click, a submit and a value, plus an execute_request."""
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id={session}"
    ws = await websocket_connect(url)

    def msg(msg_type: str, content: dict[str, Any]) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "forger",
            "session": session,
            "date": "2026-01-01T00:00:00Z",
            "version": "5.3",
        }
        return json.dumps(
            {
                "header": header,
                "parent_header": {},
                "metadata": {},
                "content": content,
                "channel": "shell",
                "buffers": [],
            }
        )

    await ws.write_message(msg("comm_info_request", {"target_name": "jupyter.widget"}))
    comms: list[str] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not comms:
        raw = await asyncio.wait_for(ws.read_message(), timeout=15)
        if raw is None:
            break
        reply = json.loads(raw) if isinstance(raw, str) else {}
        if reply.get("header", {}).get("msg_type") == "comm_info_reply":
            comms = list(reply["content"].get("comms", {}))
    code = f"open({str(marker)!r}, 'w').write('ran')"
    await ws.write_message(msg("execute_request", {"code": code, "silent": False, "store_history": False}))
    for comm_id in comms:
        for data in (
            {"method": "custom", "content": {"event": "click"}},
            {"method": "custom", "content": {"event": "submit"}},
            {"method": "update", "state": {"value": "forged"}, "buffer_paths": []},
            {"method": "custom", "content": {"event": "click"}},
        ):
            await ws.write_message(msg("comm_msg", {"comm_id": comm_id, "data": data}))
    await asyncio.sleep(3)
    ws.close()
    return comms


def test_forged_comm_messages_reach_no_facilitator_action(
    served: Served, pages: Pages, tmp_path: Path
) -> None:
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")
    table = pages.open(served.links["table 1"], ready=".fac-entry-text input")
    before_event = get_event(served.store, served.keys.event_id)
    before_revision = served.store.signature(served.keys.event_id)[1]
    others = [(e.id, e.text) for e in list_entries(served.store, served.keys.event_id) if e.table != 1]
    marker = tmp_path / "executed"
    kernel = _kernel_id(table)
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop runs in this thread
        comms = pool.submit(asyncio.run, _forge(served.base, kernel, marker)).result()
    assert len(comms) > 10  # the forger did reach the page's widgets
    assert not marker.exists()  # execute_request is refused by standalone Voila
    after = get_event(served.store, served.keys.event_id)
    assert (after.phase_index, after.input_locked, after.votes_revealed, after.timer_ends_at) == (
        before_event.phase_index,
        before_event.input_locked,
        before_event.votes_revealed,
        before_event.timer_ends_at,
    )
    assert [
        (e.id, e.text) for e in list_entries(served.store, served.keys.event_id) if e.table != 1
    ] == others
    actors = served.store.read(
        lambda c: {
            r.actor for r in c.execute(select(activity.c.actor).where(activity.c.revision > before_revision))
        }
    )
    assert actors <= {"table 1"}, actors


def test_dead_kernel_shows_the_reload_banner(served: Served, pages: Pages) -> None:
    table = pages.open(served.links["table 3"], ready=".fac-entry-text input")
    kernel = _kernel_id(table)
    request = urllib.request.Request(f"{served.base}/api/kernels/{kernel}", method="DELETE")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status in (200, 204)
    expect(table.locator(".fac-reload-banner")).to_be_visible(timeout=10_000)
    expect(table.locator(".fac-reload-banner")).to_contain_text("Reload")


@pytest.mark.parametrize("page_name", ["projector", "table 1", "facilitator", "join"])
def test_accessibility_no_serious_violations(served: Served, pages: Pages, page_name: str) -> None:
    set_phase(served.store, FACILITATOR, served.keys.event_id, "enablers-blockers")
    ready = {
        "projector": ".fac-projector-wall",
        "table 1": ".fac-entry-text input",
        "facilitator": ".fac-next-phase",
    }
    page = pages.open(served.links[page_name], ready=ready.get(page_name, ".fac-page"))
    violations = axe_violations(page)
    assert violations == [], violations
