"""Which link opens which page (``facilitation.serving.gate``), the projector's own key, the
kernel-free join form, and the kernel rationing's bookkeeping; both engines, no server.

The served behaviour (no kernel for a refused link, 503 when full, the reaper) is
tested against a real server in ``tests/test_guessers.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from facilitation.access import FACILITATOR, ORGANISER, projector_key, table_actor
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import EventKeys, create_event, set_phase
from facilitation.serving.gate import WRONG_KEY, PageQuery, check_page, event_projector_key, join_table_link
from facilitation.serving.rationing import FailureLimiter, Limits, Rationer, Ticket, memory_budget
from facilitation.store import Store
from facilitation.ui.page import PageParams, open_projector
from facilitation.ui.plain import render_join, render_notice
from facilitation.ui.projector import ProjectorView

os.environ.setdefault("FACILITATION_SECRET", "gate-tests-secret")


@pytest.fixture
def two_events(store: Store) -> Iterator[tuple[Store, EventKeys, EventKeys]]:
    a = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Secret A", tables=3)
    b = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Secret B", tables=2)
    set_phase(store, FACILITATOR, a.event_id, "enablers-blockers")
    yield store, a, b


def test_an_event_id_alone_opens_no_page(two_events: tuple[Store, EventKeys, EventKeys]) -> None:
    """Naive code opened the projector with ``event=ID`` alone (``open_page(need_key=False)``)."""
    store, a, _ = two_events
    for page in ("projector", "table", "facilitator", "organiser"):
        with pytest.raises(NotAllowed, match="no key"):
            check_page(store, page, PageQuery(a.event_id, None, 1))
    with pytest.raises(FacilitationError, match="no key"):
        open_projector(PageParams(event=a.event_id), store=store)


def test_the_projector_key_opens_the_projector_of_its_own_event_only(
    two_events: tuple[Store, EventKeys, EventKeys],
) -> None:
    store, a, b = two_events
    key_a = event_projector_key(store, ORGANISER, a.event_id)
    key_b = event_projector_key(store, FACILITATOR, b.event_id)
    assert key_a != key_b and key_a not in (a.facilitator, a.organiser, *a.tables.values())
    viewer = check_page(store, "projector", PageQuery(a.event_id, key_a))
    assert viewer.role == "table" and viewer.table == -1  # acts as nobody
    assert check_page(store, "projector", PageQuery(a.event_id, a.facilitator)).role == "facilitator"
    view = ProjectorView(open_projector(PageParams(event=a.event_id, key=key_a), store=store))
    assert "Secret A" in view.title.value
    for wrong in (key_b, a.tables[1], a.organiser, "0" * 32):
        with pytest.raises(NotAllowed) as refused:
            check_page(store, "projector", PageQuery(a.event_id, wrong))
        assert str(refused.value) == WRONG_KEY
    # read-only: the projector's key opens no page that writes
    for page in ("table", "facilitator", "organiser"):
        with pytest.raises(NotAllowed):
            check_page(store, page, PageQuery(a.event_id, key_a, 1))
    with pytest.raises(NotAllowed):
        event_projector_key(store, table_actor(1), a.event_id)


def test_a_refusal_does_not_say_whether_the_event_exists(
    two_events: tuple[Store, EventKeys, EventKeys],
) -> None:
    """Walking event ids with a made-up key: the same line for an event that exists and one that does not."""
    store, a, _ = two_events
    answers = set()
    for event_id in range(1, 51):
        for page in ("projector", "facilitator", "organiser"):
            with pytest.raises(NotAllowed) as refused:
                check_page(store, page, PageQuery(event_id, "f" * 32))
            answers.add(str(refused.value))
    assert answers == {WRONG_KEY}
    with pytest.raises(NotFound):
        check_page(store, "analysis", PageQuery(a.event_id, a.facilitator))


def test_pages_take_the_keys_their_notebooks_take(two_events: tuple[Store, EventKeys, EventKeys]) -> None:
    store, a, b = two_events
    assert check_page(store, "table", PageQuery(a.event_id, a.tables[2], 2)) == table_actor(2)
    assert check_page(store, "table", PageQuery(a.event_id, a.tables[2])) == table_actor(2)
    assert check_page(store, "table", PageQuery(a.event_id, a.facilitator, 3)).role == "facilitator"
    with pytest.raises(NotAllowed, match="This link is for table 2, not table 1"):
        check_page(store, "table", PageQuery(a.event_id, a.tables[2], 1))
    with pytest.raises(NotAllowed, match="not a table's link"):
        check_page(store, "table", PageQuery(a.event_id, a.facilitator))
    with pytest.raises(NotAllowed):
        check_page(store, "table", PageQuery(a.event_id, b.tables[1], 1))  # another event's key
    assert check_page(store, "facilitator", PageQuery(a.event_id, a.facilitator)).role == "facilitator"
    with pytest.raises(NotAllowed, match="facilitator's console"):
        check_page(store, "facilitator", PageQuery(a.event_id, a.organiser))
    assert check_page(store, "organiser", PageQuery(a.event_id, a.organiser)).role == "organiser"
    with pytest.raises(NotAllowed, match="organiser's page"):
        check_page(store, "organiser", PageQuery(a.event_id, a.tables[1]))


def test_a_join_code_leads_to_its_tables_key(two_events: tuple[Store, EventKeys, EventKeys]) -> None:
    store, a, b = two_events
    assert join_table_link(store, f" {a.join_code.lower()} ", 3) == (a.event_id, 3, a.tables[3])
    assert join_table_link(store, b.join_code, 1, b.event_id) == (b.event_id, 1, b.tables[1])
    with pytest.raises(FacilitationError, match="another event"):
        join_table_link(store, b.join_code, 1, a.event_id)
    with pytest.raises(FacilitationError):
        join_table_link(store, "WRONG1", 1)
    with pytest.raises(FacilitationError):
        join_table_link(store, a.join_code, 9)  # no table 9


def test_the_join_form_names_no_event_and_escapes_what_was_typed() -> None:
    page = render_join(code="<img src=x onerror=alert(1)>", table=2, event=1, message="<b>No</b> event")
    assert "<img" not in page and "<b>No" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;No&lt;/b&gt;" in page
    assert '<label for="fac-join-code">' in page and '<label for="fac-join-table">' in page
    assert 'lang="en"' in page and "<main" in page and "<script" not in page
    notice = render_notice("The server is full: try again in a minute.", title="The server is full")
    assert "<h1>The server is full</h1>" in notice and 'role="alert"' in notice


def test_the_join_view_shows_no_event_before_a_valid_code(
    two_events: tuple[Store, EventKeys, EventKeys],
) -> None:
    """Naive code put the event's title and its table names on the join page for ``event=ID``."""
    from facilitation.ui.join import JoinView

    store, a, _ = two_events
    join = JoinView(store, PageParams(event=a.event_id))
    assert "Secret A" not in join.intro.value
    join.code.value = a.join_code
    join.table.value = 2
    assert join.join() is True and join.table_view is not None


