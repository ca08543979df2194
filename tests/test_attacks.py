"""Attacks on a real ``facilitate serve``, by a scripted client that talks to Voila as a
browser tab does (HTTP for the page, the kernel websocket for widget messages), but
sends what no honest page would.

What a table lead's browser holds is the page and its kernel id; from there it can
send any message on the kernel socket. These tests check the three promises of the
access design (``shared/DESIGN.md``, Access) against the served pages, not against
the rules alone: no code runs on the server, forged widget messages cause no
facilitator action and no write for another table, and a link with another table's
key or a wrong key opens nothing (the server refuses it before any kernel starts).

The server runs in its own process group on a free port, with a SQLite file of its
own holding an event built through the rules; it is stopped by PID at the end.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import html
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from liveserver import start_server
from sqlalchemy import select

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.events.rules import EventKeys, create_event, get_event, set_phase
from facilitation.network.rules import record_link
from facilitation.people.rules import add_person
from facilitation.plans.rules import promote_theme
from facilitation.store import Store, open_store
from facilitation.store import schema as s
from facilitation.themes.grouping import create_theme
from facilitation.voting.rules import add_dot

pytestmark = pytest.mark.slow

PAGE_TIMEOUT = 180.0  # a cold page on a busy 2-core machine takes seconds, not minutes
SECRET = "attack-tests-secret"


# --- the server -------------------------------------------------------------------------


@dataclass
class Target:
    """A served event and what an attacker at table 1 holds: the page links."""

    store: Store
    keys: EventKeys
    base: str
    folder: Path

    @property
    def event_id(self) -> int:
        return self.keys.event_id

    def table_path(self, table: int, key: str | None) -> str:
        query = f"event={self.event_id}&table={table}" + (f"&key={key}" if key is not None else "")
        return f"/voila/render/table.ipynb?{query}"


def build_event(store: Store) -> EventKeys:
    """Three tables; tables 1 and 2 each have people, entries, a theme, a dot and a link.

    Table 2's rows are what a forger at table 1 must never change.
    """
    keys = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Attack surface", tables=3
    )
    ev = keys.event_id
    people = {
        t: [
            add_person(store, table_actor(t), ev, f"Person {t}{n}", organisation=f"Org {t}{n}", table=t)
            for n in "ab"
        ]
        for t in (1, 2)
    }
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    entries = {
        t: [
            add_entry(store, table_actor(t), ev, t, kind, f"Table {t} {kind}")
            for kind in ("enabler", "blocker")
        ]
        for t in (1, 2)
    }
    set_phase(store, FACILITATOR, ev, "grouping")
    themes = {
        t: create_theme(store, table_actor(t), ev, t, f"Theme of table {t}", entries[t]) for t in (1, 2)
    }
    promote_theme(store, FACILITATOR, ev, themes[2], lead_table=2)
    set_phase(store, FACILITATOR, ev, "voting")
    add_dot(store, table_actor(2), ev, themes[1])
    set_phase(store, FACILITATOR, ev, "collaboration")
    record_link(store, table_actor(2), ev, 2, people[2][0], people[1][0], "worked with")
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    return keys


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """``facilitate serve`` on a free port against its own SQLite file; stopped by PID."""
    folder = tmp_path_factory.mktemp("attacks")
    db = str(folder / "event.db")
    previous = os.environ.get("FACILITATION_SECRET")
    os.environ["FACILITATION_SECRET"] = SECRET  # the server inherits it
    store = open_store(db)
    try:
        keys = build_event(store)
        server = start_server(db, keys.event_id, folder, pool=1)
        try:
            yield Target(store, keys, server.base, folder)
        finally:
            server.stop()
    finally:
        store.close()
        if previous is None:
            os.environ.pop("FACILITATION_SECRET", None)
        else:
            os.environ["FACILITATION_SECRET"] = previous


# --- a scripted page: the HTML, then the kernel socket ----------------------------------------


class KernelSocket:
    """One page's kernel websocket, as a second browser tab would open it."""

    def __init__(self, ws: Any, session: str) -> None:
        self.ws = ws
        self.session = session
        self.received: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, base: str, kernel_id: str) -> KernelSocket:
        from tornado.websocket import websocket_connect

        session = uuid.uuid4().hex
        url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id={session}"
        ws = await asyncio.wait_for(websocket_connect(url, max_message_size=64 * 1024 * 1024), 30)
        return cls(ws, session)

    async def _read(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                self._arrived.set()
                return
            if isinstance(raw, str):
                self.received.append(json.loads(raw))
                self._arrived.set()

    async def send(
        self,
        msg_type: str,
        content: dict[str, Any],
        channel: str = "shell",
        metadata: dict[str, Any] | None = None,
    ) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id, "msg_type": msg_type, "username": "attacker", "session": self.session,
            "date": "2026-01-01T00:00:00Z", "version": "5.3",
        }  # fmt: skip
        message = {"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content,
                   "channel": channel, "buffers": []}  # fmt: skip
        await self.ws.write_message(json.dumps(message))
        return msg_id

    async def wait_for(self, test: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for m in self.received[seen:]:
                if test(m):
                    return m
            seen = len(self.received)
            if self._reader.done():
                raise ConnectionError("the kernel socket closed")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                break
        raise TimeoutError("no such message from the kernel")

    async def barrier(self) -> None:
        """Return once the kernel has handled every shell message sent before."""
        msg_id = await self.send("kernel_info_request", {})
        await self.wait_for(lambda m: m.get("parent_header", {}).get("msg_id") == msg_id, timeout=240)

    async def states(self) -> dict[str, dict[str, Any]]:
        """Every widget model of the page, by model id, as the page's widget manager asks."""
        control = uuid.uuid4().hex
        await self.send(
            "comm_open",
            {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
            metadata={"version": "1.0.0"},  # the widget control protocol refuses any other
        )
        await self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        reply = await self.wait_for(
            lambda m: (
                m.get("content", {}).get("comm_id") == control
                and m.get("content", {}).get("data", {}).get("method") == "update_states"
            ),
            timeout=240,  # a page whose widgets were all clicked answers slowly
        )
        return {k: v.get("state", {}) for k, v in reply["content"]["data"]["states"].items()}

    async def close(self) -> None:
        self._reader.cancel()
        self.ws.close()


@dataclass
class OpenPage:
    """A page fetched over HTTP with its kernel socket open."""

    kernel_id: str
    sock: KernelSocket
    base: str

    async def close(self) -> None:
        """Close the socket and shut the kernel down, as a closing tab asks."""
        from tornado.httpclient import AsyncHTTPClient

        await self.sock.close()
        with contextlib.suppress(Exception):  # culled anyway; the server is stopped at the end
            await AsyncHTTPClient().fetch(
                f"{self.base}/api/kernels/{self.kernel_id}", method="DELETE", request_timeout=30
            )


async def open_page(base: str, path: str) -> OpenPage:
    from tornado.httpclient import AsyncHTTPClient

    response = await AsyncHTTPClient().fetch(base + path, request_timeout=PAGE_TIMEOUT, connect_timeout=30)
    found = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', response.body.decode())
    assert found, "the page carries its kernel id"
    return OpenPage(found.group(1), await KernelSocket.connect(base, found.group(1)), base)


def texts(states: dict[str, dict[str, Any]]) -> str:
    """Everything the page shows as text: HTML values, labels and descriptions."""
    return " ".join(
        str(st.get(k, "")) for st in states.values() for k in ("value", "description", "label", "placeholder")
        if isinstance(st.get(k, ""), str)
    )  # fmt: skip


def classes(states: dict[str, dict[str, Any]]) -> set[str]:
    return {c for st in states.values() for c in (st.get("_dom_classes") or ())}


# --- the store, before and after -----------------------------------------------------------

WATCHED = (s.events, s.event_tables, s.organisations, s.people, s.attendance, s.entries, s.themes,
           s.dots, s.links, s.groups, s.group_members, s.group_entries, s.actions)  # fmt: skip


def snapshot(store: Store) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of every table a page can write, by primary key."""

    def q(conn: Any) -> dict[str, dict[Any, dict[str, Any]]]:
        out: dict[str, dict[Any, dict[str, Any]]] = {}
        for table in WATCHED:
            key = [c.name for c in table.primary_key.columns]
            out[table.name] = {
                tuple(r[k] for k in key): dict(r) for r in conn.execute(select(table)).mappings()
            }
        return out

    return store.read(q)


def revision(store: Store) -> int:
    return int(
        store.read(
            lambda c: (
                c.execute(select(s.activity.c.revision).order_by(s.activity.c.revision.desc())).scalar() or 0
            )
        )
    )


def actors_since(store: Store, rev: int) -> list[str]:
    return store.read(
        lambda c: [r.actor for r in c.execute(select(s.activity.c.actor).where(s.activity.c.revision > rev))]
    )


def foreign_changes(
    before: dict[str, dict[Any, dict[str, Any]]], after: dict[str, dict[Any, dict[str, Any]]], t1: int
) -> list[str]:
    """Rows added or changed that do not belong to table 1 (row id ``t1``): should be none."""
    seated: dict[int, set[int]] = {}  # every table a person ever sat at, removals included
    for r in after["attendance"].values():
        seated.setdefault(r["person_id"], set()).add(r["table_id"])
    groups_of_t1 = {r["id"] for r in after["groups"].values() if r["lead_table_id"] == t1}

    def owned(table: str, old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
        rows = [r for r in (old, new) if r is not None]
        if table == "event_tables":
            return all(r["id"] == t1 for r in rows)
        if table in ("entries", "themes", "attendance"):
            return all(r["table_id"] == t1 for r in rows)
        if table == "dots":
            return all(r["voter"] == "table:1" and r["voter_table_id"] == t1 for r in rows)
        if table == "people":
            return seated.get(new["id"]) == {t1}
        if table == "organisations":
            return old is None  # a person added at table 1 may bring a new organisation
        if table == "links":
            return t1 in seated.get(new["person_a"], set())
        if table == "groups":
            return all(r["lead_table_id"] == t1 for r in rows)
        if table in ("group_members", "group_entries", "actions"):
            return new["group_id"] in groups_of_t1
        return False  # events: nothing a table does changes the event row

    bad = []
    for table, rows in after.items():
        for key, new in rows.items():
            old = before[table].get(key)
            if old != new and not owned(table, old, new):
                bad.append(f"{table} {key}: {old} -> {new}")
    for table, rows in before.items():
        bad += [f"{table} {key} vanished" for key in rows if key not in after[table]]
    return bad


# --- forging -----------------------------------------------------------------------------------

SKIP_KEYS = {"layout", "style", "children", "tooltip", "description", "tabbable", "description_allow_html"}


def forged_updates(state: dict[str, Any]) -> list[dict[str, Any]]:
    """State updates a forger sends one widget: every public value of its own type, changed."""
    out: list[dict[str, Any]] = []
    for key, value in state.items():
        if key.startswith("_") or key in SKIP_KEYS:
            continue
        if isinstance(value, bool):
            out.append({key: not value})
        elif isinstance(value, str):
            out.append({key: "Forged by table 1 for table 2 <img src=x onerror=alert(1)>"})
        elif key == "index" and state.get("_options_labels"):
            out += [{key: i} for i in range(len(state["_options_labels"]))]
        elif isinstance(value, int | float) and value is not None:
            out.append({key: 2})
    if "disabled" in state:
        out.append({"disabled": False})  # a disabled button is no lock: enable it, then click
    return out


# what a row sends (lists.js): its buttons' actions (read from the list's state), a
# checkbox's and an unknown one, each naming every row id of the event's first dozen
LIST_ACTIONS = ("check", "undo", "forged")
FORGED_IDS = 13


async def forge_everything(sock: KernelSocket, states: dict[str, dict[str, Any]]) -> int:
    """Send every widget forged values, then clicks and submits naming table 2; returns messages sent.

    Values go first (checkboxes ticked, choices made, disabled widgets enabled), then
    every widget gets two clicks and a submit: the second click on a dot button tries
    to pass the limits a disabled button would otherwise enforce.
    """
    sent = 0
    for model_id, state in states.items():
        for update in forged_updates(state):
            data = {"method": "update", "state": update, "buffer_paths": []}
            await sock.send("comm_msg", {"comm_id": model_id, "data": data})
            sent += 1
    submit = {"event": "submit", "value": "Forged entry for table 2", "table": 2}
    for content in ({"event": "click"}, submit, {"event": "click"}):
        for model_id in states:
            data = {"method": "custom", "content": content}
            await sock.send("comm_msg", {"comm_id": model_id, "data": data})
            sent += 1
    # the list widgets and controls (one widget per list): every action, naming rows by the
    # ids of other tables' entries, people, themes, links, members and actions alike
    for model_id, state in states.items():
        if state.get("part") == "list" and isinstance(state.get("rows"), list):
            actions = {b["action"] for r in state["rows"] for b in r.get("buttons", ())} | set(LIST_ACTIONS)
            contents = [
                {"action": action, "id": row_id, "checked": True, "table": 2}
                for action in sorted(actions)
                for row_id in range(1, FORGED_IDS)
            ]
        elif state.get("part") == "controls" and isinstance(state.get("items"), list):
            names = [i.get("name") for i in state["items"] if i.get("name")]
            contents = [
                {"action": "choose", "name": name, "value": str(v)}
                for name in names
                for v in range(1, FORGED_IDS)
            ] + [
                {"action": i["action"], "values": {"table": "2", "person": "1", "other": "2", "theme": "1"}}
                for i in state["items"]
                if i.get("type") == "button"
            ]
        else:
            continue
        for content in contents:
            await sock.send(
                "comm_msg", {"comm_id": model_id, "data": {"method": "custom", "content": content}}
            )
            sent += 1
    await sock.barrier()
    return sent


def run(coro: Any) -> Any:
    """Run a client coroutine to its end in a thread of its own.

    Playwright's sync API leaves an event loop running in the main thread for the
    rest of a session that also ran browser tests; ``asyncio.run`` refuses to start
    another there, so the scripted clients get a thread and a loop of their own.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, 600)).result()


