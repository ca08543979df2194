"""Capture: enablers, blockers, ideas and questions, each table writing only its own."""

from __future__ import annotations

import pytest

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry, counts_by_table, edit_entry, list_entries, withdraw_entry
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import create_event, set_input_lock, set_phase
from facilitation.store import schema as s


@pytest.fixture
def ev(store):
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Capture", tables=3)
    set_phase(store, FACILITATOR, keys.event_id, "enablers-blockers")
    return keys.event_id


def test_add_and_list_by_table_and_kind(store, ev):
    a = add_entry(store, table_actor(1), ev, 1, "enabler", "Community falls team", evidence="local data")
    b = add_entry(store, table_actor(2), ev, 2, "blocker", "Three referral forms", evidence="anecdote")
    c = add_entry(store, table_actor(1), ev, 1, "idea", "One referral form", priority_area="Digital and data")
    entries = list_entries(store, ev)
    assert [(e.id, e.table, e.kind) for e in entries] == [
        (a, 1, "enabler"),
        (b, 2, "blocker"),
        (c, 1, "idea"),
    ]
    assert entries[0].evidence == "local data" and entries[2].priority_area == "Digital and data"
    assert [e.id for e in list_entries(store, ev, table=1)] == [a, c]
    assert [e.id for e in list_entries(store, ev, kinds=("blocker",))] == [b]
    counts = counts_by_table(store, ev)
    assert counts[1] == {"enabler": 1, "blocker": 0, "idea": 1, "question": 0, "asset": 0}
    assert counts[3] == dict.fromkeys(s.ENTRY_KINDS, 0)


@pytest.mark.parametrize("evidence", s.EVIDENCE_LEVELS)
def test_every_evidence_level(store, ev, evidence):
    eid = add_entry(store, table_actor(1), ev, 1, "enabler", "x", evidence=evidence)
    assert list_entries(store, ev)[0].id == eid and list_entries(store, ev)[0].evidence == evidence


def test_bad_kind_and_evidence_are_named(store, ev):
    with pytest.raises(FacilitationError, match="'wish' is none of these"):
        add_entry(store, table_actor(1), ev, 1, "wish", "x")
    with pytest.raises(FacilitationError, match="'gut feeling' is not"):
        add_entry(store, table_actor(1), ev, 1, "enabler", "x", evidence="gut feeling")


def test_empty_and_long_text(store, ev):
    with pytest.raises(FacilitationError, match="The enabler is empty"):
        add_entry(store, table_actor(1), ev, 1, "enabler", " \u200b\t ")
    with pytest.raises(FacilitationError, match="1,001 characters long; the most is 1,000"):
        add_entry(store, table_actor(1), ev, 1, "enabler", "x" * 1001)
    assert list_entries(store, ev) == []


def test_edit_and_withdraw_own_entries_only(store, ev):
    eid = add_entry(store, table_actor(1), ev, 1, "enabler", "Shared care recrd")
    edit_entry(store, table_actor(1), ev, eid, text="Shared care record", evidence="research")
    (entry,) = list_entries(store, ev)
    assert (entry.text, entry.evidence) == ("Shared care record", "research") and entry.updated_at
    edit_entry(store, table_actor(1), ev, eid, kind="blocker")
    assert list_entries(store, ev)[0].kind == "blocker"
    with pytest.raises(NotAllowed, match="Table 2 cannot edit this entry for table 1"):
        edit_entry(store, table_actor(2), ev, eid, text="Mine now")
    with pytest.raises(NotAllowed):
        withdraw_entry(store, table_actor(2), ev, eid)
    withdraw_entry(store, table_actor(1), ev, eid)
    assert list_entries(store, ev) == []
    with pytest.raises(NotFound, match="not there any more"):
        edit_entry(store, table_actor(1), ev, eid, text="Back")


def test_facilitator_helps_any_table(store, ev):
    eid = add_entry(store, FACILITATOR, ev, 3, "blocker", "Typed for table 3")
    edit_entry(store, FACILITATOR, ev, eid, text="Typed for table 3 by the facilitator")
    assert list_entries(store, ev, table=3)[0].text.endswith("facilitator")


def test_lock_and_phase_stop_edits_too(store, ev):
    eid = add_entry(store, table_actor(1), ev, 1, "enabler", "Before the lock")
    set_input_lock(store, FACILITATOR, ev, True)
    with pytest.raises(FacilitationError, match="locked"):
        edit_entry(store, table_actor(1), ev, eid, text="During the lock")
    set_phase(store, FACILITATOR, ev, "voting")
    with pytest.raises(FacilitationError, match="cannot withdraw entries during 'Dot voting'"):
        withdraw_entry(store, table_actor(1), ev, eid)
    with pytest.raises(FacilitationError, match="cannot add an idea during"):
        add_entry(store, table_actor(1), ev, 1, "idea", "Too late")


