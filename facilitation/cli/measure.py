"""``facilitate measure``: record a value of an event's key question or one of its success measures."""

from __future__ import annotations

import argparse

from facilitation.access import ORGANISER
from facilitation.cli._common import event_of, store_of
from facilitation.errors import FacilitationError
from facilitation.series.measures import event_measures, measure_values, record_measure


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "measure",
        parents=[common],
        help="record a value of the key question or a success measure at an event",
        description=(
            "Record VALUE (a number) for a measure of the event: NAME is its number as `--list` shows "
            "it, 'key question', or a success measure's text in any case. Recording again keeps the "
            "earlier value in the history. `facilitate series measures SERIES` shows them across a series."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument(
        "name", metavar="NAME", nargs="?", help="the measure: its number, 'key question', or its text"
    )
    p.add_argument("value", metavar="VALUE", nargs="?", help="a number, like 12 or 12.5")
    p.add_argument("--note", default="", help="where the value comes from, or what it means")
    p.add_argument("--list", action="store_true", help="list the event's measures and their values")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    if args.list or args.name is None:
        if args.name is not None:
            raise FacilitationError("--list takes only the EVENT.")
        measures = event_measures(store, ev.id)
        if not measures:
            print(f"event {ev.id} has no key question or success measures yet")
        values = {v.name: v for v in measure_values(store, ev.id)}
        for n, (name, says) in enumerate(measures, start=1):
            label = f"key question: {says}" if name != says else says
            v = values.get(name)
            shown = f"  = {v.value:g}" + (f" ({v.note})" if v.note else "") if v else ""
            print(f"{n:>3}  {label}{shown}")
        return 0
    if args.value is None:
        raise FacilitationError(f"Give the VALUE too: `facilitate measure {ev.id} {args.name} 12`.")
    record_measure(store, ORGANISER, ev.id, args.name, args.value, args.note)
    v = measure_values(store, ev.id)
    latest = max(v, key=lambda x: x.id)
    print(f"event {ev.id}: {latest.name} = {latest.value:g}")
    return 0
