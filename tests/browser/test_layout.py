"""Long typed text at laptop size (1366x768): it wraps, and pushes nothing off the page.

A title, a name or an entry can be one long word (an organisation's URL, a pasted
reference). Left to flexbox, such a word widens its row: the countdown slides off
the right of the table page and the row's buttons shrink to an ellipsis ("E…"),
which a table lead cannot read or reliably hit.
"""

from __future__ import annotations

import pytest

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.events.rules import create_event, set_phase, start_timer
from facilitation.people.rules import add_person
from facilitation.serving.server import page_links

from .conftest import Pages, Served, screenshot

pytestmark = pytest.mark.browser

LONG_WORD = "Eastbrook" + "Integrated" * 12 + "CareBoard"
OVERFLOW = """() => {
  const width = window.innerWidth;
  const timer = document.querySelector('.fac-table-page .fac-timer').getBoundingClientRect();
  const squeezed = [...document.querySelectorAll('.fac-entry-row .widget-button')]
    .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
    .map(b => b.innerText);
  const wide = [...document.querySelectorAll('.fac-entry-row, .fac-table-header')]
    .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > width + 1).length;
  return {width, timer_right: timer.right, squeezed, wide, scroll: document.documentElement.scrollWidth};
}"""


def test_long_words_wrap_on_the_table_page_at_laptop_size(served: Served, pages: Pages) -> None:
    store = served.store
    keys = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title=f"Frailty {LONG_WORD}", tables=2
    )
    ev = keys.event_id
    add_person(store, table_actor(1), ev, f"Ama {LONG_WORD}", organisation=LONG_WORD, table=1)
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    add_entry(store, table_actor(1), ev, 1, "enabler", f"Shared records via {LONG_WORD}")
    start_timer(store, FACILITATOR, ev, 10)

    page = pages.open(page_links(served.db, ev, served.base).tables["1"], width=1366, height=768)
    page.wait_for_function(
        "t => document.body.innerText.includes(t)", arg="Shared records via", timeout=20_000
    )
    found = page.evaluate(OVERFLOW)
    screenshot(page, "table-long-words-1366x768")
    assert found["timer_right"] <= found["width"], f"the countdown is pushed off the page: {found}"
    assert found["squeezed"] == [], f"buttons squeezed to an ellipsis: {found['squeezed']}"
    assert found["wide"] == 0 and found["scroll"] <= found["width"], f"a row is wider than the page: {found}"
