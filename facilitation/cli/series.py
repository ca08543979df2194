"""``facilitate series``: create and list series of events (a community of practice's year)."""

from __future__ import annotations

import argparse
import sys

from facilitation.access import ORGANISER
from facilitation.cli._common import store_of
from facilitation.errors import FacilitationError
from facilitation.events.rules import find_event, list_events
from facilitation.plans.rules import open_actions_from_earlier_events
from facilitation.series.measures import SeriesPoint, series_measures
from facilitation.series.rules import (
    ROLES,
    Review,
    action_reviews,
    add_event_to_series,
    create_series,
    get_series,
    list_series,
    parse_slot,
    plan_series,
    review_action,
    series_plan,
    set_meeting,
    set_series_roles,
)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "series",
        help="create, list and show series of events",
        description="A series groups the events of a community of practice or programme; people keep one identity across it.",
    )
    actions = p.add_subparsers(dest="series_command", metavar="ACTION", required=True)
    new = actions.add_parser("new", parents=[common], help="create a series and print its id")
    new.add_argument("name", help="the series' name")
    new.add_argument("--description", default="", help="what the series is for")
    new.set_defaults(run=run_new)
    ls = actions.add_parser("list", parents=[common], help="list the series")
    ls.set_defaults(run=run_list)
    show = actions.add_parser("show", parents=[common], help="a series and its events")
    show.add_argument("series", type=int, metavar="SERIES", help="series id")
    show.set_defaults(run=run_show)
    add = actions.add_parser(
        "add", parents=[common], help="put an event (with nobody imported yet) into a series"
    )
    add.add_argument("series", type=int, metavar="SERIES", help="series id")
    add.add_argument("event", metavar="EVENT", help="event id or join code")
    add.set_defaults(run=run_add)
    plan = actions.add_parser(
        "plan",
        parents=[common],
        help="plan the meetings in one monthly slot (the 2nd Tuesday, 14:00, 90 minutes)",
        description=(
            "Plan COUNT meetings from the start month, one a month on the same weekday of the "
            "same week, skipping August and December unless told otherwise. Re-planning replaces "
            "the planned meetings no event has held yet; a meeting already held (an event of the "
            "series is on its date) is never changed."
        ),
    )
    plan.add_argument("series", type=int, metavar="SERIES", help="series id")
    plan.add_argument("--start", required=True, metavar="YYYY-MM", help="the first month, like 2027-01")
    plan.add_argument("--weekday", required=True, help="monday ... sunday (or mon ... sun)")
    plan.add_argument(
        "--week", required=True,
        help="1-4 (the 2nd Tuesday: 2) or last; there is no 5: most months have no 5th weekday",
    )  # fmt: skip
    plan.add_argument("--time", required=True, metavar="HH:MM", help="start time, 24-hour, local")
    plan.add_argument("--minutes", required=True, help="how long each meeting lasts")
    plan.add_argument("--count", required=True, help="how many meetings (1 to 60)")
    plan.add_argument(
        "--skip-months", default=None, metavar="MONTHS",
        help="months with no meeting, like 7,8 or jul,aug (default: aug,dec)",
    )  # fmt: skip
    plan.add_argument("--include-august", action="store_true", help="meet in August too")
    plan.add_argument("--include-december", action="store_true", help="meet in December too")
    plan.set_defaults(run=run_plan)
    roles = actions.add_parser(
        "roles", parents=[common], help="name the convenor, curator, facilitator and administration lead"
    )
    roles.add_argument("series", type=int, metavar="SERIES", help="series id")
    for col, words in ROLES.items():
        roles.add_argument(f"--{col.replace('_', '-')}", dest=col, default=None, metavar="NAME",
                           help=f"the series' {words} ('' clears it)")  # fmt: skip
    roles.set_defaults(run=run_roles)
    meeting = actions.add_parser("meeting", parents=[common], help="name a planned meeting's senior leader")
    meeting.add_argument("series", type=int, metavar="SERIES", help="series id")
    meeting.add_argument("number", type=int, metavar="N", help="the meeting's number in `series show`")
    meeting.add_argument(
        "--senior-leader", required=True, metavar="NAME", help="who attends as senior leader"
    )
    meeting.set_defaults(run=run_meeting)
    review = actions.add_parser(
        "review",
        parents=[common],
        help="review an open action of an earlier meeting: done, moved or dropped, with a note",
        description=(
            "Without ACTION, list the open actions from earlier meetings of the event's series, with "
            "their reviews so far. With ACTION, record its review at this meeting (every review is kept)."
        ),
    )
    review.add_argument("event", metavar="EVENT", help="the meeting (event id or join code)")
    review.add_argument("action", type=int, nargs="?", metavar="ACTION", help="the action's id, as listed")
    outcome = review.add_mutually_exclusive_group()
    outcome.add_argument("--done", dest="outcome", action="store_const", const="done", help="it is done")
    outcome.add_argument("--moved", metavar="DATE", default=None, help="moved to a new due date (2027-03-09)")
    outcome.add_argument(
        "--dropped", dest="outcome", action="store_const", const="dropped", help="no longer pursued"
    )
    review.add_argument("--note", default="", help="what was said about it")
    review.set_defaults(run=run_review, outcome=None)
    measures = actions.add_parser(
        "measures", parents=[common], help="each measure across the series' events, in date order"
    )
    measures.add_argument("series", type=int, metavar="SERIES", help="series id")
    measures.set_defaults(run=run_measures)


