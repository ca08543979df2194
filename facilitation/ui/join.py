"""The join page: the join code from the projector plus a choice of table opens that table's page.

Served, the join page needs no kernel: the serving app answers it itself
(:func:`facilitation.ui.plain.render_join`, checked by :func:`facilitation.serving.gate.join_table_link`)
and sends the browser to the table's page. :class:`JoinView` is the same form as
widgets, for a notebook opened by hand; like the served form it names no event and
lists no table of it until a valid code is typed.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from facilitation.errors import FacilitationError
from facilitation.events.rules import table_for_join_code
from facilitation.store import Store, open_store
from facilitation.ui.page import PageContext, PageParams, page_frame, read_params
from facilitation.ui.plain import MAX_TABLE_CHOICE
from facilitation.ui.table import TableView
from facilitation.ui.widgets import esc, html_widget, replace_children, set_html

__all__ = ["JoinView", "join_page"]


class JoinView:
    """A join form that turns into the chosen table's page.

    Parameters
    ----------
    store : Store
        The page's store.
    params : PageParams
        The link's parameters; ``event`` (when given) lists that event's tables.
    """

    def __init__(self, store: Store, params: PageParams) -> None:
        self.store = store
        self.params = params
        self.ctx: PageContext | None = None
        self.table_view: TableView | None = None
        self.intro = html_widget(
            "<h1>Join the event</h1><p>Type the join code shown on the projector and choose your table.</p>"
        )
        self.code = w.Text(description="Join code", placeholder="e.g. K7QX2M", value=params.code or "")
        self.code.add_class("fac-join-code-input")
        self.code.on_msg(self._on_text_message)
        options = [(f"Table {n}", n) for n in range(1, MAX_TABLE_CHOICE + 1)]
        self.table = w.Dropdown(description="Table", options=options, value=params.table or options[0][1])
        self.table.add_class("fac-join-table")
        self.join_button = w.Button(description="Join", button_style="primary")
        self.join_button.add_class("fac-join-submit")
        self.join_button.on_click(self.join)
        self.message = html_widget("")
        self.form = w.VBox([self.intro, self.code, self.table, self.join_button, self.message])
        self.form.add_class("fac-join-form")
        self.widget = w.VBox([self.form])
        self.widget.add_class("fac-table-page")

    def _on_text_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            self.join()

    def join(self, _button: Any = None) -> bool:
        """Check the code and table; on success show that table's page here."""
        try:
            event_id, actor = table_for_join_code(self.store, self.code.value, int(self.table.value))
            if self.params.event is not None and event_id != self.params.event:
                raise FacilitationError(
                    "That join code is for another event. Check the code on the projector."
                )
            ctx = PageContext(self.store, event_id, actor, PageParams(event=event_id, table=actor.table))
            view = TableView(ctx, int(actor.table or 0))
        except FacilitationError as exc:
            set_html(
                self.message, f'<div class="fac-message fac-message-error" role="alert">{esc(exc)}</div>'
            )
            return False
        self.ctx, self.table_view = ctx, view
        replace_children(self.widget, [view.widget])
        ctx.watcher.start()
        return True


def join_page(store: Store | None = None) -> w.Widget:
    """The whole join page (what ``join.ipynb`` displays)."""
    params = read_params()
    view = JoinView(store or open_store(), params)
    return page_frame(view.widget, None, "fac-join-shell")
