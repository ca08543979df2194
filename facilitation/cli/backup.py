"""``facilitate backup``: one event's full JSON backup in one file (``restore`` reads it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from facilitation.cli._common import event_of, store_of
from facilitation.exports._files import write_atomic
from facilitation.exports.backup import backup_data, render


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "backup",
        parents=[common],
        help="write one event's full JSON backup (for the whole database: backup-db)",
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="the .json file to write")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    path = write_atomic(Path(args.out), render(backup_data(store, ev.id)))
    print(path)
    return 0
