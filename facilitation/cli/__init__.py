"""The ``facilitate`` command: set up, run, inspect and export events without a notebook.

Each subcommand lives in its own module here, which defines
``register(subparsers, common)``; modules are found at start-up, so adding a
command never edits this file. Errors print one line and exit non-zero.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from facilitation.errors import FacilitationError

__all__ = ["build_parser", "db_option", "main"]


def db_option() -> argparse.ArgumentParser:
    """The options every subcommand takes."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=None,
        help="SQLite file or postgresql+psycopg:// URL (default: $FACILITATION_DB, else facilitation.db)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every subcommand module registered."""
    parser = argparse.ArgumentParser(
        prog="facilitate",
        description="Run live accelerated design events: innovation challenges and communities of practice.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = db_option()
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``facilitate``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.run(args)
    except FacilitationError as exc:
        print(f"facilitate: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
