"""Options shared by ``facilitate new`` and ``facilitate edit``: the event's framing."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_framing_options", "framing_of"]


def add_framing_options(p: argparse.ArgumentParser) -> None:
    """``--challenge``, ``--purpose``, ``--key-question``, ``--success-measure`` (repeatable), ``--briefing``."""
    p.add_argument("--challenge", default=None, help="the challenge the event works on")
    p.add_argument("--purpose", default=None, help="the shared purpose")
    p.add_argument("--key-question", dest="key_question", default=None, help="the key question")
    p.add_argument(
        "--success-measure",
        dest="success_measures",
        action="append",
        default=None,
        metavar="TEXT",
        help="a success measure; repeat for several (edit: the list given replaces the old one)",
    )
    p.add_argument(
        "--briefing", default=None, help="the context briefing (local, national and global context)"
    )


def framing_of(args: argparse.Namespace) -> dict[str, Any]:
    """The framing options that were given, as the rules' keyword arguments."""
    given = {
        "challenge": args.challenge,
        "purpose": args.purpose,
        "key_question": args.key_question,
        "success_measures": args.success_measures,
        "context_briefing": args.briefing,
    }
    return {k: v for k, v in given.items() if v is not None}
