"""``facilitate demo``: build the demo event (and optionally serve it)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from facilitation.cli._common import print_keys, store_of
from facilitation.errors import FacilitationError

# Imported when the command runs: the demo pulls in every rules module (networkx too),
# and `facilitate --help` should stay quick.
DEMO_SEED = 2026
DEMO_END_PHASE = "action-plans"


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "demo",
        parents=[common],
        help="create the demo event (a frailty and falls innovation challenge)",
        description=(
            "Create a believable innovation challenge: 6 tables, 36 people from 8 organisations, "
            "enablers, blockers, ideas, themes, dots, links and two task-and-finish groups, "
            f"left at the '{DEMO_END_PHASE}' phase. Prints its id, join code and keys (the projector's "
            "read-only key too); with --serve, every page's link."
        ),
    )
    p.add_argument(
        "--seed", type=int, default=DEMO_SEED, help=f"same seed, same content (default {DEMO_SEED})"
    )
    p.add_argument(
        "--series",
        action="store_true",
        help=(
            "instead: a three-meeting community of practice in one series (evidence with sources, assets, "
            "reviews, measures, ties that grow); prints each meeting's keys and the series id"
        ),
    )
    p.add_argument("--serve", action="store_true", help="then serve the event's pages with Voila")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to serve on with --serve (0.0.0.0: the venue network)"
    )
    p.add_argument("--port", type=int, default=8866, help="port to serve on with --serve (default 8866)")
    p.set_defaults(run=run)


def _serve_function() -> Callable[..., Any]:
    try:
        serving = importlib.import_module("facilitation.serving.server")
    except ModuleNotFoundError as exc:
        if exc.name != "facilitation.serving.server":
            raise
        raise FacilitationError(
            "This install cannot serve pages yet (facilitation.serving.server is missing); "
            "the demo event was created: run `facilitate serve` once it is available."
        ) from exc
    serve = getattr(serving, "serve", None)
    if serve is None:
        raise FacilitationError(
            "facilitation.serving.server has no serve(); the demo event was created but not served."
        )
    return serve


def run(args: argparse.Namespace) -> int:
    from facilitation.demo import build_demo

    store = store_of(args)
    if args.series:
        if args.serve:
            raise FacilitationError(
                "--series builds three meetings; serve one with `facilitate serve EVENT` afterwards."
            )
        from facilitation.demo import build_series_demo
        from facilitation.events import get_event

        made = build_series_demo(store, seed=args.seed)
        for keys in made:
            print_keys(store, keys)
        series_id = get_event(store, made[0].event_id).series_id
        print(f"series: {series_id} (facilitate export --series {series_id} --format synthesis --out DIR)")
        return 0
    keys = build_demo(store, seed=args.seed)
    print_keys(store, keys)
    if args.serve:
        serve = _serve_function()
        store.close()
        # args.db as given: None lets serving resolve $FACILITATION_DB or the default file, as we did
        return int(serve(args.db, keys.event_id, host=args.host, port=args.port) or 0)
    return 0
