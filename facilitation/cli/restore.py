"""``facilitate restore``: check a JSON backup, then rebuild its event with new keys.

A bad file is refused in one line naming the row and the field; nothing is written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from facilitation.access import ORGANISER
from facilitation.cli._common import print_keys, store_of
from facilitation.errors import FacilitationError
from facilitation.events.rules import event_keys, get_event
from facilitation.restore import restore


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "restore",
        parents=[common],
        help="rebuild an event from a JSON backup (facilitate export --format json)",
        description="The file is checked first: a bad row or field is named and nothing is written. "
        "The restored event is a new event with a new join code and new keys, printed here.",
    )
    p.add_argument("file", metavar="FILE", help="the backup .json file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FacilitationError(f"There is no file {path}.") from exc
    except IsADirectoryError as exc:
        raise FacilitationError(f"{path} is a folder; name the backup .json file in it.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FacilitationError(f"{path.name} is not a JSON backup ({exc}).") from exc
    store = store_of(args)
    event_id = restore(store, ORGANISER, data, source=path.name)
    keys = event_keys(store, ORGANISER, event_id)
    restored = get_event(store, event_id)
    print(f"restored: {restored.title}")
    if restored.archived_at:
        print(f"archived, as it was backed up: `facilitate archive {event_id} --undo` reopens it")
    print_keys(store, keys)
    return 0
