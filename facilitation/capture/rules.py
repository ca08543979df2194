"""Capture: enablers, blockers, ideas, questions and assets typed at a table.

An entry may carry its evidence level (the practice's baseline, :data:`EVIDENCE_LEVELS`
in the store's schema) and its source (a report, a dashboard, who said it). An asset is
what already works, and where: captured with enablers and with ideas, listed in the
outcome pack and collected across a series (:func:`series_assets`).

A table writes only its own entries, only while the phase takes them and input is
not locked. An entry is edited or withdrawn by its table; withdrawn entries stay in
the store (deletes are soft) and in the activity log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from facilitation.access import Actor, require_table
from facilitation.errors import FacilitationError, NotFound
from facilitation.events.rules import load_event, require_open_for_input, table_id
from facilitation.store import Change, Store, now
from facilitation.store import schema as s
from facilitation.store.queries import read_from
from facilitation.text import MAX_ENTRY, MAX_NAME, clean_text
from facilitation.themes.checks import refuse_if_entries_frozen

__all__ = [
    "KIND_INPUTS",
    "KIND_LABELS",
    "NOT_GIVEN",
    "Entry",
    "EvidenceShare",
    "SeriesAsset",
    "add_entry",
    "counts_by_table",
    "edit_entry",
    "evidence_summary",
    "list_entries",
    "restore_entry",
    "series_assets",
    "withdraw_entry",
]

# Which phase inputs take which kinds of entry. Grouping may add a missing idea.
# Assets (what already works) come up beside enablers and beside ideas.
KIND_INPUTS: dict[str, tuple[str, ...]] = {
    "enabler": ("capture",),
    "blocker": ("capture",),
    "idea": ("ideas", "capture", "grouping"),
    "question": ("questions", "capture", "ideas"),
    "asset": ("capture", "ideas"),
}
# Each kind as a word on pages and in the pack.
KIND_LABELS: dict[str, str] = {
    "enabler": "Enabler",
    "blocker": "Blocker",
    "idea": "Idea",
    "question": "Question",
    "asset": "Asset",
}
NOT_GIVEN = "not given"  # the evidence summary's row for entries with no level


@dataclass(frozen=True)
class Entry:
    """One entry as pages and exports show it."""

    id: int
    table: int
    kind: str
    text: str
    evidence: str | None
    priority_area: str | None
    author_id: int | None
    theme_id: int | None
    created_at: str
    updated_at: str | None
    source: str | None = None


def _check_kind(kind: str) -> str:
    if kind not in s.ENTRY_KINDS:
        raise FacilitationError(f"An entry is an {', '.join(s.ENTRY_KINDS)}; '{kind}' is none of these.")
    return kind


def _check_evidence(evidence: str | None) -> str | None:
    if evidence in (None, ""):
        return None
    if evidence not in s.EVIDENCE_LEVELS:
        raise FacilitationError(
            f"The evidence level is one of: {', '.join(s.EVIDENCE_LEVELS)}; '{evidence}' is not."
        )
    return evidence


def _check_evidenced(kind: str, evidence: str | None, source: str | None) -> None:
    """Only an enabler, a blocker or an asset rests on evidence; an idea or a question carries none.

    >>> _check_evidenced("idea", "research", None)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: An idea has no evidence level or source: choose Asset, or clear them.
    """
    if kind not in s.EVIDENCED_KINDS and (evidence or source):
        what = "An idea" if kind == "idea" else f"A {kind}"
        raise FacilitationError(f"{what} has no evidence level or source: choose Asset, or clear them.")


def _check_source(source: str | None) -> str | None:
    """An entry's source: one line up to :data:`MAX_SOURCE` characters, or none.

    >>> _check_source("  Public health annual report 2025 ")
    'Public health annual report 2025'
    >>> _check_source("")
    >>> _check_source("x" * 301)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The source is 301 characters long; the most is 300. Shorten it and try again.
    """
    return clean_text(source, field="source", max_length=s.MAX_SOURCE, required=False) or None


def add_entry(
    store: Store,
    actor: Actor,
    event_id: int,
    table: int,
    kind: str,
    text: str,
    *,
    evidence: str | None = None,
    source: str | None = None,
    priority_area: str | None = None,
    author_id: int | None = None,
    client_token: str | None = None,
) -> int:
    """Add an entry for ``table``; returns its id. A repeated ``client_token`` adds nothing.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(phase="enablers-blockers")
    >>> from facilitation.access import table_actor
    >>> eid = add_entry(store, table_actor(1), ev, 1, "enabler", "Shared care record", client_token="t1")
    >>> eid == add_entry(store, table_actor(1), ev, 1, "enabler", "Shared care record", client_token="t1")
    True
    >>> add_entry(store, table_actor(1), ev, 2, "idea", "Not my table")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Table 1 cannot add an entry for table 2: each table writes only to its own.
    """
    require_table(actor, table, action="add an entry", also=("facilitator",))
    kind = _check_kind(kind)
    body = clean_text(text, field=kind, max_length=MAX_ENTRY)
    evidence = _check_evidence(evidence)
    source = _check_source(source)
    _check_evidenced(kind, evidence, source)
    area = clean_text(priority_area, field="priority area", max_length=MAX_NAME, required=False) or None

    def fn(conn: Connection) -> Change:
        ev = require_open_for_input(conn, event_id, KIND_INPUTS[kind], f"add an {kind}")
        tid = table_id(conn, event_id, table)
        at = now()
        entry_id = conn.execute(
            s.entries.insert()
            .values(
                event_id=event_id,
                table_id=tid,
                kind=kind,
                text=body,
                author_id=author_id,
                evidence=evidence,
                source=source,
                priority_area=area,
                phase_index=ev.phase_index,
                created_at=at,
            )
            .returning(s.entries.c.id)
        ).scalar_one()
        return Change("add entry", "entry", entry_id, {"table": table, "kind": kind, "text": body}, entry_id)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def _own_entry(conn: Connection, actor: Actor, event_id: int, entry_id: int, action: str) -> tuple[int, int]:
    row = conn.execute(
        select(s.entries.c.id, s.entries.c.table_id, s.event_tables.c.number)
        .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
        .where(
            s.entries.c.id == int(entry_id),
            s.entries.c.event_id == event_id,
            s.entries.c.deleted_at.is_(None),
        )
    ).first()
    if row is None:
        raise NotFound(f"Entry {entry_id} is not there any more; reload the page to see the latest.")
    require_table(actor, row.number, action=action, also=("facilitator",))
    return int(row.id), int(row.number)


def edit_entry(
    store: Store,
    actor: Actor,
    event_id: int,
    entry_id: int,
    *,
    text: str | None = None,
    kind: str | None = None,
    evidence: str | None = None,
    source: str | None = None,
    priority_area: str | None = None,
    client_token: str | None = None,
) -> int:
    """Change an entry's text, kind, evidence level, source or priority area (its table only).

    ``None`` leaves a field as it is; an empty evidence or source clears it.

    Refused while the entry is in a voted theme that is not reopened (it is frozen).
    """
    values: dict[str, object] = {}
    if text is not None:
        values["text"] = clean_text(text, field="entry", max_length=MAX_ENTRY)
    if kind is not None:
        values["kind"] = _check_kind(kind)
    if evidence is not None:
        values["evidence"] = _check_evidence(evidence)
    if source is not None:
        values["source"] = _check_source(source)
    if priority_area is not None:
        values["priority_area"] = clean_text(priority_area, max_length=MAX_NAME, required=False) or None

    def fn(conn: Connection) -> Change:
        eid, number = _own_entry(conn, actor, event_id, entry_id, "edit this entry")
        if actor.role == "table":
            require_open_for_input(
                conn, event_id, ("capture", "ideas", "questions", "grouping"), "edit entries"
            )
        refuse_if_entries_frozen(conn, actor, load_event(conn, event_id), [eid], "editing its entries")
        now_is = conn.execute(
            select(s.entries.c.kind, s.entries.c.evidence, s.entries.c.source).where(s.entries.c.id == eid)
        ).one()
        after = {"kind": now_is.kind, "evidence": now_is.evidence, "source": now_is.source, **values}
        _check_evidenced(str(after["kind"]), after["evidence"], after["source"])  # type: ignore[arg-type]
        conn.execute(update(s.entries).where(s.entries.c.id == eid).values(updated_at=now(), **values))
        return Change("edit entry", "entry", eid, {"table": number, **values}, eid)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def withdraw_entry(
    store: Store, actor: Actor, event_id: int, entry_id: int, *, client_token: str | None = None
) -> int:
    """Withdraw an entry: hidden from pages and votes, kept in the store and the log.

    Refused while the entry is in a voted theme that is not reopened (it is frozen).
    """

    def fn(conn: Connection) -> Change:
        eid, number = _own_entry(conn, actor, event_id, entry_id, "withdraw this entry")
        if actor.role == "table":
            require_open_for_input(
                conn, event_id, ("capture", "ideas", "questions", "grouping"), "withdraw entries"
            )
        refuse_if_entries_frozen(conn, actor, load_event(conn, event_id), [eid], "withdrawing its entries")
        conn.execute(update(s.entries).where(s.entries.c.id == eid).values(deleted_at=now()))
        return Change("withdraw entry", "entry", eid, {"table": number}, eid)

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def restore_entry(
    store: Store, actor: Actor, event_id: int, entry_id: int, *, client_token: str | None = None
) -> int:
    """Bring back a withdrawn entry (the table page's Undo): the same checks as withdrawing it.

    Only its own table (or the facilitator); a table only while the phase takes entries
    and input is not locked; refused while the entry is in a voted theme that is not
    reopened (it is frozen). Restoring an entry that is not withdrawn changes nothing.

    Examples
    --------
    >>> import os, tempfile
    >>> from facilitation.access import FACILITATOR, ORGANISER, table_actor
    >>> from facilitation.events import create_event, set_phase
    >>> from facilitation.store import open_store
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "r.db"))
    >>> ev = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="T", tables=2).event_id
    >>> _ = set_phase(store, FACILITATOR, ev, "enablers-blockers")
    >>> e = add_entry(store, table_actor(1), ev, 1, "enabler", "Shared care")
    >>> _ = withdraw_entry(store, table_actor(1), ev, e)
    >>> restore_entry(store, table_actor(2), ev, e)
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Table 2 cannot bring back this entry for table 1: each table writes only to its own.
    >>> restore_entry(store, table_actor(1), ev, e) == e, [x.text for x in list_entries(store, ev)]
    (True, ['Shared care'])
    """

    def fn(conn: Connection) -> Change:
        row = conn.execute(
            select(s.entries.c.id, s.entries.c.deleted_at, s.event_tables.c.number)
            .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
            .where(s.entries.c.id == int(entry_id), s.entries.c.event_id == event_id)
        ).first()
        if row is None:
            raise NotFound(f"Entry {entry_id} is not there; reload the page to see the latest.")
        require_table(actor, row.number, action="bring back this entry", also=("facilitator",))
        if actor.role == "table":
            require_open_for_input(
                conn, event_id, ("capture", "ideas", "questions", "grouping"), "bring back entries"
            )
        refuse_if_entries_frozen(
            conn, actor, load_event(conn, event_id), [row.id], "bringing back its entries"
        )
        if row.deleted_at is not None:
            conn.execute(update(s.entries).where(s.entries.c.id == row.id).values(deleted_at=None))
        return Change("restore entry", "entry", row.id, {"table": row.number}, int(row.id))

    return int(store.write(fn, actor=actor, event_id=event_id, client_token=client_token).result)


def list_entries(
    store: Store | Connection,
    event_id: int,
    *,
    table: int | None = None,
    kinds: tuple[str, ...] | None = None,
) -> list[Entry]:
    """The entries of an event (of one table, of some kinds), oldest first."""

    def q(conn: Connection) -> list[Entry]:
        query = (
            select(s.entries, s.event_tables.c.number)
            .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
            .where(s.entries.c.event_id == event_id, s.entries.c.deleted_at.is_(None))
            .order_by(s.entries.c.id)
        )
        if table is not None:
            query = query.where(s.event_tables.c.number == int(table))
        if kinds:
            query = query.where(s.entries.c.kind.in_(kinds))
        return [
            Entry(
                r["id"],
                r["number"],
                r["kind"],
                r["text"],
                r["evidence"],
                r["priority_area"],
                r["author_id"],
                r["theme_id"],
                r["created_at"],
                r["updated_at"],
                r["source"],
            )
            for r in conn.execute(query).mappings()
        ]

    return read_from(store, q)


def counts_by_table(store: Store, event_id: int) -> dict[int, dict[str, int]]:
    """Entries per table and kind: ``{table: {"enabler": 3, ...}}`` for every table."""
    from facilitation.events.rules import list_tables

    counts: dict[int, dict[str, int]] = {
        t.number: dict.fromkeys(s.ENTRY_KINDS, 0) for t in list_tables(store, event_id)
    }
    for e in list_entries(store, event_id):
        counts.setdefault(e.table, dict.fromkeys(s.ENTRY_KINDS, 0))[e.kind] += 1
    return counts


@dataclass(frozen=True)
class EvidenceShare:
    """How many of an event's entries rest on one evidence level, and their share."""

    level: str  # one of EVIDENCE_LEVELS, or NOT_GIVEN
    count: int
    share: float  # of all the entries counted, 0..1

    @property
    def percent(self) -> str:
        """The share as a whole percent: ``"25%"``."""
        return f"{round(self.share * 100)}%"


