"""``facilitate seat``: seat an event's people so that organisations and sectors mix."""

from __future__ import annotations

import argparse

from facilitation.access import ORGANISER
from facilitation.cli._common import event_of, store_of
from facilitation.errors import FacilitationError
from facilitation.events.rules import list_tables
from facilitation.people.rules import list_people
from facilitation.people.seating import apply_seating, mixing_score, plan_seating


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "seat",
        parents=[common],
        help="seat people so that organisations and sectors mix across tables",
        description="Plan a seating that mixes organisations and sectors (the same seed gives the same plan) and apply it.",
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("--seed", type=int, default=0, help="same seed, same plan (default 0)")
    p.add_argument(
        "--keep-seated", action="store_true", help="keep people who already have a table where they are"
    )
    p.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    people = list_people(store, ev.id)
    if not people:
        raise FacilitationError(
            f"Event {ev.id} has nobody to seat yet: `facilitate import-people {ev.id} FILE` first."
        )
    tables = [t.number for t in list_tables(store, ev.id)]
    keep = {p.id: p.table for p in people if p.table is not None} if args.keep_seated else None
    plan = plan_seating(people, tables, seed=args.seed, keep=keep)
    before, after = mixing_score(people), mixing_score(people, plan)
    by_id = {p.id: p for p in people}
    for t in tables:
        members = sorted((by_id[pid] for pid, n in plan.items() if n == t), key=lambda p: p.name.casefold())
        print(
            f"table {t} ({len(members)}): "
            + "; ".join(f"{p.name} ({p.organisation or '-'})" for p in members)
        )
    print(f"before: {before}")
    print(f"after:  {after}")
    if args.dry_run:
        print("dry run: nobody moved")
        return 0
    moved = apply_seating(store, ORGANISER, ev.id, plan)
    print(f"seated {len(plan)} people at {len(tables)} tables ({moved} moved)")
    return 0
