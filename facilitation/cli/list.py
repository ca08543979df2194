"""``facilitate list``: the events in the database, with their phase and join code."""

from __future__ import annotations

import argparse

from facilitation.cli._common import store_of
from facilitation.events.rules import list_events


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "list", parents=[common], help="list the events: id, title, template, phase, join code"
    )
    p.add_argument("--series", type=int, default=None, help="only the events of this series")
    p.add_argument("--all", action="store_true", help="archived events too (marked archived)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    events = list_events(store_of(args), series_id=args.series, archived=args.all)
    if not events:
        print("no events yet: `facilitate new` or `facilitate demo` creates one")
        return 0
    print(f"{'id':>4}  {'join code':<10}{'phase':<20}{'template':<38}title")
    for ev in events:
        mark = " (archived)" if ev.archived_at else ""
        print(f"{ev.id:>4}  {ev.join_code:<10}{ev.phase.name:<20}{ev.template:<38}{ev.title}{mark}")
    return 0