def evidence_summary(entries: list[Entry] | list[dict[str, object]]) -> list[EvidenceShare]:
    """How much of what the room said rests on each evidence level, in the order trusted.

    Every level is listed (a zero says as much as a count), then the entries with no
    level. Takes entries or rows with an ``evidence`` key (the entries frame's records).

    >>> rows = [{"evidence": "local data"}, {"evidence": "anecdote"}, {"evidence": None},
    ...         {"evidence": "local data"}]
    >>> [(e.level, e.count, e.percent) for e in evidence_summary(rows) if e.count]
    [('local data', 2, '50%'), ('anecdote', 1, '25%'), ('not given', 1, '25%')]
    """
    levels = [e.evidence if isinstance(e, Entry) else e.get("evidence") for e in entries]
    levels = [lv if isinstance(lv, str) and lv else None for lv in levels]
    total = len(levels)
    out = []
    for level in (*s.EVIDENCE_LEVELS, None):
        n = sum(1 for lv in levels if lv == level)
        out.append(EvidenceShare(level or NOT_GIVEN, n, n / total if total else 0.0))
    return out


@dataclass(frozen=True)
class SeriesAsset:
    """An asset found at one meeting of a series."""

    event_id: int
    event_title: str
    starts_on: str | None
    table: int
    text: str
    evidence: str | None
    source: str | None


def series_assets(store: Store, series_id: int) -> list[SeriesAsset]:
    """Every asset recorded at the live events of a series, meeting by meeting."""

    def q(conn: Connection) -> list[SeriesAsset]:
        rows = conn.execute(
            select(
                s.events.c.id,
                s.events.c.title,
                s.events.c.starts_on,
                s.event_tables.c.number,
                s.entries.c.text,
                s.entries.c.evidence,
                s.entries.c.source,
            )
            .join(s.entries, s.entries.c.event_id == s.events.c.id)
            .join(s.event_tables, s.event_tables.c.id == s.entries.c.table_id)
            .where(
                s.events.c.series_id == int(series_id),
                s.events.c.deleted_at.is_(None),
                s.entries.c.deleted_at.is_(None),
                s.entries.c.kind == "asset",
            )
            .order_by(s.events.c.starts_on, s.events.c.id, s.entries.c.id)
        )
        return [SeriesAsset(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6]) for r in rows]

    return store.read(q)
