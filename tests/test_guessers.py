"""Guessers and loops against a real ``facilitate serve`` (127.0.0.1 only, bounded).

Someone on the venue Wi-Fi without any key: walks event ids 1 to 50 on every page,
with no key and with the projector key of another event, and must find nothing of any
event and start no kernel; then floods every page with anonymous requests, and the
server must come back to where it was within a minute, keep the open tables working
and still open a real table page. Someone holding a key who loops plain GETs (no
browser, no websocket) gets at most the per-address cap of kernels, a 503 past it,
and every kernel back within seconds of its grace.

Naive serving fails each: Voila starts a kernel for every request, the projector
opened with ``event=ID`` alone, the join page named the event, and kernels stayed
until the five-minute cull. Checking that against naive serving? Set
``GUESSERS_FLOOD=20`` first: 500 requests a page start 4,000 kernels there.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from liveserver import Server, start_server
from test_attacks import classes, open_page, run, texts

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.events.rules import EventKeys, create_event, get_event, set_phase
from facilitation.people.rules import add_person
from facilitation.serving.gate import event_projector_key
from facilitation.store import Store, open_store
from facilitation.themes.grouping import create_theme

pytestmark = pytest.mark.slow

SECRET = "guessers-tests-secret"
FLOOD = int(os.environ.get("GUESSERS_FLOOD", "500"))
PER_ADDRESS = 4
POOL = 1  # preheated table kernels: what "back where it was" means for the kernel count
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]+)"')
PAGES = ("projector", "table", "facilitator", "organiser", "join", "analysis")


@dataclass
class Served:
    store: Store
    events: list[EventKeys]
    projector_keys: dict[int, str]
    secrets: list[str]
    server: Server

    @property
    def base(self) -> str:
        return self.server.base

    @property
    def event(self) -> EventKeys:
        return self.events[0]


def build(store: Store) -> tuple[list[EventKeys], list[str]]:
    """Three events with titles, people, organisations, entries and themes a guesser must not see."""
    events, secrets = [], []
    for n in range(3):
        title = f"Guarded event {n} Zanzibar"
        keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title=title, tables=3)
        ev = keys.event_id
        person, org = f"Quentin Marchbanks{n}", f"Orgwell Trust{n}"
        add_person(store, table_actor(1), ev, person, organisation=org, table=1)
        set_phase(store, FACILITATOR, ev, "enablers-blockers")
        entry = f"Entry nobody may guess {n}"
        entry_id = add_entry(store, table_actor(1), ev, 1, "enabler", entry)
        set_phase(store, FACILITATOR, ev, "grouping")
        theme = f"Theme nobody may guess {n}"
        create_theme(store, table_actor(1), ev, 1, theme, [entry_id])
        set_phase(store, FACILITATOR, ev, "collaboration")  # the map: every name and organisation
        events.append(keys)
        secrets += [title, person, org, entry, theme, keys.join_code]
    return events, secrets


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("guessers")
    db = str(folder / "event.db")
    previous = os.environ.get("FACILITATION_SECRET")
    os.environ["FACILITATION_SECRET"] = SECRET  # the server inherits it
    store = open_store(db)
    try:
        events, secrets = build(store)
        projector_keys = {k.event_id: event_projector_key(store, ORGANISER, k.event_id) for k in events}
        server = start_server(
            db, events[0].event_id, folder, pool=POOL, extra=("--per-address", str(PER_ADDRESS))
        )
        try:
            yield Served(store, events, projector_keys, secrets, server)
        finally:
            server.stop()
    finally:
        store.close()
        if previous is None:
            os.environ.pop("FACILITATION_SECRET", None)
        else:
            os.environ["FACILITATION_SECRET"] = previous


def fetch(
    url: str, data: dict[str, str] | None = None, timeout: float = 120, forwarded_for: str | None = None
) -> tuple[int, str, dict[str, str]]:
    """Status, body and headers of one plain HTTP request (no browser, no websocket)."""
    assert url.startswith("http://127.0.0.1:"), url  # never anywhere else
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    if forwarded_for is not None:
        request.add_header("X-Forwarded-For", forwarded_for)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as resp:
            return resp.status, resp.read().decode(errors="replace"), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace"), dict(err.headers or {})


def kernels(server: Server) -> list[psutil.Process]:
    assert server.voila_pid is not None
    try:
        return [
            p for p in psutil.Process(server.voila_pid).children() if "ipykernel" in " ".join(p.cmdline())
        ]
    except psutil.Error:
        return []


def memory_mib(server: Server) -> float:
    procs = [psutil.Process(server.voila_pid), *kernels(server)]
    total = 0.0
    for p in procs:
        try:
            total += p.memory_info().rss / 2**20
        except psutil.Error:
            continue
    return total


def settled_kernels(server: Server, want: int, timeout: float) -> int:
    """Wait until at most ``want`` kernels remain; return how many there are at the end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = len(kernels(server))
        if n <= want:
            return n
        time.sleep(1)
    return len(kernels(server))


