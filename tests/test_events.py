"""Events: creation, phases, the timer, the input lock, keys, and who may do what."""

from __future__ import annotations

import time

import pytest

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, Actor, table_actor
from facilitation.capture.rules import add_entry
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import (
    authenticate,
    create_event,
    event_keys,
    extend_timer,
    find_event,
    get_event,
    list_events,
    list_tables,
    mark_table_done,
    move_phase,
    pause_timer,
    set_input_lock,
    set_phase,
    start_timer,
    table_for_join_code,
)
from facilitation.events.templates import load_template

TEMPLATE = "innovation-challenge-half-day"


@pytest.fixture
def keys(store):
    return create_event(store, ORGANISER, template=TEMPLATE, title="Frailty in the community", tables=4)


def test_create_event_from_template(store, keys):
    ev = get_event(store, keys.event_id)
    tpl = load_template(TEMPLATE)
    assert [p.name for p in ev.phases] == [p.name for p in tpl.phases]
    assert ev.phase.name == "framing" and ev.phase_index == 0
    assert ev.seconds_left() == tpl.phases[0].minutes * 60 and not ev.timer_running
    assert ev.voting_rules == tpl.voting and not ev.votes_revealed and not ev.input_locked
    assert [t.number for t in list_tables(store, ev.id)] == [1, 2, 3, 4]
    assert len(ev.join_code) == 6 and find_event(store, ev.join_code.lower()).id == ev.id
    assert [e.id for e in list_events(store)] == [ev.id]


def test_template_table_count_is_the_default(store):
    ev = create_event(store, ORGANISER, template=TEMPLATE, title="Default tables")
    assert len(ev.tables) == load_template(TEMPLATE).tables


@pytest.mark.parametrize("tables", [0, 61])
def test_table_count_is_checked(store, tables):
    with pytest.raises(FacilitationError, match="1 to 60 tables"):
        create_event(store, ORGANISER, template=TEMPLATE, title="x", tables=tables)


def test_unknown_template_lists_the_known_ones(store):
    with pytest.raises(FacilitationError, match="innovation-challenge-half-day"):
        create_event(store, ORGANISER, template="nope", title="x")


def test_phases_next_prev_named(store, keys):
    ev = keys.event_id
    assert move_phase(store, FACILITATOR, ev, +1) == "enablers-blockers"
    assert move_phase(store, FACILITATOR, ev, +1) == "ideas"
    assert move_phase(store, FACILITATOR, ev, -1) == "enablers-blockers"
    assert set_phase(store, FACILITATOR, ev, "voting") == "voting"
    assert set_phase(store, FACILITATOR, ev, 0) == "framing"
    with pytest.raises(FacilitationError, match="already the first phase"):
        move_phase(store, FACILITATOR, ev, -1)
    set_phase(store, FACILITATOR, ev, "close")
    with pytest.raises(FacilitationError, match="past the last phase"):
        move_phase(store, FACILITATOR, ev, +1)
    with pytest.raises(FacilitationError, match="no phase 'lunch'"):
        set_phase(store, FACILITATOR, ev, "lunch")


def test_a_step_back_deletes_nothing(store, keys):
    ev = keys.event_id
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    add_entry(store, table_actor(1), ev, 1, "enabler", "Shared care record")
    move_phase(store, FACILITATOR, ev, -1)
    move_phase(store, FACILITATOR, ev, +1)
    from facilitation.capture.rules import list_entries

    assert [e.text for e in list_entries(store, ev)] == ["Shared care record"]


def test_timer_start_pause_extend(store, keys):
    ev = keys.event_id
    ends = start_timer(store, FACILITATOR, ev)
    assert get_event(store, ev).timer_running and ends > time.time() + 19 * 60
    left = pause_timer(store, FACILITATOR, ev)
    paused = get_event(store, ev)
    assert not paused.timer_running and 19 * 60 < left <= 20 * 60 and paused.seconds_left() == left
    assert extend_timer(store, FACILITATOR, ev, 5) == pytest.approx(left + 300)
    start_timer(store, FACILITATOR, ev)
    running = get_event(store, ev)
    assert running.seconds_left() == pytest.approx(left + 300, abs=5)
    extend_timer(store, FACILITATOR, ev, 1)
    assert get_event(store, ev).seconds_left() == pytest.approx(left + 360, abs=5)
    start_timer(store, FACILITATOR, ev, minutes=2)
    assert get_event(store, ev).seconds_left() == pytest.approx(120, abs=5)
    with pytest.raises(FacilitationError, match="1 to 120 minutes"):
        extend_timer(store, FACILITATOR, ev, 0)


