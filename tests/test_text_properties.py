"""Property tests: arbitrary text through every text input of the rules, on both engines.

Whatever is typed (control, bidi and zero-width characters, other scripts, markup,
10,000-character strings), a rule either stores the text as ``clean_text`` documents
or refuses it with a message a person can act on; it never crashes, and no control
or bidi character ever reaches the store.
"""

from __future__ import annotations

import os
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry, edit_entry, list_entries
from facilitation.errors import FacilitationError
from facilitation.events.rules import create_event, get_event, set_phase
from facilitation.network.rules import list_links, record_link, withdraw_link
from facilitation.people.rules import add_person, list_people
from facilitation.plans.rules import add_action, list_groups, promote_theme, update_group
from facilitation.series.rules import create_series, get_series
from facilitation.store import Store, open_store
from facilitation.store import schema as s
from facilitation.text import MAX_ENTRY, MAX_LONG, MAX_NAME, _is_emoji, clean_text
from facilitation.themes.grouping import create_theme, list_themes

DATA = Path(__file__).parent / "data"
PG_URL = os.environ.get("FACILITATION_TEST_PG_URL", "")

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZERO_WIDTH = set("\u200b\u200c\u2060\ufeff")
ZWJ = "\u200d"


def hostile_strings() -> list[str]:
    lines = (DATA / "hostile-strings.txt").read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip()]


def assert_clean(value: str, *, multiline: bool = False) -> None:
    """No control, surrogate, private or unassigned character; no bidi or zero-width one."""
    for i, ch in enumerate(value):
        if multiline and ch in "\n\t":
            continue
        assert unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"), repr(ch)
        assert ch not in BIDI and ch not in ZERO_WIDTH, repr(ch)
        if ch == ZWJ:  # kept only inside an emoji sequence
            assert 0 < i < len(value) - 1 and _is_emoji(value[i - 1]) and _is_emoji(value[i + 1])
    assert value == value.strip()


nasty_chars = st.sampled_from(
    [
        *sorted(BIDI | ZERO_WIDTH),
        ZWJ,
        "\x00",
        "\x07",
        "\x1b",
        "\x7f",
        "\x85",
        "\r",
        "\n",
        "\t",
        "\u2028",
        "\ud800",
        "\ue000",
        "\U0010ffff",
        *["👩", "🏽", "⚕", "\ufe0f", "é", "e\u0301", "ت", "改", "=", "<", ">", "&", "'", '"', " "],
    ]
)
typed = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(nasty_chars, st.characters()), max_size=60).map("".join),
    st.sampled_from(hostile_strings()),
    st.builds(lambda piece, n: piece * n, st.text(min_size=1, max_size=4), st.integers(2_500, 10_000)),
)


@settings(max_examples=400, deadline=None)
@given(value=typed, multiline=st.booleans(), max_length=st.sampled_from([MAX_NAME, MAX_ENTRY, MAX_LONG]))
def test_clean_text_never_lets_a_control_or_bidi_character_through(value, multiline, max_length):
    try:
        out = clean_text(value, max_length=max_length, multiline=multiline, field="idea")
    except FacilitationError as exc:
        message = str(exc)
        assert message.startswith("The idea is ")
        assert message.endswith("Type something and try again.") or (
            f"the most is {max_length:,}. Shorten it and try again." in message
        )
        return
    assert_clean(out, multiline=multiline)
    assert 0 < len(out) <= max_length
    if not multiline:
        assert "\n" not in out and "\r" not in out and "\t" not in out


@given(value=typed)
def test_clean_text_is_not_required_for_optional_fields(value):
    try:
        out = clean_text(value, required=False, max_length=20_000)
    except FacilitationError as exc:  # only ever the length
        assert "characters long" in str(exc)
        return
    assert_clean(out)


@pytest.mark.parametrize("n", [1_001, 10_000])
def test_overlong_gives_the_clear_message(n):
    with pytest.raises(FacilitationError, match=f"The idea is {n:,} characters long; the most is 1,000"):
        clean_text("x" * n, field="idea")


