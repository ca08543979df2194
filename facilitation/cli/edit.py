"""``facilitate edit``: change a live event's framing, date, phases and table names.

Every change goes through :func:`facilitation.events.rules.edit_event` (the facilitator's or
organiser's rule), is one logged write, and every open page follows it. Bad input gets
one line and changes nothing.
"""

from __future__ import annotations

import argparse
from typing import Any

from facilitation.access import FACILITATOR
from facilitation.cli._common import event_of, store_of
from facilitation.cli._framing import add_framing_options, framing_of
from facilitation.errors import FacilitationError
from facilitation.events.rules import MAX_PHASE_MINUTES, PhaseEdit, edit_event


class _Grouped(argparse.Action):
    """``--phase NAME --minutes N --prompt TEXT`` (and ``--table N --name NAME``), repeatable.

    ``--phase`` (``--table``) opens a group; the options after it belong to it. The
    options' order is checked after parsing, so a missing group gets a clear line.
    """

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any, option: Any = None) -> None:
        groups = getattr(namespace, self.dest) or []
        key = self.const
        if key in ("phase", "table"):
            groups.append({key: values})
        elif not groups:
            groups.append({"orphan": option})
        elif key in groups[-1]:
            groups.append({"orphan": option, "twice": key})
        else:
            groups[-1][key] = values
        setattr(namespace, self.dest, groups)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "edit",
        parents=[common],
        help="change an event's framing, date, phases' minutes and prompts, tables' names",
        description=(
            "Change a live event; open pages follow within a second and the change is in the activity "
            "log. Only what is given changes; nothing the room entered is touched. Per phase: --phase NAME "
            f"(or its number) then --minutes N (1 to {MAX_PHASE_MINUTES}) and/or --prompt TEXT; per table: "
            "--table N --name NAME. Both repeat."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("--title", default=None, help="the event's title")
    add_framing_options(p)
    p.add_argument("--date", default=None, help='the event\'s date, YYYY-MM-DD ("" clears it)')
    for flag, key, metavar, help_text in (
        ("--phase", "phase", "NAME", "the phase the next --minutes/--prompt change (its name or number)"),
        ("--minutes", "minutes", "N", f"the phase's minutes, 1 to {MAX_PHASE_MINUTES}"),
        ("--prompt", "prompt", "TEXT", "the phase's prompt, as the projector and tables show it"),
    ):
        p.add_argument(flag, dest="phase_edits", action=_Grouped, const=key, metavar=metavar, help=help_text)
    for flag, key, metavar, help_text in (
        ("--table", "table", "N", "the table the next --name names"),
        ("--name", "name", "NAME", 'the table\'s name ("Table 3" -> "Riverside")'),
    ):
        p.add_argument(flag, dest="table_edits", action=_Grouped, const=key, metavar=metavar, help=help_text)
    p.set_defaults(run=run, phase_edits=None, table_edits=None)


def _phase_edits(groups: list[dict[str, Any]] | None) -> list[PhaseEdit]:
    out = []
    for g in groups or []:
        if "orphan" in g:
            if "twice" in g:
                raise FacilitationError(
                    f"{g['orphan']} is given twice for one phase; give it once per --phase."
                )
            raise FacilitationError(f"Name the phase first: --phase NAME {g['orphan']} ...")
        if "minutes" not in g and "prompt" not in g:
            raise FacilitationError(
                f"Say what changes in phase '{g['phase']}': --minutes N or --prompt TEXT."
            )
        out.append(PhaseEdit(g["phase"], g.get("minutes"), g.get("prompt")))
    return out


def _table_names(groups: list[dict[str, Any]] | None) -> dict[int, str]:
    out: dict[int, str] = {}
    for g in groups or []:
        if "orphan" in g:
            if "twice" in g:
                raise FacilitationError(
                    f"{g['orphan']} is given twice for one table; give it once per --table."
                )
            raise FacilitationError(f"Name the table first: --table N {g['orphan']} NAME.")
        if "name" not in g:
            raise FacilitationError(f"Give table {g['table']} a name: --table {g['table']} --name NAME.")
        number = str(g["table"]).strip()
        if not number.isdigit():
            raise FacilitationError(f"--table takes a table's number (1, 2, ...), not '{number}'.")
        if int(number) in out:
            raise FacilitationError(f"Table {int(number)} is named twice; name it once.")
        out[int(number)] = g["name"]
    return out


def run(args: argparse.Namespace) -> int:
    phases = _phase_edits(args.phase_edits)
    names = _table_names(args.table_edits)
    store = store_of(args)
    ev = event_of(store, args)
    changed = edit_event(
        store,
        FACILITATOR,
        ev.id,
        title=args.title,
        starts_on=args.date,
        phases=phases,
        table_names=names,
        **framing_of(args),
    )
    if not changed:
        print("nothing changed: the event already says that")
        return 0
    for field, value in changed.items():
        if field == "phases":
            for name, what in value.items():
                for k, v in what.items():
                    print(f"phase {name}: {k}: {v}")
        elif field == "tables":
            for number, name in value.items():
                print(f"table {number}: {name}")
        elif field == "success_measures":
            print(f"success measures: {'; '.join(value) or '(none)'}")
        else:
            print(f"{field.replace('_', ' ')}: {value if value is not None else '(none)'}")
    return 0
