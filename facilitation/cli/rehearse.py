"""``facilitate rehearse``: a copy of an event's set-up for a dry run, with its links."""

from __future__ import annotations

import argparse

from facilitation.access import ORGANISER
from facilitation.cli._common import event_of, print_keys, store_of
from facilitation.events.rules import rehearse_event


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "rehearse",
        parents=[common],
        help="copy an event's set-up into a new event for a dry run, and print its keys and links",
        description=(
            "A new event with the framing, phases (as edited), voting rules, tables and their names, and "
            "the people and their seats of EVENT, but no entries, themes, dots, links or plans, no series "
            "and no date. The real event is not touched. Prints its keys and its page links."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument(
        "--title", default=None, help='the rehearsal\'s title (default: "Rehearsal: " and the title)'
    )
    p.add_argument(
        "--base-url",
        default="http://127.0.0.1:8866/",
        help="where `facilitate serve` will serve it, for the links (default: http://127.0.0.1:8866/)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from facilitation.serving.server import page_links

    store = store_of(args)
    ev = event_of(store, args)
    keys = rehearse_event(store, ORGANISER, ev.id, title=args.title)
    print(f"rehearsal of event {ev.id}: {keys.event_id}")
    print_keys(store, keys)
    store.close()
    print(f"links, once `facilitate serve {keys.event_id}` runs at {args.base_url}:")
    for line in page_links(args.db, keys.event_id, args.base_url).lines():
        print(line)
    return 0
