"""``facilitate delete``: write a JSON backup of an event, then remove the event."""

from __future__ import annotations

import argparse
from pathlib import Path

from facilitation.access import ORGANISER
from facilitation.cli._common import event_of, store_of
from facilitation.errors import FacilitationError
from facilitation.events.rules import delete_event
from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.exports.backup import backup_data, render


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "delete",
        parents=[common],
        help="back an event up to a JSON file, then remove it (needs --yes)",
        description=(
            "Writes the event's full JSON backup first (`facilitate restore FILE` brings it back as a new "
            "event), then removes the event from every list, page and command, and says where the backup is. "
            "Without --yes nothing happens."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("--yes", action="store_true", help="yes, delete it (after writing the backup)")
    p.add_argument(
        "--backup",
        default=None,
        metavar="FILE",
        help="where to write the backup (default: '<date> <title> (event N) backup before delete.json' here)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    if not args.yes:
        raise FacilitationError(
            f"Deleting event {ev.id} ({ev.title}) removes it from every list and page; "
            f"run `facilitate delete {ev.id} --yes` to do it (a JSON backup is written first)."
        )
    path = Path(args.backup or f"{base_name(ev.title, ev.id, ev.starts_on)} backup before delete.json")
    if path.is_dir():
        path = path / f"{base_name(ev.title, ev.id, ev.starts_on)} backup before delete.json"
    try:
        written = write_atomic(path, render(backup_data(store, ev.id)))
    except OSError as exc:
        raise FacilitationError(
            f"The backup could not be written to {path} ({exc.strerror}); nothing was deleted."
        ) from exc
    delete_event(store, ORGANISER, ev.id)
    print(f"backup: {written.resolve()}")
    print(f"deleted: event {ev.id} ({ev.title}); `facilitate restore` with the backup brings it back")
    return 0