def test_a_phase_change_resets_the_timer_and_the_lock(store, keys):
    ev = keys.event_id
    start_timer(store, FACILITATOR, ev)
    set_input_lock(store, FACILITATOR, ev, True)
    set_phase(store, FACILITATOR, ev, "ideas")
    after = get_event(store, ev)
    assert (
        not after.timer_running
        and after.seconds_left() == after.phase.minutes * 60
        and not after.input_locked
    )


def test_input_lock_stops_tables(store, keys):
    ev = keys.event_id
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    assert set_input_lock(store, FACILITATOR, ev, True) is True
    with pytest.raises(FacilitationError, match="Input is locked"):
        add_entry(store, table_actor(1), ev, 1, "enabler", "Blocked")
    set_input_lock(store, FACILITATOR, ev, False)
    assert add_entry(store, table_actor(1), ev, 1, "enabler", "Open again")


def test_phase_decides_what_tables_may_add(store, keys):
    with pytest.raises(FacilitationError, match="cannot add an enabler during 'Framing the challenge'"):
        add_entry(store, table_actor(1), keys.event_id, 1, "enabler", "Too early")


def test_mark_table_done(store, keys):
    ev = keys.event_id
    assert mark_table_done(store, table_actor(2), ev, 2) is True
    assert [t.done_phase for t in list_tables(store, ev)] == [None, 0, None, None]
    with pytest.raises(NotAllowed, match="Table 2 cannot mark the table done for table 3"):
        mark_table_done(store, table_actor(2), ev, 3)


FACILITATOR_ONLY = [
    ("set_phase", lambda st, a, ev: set_phase(st, a, ev, "ideas")),
    ("move_phase", lambda st, a, ev: move_phase(st, a, ev, 1)),
    ("start_timer", lambda st, a, ev: start_timer(st, a, ev)),
    ("pause_timer", lambda st, a, ev: pause_timer(st, a, ev)),
    ("extend_timer", lambda st, a, ev: extend_timer(st, a, ev, 5)),
    ("set_input_lock", lambda st, a, ev: set_input_lock(st, a, ev, True)),
]
ORGANISER_OR_FACILITATOR = [
    ("event_keys", lambda st, a, ev: event_keys(st, a, ev)),
    ("create_event", lambda st, a, ev: create_event(st, a, template=TEMPLATE, title="x")),
]


@pytest.mark.parametrize(("name", "call"), FACILITATOR_ONLY + ORGANISER_OR_FACILITATOR)
@pytest.mark.parametrize("actor", [table_actor(1), table_actor(3)])
def test_privileged_functions_refuse_tables(store, keys, name, call, actor):
    before = store.signature(keys.event_id)
    with pytest.raises(NotAllowed, match=f"{actor.label} cannot"):
        call(store, actor, keys.event_id)
    assert store.signature(keys.event_id) == before


@pytest.mark.parametrize(("name", "call"), FACILITATOR_ONLY)
def test_facilitator_functions_refuse_the_organiser(store, keys, name, call):
    before = store.signature(keys.event_id)
    with pytest.raises(NotAllowed, match="organiser cannot"):
        call(store, ORGANISER, keys.event_id)
    assert store.signature(keys.event_id) == before


@pytest.mark.parametrize(("name", "call"), FACILITATOR_ONLY + ORGANISER_OR_FACILITATOR)
def test_privileged_functions_work_for_the_system(store, keys, name, call):
    ev = keys.event_id
    before, events_before = get_event(store, ev), len(list_events(store))
    result = call(store, SYSTEM, ev)
    after = get_event(store, ev)
    effect = {
        "set_phase": lambda: result == "ideas" and after.phase.name == "ideas",
        "move_phase": lambda: after.phase_index == before.phase_index + 1,
        "start_timer": lambda: after.timer_running and not before.timer_running,
        "pause_timer": lambda: not after.timer_running and after.seconds_left() == before.seconds_left(),
        "extend_timer": lambda: after.seconds_left() == before.seconds_left() + 5 * 60,
        "set_input_lock": lambda: after.input_locked and not before.input_locked,
        "event_keys": lambda: result == keys,
        "create_event": lambda: (
            len(list_events(store)) == events_before + 1 and get_event(store, result.event_id).title == "x"
        ),
    }[name]
    assert effect(), f"{name} by the system returned {result!r} and left the event as {after!r}"


def test_wrong_table_is_refused(store, keys):
    ev = keys.event_id
    set_phase(store, FACILITATOR, ev, "enablers-blockers")
    with pytest.raises(NotAllowed, match="Table 1 cannot add an entry for table 2"):
        add_entry(store, table_actor(1), ev, 2, "enabler", "Not mine")
    with pytest.raises(NotAllowed):
        add_entry(store, ORGANISER, ev, 2, "enabler", "Organisers do not write entries")


