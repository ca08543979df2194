"""Helpers shared by the subcommands: opening the store and finding the event."""

from __future__ import annotations

import argparse

from facilitation.events import Event, find_event
from facilitation.store import Store, open_store

__all__ = ["event_of", "store_of"]


def store_of(args: argparse.Namespace) -> Store:
    """The store named by ``--db`` (or the environment, or the default file)."""
    return open_store(args.db)


def event_of(store: Store, args: argparse.Namespace) -> Event:
    """The event named by the ``EVENT`` argument (an id or a join code)."""
    return find_event(store, args.event)
