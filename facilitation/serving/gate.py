"""Which link opens which page: the one rule the serving app applies before a page gets a
kernel, and the projector page applies again inside its kernel.

An event id alone opens nothing. Every page that runs a kernel needs a key in its
link: a table's key (or the facilitator's) for a table page, the facilitator's for the
console, the organiser's (or the facilitator's) for the organiser page, and the
projector's read-only key (or the facilitator's) for the projector. A refusal never
says whether the event exists, so walking event ids teaches a guesser nothing. The
join page needs no kernel and no key: the serving app checks the typed join code
(:func:`join_table_link`) and sends the browser to that table's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from facilitation.access import SYSTEM, VIEWER, Actor, hash_key, keys_match, projector_key, require
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import ARCHIVED, authenticate, event_keys, table_for_join_code
from facilitation.store import Store
from facilitation.store import schema as s

__all__ = [
    "KERNEL_PAGES",
    "WRONG_KEY",
    "PageQuery",
    "check_page",
    "event_projector_key",
    "join_table_link",
]

KERNEL_PAGES = ("table", "facilitator", "organiser", "projector")
WRONG_KEY = "This link's key is not right for this event. Ask the facilitator for your page's link."
NO_KEY = "This link has no key. Ask the facilitator for your page's link."
NO_EVENT = "This link does not say which event to show. Use a link printed by `facilitate serve`."


@dataclass(frozen=True)
class PageQuery:
    """What a page link asks for: the event, the key, the table (``None`` when absent)."""

    event: int | None
    key: str | None
    table: int | None = None


def _nonce(conn: Connection, event_id: int) -> str | None:
    row = conn.execute(
        select(s.events.c.key_nonce).where(s.events.c.id == int(event_id), s.events.c.deleted_at.is_(None))
    ).first()
    return None if row is None else str(row.key_nonce)


def event_projector_key(store: Store, actor: Actor, event_id: int) -> str:
    """The projector key of an event, for its link (organiser or facilitator only).

    Examples
    --------
    >>> import tempfile, os
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER, table_actor
    >>> from facilitation.events.rules import create_event
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "e.db"))
    >>> keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="T", tables=2)
    >>> len(event_projector_key(store, ORGANISER, keys.event_id))
    32
    >>> event_projector_key(store, table_actor(1), keys.event_id)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the organiser's page or the facilitator's console can see the projector's key; table 1 cannot.
    """
    require(actor, "organiser", "facilitator", action="see the projector's key")
    nonce = store.read(lambda conn: _nonce(conn, event_id))
    if nonce is None:
        raise NotFound(f"There is no event {event_id}. `facilitate list` shows the events.")
    return projector_key(nonce)


def _projector(store: Store, event_id: int, key: str) -> Actor | None:
    """``VIEWER`` for the projector key; None when the key is not the projector's."""
    nonce = store.read(lambda conn: _nonce(conn, event_id))
    if nonce is not None and keys_match(key, hash_key(projector_key(nonce))):
        return VIEWER
    return None


def check_page(store: Store, page: str, query: PageQuery) -> Actor:
    """The actor a page link stands for; raises :class:`NotAllowed` with one line a person can act on.

    ``page`` is the notebook's name without ``.ipynb``. A wrong key, an unknown event
    and a withdrawn event get the same answer.

    Examples
    --------
    >>> import tempfile, os
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER
    >>> from facilitation.events.rules import create_event
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "e.db"))
    >>> keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="T", tables=2)
    >>> check_page(store, "table", PageQuery(keys.event_id, keys.tables[2], 2)).label
    'table 2'
    >>> check_page(store, "projector", PageQuery(keys.event_id, None))
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: This link has no key. Ask the facilitator for your page's link.
    >>> check_page(store, "projector", PageQuery(99, "0" * 32))
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: This link's key is not right for this event. Ask the facilitator for your page's link.
    """
    if page not in KERNEL_PAGES:
        raise NotFound("There is no such page. Use a link printed by `facilitate serve`.")
    if query.event is None:
        raise NotAllowed(NO_EVENT)
    if not query.key:
        raise NotAllowed(NO_KEY)
    if page == "projector":
        viewer = _projector(store, query.event, query.key)
        if viewer is not None:
            if _archived(store, query.event):
                raise NotAllowed(ARCHIVED)
            return viewer
    try:
        actor = authenticate(store, query.event, query.key, table=query.table if page == "table" else None)
    except NotFound:
        raise NotAllowed(WRONG_KEY) from None
    except NotAllowed:
        if page == "table":
            raise  # "this link is for table 2, not table 1" helps the person holding table 2's key
        raise NotAllowed(WRONG_KEY) from None
    if page == "projector" and actor.role != "facilitator":
        raise NotAllowed(WRONG_KEY)
    if page == "facilitator" and actor.role != "facilitator":
        raise NotAllowed("This is the facilitator's console; this link's key is not the facilitator's.")
    if page == "organiser" and actor.role not in ("organiser", "facilitator"):
        raise NotAllowed("This is the organiser's page; this link's key is not the organiser's.")
    if page == "table" and actor.role != "table" and query.table is None:
        raise NotAllowed("This link is not a table's link. Use your table's link or the join page.")
    if _archived(store, query.event):  # said only to a holder of a right key
        raise NotAllowed(ARCHIVED)
    return actor


def _archived(store: Store, event_id: int) -> bool:
    return store.read(
        lambda conn: (
            conn.execute(
                select(s.events.c.archived_at).where(s.events.c.id == int(event_id))
            ).scalar_one_or_none()
            is not None
        )
    )


def join_table_link(store: Store, code: str, table: int, event_id: int | None = None) -> tuple[int, int, str]:
    """Event id, table number and that table's key for a typed join code and choice of table.

    Raises :class:`FacilitationError` with a message for the join page; with
    ``event_id`` given, a code of another event is refused.

    Examples
    --------
    >>> import tempfile, os
    >>> from facilitation.store import open_store
    >>> from facilitation.access import ORGANISER
    >>> from facilitation.events.rules import create_event
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "e.db"))
    >>> keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="T", tables=2)
    >>> join_table_link(store, keys.join_code.lower(), 2) == (keys.event_id, 2, keys.tables[2])
    True
    """
    found, actor = table_for_join_code(store, code, int(table))
    if event_id is not None and found != event_id:
        raise FacilitationError("That join code is for another event. Check the code on the projector.")
    number = int(actor.table or 0)
    return found, number, event_keys(store, SYSTEM, found).tables[number]
