"""``facilitate archive``: hide an event from lists and close its pages (``--undo`` reopens)."""

from __future__ import annotations

import argparse

from facilitation.access import ORGANISER
from facilitation.cli._common import event_of, store_of
from facilitation.events.rules import archive_event


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "archive",
        parents=[common],
        help="hide an event from lists and close its pages; --undo brings it back",
        description=(
            "An archived event is kept whole: `facilitate list --all`, `status`, `export` and `backup` "
            "still reach it by id or join code, but `facilitate list` and the series leave it out and "
            "its pages and join code are refused with one line. Nothing is deleted."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("--undo", action="store_true", help="reopen an archived event")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    archive_event(store, ORGANISER, ev.id, archived=not args.undo)
    print(f"{'reopened' if args.undo else 'archived'}: event {ev.id} ({ev.title})")
    return 0
