"""What every page does first: read its parameters, open the store, check the key.

Page parameters are read in one place, :func:`read_params`, from Voila's
``QUERY_STRING`` (a preheated kernel waits for its request with
``voila.utils.get_query_string``). Outside Voila (nbval, a notebook opened by hand)
the ``FACILITATION_EVENT``, ``FACILITATION_KEY`` and ``FACILITATION_TABLE``
variables stand in for the query string.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import parse_qs, urlencode

import ipywidgets as w

from facilitation.access import VIEWER, Actor
from facilitation.errors import FacilitationError
from facilitation.events.rules import authenticate
from facilitation.live import Watcher, served_by_voila
from facilitation.store import Store, open_store
from facilitation.ui.widgets import Heartbeat, esc, html_widget

__all__ = [
    "VIEWER",
    "PageContext",
    "PageParams",
    "error_view",
    "join_url",
    "open_page",
    "open_projector",
    "page_frame",
    "page_url",
    "projector_link_html",
    "projector_url",
    "public_base_url",
    "read_params",
    "style_widget",
]


@dataclass(frozen=True)
class PageParams:
    """What a page's link says: the event, the key, the table, a join code."""

    event: int | None = None
    key: str | None = None
    table: int | None = None
    code: str | None = None

    @classmethod
    def from_query(cls, query: str) -> PageParams:
        """Parse ``event=1&key=...&table=2``; anything malformed counts as absent.

        Examples
        --------
        >>> PageParams.from_query("event=3&key=abc&table=2")
        PageParams(event=3, key='abc', table=2, code=None)
        >>> PageParams.from_query("event=x&table=")
        PageParams(event=None, key=None, table=None, code=None)
        """
        q = parse_qs(query.lstrip("?"), keep_blank_values=False)

        def first(name: str) -> str | None:
            values = q.get(name)
            return values[0].strip() if values and values[0].strip() else None

        def number(name: str) -> int | None:
            value = first(name)
            return int(value) if value is not None and value.isdigit() else None

        return cls(event=number("event"), key=first("key"), table=number("table"), code=first("code"))


def read_params() -> PageParams:
    """The page's parameters: Voila's query string, else the environment's defaults."""
    query = ""
    if served_by_voila():
        from voila.utils import get_query_string

        query = get_query_string() or ""
    else:
        query = os.environ.get("QUERY_STRING", "")
    params = PageParams.from_query(query)
    if query.strip():
        return params
    env = PageParams.from_query(
        urlencode(
            {
                k: v
                for k, v in {
                    "event": os.environ.get("FACILITATION_EVENT", ""),
                    "key": os.environ.get("FACILITATION_KEY", ""),
                    "table": os.environ.get("FACILITATION_TABLE", ""),
                }.items()
                if v
            }
        )
    )
    return env


@dataclass
class PageContext:
    """One page's handle on the event: its store, the event, who it acts as, its watcher."""

    store: Store
    event_id: int
    actor: Actor
    params: PageParams
    watcher: Watcher = field(init=False)

    def __post_init__(self) -> None:
        self.watcher = Watcher(self.store, self.event_id)


def open_page(
    params: PageParams | None = None, *, store: Store | None = None, need_key: bool = True
) -> PageContext:
    """Open the store and authenticate the page's key; raises a message a person can act on."""
    params = params or read_params()
    if params.event is None:
        raise FacilitationError(
            "This link does not say which event to show. Use a link printed by `facilitate serve`."
        )
    store = store or open_store()
    if need_key:
        if not params.key:
            raise FacilitationError("This link has no key. Ask the facilitator for your page's link.")
        actor = authenticate(store, params.event, params.key, table=params.table)
    else:
        from facilitation.events.rules import get_event

        get_event(store, params.event)  # raises NotFound for a wrong event id
        actor = VIEWER
    return PageContext(store, params.event, actor, params)


