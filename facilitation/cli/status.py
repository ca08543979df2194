"""``facilitate status``: the phase, the timer and counts per table."""

from __future__ import annotations

import argparse

from facilitation.capture.rules import counts_by_table
from facilitation.cli._common import event_of, store_of
from facilitation.events.rules import list_tables


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("status", parents=[common], help="print the phase and counts per table")
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    counts = counts_by_table(store, ev.id)
    left = ev.seconds_left()
    timer = (
        "no timer"
        if left is None
        else f"{int(left // 60)}:{int(left % 60):02d} {'running' if ev.timer_running else 'paused'}"
    )
    print(f"{ev.title} (event {ev.id}, join code {ev.join_code})")
    print(
        f"phase {ev.phase_index + 1}/{len(ev.phases)}: {ev.phase.title} [{ev.phase.name}], {timer}"
        + (", input locked" if ev.input_locked else "")
        + (", votes revealed" if ev.votes_revealed else "")
    )
    header = f"{'table':<12}{'enablers':>9}{'blockers':>9}{'ideas':>7}{'questions':>10}{'total':>7}"
    print(header)
    for t in list_tables(store, ev.id):
        c = counts.get(t.number, {})
        total = sum(c.values())
        print(
            f"{t.name[:11]:<12}{c.get('enabler', 0):>9}{c.get('blocker', 0):>9}"
            f"{c.get('idea', 0):>7}{c.get('question', 0):>10}{total:>7}"
        )
    return 0