# --- the tests -----------------------------------------------------------------------------------


def test_execute_request_on_the_kernel_socket_is_refused(target: Target) -> None:
    """A table page's kernel socket runs no code.

    Naive serving fails this: ``jupyter lab``/``jupyter server`` with Voila as an
    extension (or any kernel proxy that forwards every message) executes the
    request, the file appears and an ``execute_reply`` with status ok comes back.
    """
    marker = target.folder / f"executed-{uuid.uuid4().hex}"
    code = f"open({str(marker)!r}, 'w').write('ran')"

    async def attack() -> tuple[list[dict[str, Any]], list[str]]:
        page = await open_page(target.base, target.table_path(1, target.keys.tables[1]))
        try:
            await page.sock.states()  # the socket is live: widget messages get answers
            content = {"code": code, "silent": False, "store_history": True, "user_expressions": {"x": code},
                       "allow_stdin": False, "stop_on_error": False}  # fmt: skip
            sent = [
                await page.sock.send("execute_request", content),
                await page.sock.send("execute_request", content, channel="control"),
                await page.sock.send("execute_request", dict(content, silent=True)),
            ]
            await page.sock.barrier()
            await asyncio.sleep(2)
            return list(page.sock.received), sent
        finally:
            await page.close()

    received, sent = run(attack())
    assert not marker.exists(), "code sent by a browser ran on the server"
    answers = [m for m in received if m.get("parent_header", {}).get("msg_id") in sent]
    kinds = [m.get("msg_type") or m.get("header", {}).get("msg_type") for m in answers]
    assert not {"execute_input", "execute_result", "stream", "error"} & set(kinds), answers
    assert not [m for m in answers if m.get("content", {}).get("status") == "ok"], answers