def open_projector(params: PageParams | None = None, *, store: Store | None = None) -> PageContext:
    """Open the projector page: its link needs the projector's key (or the facilitator's).

    The same rule (:func:`facilitation.serving.gate.check_page`) that the serving app applies
    before the page gets a kernel; applied again here for a page opened any other way.
    The projector acts as nobody, whichever key opened it.
    """
    from facilitation.serving.gate import PageQuery, check_page

    params = params or read_params()
    store = store or open_store()
    check_page(store, "projector", PageQuery(params.event, params.key))
    assert params.event is not None  # check_page refuses a link without one
    return PageContext(store, params.event, VIEWER, params)


def public_base_url() -> str:
    """The address people type to reach this server (``facilitate serve`` sets it)."""
    base = os.environ.get("FACILITATION_PUBLIC_URL")
    if base:
        return base.rstrip("/")
    host = os.environ.get("SERVER_NAME") or "127.0.0.1"
    port = os.environ.get("SERVER_PORT") or "8866"
    return f"http://{host}:{port}"


def page_url(notebook: str, base: str | None = None, **query: object) -> str:
    """The link of a page: ``page_url("table", event=1, key="..")``.

    Examples
    --------
    >>> page_url("table", "http://h:1", event=1, table=2)
    'http://h:1/voila/render/table.ipynb?event=1&table=2'
    """
    q = urlencode({k: v for k, v in query.items() if v is not None})
    return f"{(base or public_base_url()).rstrip('/')}/voila/render/{notebook}.ipynb" + (f"?{q}" if q else "")


def projector_url(store: Store, actor: Actor, event_id: int, base: str | None = None) -> str:
    """The projector's link with its read-only key (organiser or facilitator only).

    Examples
    --------
    >>> import tempfile, os
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER
    >>> from facilitation.events.rules import create_event
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "e.db"))
    >>> keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="T", tables=2)
    >>> url = projector_url(store, ORGANISER, keys.event_id, "http://h:1")
    >>> url.split("key=")[0], len(url.split("key=")[1])
    ('http://h:1/voila/render/projector.ipynb?event=1&', 32)
    """
    from facilitation.serving.gate import event_projector_key

    key = event_projector_key(store, actor, event_id)
    return page_url("projector", base, event=event_id, key=key)


def projector_link_html(url: str) -> str:
    """One small line with the projector's link, for the console and the organiser page (escaped).

    Examples
    --------
    >>> projector_link_html('http://h/p?event=1&key="k"')
    '<p class="fac-projector-link">Projector link (read-only key, safe to show the room): <a href="http://h/p?event=1&amp;key=&quot;k&quot;" target="_blank" rel="noopener">http://h/p?event=1&amp;key=&quot;k&quot;</a></p>'
    """
    return (
        '<p class="fac-projector-link">Projector link (read-only key, safe to show the room): '
        f'<a href="{esc(url)}" target="_blank" rel="noopener">{esc(url)}</a></p>'
    )


def join_url(event_id: int, base: str | None = None) -> str:
    """The join page of an event (join code and a choice of table; no key)."""
    return page_url("join", base, event=event_id)


def style_widget() -> w.HTML:
    """The project's stylesheet (``ui/static/facilitation.css``), inlined: no outside request."""
    css = resources.files("facilitation.ui").joinpath("static/facilitation.css").read_text(encoding="utf-8")
    return w.HTML(value=f"<style>{css}</style>", layout=w.Layout(display="none"))


def page_frame(view: w.Widget, ctx: PageContext | None, *classes: str) -> w.VBox:
    """The page: stylesheet, heartbeat (reload banner) and the view; starts live updates."""
    frame = w.VBox([style_widget(), Heartbeat(), view])
    frame.add_class("fac-page")
    for cls in classes:
        frame.add_class(cls)
    if ctx is not None:
        ctx.watcher.start()
    return frame


def error_view(error: Exception, *classes: str) -> w.VBox:
    """A page that could not open: the reason, as a person can act on it."""
    message = str(error) if isinstance(error, FacilitationError) else "This page could not open. Reload it."
    box = html_widget(
        f'<div class="fac-error" role="alert"><h1>Cannot open this page</h1><p>{esc(message)}</p></div>'
    )
    return page_frame(box, None, *classes)
