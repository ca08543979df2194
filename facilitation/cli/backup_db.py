"""``facilitate backup-db``: a consistent copy of a live SQLite database file."""

from __future__ import annotations

import argparse

from facilitation.cli._common import store_of


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "backup-db",
        parents=[common],
        help="copy the live SQLite database safely (backup API, never a file copy)",
    )
    p.add_argument("out", metavar="FILE", help="where to write the copy")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = store_of(args).backup(args.out)
    print(f"backup written: {path}")
    return 0
