"""``facilitate import-people``: an attendee list (CSV or XLSX) into an event, whole or not at all."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from facilitation.access import ORGANISER
from facilitation.cli._common import event_of, store_of
from facilitation.errors import FacilitationError
from facilitation.events.rules import list_tables
from facilitation.people.importing import import_people, preview_people


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "import-people",
        parents=[common],
        help="import an attendee list (CSV or XLSX) into an event",
        description=(
            "Import people (columns: name, organisation, sector, role, optional table; other words "
            "such as 'Job title' or 'Organization' are understood). Prints what it will do and each "
            "bad row with its line number; with a bad row nothing is imported unless --skip-bad-rows."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    p.add_argument(
        "--skip-bad-rows", action="store_true", help="import the good rows and leave out the bad ones"
    )
    p.add_argument("--dry-run", action="store_true", help="show what would be imported; change nothing")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FacilitationError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    store = store_of(args)
    ev = event_of(store, args)
    preview = preview_people(data, path.name, tables=len(list_tables(store, ev.id)))
    print(preview.summary())
    if not preview.ok and not args.skip_bad_rows:
        n = len(preview.errors)
        print(
            f"facilitate: nothing imported: {n} bad {'row' if n == 1 else 'rows'} in {path.name} "
            "(listed above); fix them or use --skip-bad-rows",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        print(f"dry run: nothing imported ({len(preview.rows)} people would be)")
        return 0
    report = import_people(store, ORGANISER, ev.id, data, path.name, skip_bad_rows=args.skip_bad_rows)
    print(report)
    return 0