PHASES = ("enablers-blockers", "grouping", "voting", "collaboration", "action-plans")


def test_forged_widget_messages_cause_no_facilitator_action_and_no_write_for_another_table(
    target: Target,
) -> None:
    """Every widget of table 1's page, in every phase with table input, gets forged values,
    clicks (disabled buttons re-enabled first) and submits naming table 2.

    The store must then show: the event row unchanged (phase, timer, lock, votes still
    hidden), no row of another table added or changed, every write logged as table 1,
    and table 1's dots within the limits. Naive code fails this: a page that took the
    table number from a widget or a submit message, a rule that trusted the page
    instead of checking the actor, a facilitator control merely hidden or disabled on
    the table page, or a dot limit checked only by disabling the button.
    """
    store, ev = target.store, target.event_id
    t1 = store.read(
        lambda c: c.execute(
            select(s.event_tables.c.id).where(s.event_tables.c.event_id == ev, s.event_tables.c.number == 1)
        ).scalar_one()
    )
    report: dict[str, int] = {}

    async def attack() -> None:
        page = await open_page(target.base, target.table_path(1, target.keys.tables[1]))
        try:
            for phase in PHASES:
                set_phase(store, FACILITATOR, ev, phase)
                title = get_event(store, ev).phase.title
                for _ in range(40):  # the page follows the phase within a second or so
                    states = await page.sock.states()
                    if title in texts(states):
                        break
                    await asyncio.sleep(0.25)
                else:
                    pytest.fail(f"table page did not follow the phase to {title}")
                before, rev = snapshot(store), revision(store)
                sent = await forge_everything(page.sock, states)
                drawn = await page.sock.states()  # widgets drawn since: entry rows, the board's boxes
                sent += await forge_everything(page.sock, {k: v for k, v in drawn.items() if k not in states})
                await asyncio.sleep(1)
                after = snapshot(store)
                report[phase] = sent
                assert after["events"] == before["events"], f"{phase}: the event row changed"
                assert foreign_changes(before, after, t1) == [], phase
                assert set(actors_since(store, rev)) <= {"table 1"}, phase
        finally:
            await page.close()

    before_all, rev_all = snapshot(store), revision(store)
    event_before = get_event(store, ev)
    try:
        run(attack())
    finally:
        set_phase(store, FACILITATOR, ev, "enablers-blockers")
    after_all = snapshot(store)
    event_after = get_event(store, ev)
    assert not event_after.votes_revealed and event_after.voting_round == event_before.voting_round
    assert event_after.input_locked == event_before.input_locked
    assert event_after.voting_rules == event_before.voting_rules
    assert foreign_changes(before_all, after_all, t1) == []
    own_dots = [d for d in after_all["dots"].values() if d["voter"] == "table:1" and d["removed_at"] is None]
    rules = event_after.voting_rules
    assert len(own_dots) <= rules.dots_per_voter
    per_theme: dict[int, int] = {}
    for d in own_dots:
        per_theme[d["theme_id"]] = per_theme.get(d["theme_id"], 0) + 1
    assert all(n <= rules.max_per_theme for n in per_theme.values()), per_theme
    # the forger did reach the page: messages were handled and table 1 wrote its own rows
    assert all(n > 20 for n in report.values()), report
    assert "table 1" in actors_since(store, rev_all)


