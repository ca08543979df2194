"""Helpers shared by the subcommands: opening the store and finding the event."""

from __future__ import annotations

import argparse

from facilitation.events.rules import Event, EventKeys, find_event
from facilitation.store import Store, open_store

__all__ = ["event_of", "print_keys", "store_of"]


def store_of(args: argparse.Namespace) -> Store:
    """The store named by ``--db`` (or the environment, or the default file)."""
    return open_store(args.db)


def event_of(store: Store, args: argparse.Namespace) -> Event:
    """The event named by the ``EVENT`` argument (an id or a join code)."""
    return find_event(store, args.event)


def print_keys(store: Store, keys: EventKeys) -> None:
    """Print an event's id, join code and keys, one per line, as every command that makes one does."""
    from facilitation.access import ORGANISER
    from facilitation.serving.gate import event_projector_key

    print(f"event: {keys.event_id}")
    print(f"join code: {keys.join_code}")
    print(f"facilitator key: {keys.facilitator}")
    print(f"organiser key: {keys.organiser}")
    print(f"projector key (read-only, safe to show): {event_projector_key(store, ORGANISER, keys.event_id)}")
    for n, key in keys.tables.items():
        print(f"table {n} key: {key}")
