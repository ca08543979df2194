"""``json``: a full backup of one event, and :func:`restore` to rebuild it.

The backup holds the event (framing, phases, voting state), its series' name, the
tables, organisations, people (with their voluntary fields), attendance, entries,
themes, dots, links, task-and-finish groups, members, linked entries, actions and
the whole activity log, soft-deleted rows included: nothing is lost.

Ids are renumbered in the file: each kind counts 1, 2, 3... in the order rows were
made (people and organisations by name), and references use those numbers. Keys,
key hashes and the join code are left out: a restored event gets new keys, so a
leaked backup opens no event. Client tokens are left out too.

**Equality.** ``restore`` then ``render`` gives the same JSON as the first backup,
except (1) ``exported_at``, (2) the activity rows whose verb is ``"restore event"``
(each restore logs itself). :func:`comparable` drops exactly those; compare
``comparable(a) == comparable(b)``. One caveat: restoring into a database that
already has an organisation of the same name keeps that organisation's sector.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.exc import CompileError, DataError

from facilitation.access import Actor, derive_key, hash_key, new_join_code, require
from facilitation.errors import FacilitationError
from facilitation.events import get_event, load_event
from facilitation.exports import base_name
from facilitation.exports._files import write_atomic
from facilitation.people import name_key
from facilitation.store import Change, Store, now
from facilitation.store import schema as s

__all__ = ["DESCRIPTION", "FORMAT", "VERSION", "backup_data", "comparable", "render", "restore", "write"]

FORMAT = "json"
DESCRIPTION = "full backup of the event (re-imports with `facilitate restore`)"
VERSION = 1
MAGIC = "facilitation-event-backup"

# kind -> (table, columns referring to other kinds); JSON text columns are parsed.
_REFS: dict[str, tuple[Table, dict[str, str]]] = {
    "tables": (s.event_tables, {}),
    "organisations": (s.organisations, {}),
    "people": (s.people, {"organisation_id": "organisations"}),
    "attendance": (s.attendance, {"person_id": "people", "table_id": "tables"}),
    "themes": (s.themes, {"table_id": "tables", "merged_into": "themes"}),
    "entries": (s.entries, {"table_id": "tables", "author_id": "people", "theme_id": "themes"}),
    "dots": (s.dots, {"voter_table_id": "tables", "theme_id": "themes"}),
    "links": (s.links, {"person_a": "people", "person_b": "people"}),
    "groups": (s.groups, {"theme_id": "themes", "lead_table_id": "tables"}),
    "group_members": (s.group_members, {"group_id": "groups", "person_id": "people"}),
    "group_entries": (s.group_entries, {"group_id": "groups", "entry_id": "entries"}),
    "actions": (s.actions, {"group_id": "groups"}),
}
_ORDER = tuple(_REFS)
_LEFT_OUT = {"id", "event_id", "key_hash", "series_id", "name_key"}
_JSON = {"demographics", "success_measures", "review_dates"}
_EVENT_LEFT_OUT = {"id", "series_id", "join_code", "key_nonce", "facilitator_key_hash", "organiser_key_hash"}
_EVENT_JSON = {"success_measures", "priority_areas", "phases", "voting_rules", "runoff_themes"}


def _rows(conn: Connection, table: Table, where: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(table).where(where).order_by(table.c.id)).mappings()]


def _read(conn: Connection, event_id: int) -> dict[str, list[dict[str, Any]]]:
    raw: dict[str, list[dict[str, Any]]] = {}
    for kind in ("tables", "attendance", "themes", "entries", "dots", "links", "groups"):
        table = _REFS[kind][0]
        raw[kind] = _rows(conn, table, table.c.event_id == event_id)
    gids = [g["id"] for g in raw["groups"]]
    for kind in ("group_members", "group_entries", "actions"):
        table = _REFS[kind][0]
        raw[kind] = _rows(conn, table, table.c.group_id.in_(gids))
    pids = {a["person_id"] for a in raw["attendance"]}
    pids |= {e["author_id"] for e in raw["entries"] if e["author_id"] is not None}
    pids |= {x for link in raw["links"] for x in (link["person_a"], link["person_b"])}
    pids |= {m["person_id"] for m in raw["group_members"]}
    pids |= {int(d["voter"].split(":")[1]) for d in raw["dots"] if d["voter"].startswith("person:")}
    raw["people"] = _rows(conn, s.people, s.people.c.id.in_(pids))
    oids = {p["organisation_id"] for p in raw["people"] if p["organisation_id"] is not None}
    raw["organisations"] = sorted(
        _rows(conn, s.organisations, s.organisations.c.id.in_(oids)), key=lambda o: o["name"]
    )
    org_name = {o["id"]: o["name"] for o in raw["organisations"]}
    raw["people"].sort(key=lambda p: (p["name_key"], org_name.get(p["organisation_id"], ""), p["id"]))
    return raw


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
            series = {"name": found["name"], "description": found["description"]}
        raw = _read(conn, event_id)
        number = {kind: {r["id"]: i for i, r in enumerate(raw[kind], start=1)} for kind in _ORDER}
        out: dict[str, Any] = {"format": MAGIC, "version": VERSION, "series": series}
        for kind in _ORDER:
            refs = _REFS[kind][1]
            rows = []
            for i, r in enumerate(raw[kind], start=1):
                row: dict[str, Any] = {"id": i}
                for col, value in r.items():
                    if col in _LEFT_OUT:
                        continue
                    if col in refs:
                        value = None if value is None else number[refs[col]][value]
                    elif col in _JSON:
                        value = json.loads(value or "null")
                    elif col == "voter" and str(value).startswith("person:"):
                        value = f"person:{number['people'][int(value.split(':')[1])]}"
                    row[col] = value
                rows.append(row)
            out[kind] = rows
        ev_out = {k: v for k, v in event.items() if k not in _EVENT_LEFT_OUT}
        for col in _EVENT_JSON:
            ev_out[col] = json.loads(ev_out[col] or "null")
        ev_out["runoff_themes"] = [number["themes"].get(t) for t in ev_out["runoff_themes"] or []]
        ev_out["input_locked"] = bool(ev_out["input_locked"])
        ev_out["votes_revealed"] = bool(ev_out["votes_revealed"])
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
        for kind in ("attendance",):
            for row in out[kind]:
                row["invited"], row["attended"] = bool(row["invited"]), bool(row["attended"])
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


# --- restore ----------------------------------------------------------------------------------


def _check(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != MAGIC:
        raise FacilitationError(
            "This file is not a facilitation event backup (made by `facilitate export --format json`)."
        )
    if data.get("version") != VERSION:
        raise FacilitationError(
            f"This backup is version {data.get('version')}; this toolkit reads version {VERSION}."
        )
    missing = [k for k in ("event", "activity", *_ORDER) if k not in data]
    if missing:
        raise FacilitationError(f"This backup is damaged: it has no {', '.join(missing)}.")
    return data


def _series(conn: Connection, series: dict[str, Any] | None) -> int | None:
    if not series:
        return None
    row = conn.execute(
        select(s.series.c.id).where(s.series.c.name == series["name"], s.series.c.deleted_at.is_(None))
    ).first()
    if row is not None:
        return int(row.id)
    values = {"name": series["name"], "description": series.get("description", ""), "created_at": now()}
    return int(conn.execute(insert(s.series).values(**values).returning(s.series.c.id)).scalar_one())


def _restore_rows(
    conn: Connection, data: dict[str, Any], event_id: int, series_id: int | None, nonce: str
) -> None:
    new: dict[str, dict[int, int]] = {kind: {} for kind in _ORDER}
    for kind in _ORDER:
        table, refs = _REFS[kind]
        for row in sorted(data[kind], key=lambda r: r["id"]):
            values = {k: v for k, v in row.items() if k != "id"}
            for col, target in refs.items():
                if values.get(col) is not None and not (kind == "themes" and col == "merged_into"):
                    values[col] = new[target][values[col]]
            for col in _JSON & set(values):
                values[col] = json.dumps(values[col], ensure_ascii=False)
            if "event_id" in table.c:
                values["event_id"] = event_id
            if kind == "tables":
                values["key_hash"] = hash_key(derive_key(nonce, f"table:{values['number']}"))
            if kind == "dots" and str(values["voter"]).startswith("person:"):
                values["voter"] = f"person:{new['people'][int(values['voter'].split(':')[1])]}"
            if kind == "organisations":
                found = conn.execute(
                    select(s.organisations.c.id).where(s.organisations.c.name == values["name"])
                ).first()
                if found is not None:
                    new[kind][row["id"]] = int(found.id)
                    continue
            if kind == "people":
                values["series_id"] = series_id
                values["name_key"] = name_key(values["name"])
                if series_id is not None:
                    found = conn.execute(
                        select(s.people.c.id).where(
                            s.people.c.series_id == series_id, s.people.c.name_key == values["name_key"],
                            s.people.c.organisation_id.is_(None) if values.get("organisation_id") is None
                            else s.people.c.organisation_id == values["organisation_id"],
                            s.people.c.deleted_at.is_(None),
                        )
                    ).first()  # fmt: skip
                    if found is not None:
                        new[kind][row["id"]] = int(found.id)
                        continue
            new[kind][row["id"]] = int(
                conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()
            )
    for row in data["themes"]:
        if row.get("merged_into") is not None:
            conn.execute(
                update(s.themes)
                .where(s.themes.c.id == new["themes"][row["id"]])
                .values(merged_into=new["themes"][row["merged_into"]])
            )
    runoff = [new["themes"][t] for t in data["event"].get("runoff_themes") or [] if t in new["themes"]]
    conn.execute(update(s.events).where(s.events.c.id == event_id).values(runoff_themes=json.dumps(runoff)))
    for a in data["activity"]:
        conn.execute(
            insert(s.activity).values(
                event_id=event_id, actor=a["actor"], verb=a["verb"], object_type=a.get("object_type", ""),
                object_id=a.get("object_id"), detail=json.dumps(a.get("detail", {}), ensure_ascii=False, default=str),
                result=json.dumps(a.get("result"), default=str), at=a["at"],
            )
        )  # fmt: skip


def restore(store: Store, actor: Actor, data: dict[str, Any], *, client_token: str | None = None) -> int:
    """Rebuild a backed-up event as a new event with new keys; returns its id.

    The organiser or facilitator (or the toolkit) may restore. Everything is written
    in one transaction: a damaged file restores nothing.
    """
    require(actor, "organiser", "facilitator", action="restore an event")
    data = _check(data)
    ev = data["event"]
    nonce = secrets.token_hex(16)

    def fn(conn: Connection) -> Change:
        try:
            series_id = _series(conn, data.get("series"))
            for _ in range(20):
                code = new_join_code()
                if conn.execute(select(s.events.c.id).where(s.events.c.join_code == code)).first() is None:
                    break
            values = {k: v for k, v in ev.items() if k not in _EVENT_LEFT_OUT}
            for col in _EVENT_JSON:
                values[col] = json.dumps(
                    values.get(col) if col != "runoff_themes" else [], ensure_ascii=False
                )
            values.update(
                series_id=series_id, join_code=code, key_nonce=nonce,
                facilitator_key_hash=hash_key(derive_key(nonce, "facilitator")),
                organiser_key_hash=hash_key(derive_key(nonce, "organiser")),
            )  # fmt: skip
            event_id = int(
                conn.execute(insert(s.events).values(**values).returning(s.events.c.id)).scalar_one()
            )
            _restore_rows(conn, data, event_id, series_id, nonce)
        except (KeyError, TypeError, ValueError, AttributeError, CompileError, DataError) as exc:
            raise FacilitationError(
                f"This backup is damaged and was not restored ({type(exc).__name__}: {exc})."
            ) from exc
        detail = {"title": ev.get("title"), "exported_at": data.get("exported_at")}
        return Change("restore event", "event", event_id, detail, event_id, event_id=event_id)

    return int(store.write(fn, actor=actor, event_id=None, client_token=client_token).result)
