"""``facilitate export``: write an event's exports (outcome pack, workbook, CSVs, network,
calendar, backup) into a folder, as the organiser's page does."""

from __future__ import annotations

import argparse
import sys

from facilitation.access import ORGANISER
from facilitation.cli._common import event_of, store_of
from facilitation.exports import export, formats


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    known = formats()
    listing = "; ".join(f"{name}: {f.description}" for name, f in known.items())
    p = sub.add_parser(
        "export",
        parents=[common],
        help="write an event's exports (html, md, xlsx, csv, ics, json, network formats)",
        description=f"Formats: {listing}; or all.",
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument(
        "--format", "-f", dest="fmt", default="all", metavar="FMT",
        help=f"one of {', '.join(known)}, or all (default)",
    )  # fmt: skip
    p.add_argument("--out", "-o", default=".", metavar="DIR", help="folder to write into (default: here)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    for path in export(store, ORGANISER, ev.id, args.fmt, args.out, skipped=_skipped):
        print(path)
    return 0


def _skipped(message: str) -> None:
    print(f"facilitate: not written: {message}", file=sys.stderr)
