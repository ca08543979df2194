"""``json``: a full backup of one event (:func:`facilitation.restore.restore` rebuilds it).

The backup holds the event (framing, phases, voting state), its series' name, roles
and planned meetings, the
tables, organisations, people (with their voluntary fields), attendance, entries,
themes, dots, theme reopenings, links, task-and-finish groups, members, linked entries, actions and
the reviews of its actions at later meetings, the values of its measures, the system
map's elements and arrows, the priority circle's placements and the
whole activity log, soft-deleted rows included: nothing is lost.

Ids are renumbered in the file: each kind counts 1, 2, 3... in the order rows were
made (people and organisations by name), and references use those numbers. Keys,
key hashes and the join code are left out: a restored event gets new keys, so a
leaked backup opens no event. Client tokens are left out too.

**Equality.** ``restore`` then ``render`` gives the same JSON as the first backup,
except (1) ``exported_at``, (2) the activity rows whose verb is ``"restore event"``
(each restore logs itself). :func:`comparable` drops exactly those; compare
``comparable(a) == comparable(b)``. One caveat: restoring into a database that
already has an organisation of the same name keeps that organisation's sector.

**What it holds** is read from the schema: every column of the tables named in
:data:`KINDS` (but those in :data:`LEFT_OUT`), with the references between them found
from the foreign keys; a column added by a migration is backed up with no change here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Connection, Table, select

from facilitation.events.rules import get_event, load_event
from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.store import Store
from facilitation.store import schema as s

__all__ = [
    "DESCRIPTION",
    "FORMAT",
    "JSON_COLUMNS",
    "KINDS",
    "MAGIC",
    "MEETING_FIELDS",
    "SERIES_FIELDS",
    "VERSION",
    "backup_data",
    "comparable",
    "references",
    "render",
    "write",
]

FORMAT = "json"
DESCRIPTION = "full backup of the event (re-imports with `facilitate restore`)"
VERSION = 1
MAGIC = "facilitation-event-backup"

# What a backup holds, kind by kind, in the order a restore inserts them: a kind refers
# only to kinds before it, or to itself (a merged theme to its event-wide theme).
# References between kinds come from the schema's foreign keys (:func:`references`),
# so a new column needs nothing here; a new table needs one line here (and its rows'
# checks in :mod:`facilitation.restore`; ``tests/test_restore.py`` names what is missing).
KINDS: dict[str, Table] = {
    "tables": s.event_tables,
    "organisations": s.organisations,
    "people": s.people,
    "attendance": s.attendance,
    "themes": s.themes,
    "entries": s.entries,
    "dots": s.dots,
    "theme_reopenings": s.theme_reopenings,
    "links": s.links,
    "groups": s.groups,
    "group_members": s.group_members,
    "group_entries": s.group_entries,
    "actions": s.actions,
    "action_reviews": s.action_reviews,
    "measures": s.measures,
    "system_elements": s.system_elements,
    "system_arrows": s.system_arrows,
    "priority_placements": s.priority_placements,
}
# Kinds that several events share (a person of a series, an organisation): a backup
# holds those its event's rows refer to.
SHARED = ("organisations", "people")
# Tables a backup does not hold as kinds: the event itself (``event``), its series
# (``series``: by name, with its roles and its planned meetings) and the activity log
# (``activity``).
NOT_KINDS = ("events", "series", "series_meetings", "activity")
# What the ``series`` record holds of the series (its calendar nonce is left out: a
# series a restore creates gets a new one, as a restored event gets new keys), and of
# each live planned meeting (whether it is held follows from the events' dates).
SERIES_FIELDS = ("name", "description", "convenor", "curator", "facilitator", "administration_lead")
MEETING_FIELDS = ("starts_on", "start_time", "minutes", "senior_leader")
# Columns left out of every row: the store's own ids, secrets and what a restore derives.
# ``meeting_event_id``: an action's review names the later event it was reviewed at,
# which another backup holds; the review keeps that meeting's date (``meeting_on``).
LEFT_OUT = frozenset({"id", "event_id", "key_hash", "series_id", "name_key", "meeting_event_id"})
# Text columns that hold JSON: a backup holds them parsed.
JSON_COLUMNS = frozenset(
    {
        "demographics",
        "success_measures",
        "review_dates",
        "priority_areas",
        "phases",
        "voting_rules",
        "runoff_themes",
        "rounds",
        "voted_entries",
    }
)
EVENT_LEFT_OUT = frozenset(
    {"id", "series_id", "join_code", "key_nonce", "facilitator_key_hash", "organiser_key_hash"}
)
_ORDER = tuple(KINDS)
_KIND_OF = {table.name: kind for kind, table in KINDS.items()}


def references(kind: str) -> dict[str, str]:
    """The columns of a kind that refer to rows of other kinds (or its own), from the schema.

    Examples
    --------
    >>> references("entries")
    {'table_id': 'tables', 'author_id': 'people', 'theme_id': 'themes'}
    >>> references("themes")
    {'table_id': 'tables', 'merged_into': 'themes'}
    """
    out: dict[str, str] = {}
    for col in KINDS[kind].c:
        for fk in col.foreign_keys:
            target = _KIND_OF.get(fk.column.table.name)
            if target is not None:
                out[col.name] = target
    return out


def _parent(kind: str) -> tuple[str, str] | None:
    """(column, kind) through which a kind without ``event_id`` belongs to an event's rows."""
    for col, target in references(kind).items():
        if target not in SHARED:
            return col, target
    return None


def _rows(conn: Connection, table: Table, where: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(table).where(where).order_by(table.c.id)).mappings()]


