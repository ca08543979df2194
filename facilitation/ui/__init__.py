"""ipywidgets views of a live event: projector, facilitator console, table and join pages.

Views hold widgets and per-view state only; they read and write through the rules
(``facilitation.capture.rules``, ``facilitation.events.rules`` ...) and never see SQL. Each
``*_page()`` function builds a whole page from the link's parameters.
"""

from __future__ import annotations

__all__ = ["console_page", "join_page", "projector_page", "table_page"]


def projector_page():  # type: ignore[no-untyped-def]
    """The projector page (imported lazily so a table kernel loads only what it shows)."""
    from facilitation.ui.projector import projector_page as page

    return page()


def console_page():  # type: ignore[no-untyped-def]
    """The facilitator's console page."""
    from facilitation.ui.console import console_page as page

    return page()


def table_page():  # type: ignore[no-untyped-def]
    """A table's page."""
    from facilitation.ui.table import table_page as page

    return page()


def join_page():  # type: ignore[no-untyped-def]
    """The join page (join code and a choice of table)."""
    from facilitation.ui.join import join_page as page

    return page()
