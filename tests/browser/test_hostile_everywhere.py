"""Hostile text in every field a person types, on every page, in every phase, in real Chromium.

One event is built through the rules with the same hostile string in every typed
field: the title, challenge, purpose, key question and success measures; people's
names, organisations and roles; enablers, blockers and ideas; table and event-wide
theme names; link notes; each task-and-finish group's purpose, lead, sponsor, key
question, success measures and actions (``test_plans.planned_event``). The projector,
the facilitator's console and a table page then follow the event through every phase
(votes revealed), and the organiser and join pages are opened tab by tab.

On every page after every change: no dialog opened, no element the string would
make if it were markup (``img[src=x]``, an iframe, any ``onerror``/``onload``
attribute, a ``javascript:`` link, MathJax's output, a script that calls alert), and
the string shows as typed. Naive code fails this: one view that puts a typed string
in an ``HTML`` widget unescaped runs the ``onerror`` handler (a dialog) and leaves an
``<img>`` in the page; one ``Markdown``/``Label`` display of it renders ``$...$`` as maths.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_plans import planned_event

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.events.rules import get_event, set_phase
from facilitation.network.rules import record_link
from facilitation.people.rules import add_person
from facilitation.serving.server import page_links
from facilitation.voting.rules import reveal_votes

from .conftest import Pages, Served, screenshot

pytestmark = pytest.mark.browser

# every vector of tests/data/hostile-strings.txt that could run or render, in one string
# short enough for every field (names keep 150 characters of it)
HOSTILE = (
    '<img src=x onerror=alert(1)><svg onload=alert(3)>"><iframe src=javascript:alert(5)>'
    "</script><script>alert(6)</script>$\\href{javascript:alert(7)}{m}$ {{ x }}"
)
SHOWN = "<img src=x onerror=alert(1)>"  # the part every view keeps, however it shortens text
INJECTED = "img[src='x'], iframe, [onerror], [onload], a[href^='javascript'], mjx-container, .MathJax, .katex"
LOOK = """([injected, shown]) => ({
  injected: [...document.querySelectorAll(injected)].map(e => e.outerHTML.slice(0, 120)),
  scripts: [...document.scripts].filter(s => s.textContent.includes('alert(')).length,
  shown: document.body.innerText.includes(shown),
})"""


def inert(page: Any, pages: Pages, where: str, *, shown: bool = True) -> None:
    """Assert the page ran nothing, made no element of the string, and shows it as typed.

    ``shown=False``: a page that must show nothing of the event (the join page before a code).
    """
    found = page.evaluate(LOOK, [INJECTED, SHOWN])
    assert not pages.dialogs, f"{where}: a dialog opened: {pages.dialogs}"
    assert found["injected"] == [], f"{where}: the typed string became markup: {found['injected']}"
    assert found["scripts"] == 0, f"{where}: a typed <script> is in the page"
    if shown:
        assert found["shown"], f"{where}: the typed string is not shown as typed"
    else:
        assert not found["shown"], f"{where}: shows the event's typed text before a code is typed"


def follows(page: Any, title: str) -> None:
    """Wait until a page shows the phase's title (it polls the store four times a second)."""
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=title, timeout=20_000)
    page.wait_for_timeout(750)  # the phase's own parts draw after its title


def test_hostile_text_in_every_field_is_shown_as_typed_on_every_page(served: Served, pages: Pages) -> None:
    store = served.store
    planned = planned_event(store, text=HOSTILE)
    ev = planned.event_id
    add_person(store, ORGANISER, ev, "Rhian Evans", organisation=HOSTILE, role=HOSTILE, sector=SHOWN, table=2)
    set_phase(store, FACILITATOR, ev, "voting")
    reveal_votes(store, FACILITATOR, ev, force=True)  # a round is revealed only during voting
    set_phase(store, FACILITATOR, ev, "collaboration")
    record_link(store, table_actor(1), ev, 1, planned.people[0], planned.people[1], "worked with", HOSTILE)
    links = page_links(served.db, ev, served.base)

    projector = pages.open(links.projector, width=1920, height=1080)
    console = pages.open(links.facilitator, width=1366, height=768)
    table = pages.open(links.tables["1"], width=1366, height=768)
    for phase in get_event(store, ev).phases:
        set_phase(store, FACILITATOR, ev, phase.name)
        for name, page in (("projector", projector), ("console", console), ("table 1", table)):
            follows(page, phase.title)
            inert(page, pages, f"{name}, {phase.name}")
    screenshot(projector, "projector-hostile-plans-1920x1080")
    screenshot(table, "table-hostile-plans-1366x768")

    organiser = pages.open(links.organiser, width=1366, height=900, ready=".fac-organiser")
    for tab in ("People", "Seating", "Join cards", "Inclusion", "Exports", "Series"):
        organiser.get_by_role("tab", name=tab).click()
        organiser.wait_for_timeout(500)
        inert(organiser, pages, f"organiser, {tab}")
    organiser.get_by_role("tab", name="Join cards").click()
    organiser.locator(".fac-org-cards").click()
    organiser.wait_for_timeout(1500)
    inert(organiser, pages, "organiser, join cards drawn")

    join = pages.open(links.join, width=1366, height=768)
    inert(join, pages, "join", shown=False)  # the join page names no event until a right code