def run_new(args: argparse.Namespace) -> int:
    sid = create_series(store_of(args), ORGANISER, args.name, args.description)
    print(f"series: {sid}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    found = list_series(store_of(args))
    if not found:
        print("no series yet: `facilitate series new NAME` creates one")
    for x in found:
        print(f"{x.id:>4}  {x.events:>3} events  {x.name}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    store = store_of(args)
    x = get_series(store, args.series)
    print(f"{x.name} (series {x.id}, {x.events} events)")
    for ev in list_events(store, series_id=x.id):
        print(f"{ev.id:>4}  {ev.starts_on or '':<11}{ev.phase.name:<20}{ev.title}")
    print("roles: " + "; ".join(f"{words}: {name or '(not named)'}" for words, name in x.roles.items()))
    meetings = series_plan(store, x.id)
    if not meetings:
        print(f"no planned meetings: `facilitate series plan {x.id} --start 2027-01 ...` plans them")
    else:
        print("planned meetings:")
    for m in meetings:
        held = f"held: event {m.event_id}" if m.held else "planned"
        leader = f"  senior leader: {m.senior_leader}" if m.senior_leader else ""
        print(f"{m.number:>4}  {m.starts_on} {m.start_time}  {m.minutes:>3} min  {held}{leader}")
    _print_measures(series_measures(store, x.id))
    return 0


def run_measures(args: argparse.Namespace) -> int:
    store = store_of(args)
    x = get_series(store, args.series)
    found = series_measures(store, x.id)
    if not found:
        print(f"no measures recorded in series {x.id}: `facilitate measure EVENT NAME VALUE` records one")
    _print_measures(found)
    return 0


def _print_measures(found: dict[str, list[SeriesPoint]]) -> None:
    if found:
        print("measures over time:")
    for name, points in found.items():
        print(f"  {name}")
        for p in points:
            note = f"  ({p.note})" if p.note else ""
            print(f"    {p.starts_on or '(no date)':<11} event {p.event_id:<4} {p.value:>10g}{note}")


def run_plan(args: argparse.Namespace) -> int:
    slot = parse_slot(
        args.start, args.weekday, args.week, args.time, args.minutes, args.count,
        skip_months=args.skip_months, include_august=args.include_august,
        include_december=args.include_december,
    )  # fmt: skip
    store = store_of(args)
    counts = plan_series(store, ORGANISER, args.series, slot)
    print(f"series {args.series}: {slot.describe()}")
    print(
        f"{counts['planned']} meetings planned, {counts['updated']} re-timed, "
        f"{counts['removed']} removed, {counts['kept']} already held kept"
    )
    for m in series_plan(store, args.series):
        print(f"{m.number:>4}  {m.starts_on} {m.start_time}  {'held' if m.held else 'planned'}")
    return 0


def run_roles(args: argparse.Namespace) -> int:
    given = {col: getattr(args, col) for col in ROLES if getattr(args, col) is not None}
    if not given:
        flags = ", ".join(f"--{col.replace('_', '-')}" for col in ROLES)
        print(f"facilitate: name at least one role: {flags}", file=sys.stderr)
        return 2
    x = set_series_roles(store_of(args), ORGANISER, args.series, **given)
    for words, name in x.roles.items():
        print(f"{words}: {name or '(not named)'}")
    return 0


def run_meeting(args: argparse.Namespace) -> int:
    m = set_meeting(store_of(args), ORGANISER, args.series, args.number, senior_leader=args.senior_leader)
    print(f"meeting {m.number} ({m.starts_on}): senior leader {m.senior_leader or '(not named)'}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = find_event(store, args.event)
    add_event_to_series(store, ORGANISER, ev.id, args.series)
    print(f"event {ev.id} is in series {args.series}")
    return 0


def run_review(args: argparse.Namespace) -> int:
    store = store_of(args)
    ev = find_event(store, args.event)
    if args.action is None:
        if args.outcome or args.moved:
            raise FacilitationError(
                "Name the ACTION to review: `facilitate series review EVENT ACTION --done`."
            )
        found = open_actions_from_earlier_events(store, ev.id)
        if not found:
            print(f"no open actions from earlier meetings of event {ev.id}'s series")
            return 0
        history = action_reviews(store, [o.action.id for o in found])
        for o in found:
            due = f", due {o.action.due_on}" if o.action.due_on else ""
            print(f"{o.action.id:>4}  {o.action.text} ({o.action.owner or 'no owner'}{due}; {o.group}, "
                  f"{o.event_date or 'event ' + str(o.event_id)})")  # fmt: skip
            for r in history[o.action.id]:
                print(f"      {_said(r)}")
        return 0
    outcome = "moved" if args.moved else args.outcome
    if outcome is None:
        raise FacilitationError("Say how the action stands: --done, --moved DATE or --dropped.")
    review_action(store, ORGANISER, ev.id, args.action, outcome, args.note, moved_to=args.moved)
    r = action_reviews(store, [args.action])[args.action][-1]
    print(f"action {args.action}: {_said(r)}")
    return 0


def _said(r: Review) -> str:
    what = f"moved to {r.moved_to}" if r.outcome == "moved" else r.outcome
    at = f"at the meeting of {r.meeting_on}" if r.meeting_on else "at a meeting"
    note = f": {r.note}" if r.note else ""
    return f"{what} {at}, by the {r.reviewed_by}, {r.created_at[:16].replace('T', ' ')} UTC{note}"