def test_clean_text_is_idempotent_after_removal():
    once = clean_text("e\u200b\u0301")
    assert clean_text(once) == once


@given(value=st.text(max_size=200), multiline=st.booleans())
def test_clean_text_is_idempotent_on_any_text(value, multiline):
    try:
        once = clean_text(value, multiline=multiline, required=False)
    except FacilitationError:
        return
    assert clean_text(once, multiline=multiline, required=False) == once


@pytest.mark.parametrize("hidden", ["\u2028", "\u2029", "\U000e0041", "\u206a", "\ufff9"])
def test_separators_and_tag_characters_do_not_survive_a_single_line_field(hidden):
    assert clean_text(f"a{hidden}b") in ("a b", "ab")


@given(value=st.text(max_size=200))
def test_clean_text_is_idempotent_on_nfc_text_without_invisibles(value):
    value = unicodedata.normalize("NFC", "".join(ch for ch in value if ch not in BIDI | ZERO_WIDTH | {ZWJ}))
    try:
        once = clean_text(value, max_length=MAX_LONG, multiline=True, required=False)
    except FacilitationError:
        return
    assert clean_text(once, max_length=MAX_LONG, multiline=True, required=False) == once


# --- through the rules, on each engine --------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_store(request, tmp_path_factory) -> Iterator[Store]:
    """One store per engine for the whole module (hypothesis runs many examples in one test)."""
    if request.param == "sqlite":
        store = open_store(str(tmp_path_factory.mktemp("props") / "props.db"))
        yield store
        store.close()
        return
    if not PG_URL:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but FACILITATION_TEST_PG_URL is not set")
        pytest.skip("set FACILITATION_TEST_PG_URL to run the PostgreSQL half")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in PG_URL else "?"
    store = open_store(f"{PG_URL}{sep}options={quote(f'-csearch_path={name}')}")
    yield store
    store.close()
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