REFUSALS = {
    "another table's key": (1, 2, "This link is for table 2, not table 1"),
    "a wrong key": (1, None, "key is not right for this event"),
    "no key": (1, "", "This link has no key"),
}


async def fetch_refusal(base: str, path: str) -> tuple[int, str]:
    """Status and body of a page link the server must refuse before any kernel starts."""
    from tornado.httpclient import AsyncHTTPClient

    response = await AsyncHTTPClient().fetch(base + path, raise_error=False, request_timeout=PAGE_TIMEOUT)
    return response.code, response.body.decode(errors="replace")


def voila_kernels(target: Target) -> int:
    """Kernel processes under the server's Voila."""
    import psutil

    serve = psutil.Process(target_server_pid(target))
    return sum(1 for p in serve.children(recursive=True) if "ipykernel" in " ".join(p.cmdline()))


def target_server_pid(target: Target) -> int:
    found = re.search(r"Voila is process (\d+)", (target.folder / "serve.err").read_text(errors="replace"))
    assert found, "serve printed Voila's pid"
    return int(found.group(1))


@pytest.mark.parametrize("case", list(REFUSALS))
def test_another_tables_key_and_a_wrong_key_are_refused(target: Target, case: str) -> None:
    """A table page opened with table 2's key for table 1, a made-up key, or no key
    gets a one-line refusal (HTTP 403) from the server itself: no kernel, so nothing
    to send forged messages to, and nothing written.

    Naive code fails this: a page that trusts ``table=`` in the link, or accepts any
    of the event's keys for any table, shows table 1's input; and naive serving starts
    (or hands out a preheated) kernel for every link, whatever its key.
    """
    table, key_of, refusal = REFUSALS[case]
    key = target.keys.tables[key_of] if isinstance(key_of, int) else ("0" * 32 if key_of is None else None)
    store = target.store
    before, rev = snapshot(store), revision(store)
    kernels_before = voila_kernels(target)
    status, body = run(fetch_refusal(target.base, target.table_path(table, key)))
    assert status == 403, (status, body[-2000:])
    assert html.escape(refusal) in body and "Cannot open this page" in body
    assert not re.search(r'"kernelId"', body)
    assert 'class="fac-entry' not in body and "Attack surface" not in body
    assert voila_kernels(target) <= kernels_before
    assert snapshot(store) == before
    assert actors_since(store, rev) == []