def test_authenticate_each_key(store, keys):
    ev = keys.event_id
    assert authenticate(store, ev, keys.facilitator) == FACILITATOR
    assert authenticate(store, ev, keys.organiser) == Actor("organiser")
    assert authenticate(store, ev, keys.tables[3]) == table_actor(3)
    assert authenticate(store, ev, keys.tables[3], table=3) == table_actor(3)
    assert authenticate(store, ev, keys.facilitator, table=2) == FACILITATOR
    with pytest.raises(NotAllowed, match="for table 3, not table 2"):
        authenticate(store, ev, keys.tables[3], table=2)
    for wrong in ("", None, "x" * 32, keys.facilitator.upper()):
        with pytest.raises(NotAllowed):
            authenticate(store, ev, wrong)
    with pytest.raises(NotFound):
        authenticate(store, ev + 100, keys.facilitator)


def test_keys_again_and_keys_are_stored_hashed(store, keys):
    again = event_keys(store, ORGANISER, keys.event_id)
    assert again == keys
    from sqlalchemy import select

    from facilitation.store import schema as s

    row = store.read(
        lambda c: c.execute(select(s.events).where(s.events.c.id == keys.event_id)).mappings().one()
    )
    assert keys.facilitator not in str(dict(row)) and keys.organiser not in str(dict(row))


def test_join_code_and_table(store, keys):
    ev = get_event(store, keys.event_id)
    assert table_for_join_code(store, f" {ev.join_code.lower()} ", 2) == (ev.id, table_actor(2))
    with pytest.raises(NotFound, match="no table 9"):
        table_for_join_code(store, ev.join_code, 9)
    with pytest.raises(NotFound, match="join code"):
        table_for_join_code(store, "ZZZZZZ", 1)


def test_unknown_event_is_not_found(store):
    with pytest.raises(NotFound, match="no event 42"):
        get_event(store, 42)
    with pytest.raises(NotFound):
        set_phase(store, FACILITATOR, 42, "ideas")


def test_a_typed_phase_is_its_number_as_shown_or_its_name_in_any_case(store, keys):
    ev = keys.event_id
    phases = get_event(store, ev).phases
    assert set_phase(store, FACILITATOR, ev, "3") == phases[2].name  # "phase 3 of 8"
    assert get_event(store, ev).phase_index == 2
    assert set_phase(store, FACILITATOR, ev, " VoTiNg ") == "voting"
    assert set_phase(store, FACILITATOR, ev, str(len(phases))) == phases[-1].name
    for bad, says in [("0", "numbered 1 to"), (str(len(phases) + 1), "numbered 1 to"), ("lunch", "no phase")]:
        with pytest.raises(FacilitationError, match=says):
            set_phase(store, FACILITATOR, ev, bad)
    assert get_event(store, ev).phase.name == phases[-1].name  # nothing changed


@pytest.mark.parametrize("minutes", [0, 0.5, 241, -5, float("nan"), float("inf"), "soon", True])
def test_a_timer_is_1_to_240_minutes(store, keys, minutes):
    ev = keys.event_id
    before = get_event(store, ev)
    with pytest.raises(FacilitationError, match="1 to 240 minutes"):
        start_timer(store, FACILITATOR, ev, minutes)
    after = get_event(store, ev)
    assert (after.timer_ends_at, after.timer_remaining) == (before.timer_ends_at, before.timer_remaining)


def test_a_timer_takes_240_minutes_and_extending_never_passes_it(store, keys):
    ev = keys.event_id
    start_timer(store, FACILITATOR, ev, 1)
    start_timer(store, FACILITATOR, ev, "240")
    assert get_event(store, ev).seconds_left() == pytest.approx(240 * 60, abs=5)
    pause_timer(store, FACILITATOR, ev)
    with pytest.raises(FacilitationError, match="at most 240 minutes"):
        extend_timer(store, FACILITATOR, ev, 5)
    assert get_event(store, ev).seconds_left() == pytest.approx(240 * 60, abs=5)
    start_timer(store, FACILITATOR, ev, 200)
    extend_timer(store, FACILITATOR, ev, 40)
    with pytest.raises(FacilitationError, match="at most 240 minutes"):
        extend_timer(store, FACILITATOR, ev, 5)
    with pytest.raises(FacilitationError, match="1 to 120 minutes"):
        extend_timer(store, FACILITATOR, ev, "five")


@pytest.mark.parametrize("day", ["31/12/2026", "not a date", "2026-02-30", "20261231", "2026-W11-4"])
def test_an_event_date_is_iso_or_refused(store, day):
    with pytest.raises(FacilitationError, match=r"a date like 2026-03-12 \(year-month-day\)"):
        create_event(store, ORGANISER, template=TEMPLATE, title="Dated", starts_on=day)
    assert list_events(store) == []
    keys = create_event(store, ORGANISER, template=TEMPLATE, title="Dated", starts_on=" 2026-12-31 ")
    assert get_event(store, keys.event_id).starts_on == "2026-12-31"