def page_url(base: str, page: str, query: dict[str, object]) -> str:
    return f"{base}/voila/render/{page}.ipynb?{urllib.parse.urlencode(query)}"


def test_walking_event_ids_finds_nothing_and_starts_no_kernel(served: Served) -> None:
    """Event ids 1 to 50 on every page, with no key and with another event's projector key."""
    before = len(kernels(served.server))
    other = {
        k.event_id: served.projector_keys[served.events[(i + 1) % 3].event_id]
        for i, k in enumerate(served.events)
    }
    leaks = []
    for event_id in range(1, 51):
        wrong_key = other.get(event_id, served.projector_keys[served.event.event_id])
        for page in PAGES:
            for query in ({"event": event_id}, {"event": event_id, "key": wrong_key, "table": 1}):
                status, body, _ = fetch(page_url(served.base, page, query))
                assert not KERNEL_ID.search(body), f"{page} {query}: a kernel started ({status})"
                assert status == (200 if page == "join" else 404 if page == "analysis" else 403), (
                    page,
                    query,
                )
                leaks += [(page, query, s) for s in served.secrets if s in body]
                if page != "join":
                    assert "Cannot open this page" in body and body.count("<p>") == 1, body[-500:]
    assert leaks == []
    assert len(kernels(served.server)) <= before  # the pool at most: not one kernel for a guess


def test_the_join_page_needs_a_right_code_and_limits_wrong_ones(served: Served) -> None:
    """The form names no event; a right code sends the browser to its table's page; ten wrong
    codes a minute from one address, then even a right one is refused for the minute."""
    ev = served.event
    status, body, _ = fetch(page_url(served.base, "join", {"event": ev.event_id}))
    assert status == 200 and "Join the event" in body and not any(s in body for s in served.secrets)
    join = f"{served.base}/voila/render/join.ipynb"
    status, _, headers = fetch(join, {"code": ev.join_code.lower(), "table": "2", "event": str(ev.event_id)})
    assert status == 303
    assert headers["Location"].endswith(
        f"table.ipynb?{urllib.parse.urlencode({'event': ev.event_id, 'table': 2, 'key': ev.tables[2]})}"
    )
    # each claims another address in X-Forwarded-For: no proxy is trusted, so it counts for nothing
    answers = [
        fetch(join, {"code": f"WRONG{n:02d}", "table": "1"}, forwarded_for=f"10.9.0.{n}")[0]
        for n in range(25)
    ]
    assert answers[:10] == [400] * 10 and set(answers[10:]) == {429}, answers
    status, body, headers = fetch(join, {"code": ev.join_code, "table": "2"})
    assert status == 429 and headers.get("Retry-After") == "60" and "wait a minute" in body


