"""Suggested merges of themes that say the same thing: local, deterministic, dismissable."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from testdata import hostile_strings

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.events.rules import create_event, set_phase
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.themes.grouping import create_theme, list_themes, merge_themes
from facilitation.themes.suggestions import dismiss_suggestion, suggest_merges, tokens

THEMES = {
    # table: [(theme name, [entry texts])]
    1: [
        ("Shared care record", ["One care record across GP and hospital", "Records shared with social care"]),
        ("Volunteer transport", ["Volunteer drivers to appointments"]),
    ],
    2: [
        ("Care records", ["GP and hospital record sharing", "Single shared record"]),
        ("Workforce wellbeing", ["Staff burnout and wellbeing support"]),
    ],
    3: [
        ("Staff wellbeing", ["Wellbeing support for staff", "Reduce burnout"]),
        ("Housing adaptations", ["Faster home adaptations after discharge"]),
    ],
}


def themed_event(store: Store) -> tuple[int, dict[str, int]]:
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="S", tables=3
    ).event_id
    set_phase(store, FACILITATOR, ev, "ideas")
    ids = {}
    for table, themes in THEMES.items():
        actor = table_actor(table)
        made = [[add_entry(store, actor, ev, table, "idea", text) for text in texts] for _, texts in themes]
        ids.update({name: made_ids for (name, _), made_ids in zip(themes, made, strict=True)})
    set_phase(store, FACILITATOR, ev, "grouping")
    theme_ids = {}
    for table, themes in THEMES.items():
        for name, _ in themes:
            theme_ids[name] = create_theme(store, table_actor(table), ev, table, name, ids[name])
    return ev, theme_ids


def test_themes_that_say_the_same_thing_are_suggested(store: Store) -> None:
    ev, t = themed_event(store)
    found = suggest_merges(store, ev)
    groups = {x.theme_ids for x in found}
    assert groups == {
        tuple(sorted((t["Shared care record"], t["Care records"]))),
        tuple(sorted((t["Workforce wellbeing"], t["Staff wellbeing"]))),
    }
    record = next(x for x in found if t["Care records"] in x.theme_ids)
    assert "record" in record.reason and 0 < record.score <= 1
    assert record.into is None and record.name in ("Shared care record", "Care records")
    assert suggest_merges(store, ev) == found  # deterministic
    assert suggest_merges(store, ev, threshold=0.99) == []
    with pytest.raises(FacilitationError, match="between 0 and 1"):
        suggest_merges(store, ev, threshold=0)


def test_a_tables_own_themes_are_never_suggested_together(store: Store) -> None:
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="S", tables=2
    ).event_id
    set_phase(store, FACILITATOR, ev, "grouping")
    a = add_entry(store, table_actor(1), ev, 1, "idea", "Shared care record")
    b = add_entry(store, table_actor(1), ev, 1, "idea", "Shared care records")
    create_theme(store, table_actor(1), ev, 1, "Records", [a])
    create_theme(store, table_actor(1), ev, 1, "More records", [b])
    assert suggest_merges(store, ev) == []


def test_accepting_is_merging_and_event_wide_themes_take_part(store: Store) -> None:
    ev, t = themed_event(store)
    first = next(x for x in suggest_merges(store, ev) if t["Care records"] in x.theme_ids)
    w = merge_themes(store, FACILITATOR, ev, first.theme_ids, first.name, into=first.into)
    assert {x.theme_ids for x in suggest_merges(store, ev)} == {
        tuple(sorted((t["Workforce wellbeing"], t["Staff wellbeing"])))
    }
    # a new table theme on records is suggested for the event-wide theme
    set_phase(store, FACILITATOR, ev, "ideas")
    e = add_entry(store, table_actor(3), ev, 3, "idea", "Shared record for GP and hospital care")
    set_phase(store, FACILITATOR, ev, "grouping")
    late = create_theme(store, table_actor(3), ev, 3, "Care record", [e])
    joined = next(x for x in suggest_merges(store, ev) if late in x.theme_ids)
    assert joined.into == w and joined.theme_ids == tuple(sorted((w, late)))
    assert merge_themes(store, FACILITATOR, ev, joined.theme_ids, joined.name, into=joined.into) == w
    assert next(x for x in list_themes(store, ev) if x.id == w).member_theme_ids == (
        t["Shared care record"],
        t["Care records"],
        late,
    )


def test_a_dismissed_suggestion_never_comes_back(store: Store) -> None:
    ev, t = themed_event(store)
    pair = (t["Workforce wellbeing"], t["Staff wellbeing"])
    with pytest.raises(NotAllowed):
        dismiss_suggestion(store, table_actor(1), ev, pair)
    with pytest.raises(NotFound):
        dismiss_suggestion(store, FACILITATOR, ev, (pair[0], 9_999))
    assert dismiss_suggestion(store, FACILITATOR, ev, pair) == tuple(sorted(pair))
    assert all(set(pair) - set(x.theme_ids) for x in suggest_merges(store, ev))
    # more of the same words does not bring it back
    set_phase(store, FACILITATOR, ev, "ideas")
    e = add_entry(store, table_actor(3), ev, 3, "idea", "Workforce wellbeing and staff burnout")
    set_phase(store, FACILITATOR, ev, "grouping")
    from facilitation.themes.grouping import add_to_theme

    add_to_theme(store, table_actor(3), ev, t["Staff wellbeing"], [e])
    assert all(set(pair) - set(x.theme_ids) for x in suggest_merges(store, ev, threshold=0.05))
    logged = store.read(
        lambda c: c.execute(
            select(s.activity.c.actor, s.activity.c.detail).where(s.activity.c.verb == "dismiss suggestion")
        ).all()
    )
    assert len(logged) == 1 and logged[0].actor == "facilitator"


def test_tokens_and_hostile_text() -> None:
    assert tokens("Staff and the STAFF's wellbeing; policies") == ["staff", "staff", "wellbeing", "policy"]
    for text in hostile_strings():
        tokens(text)


def test_hostile_names_and_entries_do_not_break_suggestions(store: Store) -> None:
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="H", tables=2
    ).event_id
    set_phase(store, FACILITATOR, ev, "ideas")
    # every hostile string that fits is a real entry, and twice over (once per table),
    # so each has a twin theme on the other table that a suggestion can find
    texts = [t for t in hostile_strings() if t.strip() and len(t) <= 1000][:12]
    entries = {
        (table, i): add_entry(store, table_actor(table), ev, table, "idea", text)
        for i, text in enumerate(texts)
        for table in (1, 2)
    }
    set_phase(store, FACILITATOR, ev, "grouping")
    made = {}
    for (table, i), entry in entries.items():
        try:
            made[table, i] = create_theme(
                store, table_actor(table), ev, table, f"{texts[i][:150]} {i}", [entry]
            )
        except FacilitationError as refused:
            # only a name the text cleaner rejects may be refused, and it says which field
            assert "name" in str(refused).lower(), refused
    assert len(made) >= 16, f"only {len(made)} of {len(entries)} hostile themes were made"
    found = suggest_merges(store, ev, threshold=0.01)
    themes = {t.id: t for t in list_themes(store, ev)}
    assert found == suggest_merges(store, ev, threshold=0.01)  # deterministic
    assert found, "twin themes on two tables gave no suggestion at all"
    for suggestion in found:
        assert set(suggestion.theme_ids) <= set(themes) and len(suggestion.theme_ids) >= 2
        assert 0 < suggestion.score <= 1 and all(isinstance(w, str) for w in suggestion.reason)
        assert suggestion.name in {themes[i].name for i in suggestion.theme_ids}
    # a twin pair whose words the tokeniser keeps is suggested together
    paired = {frozenset(x.theme_ids) for x in found}
    twins = [
        frozenset((made[1, i], made[2, i]))
        for i in range(len(texts))
        if (1, i) in made and (2, i) in made and tokens(texts[i])
    ]
    assert twins and any(any(pair <= p for p in paired) for pair in twins)
