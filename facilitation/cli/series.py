"""``facilitate series``: create and list series of events (a community of practice's year)."""

from __future__ import annotations

import argparse

from facilitation.access import ORGANISER
from facilitation.cli._common import store_of
from facilitation.events import find_event, list_events
from facilitation.series import add_event_to_series, create_series, get_series, list_series


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "series",
        help="create, list and show series of events",
        description="A series groups the events of a community of practice or programme; people keep one identity across it.",
    )
    actions = p.add_subparsers(dest="series_command", metavar="ACTION", required=True)
    new = actions.add_parser("new", parents=[common], help="create a series and print its id")
    new.add_argument("name", help="the series' name")
    new.add_argument("--description", default="", help="what the series is for")
    new.set_defaults(run=run_new)
    ls = actions.add_parser("list", parents=[common], help="list the series")
    ls.set_defaults(run=run_list)
    show = actions.add_parser("show", parents=[common], help="a series and its events")
    show.add_argument("series", type=int, metavar="SERIES", help="series id")
    show.set_defaults(run=run_show)
    add = actions.add_parser(
        "add", parents=[common], help="put an event (with nobody imported yet) into a series"
    )
    add.add_argument("series", type=int, metavar="SERIES", help="series id")
    add.add_argument("event", metavar="EVENT", help="event id or join code")
    add.set_defaults(run=run_add)


def run_new(args: argparse.Namespace) -> int:
    sid = create_series(store_of(args), ORGANISER, args.name, args.description)
    print(f"series: {sid}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    found = list_series(store_of(args))
    if not found:
        print("no series yet: `facilitate series new NAME` creates one")
    for x in found:
        print(f"{x.id:>4}  {x.events:>3} events  {x.name}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    store = store_of(args)
    x = get_series(store, args.series)
    print(f"{x.name} (series {x.id}, {x.events} events)")
    for ev in list_events(store, series_id=x.id):
        print(f"{ev.id:>4}  {ev.starts_on or '':<11}{ev.phase.name:<20}{ev.title}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = find_event(store, args.event)
    add_event_to_series(store, ORGANISER, ev.id, args.series)
    print(f"event {ev.id} is in series {args.series}")
    return 0
