"""``facilitate templates``: list the event templates and check one."""

from __future__ import annotations

import argparse

from facilitation.events.templates import list_templates, load_template


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("templates", help="list event templates, or validate one file")
    p.add_argument("file", nargs="?", help="a template YAML file to validate")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    names = [args.file] if args.file else list_templates()
    for name in names:
        t = load_template(name)
        print(f"{t.name}: {t.title}, {len(t.phases)} phases, {t.minutes} min, {t.tables} tables")
    return 0