def test_a_tables_key_opens_its_own_page(target: Target) -> None:
    """The control for the refusals above: table 2's key on table 2's page shows the input,
    so a refusal is the key's doing, not a page that never opens."""

    async def look() -> dict[str, dict[str, Any]]:
        page = await open_page(target.base, target.table_path(2, target.keys.tables[2]))
        try:
            return await page.sock.states()
        finally:
            await page.close()

    states = run(look())
    assert "fac-entry-text" in classes(states)
    assert "Cannot open this page" not in texts(states)


def test_a_table_key_does_not_open_the_console(target: Target) -> None:
    """Table 1's key on the facilitator's console: refused before a kernel starts.

    Naive code fails this: a console that checks only that the key belongs to the event
    shows ``fac-next-phase``, and a forged click moves the phase.
    """
    store = target.store
    before, rev = snapshot(store), revision(store)
    path = f"/voila/render/facilitator.ipynb?event={target.event_id}&key={target.keys.tables[1]}"
    status, body = run(fetch_refusal(target.base, path))
    assert status == 403 and "Cannot open this page" in body
    assert "this link&#x27;s key is not the facilitator&#x27;s" in body  # escaped, as every line shown
    assert not re.search(r'"kernelId"', body) and 'class="fac-next-phase' not in body
    assert snapshot(store) == before
    assert actors_since(store, rev) == []
