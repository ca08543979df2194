"""Data for analysts: one pandas DataFrame per kind, for one event or a whole series.

The exports are built from these frames, so a workbook, a CSV and an analyst's
notebook always agree. Only live rows appear (withdrawn entries, removed dots and
deleted links stay in the store and the JSON backup, not here). Demographic fields
never appear per person: :func:`inclusion` reports them for groups of five or more.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from facilitation.errors import FacilitationError
from facilitation.events.rules import load_event
from facilitation.store import Store
from facilitation.store import schema as s
from facilitation.store.queries import live as _live

if TYPE_CHECKING:  # pandas loads on first use: `import facilitation` stays quick for pages and the CLI
    import pandas as pd

__all__ = [
    "COLUMNS",
    "KINDS",
    "MIN_GROUP",
    "demographic_fields",
    "evidence_shares",
    "frames",
    "inclusion",
    "participation",
    "tie_growth",
]

KINDS = ("entries", "themes", "dots", "ties", "groups", "actions", "people")
MIN_GROUP = 5  # never report a group of fewer people on its own

COLUMNS: dict[str, tuple[str, ...]] = {
    "entries": (
        "event", "event_title", "id", "table", "kind", "text", "evidence", "source",
        "priority_area", "author_id", "author", "table_theme_id", "theme_id", "theme", "created_at", "updated_at",
    ),
    "themes": ("event", "event_title", "id", "name", "scope", "table", "merged_into", "entries", "dots"),
    "dots": ("event", "event_title", "id", "round", "voter", "voter_table", "theme_id", "theme", "created_at"),
    "ties": (
        "event", "event_title", "id", "kind", "person_a", "name_a", "organisation_a", "sector_a",
        "person_b", "name_b", "organisation_b", "sector_b", "cross_organisation", "note",
        "recorded_by", "created_at",
    ),
    "groups": (
        "event", "event_title", "id", "name", "theme_id", "theme", "tally", "lead_table", "purpose",
        "lead", "sponsor", "key_question", "success_measures", "destination", "first_meeting",
        "review_1y", "review_3y", "review_8y", "members", "member_names", "enablers_to_use",
        "blockers_to_remove",
    ),
    "actions": (
        "event", "event_title", "id", "group_id", "group", "text", "owner", "due_on", "status",
        "created_at", "updated_at",
    ),
    "people": (
        "event", "event_title", "id", "name", "organisation", "sector", "role", "table", "invited",
        "attended", "entries", "contributed",
    ),
}  # fmt: skip

_INT_COLUMNS = {
    "event", "id", "table", "author_id", "table_theme_id", "theme_id", "merged_into", "entries",
    "dots", "round", "voter_table", "person_a", "person_b", "tally", "lead_table", "members", "group_id",
}  # fmt: skip


def _root(theme_id: int | None, parent: dict[int, int | None]) -> int | None:
    seen: set[int] = set()
    while theme_id is not None and parent.get(theme_id) is not None and theme_id not in seen:
        seen.add(theme_id)
        theme_id = parent[theme_id]
    return theme_id


def _event_rows(conn: Connection, event_id: int) -> dict[str, list[dict[str, Any]]]:
    from facilitation.people.rules import list_people
    from facilitation.plans.rules import list_groups, theme_tally

    ev = load_event(conn, event_id)
    base = {"event": ev.id, "event_title": ev.title}
    tables = {
        r.id: r.number
        for r in conn.execute(select(s.event_tables.c.id, s.event_tables.c.number).where(s.event_tables.c.event_id == ev.id))
    }  # fmt: skip
    names = {
        r.id: (r.name, r.org or "", r.sector or "")
        for r in conn.execute(
            select(s.people.c.id, s.people.c.name, s.organisations.c.name.label("org"), s.organisations.c.sector)
            .outerjoin(s.organisations, s.organisations.c.id == s.people.c.organisation_id)
        )
    }  # fmt: skip
    theme_rows = list(
        conn.execute(select(s.themes).where(s.themes.c.event_id == ev.id, _live(s.themes)).order_by(s.themes.c.id))
        .mappings()
    )  # fmt: skip
    parent = {t["id"]: t["merged_into"] for t in theme_rows}
    theme_name = {t["id"]: t["name"] for t in theme_rows}
    entries = []
    per_theme: dict[int, int] = {}
    per_author: dict[int, int] = {}
    for e in conn.execute(
        select(s.entries).where(s.entries.c.event_id == ev.id, _live(s.entries)).order_by(s.entries.c.id)
    ).mappings():
        root = _root(e["theme_id"], parent)
        if e["theme_id"] is not None:
            for t in {e["theme_id"], root}:
                per_theme[t] = per_theme.get(t, 0) + 1
        if e["author_id"] is not None:
            per_author[e["author_id"]] = per_author.get(e["author_id"], 0) + 1
        entries.append(
            {
                **base, "id": e["id"], "table": tables.get(e["table_id"]), "kind": e["kind"],
                "text": e["text"], "evidence": e["evidence"], "source": e["source"],
                "priority_area": e["priority_area"],
                "author_id": e["author_id"],
                "author": names.get(e["author_id"], ("", "", ""))[0] if e["author_id"] else "",
                "table_theme_id": e["theme_id"], "theme_id": root, "theme": theme_name.get(root, "") if root else "",
                "created_at": e["created_at"], "updated_at": e["updated_at"],
            }
        )  # fmt: skip
    themes = [
        {
            **base, "id": t["id"], "name": t["name"], "scope": "table" if t["table_id"] else "event",
            "table": tables.get(t["table_id"]), "merged_into": t["merged_into"],
            "entries": per_theme.get(t["id"], 0), "dots": theme_tally(conn, ev.id, t["id"]),
        }
        for t in theme_rows
    ]  # fmt: skip
    dots = [
        {
            **base, "id": d["id"], "round": d["round"], "voter": d["voter"],
            "voter_table": tables.get(d["voter_table_id"]), "theme_id": d["theme_id"],
            "theme": theme_name.get(d["theme_id"], ""), "created_at": d["created_at"],
        }
        for d in conn.execute(
            select(s.dots).where(s.dots.c.event_id == ev.id, s.dots.c.removed_at.is_(None)).order_by(s.dots.c.id)
        ).mappings()
    ]  # fmt: skip
    ties = []
    tied: set[int] = set()
    for link in conn.execute(
        select(s.links).where(s.links.c.event_id == ev.id, _live(s.links)).order_by(s.links.c.id)
    ).mappings():
        a, b = names.get(link["person_a"], ("", "", "")), names.get(link["person_b"], ("", "", ""))
        tied.update((link["person_a"], link["person_b"]))
        ties.append(
            {
                **base, "id": link["id"], "kind": link["kind"], "person_a": link["person_a"], "name_a": a[0],
                "organisation_a": a[1], "sector_a": a[2], "person_b": link["person_b"], "name_b": b[0],
                "organisation_b": b[1], "sector_b": b[2],
                "cross_organisation": bool(a[1] and b[1] and a[1] != b[1]),
                "note": link["note"], "recorded_by": link["recorded_by"], "created_at": link["created_at"],
            }
        )  # fmt: skip
    groups: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    in_group: set[int] = set()
    for g in list_groups(conn, ev.id):
        in_group.update(m.person_id for m in g.members)
        groups.append(
            {
                **base, "id": g.id, "name": g.name, "theme_id": g.theme_id, "theme": g.theme, "tally": g.tally,
                "lead_table": g.lead_table, "purpose": g.purpose, "lead": g.lead, "sponsor": g.sponsor,
                "key_question": g.key_question, "success_measures": "; ".join(g.success_measures),
                "destination": g.destination, "first_meeting": g.review_dates.get("first"),
                "review_1y": g.review_dates.get("1y"), "review_3y": g.review_dates.get("3y"),
                "review_8y": g.review_dates.get("8y"), "members": len(g.members),
                "member_names": "; ".join(m.name for m in g.members),
                "enablers_to_use": "; ".join(x.text for x in g.entries if x.use == "use"),
                "blockers_to_remove": "; ".join(x.text for x in g.entries if x.use == "remove"),
            }
        )  # fmt: skip
        actions.extend(
            {
                **base, "id": a.id, "group_id": g.id, "group": g.name, "text": a.text, "owner": a.owner,
                "due_on": a.due_on, "status": a.status, "created_at": a.created_at, "updated_at": a.updated_at,
            }
            for a in g.actions
        )  # fmt: skip
    flags = {
        r.person_id: (bool(r.invited), bool(r.attended))
        for r in conn.execute(
            select(s.attendance.c.person_id, s.attendance.c.invited, s.attendance.c.attended).where(
                s.attendance.c.event_id == ev.id, _live(s.attendance)
            )
        )
    }
    people = [
        {
            **base, "id": p.id, "name": p.name, "organisation": p.organisation, "sector": p.sector,
            "role": p.role, "table": p.table, "invited": flags.get(p.id, (True, True))[0],
            "attended": flags.get(p.id, (True, True))[1], "entries": per_author.get(p.id, 0),
            "contributed": bool(per_author.get(p.id) or p.id in tied or p.id in in_group),
        }
        for p in list_people(conn, ev.id)
    ]  # fmt: skip
    return {
        "entries": entries, "themes": themes, "dots": dots, "ties": ties,
        "groups": groups, "actions": actions, "people": people,
    }  # fmt: skip


def _frame(kind: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(COLUMNS[kind]))
    for col in df.columns:
        if col in _INT_COLUMNS:
            df[col] = pd.array([None if pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
    return df


def frames(
    store: Store,
    event_id: int | None = None,
    *,
    series_id: int | None = None,
    kinds: Iterable[str] = KINDS,
) -> dict[str, pd.DataFrame]:
    """A DataFrame per kind (entries, themes, dots, ties, groups, actions, people).

    Give one ``event_id``, or a ``series_id`` for every event of a series (oldest
    first); every frame has an ``event`` and ``event_title`` column either way.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> f = frames(store, ev)
    >>> sorted(f)
    ['actions', 'dots', 'entries', 'groups', 'people', 'themes', 'ties']
    >>> list(f["actions"].columns[:4])
    ['event', 'event_title', 'id', 'group_id']
    """
    wanted = list(kinds)
    unknown = [k for k in wanted if k not in KINDS]
    if unknown:
        raise FacilitationError(f"There is no frame {', '.join(unknown)}; the kinds are {', '.join(KINDS)}.")
    if (event_id is None) == (series_id is None):
        raise FacilitationError("Give either an event or a series, not both and not neither.")

    def q(conn: Connection) -> dict[str, list[dict[str, Any]]]:
        if event_id is not None:
            ids = [int(event_id)]
        else:
            assert series_id is not None  # checked above: exactly one of the two is given
            ids = [
                r.id
                for r in conn.execute(
                    select(s.events.c.id, s.events.c.starts_on)
                    .where(s.events.c.series_id == int(series_id), _live(s.events))
                    .order_by(s.events.c.starts_on, s.events.c.id)
                )
            ]
        out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
        for i in ids:
            for k, rows in _event_rows(conn, i).items():
                out[k].extend(rows)
        return out

    rows = store.read(q)
    return {k: _frame(k, rows[k]) for k in wanted}


def participation(people: pd.DataFrame) -> pd.DataFrame:
    """Per event of a series: people, how many contributed, organisations, new and returning.

    ``people`` is the people frame of :func:`frames` for a series. A person is new at
    the first event they appear in, and returning at every later one.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"event": [1, 1, 2, 2], "id": [7, 8, 7, 9],
    ...                        "organisation": ["A", "B", "A", "A"], "contributed": [True, False, True, True]})
    >>> participation(people).to_dict("index")[2]
    {'people': 2, 'contributed': 2, 'organisations': 1, 'new_people': 1, 'returning': 1}
    """
    first_seen = people.groupby("id")["event"].min()
    out = people.groupby("event").agg(
        people=("id", "nunique"),
        contributed=("contributed", "sum"),
        organisations=("organisation", "nunique"),
    )
    out["contributed"] = out["contributed"].astype(int)
    out["new_people"] = first_seen.value_counts().reindex(out.index, fill_value=0).astype(int)
    out["returning"] = out["people"] - out["new_people"]
    return out


def tie_growth(ties: pd.DataFrame) -> pd.DataFrame:
    """Per event of a series: ties recorded, how many cross organisations, distinct pairs so far.

    ``ties`` is the ties frame of :func:`frames`; a pair of people counts once in the
    running total however often, and in whichever order, they were tied.

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"event": [1, 1, 2], "id": [1, 2, 3], "person_a": [7, 8, 8],
    ...                      "person_b": [8, 9, 7], "cross_organisation": [True, False, True]})
    >>> tie_growth(ties)["distinct_pairs_so_far"].tolist()
    [2, 2]
    """
    out = ties.groupby("event").agg(ties=("id", "count"), cross_organisation=("cross_organisation", "sum"))
    out["cross_organisation"] = out["cross_organisation"].astype(int)
    pairs = ties.assign(
        low=ties[["person_a", "person_b"]].min(axis=1), high=ties[["person_a", "person_b"]].max(axis=1)
    )
    first_tied = pairs.groupby(["low", "high"])["event"].min()  # each pair counts at the event it first met
    out["distinct_pairs_so_far"] = (
        first_tied.value_counts().reindex(out.index, fill_value=0).cumsum().astype(int)
    )
    return out


def evidence_shares(entries: pd.DataFrame) -> pd.DataFrame:
    """How many entries rest on each evidence level, and their share (a row per level).

    ``entries`` is the entries frame of :func:`frames`; the rule that counts is
    :func:`facilitation.capture.rules.evidence_summary`, so the pack and the workbook agree.

    Examples
    --------
    >>> import pandas as pd
    >>> df = evidence_shares(pd.DataFrame({"evidence": ["research", None, "research"]}))
    >>> df[df["level"] == "research"].values.tolist()
    [['research', 2, 0.667]]
    """
    import pandas as pd

    from facilitation.capture.rules import evidence_summary

    rows = entries[["evidence"]].astype(object).where(entries[["evidence"]].notna(), None)
    found = evidence_summary(rows.to_dict("records"))
    return pd.DataFrame(
        [{"level": e.level, "entries": e.count, "share": round(e.share, 3)} for e in found],
        columns=["level", "entries", "share"],
    )


def _demographics(store: Store, event_id: int) -> dict[int, dict[str, Any]]:
    def q(conn: Connection) -> dict[int, dict[str, Any]]:
        return {
            r.id: json.loads(r.demographics or "{}")
            for r in conn.execute(
                select(s.people.c.id, s.people.c.demographics)
                .join(s.attendance, s.attendance.c.person_id == s.people.c.id)
                .where(s.attendance.c.event_id == event_id, _live(s.attendance))
            )
        }

    return store.read(q)


def demographic_fields(store: Store, event_id: int) -> list[str]:
    """The voluntary demographic fields anyone at the event answered, by name.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> demographic_fields(store, ev)
    []
    """
    return sorted({k for d in _demographics(store, event_id).values() for k in d}, key=str.casefold)


def inclusion(
    store: Store, event_id: int, by: str = "organisation", *, min_group: int = MIN_GROUP
) -> pd.DataFrame:
    """Who was invited, attended and contributed, by organisation, sector or a demographic field.

    ``people`` counts everyone on the list (invited or walked in). A group with
    fewer than ``min_group`` people is never shown on its own:
    such groups are merged into "other", and "other" is merged into the smallest
    group shown while it is still too small. An event with fewer than ``min_group``
    people shows nothing. For demographic fields, a count of 1 to ``min_group - 1``
    attending or contributing is also hidden (shown as missing).

    Contributed means: wrote an entry under their name, is in a recorded tie, or is
    a member of a task-and-finish group.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, ev = scratch_event()
    >>> list(inclusion(store, ev).columns)
    ['group', 'people', 'invited', 'attended', 'contributed']
    """
    import pandas as pd

    people = frames(store, event_id, kinds=["people"])["people"]
    if by in ("organisation", "sector"):
        values = people[by].fillna("").replace("", "not stated")
        demographic = False
    else:
        demo = _demographics(store, event_id)
        values = pd.Series(
            [str(demo.get(int(p), {}).get(by, "") or "not stated") for p in people["id"]], dtype=object
        )
        demographic = True
    df = pd.DataFrame(
        {
            "group": list(values),
            "people": [1] * len(values),
            "invited": list(people["invited"].astype(bool)),
            "attended": list(people["attended"].astype(bool)),
            "contributed": list(people["contributed"].astype(bool)),
        }
    )
    table = df.groupby("group", sort=True)[["people", "invited", "attended", "contributed"]].sum().astype(int)
    columns = ["group", "people", "invited", "attended", "contributed"]
    if int(table["people"].sum()) < min_group:
        return pd.DataFrame(columns=columns)
    small = table[table["people"] < min_group]
    shown = table[table["people"] >= min_group].copy()
    if len(small):
        other = small.sum()
        if "other" in shown.index:
            shown.loc["other"] += other
        else:
            shown.loc["other"] = other
        while shown.loc["other", "people"] < min_group and len(shown) > 1:
            rest = shown.drop(index="other")
            victim = rest["people"].idxmin()
            shown.loc["other"] += shown.loc[victim]
            shown = shown.drop(index=victim)
    out = shown.reset_index().rename(columns={"index": "group"})
    out = out[columns].astype(
        {"people": "Int64", "invited": "Int64", "attended": "Int64", "contributed": "Int64"}
    )
    if demographic:
        for col in ("attended", "contributed"):
            out[col] = out[col].mask((out[col] > 0) & (out[col] < min_group))
    return out.reset_index(drop=True)