def test_projector_key_is_derived_from_the_nonce() -> None:
    assert projector_key("n", secret=b"s") != projector_key("n", secret=b"t")


# --- rationing ------------------------------------------------------------------------------


def test_rationing_caps_the_total_and_each_address_and_reaps_pages_that_never_connect() -> None:
    now = [0.0]
    r = Rationer(Limits(max_kernels=6, per_address=2, connect_grace=10), pool_size=2, clock=lambda: now[0])
    first = [r.admit("a"), r.admit("a")]
    assert r.admit("a") == "address"
    assert all(isinstance(t, Ticket) for t in first)
    second = [r.admit("b"), r.admit("b")]
    assert r.admit("c") == "full"  # four page kernels and the pool of two
    for n, t in enumerate([*first, *second]):
        assert isinstance(t, Ticket)
        r.started(t, f"k{n}")
        r.served(t)
    r.connected("k0")
    r.connected("k2")
    r.disconnected("k2")  # a closed tab: counts towards the total only, until culled
    now[0] = 5
    assert r.to_reap({"k0", "k1", "k2", "k3"}) == []
    now[0] = 11
    assert sorted(r.to_reap({"k0", "k1", "k2", "k3"})) == ["k1", "k3"]
    assert r.page_kernels == 2
    assert isinstance(r.admit("b"), Ticket) and isinstance(r.admit("b"), Ticket)
    assert r.to_reap({"k2"}) == [] and r.page_kernels == 3  # k0 shut down by its tab: forgotten


def test_a_request_that_got_no_kernel_gives_its_ticket_back() -> None:
    r = Rationer(Limits(max_kernels=2, per_address=1), pool_size=0)
    t = r.admit("a")
    assert isinstance(t, Ticket) and r.admit("a") == "address"
    r.served(t)  # refused inside Voila, or the client went away before a kernel started
    assert isinstance(r.admit("a"), Ticket)


def test_wrong_join_codes_are_limited_per_address_per_minute() -> None:
    now = [0.0]
    lim = FailureLimiter(per_minute=10, clock=lambda: now[0])
    for _ in range(10):
        assert not lim.blocked("a")
        lim.failed("a")
    assert lim.blocked("a") and not lim.blocked("b")
    now[0] = 30
    assert lim.blocked("a")
    now[0] = 60.5
    assert not lim.blocked("a")


def test_the_memory_budget_leaves_a_reserve_and_caps_the_pool() -> None:
    limits = memory_budget(4096, per_address=10)
    assert limits.max_kernels * limits.kernel_mib <= 4096 - 512
    assert memory_budget(100).max_kernels == 2  # tiny machine: still serves a projector and a table
    assert "at most" in limits.describe(3) and "per address" in limits.describe(3)