def test_ideas_phase_takes_ideas_and_questions_only(store, ev):
    set_phase(store, FACILITATOR, ev, "ideas")
    add_entry(store, table_actor(1), ev, 1, "idea", "Joint visits")
    add_entry(store, table_actor(1), ev, 1, "question", "Who pays?")
    with pytest.raises(FacilitationError, match="cannot add an enabler during 'Ideas'"):
        add_entry(store, table_actor(1), ev, 1, "enabler", "Late enabler")


def test_unknown_table(store, ev):
    with pytest.raises(NotFound, match="no table 7"):
        add_entry(store, FACILITATOR, ev, 7, "enabler", "x")


def test_retry_with_a_token_adds_once(store, ev):
    ids = {
        add_entry(store, table_actor(2), ev, 2, "idea", "Handyperson on discharge", client_token="c-1")
        for _ in range(3)
    }
    assert len(ids) == 1 and len(list_entries(store, ev)) == 1


# --- evidence levels, sources and assets (issue 17) --------------------------------------


def test_the_practice_baseline_is_the_vocabulary():
    assert s.EVIDENCE_LEVELS == (
        "local data", "regional data", "national data", "research", "anecdote", "sample evaluation",
        "assumption",
    )  # fmt: skip
    assert "asset" in s.ENTRY_KINDS


def test_source_is_kept_cleaned_and_length_checked(store, ev):
    eid = add_entry(
        store, table_actor(1), ev, 1, "enabler", "Falls down 8% in North Vale",
        evidence="regional data", source="  ICB falls dashboard,\nMarch ",
    )  # fmt: skip
    (entry,) = list_entries(store, ev)
    assert (entry.evidence, entry.source) == ("regional data", "ICB falls dashboard, March")
    with pytest.raises(FacilitationError, match=r"^The source is 301 characters long; the most is 300\."):
        add_entry(store, table_actor(1), ev, 1, "enabler", "x", source="s" * 301)
    edit_entry(store, table_actor(1), ev, eid, evidence="sample evaluation", source="Audit of 40 cases")
    assert list_entries(store, ev)[0].source == "Audit of 40 cases"
    edit_entry(store, table_actor(1), ev, eid, text="Falls down 8%")  # source untouched
    assert list_entries(store, ev)[0].source == "Audit of 40 cases"
    edit_entry(store, table_actor(1), ev, eid, source="")  # cleared
    assert list_entries(store, ev)[0].source is None
    assert len(list_entries(store, ev)) == 1


def test_assets_in_enablers_and_ideas_not_in_voting(store, ev):
    add_entry(
        store, table_actor(1), ev, 1, "asset", "Falls team visits in 48 hours, North Vale", source="Team lead"
    )
    set_phase(store, FACILITATOR, ev, "ideas")
    add_entry(store, table_actor(2), ev, 2, "asset", "Carers' cafe in Eastbrook library")
    set_phase(store, FACILITATOR, ev, "voting")
    with pytest.raises(FacilitationError, match="asset"):
        add_entry(store, table_actor(2), ev, 2, "asset", "Too late")
    assert [e.text for e in list_entries(store, ev, kinds=("asset",))] == [
        "Falls team visits in 48 hours, North Vale",
        "Carers' cafe in Eastbrook library",
    ]


def test_evidence_summary_counts_every_level(store, ev):
    from facilitation.capture.rules import NOT_GIVEN, evidence_summary

    for i, level in enumerate(["local data", "local data", "national data", None]):
        add_entry(store, table_actor(1), ev, 1, "enabler", f"e{i}", evidence=level)
    found = {e.level: (e.count, e.percent) for e in evidence_summary(list_entries(store, ev))}
    assert list(found) == [*s.EVIDENCE_LEVELS, NOT_GIVEN]
    assert found["local data"] == (2, "50%") and found["national data"] == (1, "25%")
    assert found[NOT_GIVEN] == (1, "25%") and found["research"] == (0, "0%")


def test_an_idea_or_a_question_rests_on_no_evidence(store) -> None:
    """Only enablers, blockers and assets carry an evidence level or a source: the rule says so,
    whichever page (or forged message) asks, on add and on edit; nothing is written."""
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="E", tables=2)
    ev = keys.event_id
    set_phase(store, FACILITATOR, ev, "ideas")
    with pytest.raises(FacilitationError, match="An idea has no evidence level or source"):
        add_entry(store, table_actor(1), ev, 1, "idea", "Volunteer drivers", evidence="research")
    with pytest.raises(FacilitationError, match="A question has no evidence level or source"):
        add_entry(store, table_actor(1), ev, 1, "question", "Who drives?", source="Survey")
    assert list_entries(store, ev) == []
    asset = add_entry(store, table_actor(1), ev, 1, "asset", "Age Together's classes", evidence="local data")
    with pytest.raises(FacilitationError, match="An idea has no evidence level or source"):
        edit_entry(store, table_actor(1), ev, asset, kind="idea")
    edit_entry(store, table_actor(1), ev, asset, kind="idea", evidence="")
    (entry,) = list_entries(store, ev)
    assert (entry.kind, entry.evidence) == ("idea", None)
