"""``facilitate timer``: start, pause or extend the countdown, as the console's buttons do."""

from __future__ import annotations

import argparse

from facilitation.access import FACILITATOR
from facilitation.cli._common import event_of, store_of
from facilitation.errors import FacilitationError
from facilitation.events.rules import MAX_TIMER_MINUTES, extend_timer, get_event, pause_timer, start_timer


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "timer",
        parents=[common],
        help="start, pause or extend the phase's countdown",
        description=(
            "A facilitator action: the projector's countdown follows within a second. "
            f"A timer is 1 to {MAX_TIMER_MINUTES} minutes."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("action", choices=("start", "pause", "extend"), help="start (or resume), pause or extend")
    p.add_argument(
        "minutes",
        nargs="?",
        default=None,
        metavar="MINUTES",
        help=f"start: a new countdown of 1 to {MAX_TIMER_MINUTES} minutes (default: resume, or the phase's "
        "own minutes); extend: minutes to add (default 5)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    if args.action == "start":
        start_timer(store, FACILITATOR, ev.id, args.minutes)
    elif args.action == "pause":
        if args.minutes is not None:
            raise FacilitationError("Pause takes no minutes: `facilitate timer EVENT pause`.")
        pause_timer(store, FACILITATOR, ev.id)
    else:
        extend_timer(store, FACILITATOR, ev.id, 5 if args.minutes is None else args.minutes)
    ev = get_event(store, ev.id)
    left = ev.seconds_left() or 0.0
    state = "running" if ev.timer_running else "paused"
    print(f"timer: {int(left // 60)}:{int(left % 60):02d} {state} ({ev.phase.title})")
    return 0
