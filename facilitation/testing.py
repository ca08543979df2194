"""Small helpers for doctests, tests, benchmarks and notebooks' examples: a scratch event on
disk, and the Chromium that browser tests and benchmarks drive."""

from __future__ import annotations

import os
import tempfile

from facilitation.access import FACILITATOR, ORGANISER
from facilitation.events.rules import create_event, set_phase
from facilitation.store import Store, open_store

__all__ = ["CHOOSE_KIND", "CHROMIUM", "CHROMIUM_ARGS", "scratch_event"]

# Debian's Chromium (never a browser Playwright downloads); FACILITATION_CHROMIUM names another
CHROMIUM = os.environ.get("FACILITATION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",  # QUIC would bypass the lossy-connection test's TCP proxy
    "--no-first-run",
    "--disable-background-networking",  # nothing leaves the machine: a venue may have no internet
    "--disable-component-update",
    "--disable-sync",
]


def scratch_event(
    *,
    db: str | None = None,
    template: str = "innovation-challenge-half-day",
    tables: int = 4,
    phase: str | None = None,
) -> tuple[Store, int]:
    """A new event in a new SQLite file under the temp folder (or ``db``), at ``phase``.

    Examples
    --------
    >>> store, event_id = scratch_event(phase="ideas")
    >>> from facilitation.events.rules import get_event
    >>> get_event(store, event_id).phase.name
    'ideas'
    """
    store = open_store(db or os.path.join(tempfile.mkdtemp(prefix="facilitation-"), "scratch.db"))
    keys = create_event(store, ORGANISER, template=template, title="Scratch event", tables=tables)
    if phase is not None:
        set_phase(store, FACILITATOR, keys.event_id, phase)
    return store, keys.event_id


# What a table lead does before each entry (issue 18: nothing is chosen for them): pick the
# kind (the named one, else the first offered) and, in enablers-blockers, the evidence.
# For Playwright: ``page.evaluate(CHOOSE_KIND, [kind, evidence])``.
CHOOSE_KIND = """([kind, evidence]) => {
  // what a table lead does before each entry: nothing is chosen for them (issue 18)
  const radios = [...document.querySelectorAll('.fac-entry-kind input[type=radio]')];
  const radio = radios.find((r) => r.parentElement.textContent.trim() === kind) || radios[0];
  if (radio && radio.checked) {
    // still shown from the last entry (whose save resets it on its way): choose it afresh
    const other = radios.find((r) => r !== radio);
    if (other) other.click();
  }
  if (radio && !radio.checked) radio.click();
  const select = document.querySelector('.fac-entry-evidence select');
  if (select) { select.value = evidence; select.dispatchEvent(new Event('change')); }
}"""
