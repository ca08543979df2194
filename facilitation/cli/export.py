"""``facilitate export``: write an event's exports (outcome pack, workbook, CSVs, network,
calendar, backup) into a folder, as the organiser's page does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from facilitation.access import ORGANISER, require
from facilitation.cli._common import event_of, store_of
from facilitation.errors import FacilitationError
from facilitation.exports import export, formats
from facilitation.exports.ics import write_series

# Formats that write one file, which --out may name (by its suffix), and the suffix.
ONE_FILE = {"runsheet": (".html", ".htm"), "pdf": (".pdf",)}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    known = formats()
    listing = "; ".join(f"{name}: {f.description}" for name, f in known.items())
    p = sub.add_parser(
        "export",
        parents=[common],
        help="write an event's exports (html, md, xlsx, csv, ics, json, network formats)",
        description=f"Formats: {listing}; or all.",
    )
    p.add_argument("event", metavar="EVENT", nargs="?", help="event id or join code")
    p.add_argument(
        "--series",
        type=int,
        default=None,
        metavar="SERIES",
        help=(
            "instead of an event: the series' calendar of planned meetings (--format ics; --out FILE.ics "
            "or a folder), or its annual synthesis (--format synthesis; --out a folder)"
        ),
    )
    p.add_argument(
        "--timezone", default=None, metavar="ZONE",
        help="with --series: give the meetings this time zone (like Europe/London) instead of floating local time",
    )  # fmt: skip
    p.add_argument(
        "--format", "-f", dest="fmt", default="all", metavar="FMT",
        help=f"one of {', '.join(known)}, or all (default; every format but pdf); with --series: ics or synthesis",
    )  # fmt: skip
    p.add_argument(
        "--out", "-o", default=".", metavar="DIR",
        help="folder to write into (default: here); for runsheet and pdf also a file name ending .html or .pdf",
    )  # fmt: skip
    p.add_argument(
        "--start", default=None, metavar="HH:MM",
        help="runsheet: the clock time the event starts, e.g. 09:30 (default: times from the start)",
    )  # fmt: skip
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.series is not None:
        return run_series(args)
    if args.event is None:
        raise FacilitationError(
            "Name an EVENT to export (an id or join code), or --series SERIES for a series' calendar."
        )
    from facilitation.exports import runsheet

    if args.start is not None:
        if args.fmt != "runsheet":
            raise FacilitationError("--start is for the run sheet: --format runsheet --start 09:30.")
        runsheet.parse_start(args.start)  # a bad time is refused before anything is written
    out = Path(args.out)
    file = out if out.suffix.lower() in ONE_FILE.get(args.fmt, ()) else None
    if out.suffix and file is None and not out.is_dir():
        names = " or ".join(f"--format {f} ({'/'.join(s)})" for f, s in ONE_FILE.items())
        raise FacilitationError(
            f"--out {out.name} names a file; --out takes a folder, or a file for {names}."
        )
    store = store_of(args)
    ev = event_of(store, args)
    if file is not None:
        require(ORGANISER, "organiser", "facilitator", action="export the event")
        module = formats()[args.fmt].module
        options = {"start": args.start} if args.fmt == "runsheet" else {}
        written = module.write(store, ev.id, file.parent, file=file, **options)
    elif args.fmt == "runsheet":
        require(ORGANISER, "organiser", "facilitator", action="export the event")
        written = runsheet.write(store, ev.id, out, start=args.start)
    else:
        written = export(store, ORGANISER, ev.id, args.fmt, out, skipped=_skipped)
    for path in written:
        print(path)
    return 0


def _skipped(message: str) -> None:
    print(f"facilitate: not written: {message}", file=sys.stderr)


def run_series(args: argparse.Namespace) -> int:
    if args.event is not None:
        raise FacilitationError("Give an EVENT or --series SERIES, not both.")
    if args.fmt == "synthesis":
        return run_synthesis(args)
    if args.fmt not in ("ics", "all"):
        raise FacilitationError(
            f"A series exports as its calendar (--format ics) or its annual synthesis "
            f"(--format synthesis), not {args.fmt}."
        )
    store = store_of(args)
    require(ORGANISER, "organiser", "facilitator", action="export a series' calendar")
    print(write_series(store, args.series, Path(args.out), timezone=args.timezone))
    return 0


def run_synthesis(args: argparse.Namespace) -> int:
    """The series' annual synthesis, as HTML and Markdown, into the folder --out."""
    from facilitation.exports.synthesis import write_synthesis

    out = Path(args.out)
    if out.suffix and not out.is_dir():
        raise FacilitationError(
            f"--out {out.name} names a file; the synthesis takes a folder (it writes two files)."
        )
    store = store_of(args)
    require(ORGANISER, "organiser", "facilitator", action="export a series' synthesis")
    for path in write_synthesis(store, args.series, out):
        print(path)
    return 0
