"""``facilitate reopen``: lift the freeze on a voted theme, with a reason, as the console does."""

from __future__ import annotations

import argparse

from facilitation.access import FACILITATOR
from facilitation.cli._common import event_of, store_of
from facilitation.errors import FacilitationError
from facilitation.themes.reopening import close_reopening, reopen_theme, voted_themes


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "reopen",
        parents=[common],
        help="reopen a voted (frozen) theme so that it can change, with a reason; or list the voted themes",
        description=(
            "A theme that holds dots is frozen: nobody can rename, split, ungroup, dissolve, merge or "
            "unmerge it, or edit or withdraw its entries. A facilitator action: reopen it with a reason "
            "(written to the activity log; the tally, the decision log and the outcome pack then show "
            "the result as voted and as amended). It freezes again with --done, when the phase moves, "
            "or when a new voting round opens. Without THEME, lists the voted themes."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("theme", metavar="THEME", nargs="?", help="the theme's number, as the list shows it")
    p.add_argument("--reason", help="why it must change (required to reopen; goes on the record)")
    p.add_argument("--done", action="store_true", help="freeze the reopened theme again")
    p.set_defaults(run=run)


def _theme_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise FacilitationError(
            f"A theme is named by its number, not '{value}'; `facilitate reopen EVENT` lists them."
        ) from None


def run(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = event_of(store, args)
    if args.theme is None:
        voted = voted_themes(store, ev.id)
        if not voted:
            print("No theme holds dots: nothing is frozen.")
        for v in voted:
            rounds = ", ".join(map(str, v.rounds))
            state = "reopened" if v.reopened else "frozen"
            print(f"{v.theme.id}\t{v.theme.name}\tround {rounds}\t{state}")
        return 0
    theme_id = _theme_number(args.theme)
    if args.done:
        close_reopening(store, FACILITATOR, ev.id, theme_id)
        print(f"Theme {theme_id} is frozen again.")
        return 0
    if not (args.reason or "").strip():
        raise FacilitationError(
            f'Say why it must change: facilitate reopen {ev.id} {theme_id} --reason "...". It goes on the record.'
        )
    reopen_theme(store, FACILITATOR, ev.id, theme_id, args.reason)
    print(
        f"Theme {theme_id} is reopened: change it now; it freezes again with "
        f"`facilitate reopen {ev.id} {theme_id} --done`, when the phase moves or a new round opens."
    )
    return 0
