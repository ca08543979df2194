"""Random sequences of add, withdraw, group, merge, vote and unvote against a model.

The model is a few dictionaries and the rules written as plainly as possible; after
every step the store must agree with it on themes, members and dots, and no voter
may ever be above its dots or its cap on a theme. Each example is a new event in one
store per engine, so the machine runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry, withdraw_entry
from facilitation.errors import FacilitationError
from facilitation.events.rules import create_event, set_phase
from facilitation.store import Store
from facilitation.themes.grouping import create_theme, list_themes, merge_themes
from facilitation.voting.rules import add_dot, dots_left, remove_dot, set_voting_rules

TABLES = (1, 2, 3)
PHASES = ("ideas", "grouping", "voting", "voting")  # voting twice: more steps vote


@dataclass
class ModelTheme:
    table: int | None
    name: str
    merged_into: int | None = None
    live: bool = True


@dataclass
class Model:
    """The rules, written plainly."""

    dots: int
    cap: int
    own_themes: bool
    phase: str = "ideas"
    entries: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> table, theme, live
    themes: dict[int, ModelTheme] = field(default_factory=dict)
    votes: Counter[tuple[int, int]] = field(default_factory=Counter)  # (voter table, theme) -> dots

    def members(self, theme_id: int) -> list[int]:
        return [i for i, t in self.themes.items() if t.live and t.merged_into == theme_id]

    def entry_ids(self, theme_id: int) -> set[int]:
        t = self.themes[theme_id]
        sources = [theme_id] if t.table is not None else self.members(theme_id)
        return {i for i, e in self.entries.items() if e["live"] and e["theme"] in sources}

    def author_tables(self, theme_id: int) -> set[int]:
        t = self.themes[theme_id]
        return {t.table} if t.table is not None else {self.themes[m].table for m in self.members(theme_id)}  # type: ignore[misc]

    def votable(self, theme_id: int) -> bool:
        t = self.themes.get(theme_id)
        return bool(t and t.live and t.merged_into is None and self.entry_ids(theme_id))

    def frozen(self, theme_id: int | None) -> bool:
        """A theme holding dots, or merged into or gathering one, is frozen (never reopened here)."""
        if theme_id is None:
            return False
        t = self.themes[theme_id]
        family = {theme_id, *self.members(theme_id), *([t.merged_into] if t.merged_into else [])}
        return any(n for (_, th), n in self.votes.items() if th in family)

    def spent(self, table: int) -> int:
        return sum(n for (v, _), n in self.votes.items() if v == table)


class VotingMachine(RuleBasedStateMachine):
    store: Store  # set by the test before the machine runs

    def __init__(self) -> None:
        super().__init__()
        self.ev = 0
        self.model: Model | None = None
        self.counter = 0

    @initialize(
        dots=st.integers(2, 4),
        cap=st.integers(1, 3),
        own_themes=st.booleans(),
    )
    def new_event(self, dots: int, cap: int, own_themes: bool) -> None:
        cap = min(cap, dots)
        self.ev = create_event(
            self.store, ORGANISER, template="innovation-challenge-half-day", title="P", tables=len(TABLES)
        ).event_id
        set_voting_rules(
            self.store, FACILITATOR, self.ev, dots_per_voter=dots, max_per_theme=cap, own_themes=own_themes
        )
        set_phase(self.store, FACILITATOR, self.ev, "ideas")
        self.model = Model(dots, cap, own_themes)
        for table in TABLES:  # a start, so that grouping and voting come early in a sequence
            for _ in range(2):
                self.add(table, stay=True)
        self.move_phase("grouping")
        for table in TABLES:
            self.group(table, [0], None, "A", stay=True)

    def _expect(self, ok: bool, call: Any) -> Any:
        try:
            result = call()
        except FacilitationError as exc:
            assert not ok, f"refused but the model allows it: {exc}"
            return None
        assert ok, "allowed but the model refuses it"
        return result

    # --- the rules -------------------------------------------------------------------------

    @rule(phase=st.sampled_from(PHASES))
    def move_phase(self, phase: str) -> None:
        assert self.model is not None
        set_phase(self.store, FACILITATOR, self.ev, phase)
        self.model.phase = phase

    def _enter(self, phase: str, stay: bool) -> None:
        """Most steps first move to the phase they need; with ``stay`` they try where they are."""
        assert self.model is not None
        if not stay and self.model.phase != phase:
            self.move_phase(phase)

    @rule(table=st.sampled_from(TABLES), stay=st.booleans())
    def add(self, table: int, stay: bool = False) -> None:
        self._enter("ideas", stay)
        m = self.model
        assert m is not None
        self.counter += 1
        ok = m.phase in ("ideas", "grouping")
        text = f"Idea {self.counter}"
        eid = self._expect(
            ok, lambda: add_entry(self.store, table_actor(table), self.ev, table, "idea", text)
        )
        if eid is not None:
            m.entries[eid] = {"table": table, "theme": None, "live": True}

    @rule(pick=st.integers(0, 10_000), stay=st.booleans())
    def remove(self, pick: int, stay: bool) -> None:
        self._enter("grouping", stay)
        m = self.model
        assert m is not None
        if not m.entries:
            return
        eid = sorted(m.entries)[pick % len(m.entries)]
        e = m.entries[eid]
        ok = m.phase in ("ideas", "grouping") and e["live"] and not m.frozen(e["theme"])
        if self._expect(ok, lambda: withdraw_entry(self.store, table_actor(e["table"]), self.ev, eid)):
            e["live"] = False

    @rule(
        table=st.sampled_from(TABLES),
        picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3),
        forged=st.none() | st.integers(0, 10_000),
        name=st.sampled_from("ABC"),
        stay=st.booleans(),
    )
    def group(self, table: int, picks: list[int], forged: int | None, name: str, stay: bool) -> None:
        self._enter("grouping", stay)
        m = self.model
        assert m is not None
        own = sorted(i for i, e in m.entries.items() if e["table"] == table and e["live"])
        ids = sorted({own[p % len(own)] for p in picks}) if own else []
        if forged is not None and m.entries:  # now and then, another table's entry too
            ids = sorted({*ids, sorted(m.entries)[forged % len(m.entries)]})
        taken = {t.name for t in m.themes.values() if t.live and t.table == table}
        ok = (
            m.phase == "grouping"
            and name not in taken
            and all(m.entries[i]["live"] and m.entries[i]["table"] == table for i in ids)
            and not any(m.frozen(m.entries[i]["theme"]) for i in ids)
        )
        theme_id = self._expect(
            ok, lambda: create_theme(self.store, table_actor(table), self.ev, table, name, ids)
        )
        if theme_id is not None:
            m.themes[theme_id] = ModelTheme(table, name)
            for i in ids:
                m.entries[i]["theme"] = theme_id

    @rule(picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3), name=st.sampled_from("XY"))
    def merge(self, picks: list[int], name: str) -> None:
        m = self.model
        assert m is not None
        if not m.themes:
            return
        ids = list(dict.fromkeys(sorted(m.themes)[p % len(m.themes)] for p in picks))
        ok = all(m.themes[i].live for i in ids)
        if ok:
            sources = [m.themes[i] for i in ids]
            retired = [i for i in ids if m.themes[i].table is None]
            tables = {i for i in ids if m.themes[i].table is not None} | {
                x for r in retired for x in m.members(r)
            }
            parents = {m.themes[t].merged_into for t in tables if m.themes[t].merged_into is not None}
            involved = set(ids) | tables | parents
            wide_names = {
                t.name for i, t in m.themes.items() if t.live and t.table is None and i not in retired
            }
            frozen = any(m.frozen(i) for i in involved)
            ok = not frozen and name not in wide_names and bool(sources)
        new = self._expect(ok, lambda: merge_themes(self.store, FACILITATOR, self.ev, ids, name))
        if new is not None:
            m.themes[new] = ModelTheme(None, name)
            for t in tables:
                m.themes[t].merged_into = new
            for r in retired:
                m.themes[r].live = False

    @rule(table=st.sampled_from(TABLES), pick=st.integers(0, 10_000), stray=st.booleans(), stay=st.booleans())
    def vote(self, table: int, pick: int, stray: bool, stay: bool) -> None:
        self._enter("voting", stay)
        m = self.model
        assert m is not None
        # mostly a theme on the ballot; a stray pick may be merged, empty or dissolved
        choices = sorted(m.themes) if stray else [i for i in sorted(m.themes) if m.votable(i)]
        if not choices:
            return
        theme_id = choices[pick % len(choices)]
        ok = (
            m.phase == "voting"
            and m.votable(theme_id)
            and (m.own_themes or table not in m.author_tables(theme_id))
            and m.spent(table) < m.dots
            and m.votes[(table, theme_id)] < m.cap
        )
        if self._expect(ok, lambda: add_dot(self.store, table_actor(table), self.ev, theme_id)):
            m.votes[(table, theme_id)] += 1

    @rule(table=st.sampled_from(TABLES), pick=st.integers(0, 10_000), stray=st.booleans(), stay=st.booleans())
    def unvote(self, table: int, pick: int, stray: bool, stay: bool) -> None:
        self._enter("voting", stay)
        m = self.model
        assert m is not None
        mine = sorted(th for (v, th), n in m.votes.items() if v == table and n)
        choices = sorted(m.themes) if stray else mine
        if not choices:
            return
        theme_id = choices[pick % len(choices)]
        ok = m.phase == "voting" and m.votes[(table, theme_id)] > 0
        if self._expect(ok, lambda: remove_dot(self.store, table_actor(table), self.ev, theme_id)):
            m.votes[(table, theme_id)] -= 1

    # Voting is where the limits are: give it more of the steps than the other rules.
    @rule(table=st.sampled_from(TABLES), pick=st.integers(0, 10_000))
    def vote_on_the_ballot(self, table: int, pick: int) -> None:
        self.vote(table, pick, stray=False, stay=False)

    # --- what must always hold ------------------------------------------------------------------

    @invariant()
    def store_agrees_with_model(self) -> None:
        m = self.model
        if m is None:
            return
        stored = {t.id: t for t in list_themes(self.store, self.ev)}
        assert set(stored) == {i for i, t in m.themes.items() if t.live}
        for i, t in stored.items():
            assert t.table == m.themes[i].table and t.name == m.themes[i].name
            assert t.merged_into == m.themes[i].merged_into
            assert set(t.entry_ids) == m.entry_ids(i)
        for table in TABLES:
            left = dots_left(self.store, self.ev, f"table:{table}")
            assert left.spent == m.spent(table) <= m.dots
            assert all(n <= m.cap for n in left.by_theme.values())
            assert left.by_theme == {th: n for (v, th), n in m.votes.items() if v == table and n}


def test_voting_rules_hold_for_random_sequences(store: Store) -> None:
    VotingMachine.store = store
    run_state_machine_as_test(
        VotingMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