def test_a_flood_of_anonymous_requests_leaves_nothing_behind(served: Served) -> None:
    """FLOOD anonymous requests to every page from one address, with an open table page.

    Within a minute the kernels and memory are back where they were, the open page still
    follows the event, and a real table page opens.
    """
    ev, server = served.event, served.server
    set_phase(served.store, FACILITATOR, ev.event_id, "enablers-blockers")
    settled_kernels(server, POOL, 90)

    async def scenario() -> dict[str, object]:
        page = await open_page(
            served.base, f"/voila/render/table.ipynb?event={ev.event_id}&key={ev.tables[1]}"
        )
        try:
            await page.sock.states()
            base_kernels, base_mem = len(kernels(server)), memory_mib(server)
            urls = [
                page_url(served.base, name, {"event": ev.event_id})
                for name in ("projector", "table", "facilitator", "organiser", "join", "analysis")
            ] + [page_url(served.base, "projector", {"event": ev.event_id, "key": "0" * 32})]
            jobs = [(u, None) for u in urls for _ in range(FLOOD)]
            jobs += [(f"{served.base}/voila/render/join.ipynb", {"code": "WRONG9", "table": "1"})] * FLOOD
            with ThreadPoolExecutor(16) as pool:
                statuses = Counter(
                    s
                    for s, _, _ in await asyncio.get_running_loop().run_in_executor(
                        None, lambda: list(pool.map(lambda j: fetch(j[0], j[1], timeout=60), jobs))
                    )
                )
            peak = len(kernels(server))
            back = await asyncio.get_running_loop().run_in_executor(
                None, settled_kernels, server, POOL + 1, 60
            )
            after_mem = memory_mib(server)
            title = get_event(served.store, ev.event_id).phase.title
            set_phase(served.store, FACILITATOR, ev.event_id, "ideas")
            new_title = get_event(served.store, ev.event_id).phase.title
            for _ in range(60):
                if new_title in texts(await page.sock.states()):
                    break
                await asyncio.sleep(0.5)
            else:
                pytest.fail(f"the open table page stopped following the event (still at {title})")
            fresh = await open_page(
                served.base, f"/voila/render/table.ipynb?event={ev.event_id}&key={ev.tables[2]}"
            )
            try:
                fresh_classes = classes(await fresh.sock.states())
            finally:
                await fresh.close()
            return {"statuses": statuses, "base_kernels": base_kernels, "peak": peak, "back": back,
                    "base_mem": base_mem, "after_mem": after_mem, "fresh": fresh_classes}  # fmt: skip
        finally:
            await page.close()

    seen = run(scenario())
    statuses = seen["statuses"]
    assert isinstance(statuses, Counter)
    assert sum(statuses.values()) == 8 * FLOOD
    assert not {s for s in statuses if s >= 500}, statuses  # nothing crashed, nothing was "full"
    # the pool and the open page (the pool refills the kernel the page took): not one for a request
    assert seen["peak"] <= POOL + 1 and seen["back"] <= POOL + 1, seen
    assert float(seen["after_mem"]) < float(seen["base_mem"]) + 150, seen  # MiB: Voila's own churn only
    assert "fac-entry-text" in seen["fresh"]  # type: ignore[operator]


def test_kernels_of_pages_that_never_connect_come_back_and_a_full_address_gets_503(served: Served) -> None:
    """Someone with a table's key loops plain GETs: at most PER_ADDRESS kernels at a time
    (plus the pool's refill), a short 503 past that, and every kernel back within a minute."""
    ev, server = served.event, served.server
    settled_kernels(server, POOL, 90)
    url = page_url(served.base, "table", {"event": ev.event_id, "key": ev.tables[3]})
    peak = [0]
    done = [False]

    def watch() -> None:
        while not done[0]:
            peak[0] = max(peak[0], len(kernels(server)))
            time.sleep(0.2)

    with ThreadPoolExecutor(13) as pool:
        watcher = pool.submit(watch)
        # each GET forges another client address: no proxy is trusted, so it escapes no cap
        answers = list(pool.map(lambda n: fetch(url, timeout=180, forwarded_for=f"10.8.0.{n}"), range(12)))
        done[0] = True
        watcher.result()
    statuses = Counter(s for s, _, _ in answers)
    assert set(statuses) <= {200, 503} and statuses[503] >= 12 - PER_ADDRESS, statuses
    full = next(body for s, body, _ in answers if s == 503)
    assert "try again in a minute" in full and not KERNEL_ID.search(full)
    assert all(h.get("Retry-After") == "60" for s, _, h in answers if s == 503)
    assert peak[0] <= POOL + PER_ADDRESS + 1, peak  # the pool refills the one it handed out
    assert settled_kernels(server, POOL, 60) <= POOL


def test_the_printed_projector_link_carries_the_projector_key(served: Served) -> None:
    link = served.server.links["projector"]
    key = served.projector_keys[served.event.event_id]
    assert link.endswith(f"projector.ipynb?event={served.event.event_id}&key={key}")
    status, body, _ = fetch(link.replace(link.split("/voila")[0], served.base))
    assert status == 200 and KERNEL_ID.search(body)
    assert Path(served.server.folder / "serve.out").read_text().count("memory budget:") == 1