class Inputs:
    """Every text input of the rules, each a function of the typed value returning the stored one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        keys = create_event(
            store, ORGANISER, template="innovation-challenge-half-day", title="Props", tables=2
        )
        self.ev = keys.event_id
        self.a = add_person(store, ORGANISER, self.ev, "Ama", organisation="Council", table=1)
        self.b = add_person(store, ORGANISER, self.ev, "Ben", organisation="Trust", table=2)
        set_phase(store, FACILITATOR, self.ev, "grouping")
        self.entry = add_entry(store, table_actor(1), self.ev, 1, "idea", "Joint visits")
        theme = create_theme(store, table_actor(1), self.ev, 1, "Seed theme", [self.entry])
        self.group = promote_theme(store, FACILITATOR, self.ev, theme, lead_table=1)

    def entry_text(self, value: str) -> str:
        set_phase(self.store, FACILITATOR, self.ev, "grouping")
        eid = add_entry(self.store, table_actor(1), self.ev, 1, "idea", value)
        return next(e.text for e in list_entries(self.store, self.ev) if e.id == eid)

    def entry_edit(self, value: str) -> str:
        edit_entry(self.store, table_actor(1), self.ev, self.entry, text=value)
        return next(e.text for e in list_entries(self.store, self.ev) if e.id == self.entry)

    def person_name(self, value: str) -> str:
        pid = add_person(
            self.store, ORGANISER, self.ev, value, organisation=value[:MAX_NAME], role=value[:MAX_NAME]
        )
        person = next(p for p in list_people(self.store, self.ev) if p.id == pid)
        assert_clean(person.organisation)
        assert_clean(person.role)
        return person.name

    def event_title(self, value: str) -> str:
        keys = create_event(
            self.store, ORGANISER, template="community-of-practice-online-90", title=value, tables=1,
            challenge=value[:4000], key_question=value[:1000], success_measures=[value[:1000]],
        )  # fmt: skip
        ev = get_event(self.store, keys.event_id)
        assert_clean(ev.challenge, multiline=True)
        assert_clean(ev.key_question)
        assert all(assert_clean(m) is None for m in ev.success_measures)
        return ev.title

    def series_name(self, value: str) -> str:
        sid = create_series(self.store, ORGANISER, value, value[:MAX_LONG])
        series = get_series(self.store, sid)
        assert_clean(series.description, multiline=True)
        return series.name

    def theme_name(self, value: str) -> str:
        # theme names are unique per table, so each value gets an event of its own
        ev = create_event(
            self.store, ORGANISER, template="innovation-challenge-half-day", title="T", tables=1
        )
        set_phase(self.store, FACILITATOR, ev.event_id, "grouping")
        tid = create_theme(self.store, table_actor(1), ev.event_id, 1, value)
        return next(t.name for t in list_themes(self.store, ev.event_id) if t.id == tid)

    def link_note(self, value: str) -> str:
        lid = record_link(self.store, FACILITATOR, self.ev, 1, self.a, self.b, "will work with", value)
        note = next(x.note for x in list_links(self.store, self.ev) if x.id == lid)
        withdraw_link(self.store, FACILITATOR, self.ev, lid)  # so the next value makes a new link
        assert_clean(note, multiline=True)
        return note

    def action_text(self, value: str) -> str:
        aid = add_action(self.store, FACILITATOR, self.ev, self.group, value, owner=value[:MAX_NAME])
        (group,) = [g for g in list_groups(self.store, self.ev) if g.id == self.group]
        action = next(a for a in group.actions if a.id == aid)
        assert_clean(action.owner)
        return action.text

    def group_purpose(self, value: str) -> str:
        update_group(
            self.store, FACILITATOR, self.ev, self.group, purpose=value, lead=value[:MAX_NAME],
            key_question=value[:1000],
        )  # fmt: skip
        (group,) = [g for g in list_groups(self.store, self.ev) if g.id == self.group]
        assert_clean(group.lead)
        assert_clean(group.key_question)
        assert_clean(group.purpose, multiline=True)
        return group.purpose


# the input, its length cap and whether it keeps newlines
INPUTS: dict[str, tuple[int, bool]] = {
    "entry_text": (MAX_ENTRY, False),
    "entry_edit": (MAX_ENTRY, False),
    "person_name": (MAX_NAME, False),
    "event_title": (MAX_NAME, False),
    "series_name": (MAX_NAME, False),
    "theme_name": (MAX_NAME, False),
    "link_note": (MAX_ENTRY, True),
    "action_text": (1000, False),
    "group_purpose": (MAX_LONG, True),
}


@pytest.fixture(scope="module")
def inputs(shared_store) -> Inputs:
    return Inputs(shared_store)


def _through(inputs: Inputs, name: str, value: str) -> None:
    cap, multiline = INPUTS[name]
    call: Callable[[str], str] = getattr(inputs, name)
    try:
        expected = clean_text(
            value, max_length=cap, multiline=multiline, required=name not in ("link_note", "group_purpose")
        )
    except FacilitationError:
        expected = None
    try:
        stored = call(value)
    except FacilitationError as exc:
        message = str(exc)
        assert "\n" not in message
        assert "characters long" in message or "is empty" in message or "already" in message, message
        return
    assert_clean(stored, multiline=multiline)
    if expected is not None:
        assert stored == expected


@pytest.mark.parametrize("name", list(INPUTS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=typed)
def test_every_text_input_stores_cleaned_text_or_refuses_clearly(inputs, name, value):
    _through(inputs, name, value)


@pytest.mark.parametrize("name", list(INPUTS))
def test_hostile_strings_are_stored_exactly_as_cleaned(inputs, name):
    cap, multiline = INPUTS[name]
    for value in hostile_strings():
        call = getattr(inputs, name)
        assert call(value) == clean_text(value, max_length=cap, multiline=multiline)
    with pytest.raises(FacilitationError, match="characters long; the most is"):
        getattr(inputs, name)("x" * 9_990 + "<b>end</b>")


def test_no_control_character_reached_the_store(inputs):
    """After every example above: a last sweep of the text columns in the database itself."""
    columns = [s.entries.c.text, s.people.c.name, s.themes.c.name, s.events.c.title, s.actions.c.text]
    for column in columns:
        for (value,) in inputs.store.read(lambda c, col=column: c.execute(select(col)).all()):
            assert_clean(value)
