"""``facilitate new``: create an event from a template and print its keys."""

from __future__ import annotations

import argparse

from facilitation.access import ORGANISER
from facilitation.cli._common import print_keys, store_of
from facilitation.cli._framing import add_framing_options, framing_of
from facilitation.events.rules import create_event
from facilitation.events.templates import list_templates


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "new",
        parents=[common],
        help="create an event from a template",
        description="Create an event and print its id, join code and keys (keep the keys off the projector).",
    )
    p.add_argument("--template", required=True, help=f"one of: {', '.join(list_templates())}")
    p.add_argument("--title", required=True, help="the event's title, as the projector shows it")
    p.add_argument("--tables", type=int, default=None, help="number of tables (default: the template's)")
    p.add_argument("--series", type=int, default=None, help="id of the series this event belongs to")
    p.add_argument("--date", default=None, help="the event's date, YYYY-MM-DD")
    add_framing_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    keys = create_event(
        store,
        ORGANISER,
        template=args.template,
        title=args.title,
        tables=args.tables,
        series_id=args.series,
        starts_on=args.date,
        **framing_of(args),
    )
    print_keys(store, keys)
    return 0
