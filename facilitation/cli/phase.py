"""``facilitate phase``: move the event as the console's buttons do."""

from __future__ import annotations

import argparse

from facilitation.access import FACILITATOR
from facilitation.cli._common import event_of, store_of
from facilitation.events.rules import get_event, move_phase, set_phase


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "phase",
        parents=[common],
        help="move the event to the next, previous, a numbered or a named phase",
        description="A facilitator action: every page follows the new phase within a second.",
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument(
        "target",
        metavar="next|prev|NUMBER|NAME",
        help='next, prev, a phase number as shown ("phase 3 of 8" is 3), or a phase name in any case',
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    target = args.target.strip().casefold()
    if target == "next":
        move_phase(store, FACILITATOR, ev.id, +1)
    elif target in ("prev", "previous", "back"):
        move_phase(store, FACILITATOR, ev.id, -1)
    else:
        set_phase(store, FACILITATOR, ev.id, args.target)
    ev = get_event(store, ev.id)
    print(f"phase {ev.phase_index + 1}/{len(ev.phases)}: {ev.phase.title} [{ev.phase.name}]")
    return 0
