"""The tables of the event store (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Conventions: every row an actor can remove has ``deleted_at`` (deletes are soft);
times are UTC ISO strings written by the store (``now()``), so both engines compare
them the same way; lists and small records are JSON text columns.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

__all__ = [
    "ACTION_STATUSES",
    "ENTRY_KINDS",
    "EVIDENCED_KINDS",
    "EVIDENCE_LEVELS",
    "LINK_KINDS",
    "MAX_SOURCE",
    "PRIORITY_CIRCLE_BY",
    "REVIEW_OUTCOMES",
    "SYSTEM_ELEMENT_KINDS",
    "SYSTEM_RELATIONS",
    "action_reviews",
    "actions",
    "activity",
    "attendance",
    "dots",
    "entries",
    "event_tables",
    "events",
    "group_entries",
    "group_members",
    "groups",
    "links",
    "measures",
    "metadata",
    "organisations",
    "people",
    "priority_placements",
    "series",
    "series_meetings",
    "system_arrows",
    "system_elements",
    "theme_reopenings",
    "themes",
]

# The capture vocabulary, in one place: pages, rules, exports and restore read it here.
# An asset is what already works, and where (the practice's "springboard from what works").
ENTRY_KINDS = ("enabler", "blocker", "idea", "question", "asset")
# the kinds that rest on evidence (a level and a source); an idea or a question does not
EVIDENCED_KINDS = ("enabler", "blocker", "asset")
# The practice's evidence baseline, in the order it trusts them: data (local, regional,
# national), research, then anecdote and sample evaluations, and assumptions last.
EVIDENCE_LEVELS = (
    "local data",
    "regional data",
    "national data",
    "research",
    "anecdote",
    "sample evaluation",
    "assumption",
)
MAX_SOURCE = 300  # an entry's source: a report, a dashboard, a link, who said it
LINK_KINDS = ("sat together", "worked with", "will work with", "knew before")
ACTION_STATUSES = ("not started", "in progress", "done", "blocked", "dropped")
REVIEW_OUTCOMES = ("done", "moved", "dropped")
SYSTEM_ELEMENT_KINDS = ("driver", "dependency", "actor", "resource")
SYSTEM_RELATIONS = ("drives", "depends on", "blocks")
PRIORITY_CIRCLE_BY = ("facilitator", "tables")  # who places themes and groups on the circle

metadata = MetaData()


def _id() -> Column:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _created() -> Column:
    return Column("created_at", String(32), nullable=False)


def _deleted() -> Column:
    return Column("deleted_at", String(32), nullable=True)


series = Table(
    "series",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    # The series' roles (a community of practice's small team); "" until named.
    Column("convenor", String(200), nullable=False, server_default=""),
    Column("curator", String(200), nullable=False, server_default=""),
    Column("facilitator", String(200), nullable=False, server_default=""),
    Column("administration_lead", String(200), nullable=False, server_default=""),
    # Random, never shown: the series calendar's UIDs are a hash of it (as an event's
    # key_nonce for its groups' calendar). Filled by create_series and migration 0006.
    Column("calendar_nonce", String(64), nullable=True),
    _created(),
    _deleted(),
)

# The planned meetings of a series, one monthly slot (series.plan_dates). A meeting
# is held when an event of the series has its date; held meetings are never re-planned.
series_meetings = Table(
    "series_meetings",
    metadata,
    _id(),
    Column("series_id", Integer, ForeignKey("series.id"), nullable=False),
    Column("starts_on", String(10), nullable=False),  # ISO date
    Column("start_time", String(5), nullable=False),  # HH:MM, local time
    Column("minutes", Integer, nullable=False),
    Column("senior_leader", String(200), nullable=False, server_default=""),
    _created(),
    Column("updated_at", String(32), nullable=True),
    _deleted(),
)
Index("ix_series_meetings", series_meetings.c.series_id, series_meetings.c.starts_on)

events = Table(
    "events",
    metadata,
    _id(),
    Column("series_id", Integer, ForeignKey("series.id"), nullable=True),
    Column("title", String(200), nullable=False),
    Column("template", String(100), nullable=False),
    Column("starts_on", String(10), nullable=True),  # ISO date of the event
    # framing
    Column("challenge", Text, nullable=False, server_default=""),
    Column("purpose", Text, nullable=False, server_default=""),
    Column("key_question", Text, nullable=False, server_default=""),
    Column("success_measures", Text, nullable=False, server_default="[]"),  # JSON list
    Column("context_briefing", Text, nullable=False, server_default=""),
    Column("priority_areas", Text, nullable=False, server_default="[]"),  # JSON list
    # flow: the template's phases are copied in, so editing a template never
    # changes an event already running
    Column("phases", Text, nullable=False),  # JSON list of {name, title, minutes, prompt, input}
    Column("phase_index", Integer, nullable=False, server_default="0"),
    Column("timer_ends_at", Float, nullable=True),  # epoch seconds while running
    Column("timer_remaining", Float, nullable=True),  # seconds left while paused
    Column("input_locked", Boolean, nullable=False, server_default=text("false")),
    # voting
    Column("voting_rules", Text, nullable=False),  # JSON record, see voting.VotingRules
    Column("voting_round", Integer, nullable=False, server_default="1"),
    Column("runoff_themes", Text, nullable=False, server_default="[]"),  # JSON list of ids
    Column("votes_revealed", Boolean, nullable=False, server_default=text("false")),
    # The highest round whose votes were revealed: revealing closes a round for good
    # (hiding the result again does not reopen it; a run-off opens the next round).
    Column("closed_round", Integer, nullable=False, server_default="0"),
    # access
    Column("join_code", String(12), nullable=False, unique=True),
    Column("key_nonce", String(64), nullable=False),
    Column("facilitator_key_hash", String(64), nullable=False),
    Column("organiser_key_hash", String(64), nullable=False),
    # Who places themes and groups on the priority circle (PRIORITY_CIRCLE_BY).
    Column("priority_circle", String(20), nullable=False, server_default="facilitator"),
    # The projector shows the priority circle (over the phase's wall) while this is set.
    Column("circle_shown", Boolean, nullable=False, server_default=text("false")),
    # An archived event is kept whole but hidden from lists, and its pages are closed.
    Column("archived_at", String(32), nullable=True),
    _created(),
    _deleted(),
)

event_tables = Table(
    "event_tables",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("done_phase", Integer, nullable=True),  # phase index the table marked done
    _created(),
    _deleted(),
    UniqueConstraint("event_id", "number", name="uq_table_number"),
)

organisations = Table(
    "organisations",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("sector", String(100), nullable=False, server_default=""),
    _created(),
    UniqueConstraint("name", name="uq_organisation_name"),
)

people = Table(
    "people",
    metadata,
    _id(),
    # A person keeps one identity across the events of a series (ties are new or
    # renewed); people without a series belong to their one event's import.
    Column("series_id", Integer, ForeignKey("series.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False),  # casefolded, for matching
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=True),
    Column("role", String(200), nullable=False, server_default=""),
    Column("email", String(200), nullable=False, server_default=""),
    # Voluntary demographic fields (JSON record); never shown for groups under 5.
    Column("demographics", Text, nullable=False, server_default="{}"),
    _created(),
    _deleted(),
)
Index("ix_people_identity", people.c.series_id, people.c.name_key, people.c.organisation_id)

attendance = Table(
    "attendance",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("table_id", Integer, ForeignKey("event_tables.id"), nullable=True),
    Column("invited", Boolean, nullable=False, server_default=text("true")),
    Column("attended", Boolean, nullable=False, server_default=text("true")),
    _created(),
    _deleted(),
    UniqueConstraint("event_id", "person_id", name="uq_attendance"),
)

entries = Table(
    "entries",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("table_id", Integer, ForeignKey("event_tables.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # ENTRY_KINDS
    Column("text", Text, nullable=False),
    Column("author_id", Integer, ForeignKey("people.id"), nullable=True),  # None: anonymous
    Column("evidence", String(20), nullable=True),  # EVIDENCE_LEVELS
    Column("source", String(MAX_SOURCE), nullable=True),  # where the evidence is from
    Column("priority_area", String(200), nullable=True),
    Column("theme_id", Integer, ForeignKey("themes.id"), nullable=True),  # table theme
    Column("phase_index", Integer, nullable=False),
    _created(),
    Column("updated_at", String(32), nullable=True),
    _deleted(),
)
Index("ix_entries_event", entries.c.event_id, entries.c.table_id)

themes = Table(
    "themes",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    # A table theme has its table; an event-wide theme has none and merges table
    # themes, whose merged_into points at it.
    Column("table_id", Integer, ForeignKey("event_tables.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("merged_into", Integer, ForeignKey("themes.id"), nullable=True),
    _created(),
    Column("updated_at", String(32), nullable=True),
    _deleted(),
)
Index("ix_themes_event", themes.c.event_id)

# A theme that holds dots is frozen; the facilitator reopens it with a reason. The row
# keeps the theme as the room voted on it (its name and entries at the reopening: the
# freeze kept them as they were when the dots were cast) and stays open until the
# facilitator closes it, the phase moves or a new round opens (``closed_at``).
theme_reopenings = Table(
    "theme_reopenings",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("theme_id", Integer, ForeignKey("themes.id"), nullable=False),
    Column("rounds", Text, nullable=False, server_default="[]"),  # JSON list: rounds with its dots
    Column("reason", Text, nullable=False),
    Column("voted_name", String(200), nullable=False),
    Column("voted_entries", Text, nullable=False, server_default="[]"),  # JSON [[kind, text, table]]
    Column("reopened_by", String(40), nullable=False),  # actor label
    _created(),
    Column("closed_at", String(32), nullable=True),
)
Index("ix_theme_reopenings_event", theme_reopenings.c.event_id, theme_reopenings.c.theme_id)

# Dots are slots: a dot holds slot ``slot`` of its voter's allowance and slot
# ``theme_slot`` of the voter's allowance on that theme. Partial unique indexes over
# the dots not removed make the database itself refuse a dot above either limit,
# whatever the isolation level; a count-then-insert cannot give that.
dots = Table(
    "dots",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("voter", String(40), nullable=False),  # "table:3" or "person:17"
    Column("voter_table_id", Integer, ForeignKey("event_tables.id"), nullable=True),
    Column("theme_id", Integer, ForeignKey("themes.id"), nullable=False),
    Column("slot", Integer, nullable=False),
    Column("theme_slot", Integer, nullable=False),
    _created(),
    Column("removed_at", String(32), nullable=True),
)
_live_dot = dots.c.removed_at.is_(None)
Index(
    "uq_dot_slot",
    dots.c.event_id,
    dots.c.round,
    dots.c.voter,
    dots.c.slot,
    unique=True,
    sqlite_where=_live_dot,
    postgresql_where=_live_dot,
)
Index(
    "uq_dot_theme_slot",
    dots.c.event_id,
    dots.c.round,
    dots.c.voter,
    dots.c.theme_id,
    dots.c.theme_slot,
    unique=True,
    sqlite_where=_live_dot,
    postgresql_where=_live_dot,
)

links = Table(
    "links",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # LINK_KINDS
    Column("person_a", Integer, ForeignKey("people.id"), nullable=False),
    Column("person_b", Integer, ForeignKey("people.id"), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_by", String(40), nullable=False),  # actor label
    _created(),
    _deleted(),
)
Index("ix_links_event", links.c.event_id)

groups = Table(
    "groups",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("theme_id", Integer, ForeignKey("themes.id"), nullable=True),
    Column("lead_table_id", Integer, ForeignKey("event_tables.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("purpose", Text, nullable=False, server_default=""),
    Column("lead", String(200), nullable=False, server_default=""),
    Column("sponsor", String(200), nullable=False, server_default=""),  # senior responsible owner
    Column("key_question", Text, nullable=False, server_default=""),
    Column("success_measures", Text, nullable=False, server_default="[]"),  # JSON list
    Column("review_dates", Text, nullable=False, server_default="{}"),  # {"1y": date, ...}
    Column("destination", String(40), nullable=False, server_default=""),  # exemplar hub | board
    Column("tally", Integer, nullable=True),  # dots of its theme when promoted
    _created(),
    Column("updated_at", String(32), nullable=True),
    _deleted(),
)

group_members = Table(
    "group_members",
    metadata,
    _id(),
    Column("group_id", Integer, ForeignKey("groups.id"), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("role", String(40), nullable=False, server_default="member"),
    _created(),
    _deleted(),
)

group_entries = Table(
    "group_entries",
    metadata,
    _id(),
    Column("group_id", Integer, ForeignKey("groups.id"), nullable=False),
    Column("entry_id", Integer, ForeignKey("entries.id"), nullable=False),
    Column("use", String(20), nullable=False),  # "use" an enabler, "remove" a blocker
    _created(),
    _deleted(),
)

actions = Table(
    "actions",
    metadata,
    _id(),
    Column("group_id", Integer, ForeignKey("groups.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", String(200), nullable=False, server_default=""),
    Column("due_on", String(10), nullable=True),  # ISO date
    Column("status", String(20), nullable=False, server_default="not started"),
    _created(),
    Column("updated_at", String(32), nullable=True),
    _deleted(),
)

# The review of an open action at a later meeting of its series: done, moved (to a
# new due date) or dropped, with a note. Append-only: a later review never overwrites
# an earlier one. ``meeting_event_id`` is the event where it was reviewed (another
# event than the action's, so a one-event backup leaves it out; ``meeting_on`` keeps
# that meeting's date).
action_reviews = Table(
    "action_reviews",
    metadata,
    _id(),
    Column("action_id", Integer, ForeignKey("actions.id"), nullable=False),
    Column("meeting_event_id", Integer, ForeignKey("events.id"), nullable=True),
    Column("meeting_on", String(10), nullable=True),  # ISO date of that meeting
    Column("outcome", String(20), nullable=False),  # REVIEW_OUTCOMES
    Column("moved_to", String(10), nullable=True),  # ISO date, when moved
    Column("note", Text, nullable=False, server_default=""),
    Column("reviewed_by", String(40), nullable=False),  # actor label
    _created(),
)
Index("ix_action_reviews_action", action_reviews.c.action_id)

# A value of the event's key question or one of its success measures, recorded at
# the event; recording again keeps the earlier value (deleted_at set), so the history stays.
measures = Table(
    "measures",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("name", String(1000), nullable=False),  # "key question" or a success measure's text
    Column("value", Float, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_by", String(40), nullable=False),  # actor label
    _created(),
    _deleted(),
)
Index("ix_measures_event", measures.c.event_id)

# The system map (migration 0009): elements a table adds (or the facilitator, table_id
# None) and arrows between them. The facilitator merges an element into another
# (``merged_into``); the event-wide map shows the elements merged into nothing, with
# every arrow moved to the element its ends were merged into.
system_elements = Table(
    "system_elements",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("table_id", Integer, ForeignKey("event_tables.id"), nullable=True),
    Column("kind", String(20), nullable=False),  # SYSTEM_ELEMENT_KINDS
    Column("label", String(200), nullable=False),
    Column("merged_into", Integer, ForeignKey("system_elements.id"), nullable=True),
    _created(),
    Column("updated_at", String(32), nullable=True),
    _deleted(),
)
Index("ix_system_elements_event", system_elements.c.event_id)

system_arrows = Table(
    "system_arrows",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("table_id", Integer, ForeignKey("event_tables.id"), nullable=True),
    Column("source_id", Integer, ForeignKey("system_elements.id"), nullable=False),
    Column("target_id", Integer, ForeignKey("system_elements.id"), nullable=False),
    Column("relation", String(20), nullable=False),  # SYSTEM_RELATIONS
    _created(),
    _deleted(),
)
Index("ix_system_arrows_event", system_arrows.c.event_id)

# A theme or a group placed on one of the event's priority areas (the priority
# circle). Placing again keeps the earlier placement (deleted_at set).
priority_placements = Table(
    "priority_placements",
    metadata,
    _id(),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("theme_id", Integer, ForeignKey("themes.id"), nullable=True),
    Column("group_id", Integer, ForeignKey("groups.id"), nullable=True),
    Column("area", String(200), nullable=False),
    Column("placed_by", String(40), nullable=False),  # actor label
    _created(),
    _deleted(),
)
Index("ix_priority_placements_event", priority_placements.c.event_id)

# Append-only: the audit trail and the change feed. ``revision`` grows with every
# write; a repeated client token finds its first result here instead of writing twice.
activity = Table(
    "activity",
    metadata,
    Column("revision", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=True),
    Column("actor", String(40), nullable=False),
    Column("verb", String(40), nullable=False),
    Column("object_type", String(40), nullable=False, server_default=""),
    Column("object_id", Integer, nullable=True),
    Column("detail", Text, nullable=False, server_default="{}"),  # JSON
    Column("client_token", String(80), nullable=True, unique=True),
    Column("result", Text, nullable=True),  # JSON of what the write returned
    Column("at", String(32), nullable=False),
)
Index("ix_activity_event", activity.c.event_id, activity.c.revision)