def _person_voters(dots: list[dict[str, Any]]) -> set[int]:
    return {int(d["voter"].split(":")[1]) for d in dots if str(d["voter"]).startswith("person:")}


def _read(conn: Connection, event_id: int) -> dict[str, list[dict[str, Any]]]:
    raw: dict[str, list[dict[str, Any]]] = {}
    for kind, table in KINDS.items():
        if kind in SHARED:
            continue
        if "event_id" in table.c:
            raw[kind] = _rows(conn, table, table.c.event_id == event_id)
            continue
        parent = _parent(kind)
        if parent is None or parent[1] not in raw:
            raise TypeError(f"backup: {kind} is neither an event's rows nor a child of them")
        col, target = parent
        raw[kind] = _rows(conn, table, table.c[col].in_([r["id"] for r in raw[target]]))
    # The shared kinds: those the event's rows refer to (people before organisations,
    # since people refer to organisations).
    for kind in sorted(SHARED, key=lambda k: -_ORDER.index(k)):
        wanted = {
            r[col]
            for other, rows in raw.items()
            for col, target in references(other).items()
            if target == kind
            for r in rows
            if r[col] is not None
        }
        if kind == "people":
            wanted |= _person_voters(raw["dots"])
        table = KINDS[kind]
        raw[kind] = _rows(conn, table, table.c.id.in_(sorted(wanted)))
    org_name = {o["id"]: o["name"] for o in raw["organisations"]}
    raw["organisations"].sort(key=lambda o: o["name"])
    raw["people"].sort(key=lambda p: (p["name_key"], org_name.get(p["organisation_id"], ""), p["id"]))
    return {kind: raw[kind] for kind in _ORDER}


def _value(table: Table, col: str, value: Any) -> Any:
    if col in JSON_COLUMNS:
        return json.loads(value or "null")
    if value is not None and isinstance(table.c[col].type, Boolean):
        return bool(value)
    return value


def backup_data(store: Store, event_id: int) -> dict[str, Any]:
    """The backup of one event as a JSON-able dict (see the module's notes on ids).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event(tables=2)
    >>> data = backup_data(store, ev)
    >>> data["format"], data["event"]["title"], [t["name"] for t in data["tables"]]
    ('facilitation-event-backup', 'Scratch event', ['Table 1', 'Table 2'])
    """

    def q(conn: Connection) -> dict[str, Any]:
        load_event(conn, event_id)
        event = dict(conn.execute(select(s.events).where(s.events.c.id == event_id)).mappings().one())
        series = None
        if event["series_id"] is not None:
            found = conn.execute(select(s.series).where(s.series.c.id == event["series_id"])).mappings().one()
            series = {col: found[col] for col in SERIES_FIELDS}
            series["meetings"] = [
                {col: m[col] for col in MEETING_FIELDS}
                for m in conn.execute(
                    select(s.series_meetings)
                    .where(
                        s.series_meetings.c.series_id == event["series_id"],
                        s.series_meetings.c.deleted_at.is_(None),
                    )
                    .order_by(s.series_meetings.c.starts_on, s.series_meetings.c.id)
                ).mappings()
            ]
        raw = _read(conn, event_id)
        number = {kind: {r["id"]: i for i, r in enumerate(raw[kind], start=1)} for kind in _ORDER}
        out: dict[str, Any] = {"format": MAGIC, "version": VERSION, "series": series}
        for kind, table in KINDS.items():
            refs = references(kind)
            rows = []
            for i, r in enumerate(raw[kind], start=1):
                row: dict[str, Any] = {"id": i}
                for col, value in r.items():
                    if col in LEFT_OUT:
                        continue
                    if col in refs:
                        value = None if value is None else number[refs[col]][value]
                    elif col == "voter" and str(value).startswith("person:"):
                        value = f"person:{number['people'][int(value.split(':')[1])]}"
                    else:
                        value = _value(table, col, value)
                    row[col] = value
                rows.append(row)
            out[kind] = rows
        ev_out = {k: _value(s.events, k, v) for k, v in event.items() if k not in EVENT_LEFT_OUT}
        ev_out["runoff_themes"] = [number["themes"].get(t) for t in ev_out["runoff_themes"] or []]
        out["event"] = ev_out
        out["activity"] = [
            {
                "actor": a["actor"], "verb": a["verb"], "object_type": a["object_type"],
                "object_id": a["object_id"], "detail": json.loads(a["detail"] or "{}"),
                "result": json.loads(a["result"]) if a["result"] else None, "at": a["at"],
            }
            for a in conn.execute(
                select(s.activity).where(s.activity.c.event_id == event_id).order_by(s.activity.c.revision)
            ).mappings()
        ]  # fmt: skip
        return out

    data = store.read(q)
    data["exported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return data


def render(data: dict[str, Any]) -> str:
    """The backup as JSON text (sorted keys, so two backups diff cleanly)."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write(store: Store, event_id: int, out_dir: Path) -> list[Path]:
    """Write ``<date> <title> (event N) backup.json`` into ``out_dir``."""
    ev = get_event(store, event_id)
    name = f"{base_name(ev.title, ev.id, ev.starts_on)} backup.json"
    return [write_atomic(Path(out_dir) / name, render(backup_data(store, event_id)))]


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """A backup without what legitimately differs after a restore (see the module notes).

    Examples
    --------
    >>> comparable({"exported_at": "x", "activity": [{"verb": "restore event"}, {"verb": "add entry"}]})
    {'activity': [{'verb': 'add entry'}]}
    """
    out = {k: v for k, v in data.items() if k != "exported_at"}
    out["activity"] = [a for a in data.get("activity", []) if a.get("verb") != "restore event"]
    return out
