"""The demo event: a believable innovation challenge, built through the rules by real actors.

``build_demo`` serves ``facilitate demo``, the notebooks' tests and the docs. It is
written the way a live event is: the organiser creates the event in a series,
imports 36 people from 8 organisations (a CSV made here) and seats them so that
organisations mix; the facilitator moves the phases; each table writes its own
enablers and blockers (with evidence levels), ideas and a question, groups them into
themes, spends its dots and records who worked with whom; the
facilitator merges the table themes, reveals the votes and promotes the top two
themes to task-and-finish groups, whose lead tables draft their plans.

The event is left in the ``action-plans`` phase (:data:`DEMO_END_PHASE`): every
page has something to show, the groups and their first actions are on the
projector, and the facilitator can still step back to any earlier phase.

The same seed gives the same content (people, seats, entries, themes, dots, links,
groups, actions); ids, keys, the join code and times differ from build to build.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.capture.rules import add_entry
from facilitation.events.rules import EventKeys, create_event, set_phase
from facilitation.network.rules import record_link
from facilitation.people.importing import import_people
from facilitation.people.rules import Person, list_people
from facilitation.people.seating import apply_seating, plan_seating
from facilitation.plans.rules import add_action, add_member, link_entry, promote_theme, update_group
from facilitation.series.rules import create_series, list_series
from facilitation.store import Store
from facilitation.themes.grouping import create_theme, merge_themes
from facilitation.voting.rules import add_dot, reveal_votes, tally

Written = dict[int, list[tuple[int, str, str]]]  # table -> [(entry id, kind, theme key)]

__all__ = [
    "DEMO_END_PHASE",
    "DEMO_SEED",
    "DEMO_TEMPLATE",
    "ORGANISATIONS",
    "SERIES_DEMO_NAME",
    "build_demo",
    "build_series_demo",
    "demo_people_csv",
]

DEMO_SEED = 2026
DEMO_TEMPLATE = "innovation-challenge-half-day"
DEMO_END_PHASE = "action-plans"
DEMO_DATE = date(2026, 3, 12)
SERIES_NAME = "Eastbrook healthy ageing programme"
TITLE = "Frailty and falls in Eastbrook: keeping people well at home"

CHALLENGE = (
    "Falls are the commonest reason older people in Eastbrook arrive at the emergency department, "
    "and one in three of them goes home to the same risks. No single organisation can change that: "
    "the hospital, general practice, the council, housing, community services and the voluntary "
    "sector each hold part of the answer."
)
PURPOSE = (
    "To build relationships beyond organisational boundaries and agree, as one system, what we will "
    "do together so that people living with frailty stay well and independent at home. We arrive from "
    "our host organisations and wear our system hat first."
)
KEY_QUESTION = "Are fewer people over 65 in Eastbrook admitted to hospital after a fall at home?"
SUCCESS_MEASURES = (
    "Emergency admissions after a fall, per 1,000 people over 65, by ward",
    "Days from referral to a home adaptation being fitted",
    "People over 65 who say they can get the help they need to stay at home",
    "Carers who say they were asked once, not five times",
)
CONTEXT_BRIEFING = (
    "Local context: the joint strategic needs assessment shows frailty rising fastest in the two "
    "wards with the oldest housing stock. National: the NHS is moving care from hospital to "
    "community, from analogue to digital, from sickness to prevention. Global: every ageing society "
    "is asking how to keep people well at home.\n\n"
    "Today is an accelerated design event. Enablers and blockers first, with the evidence behind "
    "them (local data, research, anecdote or assumption); then ideas; then themes and dots; then "
    "who will work with whom; and the top themes become task-and-finish groups with a lead, a "
    "sponsor and first actions, reviewed at one, three and eight years. A blame culture stops "
    "innovation dead: we are here to learn what could be better."
)

# name of organisation -> sector, and its people (name, role)
ORGANISATIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "Riverside University Hospitals NHS Trust": ("acute", (
        ("Lena Mensah", "Chief Operating Officer"), ("Dr Rhys Evans", "Consultant Geriatrician"),
        ("Priya Raman", "Discharge Lead"), ("Tomasz Williams", "Falls Specialist Physiotherapist"),
        ("Grace Adeyemi", "Director of Nursing"),
    )),
    "North Vale Primary Care Network": ("primary care", (
        ("Dr Ben Nguyen", "GP Partner and Clinical Director"), ("Ceri Hughes", "Social Prescribing Link Worker"),
        ("Wen Kowalski", "Practice Manager"), ("Niamh Ó Súilleabháin", "Frailty Nurse Practitioner"),
        ("Imran Qureshi", "Clinical Pharmacist"),
    )),
    "Eastbrook City Council": ("local authority", (
        ("Ama Owusu", "Head of Adult Social Care Commissioning"), ("Ben Roberts", "Occupational Therapist"),
        ("Hannah Kowalski", "Social Worker"), ("Sam Fletcher", "Assistant Director, Communities"),
        ("Joanna Brzezińska", "Data and Intelligence Lead"),
    )),
    "Age Together (charity)": ("voluntary sector", (
        ("Kwame O'Brien", "Chief Executive"), ("Chloé Roberts", "Volunteer Coordinator"),
        ("Maggie Doyle", "Strength and Balance Instructor"), ("Yusuf Ali", "Befriending Service Manager"),
    )),
    "Community Health Partnership": ("community services", (
        ("Siobhán Murphy", "Community Nursing Lead"), ("Tomasz Müller", "Reablement Team Leader"),
        ("Olu Bankole", "Rapid Response Paramedic"), ("Ruth Pearson", "Head of Therapies"),
        ("Dev Patel", "Operational Manager"),
    )),
    "Harbour Housing Association": ("housing", (
        ("Uma Evans", "Head of Independent Living"), ("Marek Nowak", "Handyperson Service Supervisor"),
        ("Leah Thompson", "Tenancy Sustainment Officer"), ("Gareth Lloyd", "Asset Manager"),
    )),
    "Public Health Eastbrook": ("public health", (
        ("Tomasz MacLeod", "Public Health Analyst"), ("Dr Aisha Rahman", "Consultant in Public Health"),
        ("Fiona Grant", "Healthy Ageing Programme Manager"), ("Li Wei", "Health Improvement Practitioner"),
    )),
    "Patient and Carer Voice": ("patient representatives", (
        ("Hannah Nguyen", "Carer Representative"), ("Victor Mensah", "Patient Representative"),
        ("Rosa Delgado", "Carers' Forum Chair"), ("Arthur Bell", "Patient Representative"),
    )),
}  # fmt: skip

# Theme keys, and what tables call their theme for them (tables word things differently).
THEMES: dict[str, tuple[str, ...]] = {
    "falls": ("One falls pathway", "Falls prevention", "Falls and frailty referrals"),
    "housing": ("Homes that keep people safe", "Adaptations without the wait", "Housing and health"),
    "data": ("Sharing information", "One frailty register", "Data we can all see"),
    "community": ("Connected communities", "Strength, balance and company", "Tackling loneliness"),
    "workforce": ("Working across boundaries", "One team around the person", "Our workforce"),
    "carers": ("Carers as partners", "Ask once", "Carer voice"),
}
EVENT_THEMES = {
    "falls": "A single falls and frailty pathway",
    "housing": "Safe homes: adaptations fitted fast",
    "data": "Shared information and one frailty register",
    "community": "Community strength, balance and connection",
    "workforce": "One workforce around the person",
    "carers": "Carers as equal partners",
}
# (kind, text, evidence, theme)
ENTRIES: tuple[tuple[str, str, str | None, str], ...] = (
    ("enabler", "Community falls team already visits within 48 hours of a referral", "local data", "falls"),
    ("enabler", "Multifactorial falls assessment cuts falls by about a quarter", "research", "falls"),
    ("enabler", "Handypersons fit grab rails in a day when asked directly", "anecdote", "housing"),
    ("enabler", "Shared care record is live in the trust and two of the PCNs", "local data", "data"),
    ("enabler", "The needs assessment maps frailty by ward", "local data", "data"),
    (
        "enabler",
        "Strength and balance classes run by Age Together in four libraries",
        "local data",
        "community",
    ),
    ("enabler", "Social prescribers know who is isolated in every practice", "anecdote", "community"),
    ("enabler", "Frailty team meetings in North Vale already include social care", "local data", "workforce"),
    ("enabler", "Carers say in every survey they want to be part of the plan", "local data", "carers"),
    ("blocker", "Three separate referral forms for falls, frailty and reablement", "local data", "falls"),
    (
        "blocker",
        "Home adaptations wait six months for an occupational therapy assessment",
        "local data",
        "housing",
    ),
    ("blocker", "Worries about information governance stop teams sharing what they know", "anecdote", "data"),
    ("blocker", "Each organisation measures success differently", "assumption", "data"),
    ("blocker", "Transport to classes is hard for people who have stopped driving", "anecdote", "community"),
    (
        "blocker",
        "Staff do not know what other organisations offer in the same street",
        "anecdote",
        "workforce",
    ),
    ("blocker", "Winter pressures pull community staff back into the hospital", "local data", "workforce"),
    ("blocker", "Short-term funding ends before a benefit can be shown", "research", "workforce"),
    ("blocker", "Carers are asked the same questions by five services", "anecdote", "carers"),
    ("idea", "One falls and frailty referral form for every service", None, "falls"),
    ("idea", "Falls check by the rapid response paramedic before leaving the home", None, "falls"),
    ("idea", "Handyperson visit on the day of discharge for anyone who fell", None, "housing"),
    ("idea", "Trusted assessors in housing so small adaptations need no OT visit", None, "housing"),
    ("idea", "A shared frailty register across GP, trust and council", None, "data"),
    ("idea", "A key question dashboard: falls admissions by ward, every month", None, "data"),
    ("idea", "Strength and balance on prescription, with volunteer drivers", None, "community"),
    ("idea", "A frailty exemplar hub in the library: something to point at", None, "community"),
    ("idea", "Joint visits by a community nurse and a housing officer", None, "workforce"),
    ("idea", "Rotational posts between the trust and community services", None, "workforce"),
    ("idea", "A carers' passport recognised by every organisation", None, "carers"),
    ("idea", "Carers co-design the new referral form", None, "carers"),
    ("question", "Could one falls referral reach the ambulance service as well?", None, "falls"),
    ("question", "Who holds the budget for adaptations after discharge?", None, "housing"),
    ("question", "Can the voluntary sector see the shared care record?", None, "data"),
    ("question", "How do we reach people who never come to a class?", None, "community"),
    ("question", "Which post could rotate first, and who would cover it?", None, "workforce"),
    ("question", "How will carers know they have been heard?", None, "carers"),
)
TABLES = 6
# How much the room cares about each theme: the weights of the tables' dots.
DOT_WEIGHTS = {"falls": 8, "housing": 5, "data": 3, "community": 2, "workforce": 2, "carers": 1}
SENIOR = ("Chief", "Director", "Head", "Consultant", "Clinical Director")
# A task-and-finish group's plan per theme: purpose, key question, success measure, first actions.
PLANS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "falls": (
        "One falls and frailty pathway for Eastbrook: one referral, one assessment, one plan with the person.",
        "Do people referred after a fall get a multifactorial assessment within 7 days?",
        "Falls admissions per 1,000 over-65s down by a tenth in the pilot wards within a year",
        ("Map every falls and frailty referral route, with the people who use them",
         "Draft one referral form with carers and front-line staff",
         "Agree the pilot wards and the baseline from the local data"),
    ),
    "housing": (
        "Small adaptations fitted within a week of being needed, without waiting for an assessment.",
        "How many days pass between a fall at home and a grab rail being fitted?",
        "Median days from referral to adaptation below 7 in the pilot",
        ("Train handypersons as trusted assessors for small adaptations",
         "Agree a same-day referral from the discharge team to the handyperson service",
         "Count this year's waits so the pilot has a baseline"),
    ),
    "data": (
        "One frailty register that the practice, the trust and the council all see and keep up to date.",
        "Can every team see the same frailty register for the person in front of them?",
        "A shared frailty register live in two PCNs, with an agreed data sharing agreement",
        ("Agree the information governance route with the three data protection officers",
         "Publish the key question dashboard by ward each month",
         "Choose the frailty measures every organisation will report"),
    ),
    "community": (
        "Strength, balance and company within reach of everyone over 65, with transport when needed.",
        "Do more people at risk of falling take part in strength and balance classes for 12 weeks?",
        "Class places filled by referrals from social prescribers, doubled in a year",
        ("List every class and group with the social prescribers",
         "Recruit volunteer drivers through Age Together",
         "Open the exemplar hub in the library one morning a week"),
    ),
    "workforce": (
        "One team around the person: staff from every organisation who know and trust each other.",
        "Do joint visits replace separate visits for people living with frailty?",
        "Joint visits in place for the frailty caseload of two neighbourhoods",
        ("Pair community nurses and housing officers in one neighbourhood",
         "Design a rotational post between the trust and community services",
         "Hold a monthly huddle open to every organisation"),
    ),
    "carers": (
        "Carers asked once and treated as equal partners in the plan.",
        "Do carers tell their story once rather than to five services?",
        "A carers' passport recognised by every organisation at the event",
        ("Co-design the carers' passport with the carers' forum",
         "Agree the questions every service will stop asking twice",
         "Invite carers to every task-and-finish group meeting"),
    ),
}  # fmt: skip


def demo_people_csv() -> bytes:
    """The demo's attendee list as an organiser would upload it (CSV, no tables yet).

    Examples
    --------
    >>> demo_people_csv().decode().splitlines()[0]
    'name,organisation,sector,role,table'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["name", "organisation", "sector", "role", "table"])
    for org, (sector, people) in ORGANISATIONS.items():
        for name, role in people:
            writer.writerow([name, org, sector, role, ""])
    return out.getvalue().encode("utf-8")


def _series(store: Store) -> int:
    for series in list_series(store):
        if series.name == SERIES_NAME:
            return series.id
    return create_series(
        store,
        ORGANISER,
        SERIES_NAME,
        "Innovation challenges and a community of practice on healthy ageing across the Eastbrook system.",
    )


def _entries(store: Store, event_id: int, seating: dict[int, list[Person]], rng: random.Random) -> Written:
    """Each table writes its own enablers and blockers, then its ideas and a question."""
    written: dict[int, list[tuple[int, str, str]]] = {t: [] for t in seating}
    picks: dict[int, list[tuple[str, str, str | None, str]]] = {}
    for t in seating:
        pool = list(ENTRIES)
        rng.shuffle(pool)
        mine = (
            [e for e in pool if e[0] == "enabler"][:4]
            + [e for e in pool if e[0] == "blocker"][:4]
            + [e for e in pool if e[0] == "idea"][:5]
            + [e for e in pool if e[0] == "question"][:1]
        )
        picks[t] = mine
    for phase, kinds in (("enablers-blockers", ("enabler", "blocker")), ("ideas", ("idea", "question"))):
        set_phase(store, FACILITATOR, event_id, phase)
        for t, mine in picks.items():
            for kind, text, evidence, theme in mine:
                if kind not in kinds:
                    continue
                author = rng.choice(seating[t]).id if seating[t] and rng.random() < 0.8 else None
                eid = add_entry(
                    store, table_actor(t), event_id, t, kind, text, evidence=evidence, author_id=author
                )
                written[t].append((eid, kind, theme))
    return written


def build_demo(store: Store, *, seed: int = DEMO_SEED) -> EventKeys:
    """Build the demo event in ``store`` and return its keys.

    Parameters
    ----------
    store : Store
        Where to build it (any engine); other events are left alone.
    seed : int
        The same seed gives the same people, seats, entries, themes, dots and plans.

    Returns
    -------
    EventKeys
        The event id, join code, facilitator and organiser keys and the table keys.

    Examples
    --------
    >>> import os, tempfile
    >>> from facilitation.store import open_store
    >>> from facilitation.events.rules import get_event
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "demo.db"))
    >>> keys = build_demo(store)
    >>> ev = get_event(store, keys.event_id)
    >>> ev.title, ev.phase.name, len(keys.tables)
    ('Frailty and falls in Eastbrook: keeping people well at home', 'action-plans', 6)
    >>> len(list_people(store, keys.event_id))
    36
    """
    rng = random.Random(seed)
    series_id = _series(store)
    keys = create_event(
        store,
        ORGANISER,
        template=DEMO_TEMPLATE,
        title=TITLE,
        tables=TABLES,
        series_id=series_id,
        starts_on=DEMO_DATE.isoformat(),
        challenge=CHALLENGE,
        purpose=PURPOSE,
        key_question=KEY_QUESTION,
        success_measures=SUCCESS_MEASURES,
        context_briefing=CONTEXT_BRIEFING,
    )
    ev = keys.event_id
    import_people(store, ORGANISER, ev, demo_people_csv(), "eastbrook-frailty-attendees.csv")
    people = list_people(store, ev)
    apply_seating(store, ORGANISER, ev, plan_seating(people, TABLES, seed=rng.randrange(2**31)))
    seating: dict[int, list[Person]] = {t: [] for t in range(1, TABLES + 1)}
    for p in list_people(store, ev):
        if p.table is not None:
            seating[p.table].append(p)
    written = _entries(store, ev, seating, rng)
    merged = _themes(store, ev, written, rng)
    _dots(store, ev, merged, rng)
    _links(store, ev, seating, rng)
    set_phase(store, FACILITATOR, ev, DEMO_END_PHASE)
    _groups(store, ev, merged, written, seating, rng)
    return keys


def _themes(
    store: Store, event_id: int, written: Written, rng: random.Random, names: dict[str, str] | None = None
) -> dict[str, int]:
    """Tables name their own themes; the facilitator merges them into event-wide themes."""
    set_phase(store, FACILITATOR, event_id, "grouping")
    by_key: dict[str, list[int]] = {}
    for t, items in written.items():
        keys = sorted({key for _, _, key in items}, key=list(THEMES).index)
        for key in keys:
            ids = [eid for eid, _, k in items if k == key]
            theme = create_theme(store, table_actor(t), event_id, t, rng.choice(THEMES[key]), ids)
            by_key.setdefault(key, []).append(theme)
    return {
        key: merge_themes(store, FACILITATOR, event_id, ids, (names or EVENT_THEMES)[key])
        for key, ids in by_key.items()
    }


def _dots(
    store: Store,
    event_id: int,
    merged: dict[str, int],
    rng: random.Random,
    tables: int = TABLES,
    dots: int = 5,
) -> None:
    """Each table spends its dots (five by default, at most two a theme), then the facilitator reveals."""
    set_phase(store, FACILITATOR, event_id, "voting")
    keys = list(merged)
    for t in range(1, tables + 1):
        spent: dict[str, int] = {}
        for _ in range(dots):
            open_keys = [k for k in keys if spent.get(k, 0) < 2]
            key = rng.choices(open_keys, weights=[DOT_WEIGHTS[k] for k in open_keys])[0]
            add_dot(store, table_actor(t), event_id, merged[key])
            spent[key] = spent.get(key, 0) + 1
    reveal_votes(store, FACILITATOR, event_id)


def _links(store: Store, event_id: int, seating: dict[int, list[Person]], rng: random.Random) -> None:
    """Each table records who worked with whom, who will work together next, who knew whom."""
    set_phase(store, FACILITATOR, event_id, "collaboration")
    everyone = [p for t in sorted(seating) for p in seating[t]]
    for t, members in seating.items():
        if len(members) < 2:
            continue
        others = [p for p in everyone if p.table != t]
        for kind, count in (("worked with", 2), ("will work with", 2), ("knew before", 1)):
            for _ in range(count):
                a = rng.choice(members)
                pool = [p for p in (members if kind == "worked with" else others) if p.id != a.id]
                b = rng.choice(pool)
                note = "Next step: meet before the first group meeting" if kind == "will work with" else ""
                record_link(store, table_actor(t), event_id, t, a.id, b.id, kind, note)


def _groups(
    store: Store,
    event_id: int,
    merged: dict[str, int],
    written: Written,
    seating: dict[int, list[Person]],
    rng: random.Random,
    start: date = DEMO_DATE,
) -> list[int]:
    """The top two themes become task-and-finish groups; their lead tables draft the plans."""
    key_of = {theme: key for key, theme in merged.items()}
    ranked = [row for row in tally(store, FACILITATOR, event_id) if row.theme_id in key_of]
    everyone = [p for t in sorted(seating) for p in seating[t]]
    sponsors: set[int] = set()
    made: list[int] = []
    for n, row in enumerate(ranked[:2]):
        key = key_of[row.theme_id]
        authors = sorted(t for t, items in written.items() if any(k == key for _, _, k in items))
        lead_table = authors[n % len(authors)] if authors else 1 + n
        gid = promote_theme(store, FACILITATOR, event_id, row.theme_id, lead_table=lead_table)
        made.append(gid)
        actor = table_actor(lead_table)
        lead = rng.choice(seating[lead_table])
        seniors = [
            p for p in everyone if p.role.startswith(SENIOR) and p.id != lead.id and p.id not in sponsors
        ]
        sponsor = rng.choice(seniors)
        sponsors.add(sponsor.id)
        purpose, question, measure, actions = PLANS[key]
        update_group(
            store, actor, event_id, gid,
            purpose=purpose, lead=lead.name, sponsor=sponsor.name, key_question=question,
            success_measures=[measure], destination="exemplar hub" if n == 0 else "board",
            review_dates={
                "first": _due(28, start), "1y": _due(365, start), "3y": _due(3 * 365 + 1, start),
                "8y": _due(8 * 365 + 2, start),
            },
        )  # fmt: skip
        add_member(store, actor, event_id, gid, lead.id, role="lead")
        add_member(store, actor, event_id, gid, sponsor.id, role="sponsor")
        orgs = {lead.organisation, sponsor.organisation}
        members = [lead]
        for p in sorted(everyone, key=lambda _: rng.random()):
            if p.organisation not in orgs and len(members) < 5:
                add_member(store, actor, event_id, gid, p.id)
                orgs.add(p.organisation)
                members.append(p)
        for t in authors:
            for eid, kind, k in written[t]:
                if k == key and kind in ("enabler", "blocker"):
                    link_entry(store, actor, event_id, gid, eid)
        for i, text in enumerate(actions):
            status = "in progress" if i == 0 else "not started"
            owner = members[i % len(members)].name
            add_action(
                store,
                actor,
                event_id,
                gid,
                text,
                owner=owner,
                due_on=_due(14 * (i + 1), start),
                status=status,
            )
    return made


def _due(days: int, start: date = DEMO_DATE) -> str:
    return (start + timedelta(days=days)).isoformat()


# --- the series demo: a community of practice over three meetings -------------------------

SERIES_DEMO_NAME = "Eastbrook healthy ageing community of practice"
SERIES_DEMO_TEMPLATE = "community-of-practice-in-person-150"
SERIES_DEMO_START = "2027-01"  # the 2nd Tuesday of each month, 14:00 for 90 minutes
SERIES_DEMO_TABLES = 4
SERIES_DEMO_MEETINGS = (
    "Falls and frailty: what already works",
    "Falls and frailty: homes, data and the people around the person",
    "Falls and frailty: from pilots to the whole system",
)
SERIES_DEMO_ROLES = {
    "convenor": "Fiona Grant",
    "curator": "Joanna Brzezińska",
    "facilitator": "Ceri Hughes",
    "administration_lead": "Wen Kowalski",
}
SERIES_DEMO_SENIOR = ("Lena Mensah", "Ama Owusu", "Kwame O'Brien")
# Who comes: most people return, a few are new each time (ties renew and grow).
SERIES_DEMO_ATTENDANCE = ((24, 0), (20, 4), (18, 6))  # (returning or first, new) per meeting
# Where each level of evidence comes from in Eastbrook (the source a table names).
SOURCES: dict[str, tuple[str, ...]] = {
    "local data": (
        "Eastbrook frailty dashboard",
        "Community falls team referral log",
        "Ward needs assessment",
    ),
    "regional data": ("ICB falls admissions by place", "Regional ambulance conveyance data"),
    "national data": ("OHID fingertips: falls admissions 65+", "National audit of inpatient falls"),
    "research": ("NICE guideline NG249", "Cochrane review of exercise for falls prevention"),
    "anecdote": ("What carers said at the forum", "Front-line staff at the huddle"),
    "sample evaluation": ("Audit of 40 discharges in North Vale", "Survey of 60 class members"),
    "assumption": ("",),
}
# Evidence levels a table may give a data entry, meeting by meeting: the room learns
# to name regional and national data, and to test anecdote with a sample evaluation.
DATA_LEVELS = (
    ("local data", "local data", "regional data"),
    ("local data", "regional data", "national data"),
    ("local data", "regional data", "national data", "sample evaluation"),
)
# (text: what works, and where; evidence; theme) — the assets tables name.
ASSETS: tuple[tuple[str, str, str], ...] = (
    ("Rapid response paramedics check for falls risk before leaving, in North Vale", "local data", "falls"),
    ("Handyperson service fits grab rails within a day for Harbour tenants", "sample evaluation", "housing"),
    ("Shared care record already live in the trust and two PCNs", "local data", "data"),
    ("Strength and balance classes in four Eastbrook libraries", "local data", "community"),
    ("Befriending volunteers at Age Together who visit every week", "anecdote", "community"),
    ("North Vale frailty huddle with social care every Monday", "local data", "workforce"),
    ("Carers' forum that already co-designs leaflets with the council", "anecdote", "carers"),
    ("Public Health ward profiles refreshed every quarter", "regional data", "data"),
)  # fmt: skip
# Values of the key question and the success measures at each meeting (they improve).
# (key question: falls admissions of over-65s a month; then SUCCESS_MEASURES in order)
SERIES_DEMO_MEASURES = (
    (31.0, 14.2, 160.0, 58.0, 22.0),
    (29.5, 13.8, 120.0, 61.0, 30.0),
    (27.0, 12.9, 75.0, 66.0, 41.0),
)


def _series_demo_people(rng: random.Random) -> list[list[tuple[str, str, str, str]]]:
    """Who comes to each meeting: (name, organisation, sector, role); most return."""
    everyone = [
        (name, org, sector, role) for org, (sector, people) in ORGANISATIONS.items() for name, role in people
    ]
    rng.shuffle(everyone)
    seen: list[tuple[str, str, str, str]] = []
    fresh = iter(everyone)
    out = []
    for returning, new in SERIES_DEMO_ATTENDANCE:
        came = rng.sample(seen, returning) if seen else [next(fresh) for _ in range(returning)]
        came += [next(fresh) for _ in range(new)]
        seen = list(dict.fromkeys([*seen, *came]))
        out.append(came)
    return out


def _people_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["name", "organisation", "sector", "role", "table"])
    for name, org, sector, role in rows:
        writer.writerow([name, org, sector, role, ""])
    return out.getvalue().encode("utf-8")


def _series_entries(
    store: Store, event_id: int, meeting: int, seating: dict[int, list[Person]], rng: random.Random
) -> Written:
    """Each table's enablers, blockers and assets (with evidence and a source), then ideas."""
    written: Written = {t: [] for t in seating}
    picks: dict[int, list[tuple[str, str, str | None, str]]] = {}
    for t in seating:
        pool = list(ENTRIES)
        rng.shuffle(pool)
        assets = [("asset", text, level, theme) for text, level, theme in ASSETS]
        rng.shuffle(assets)
        picks[t] = (
            [e for e in pool if e[0] == "enabler"][:3]
            + [e for e in pool if e[0] == "blocker"][:3]
            + assets[:1]
            + [e for e in pool if e[0] == "idea"][:3]
            + [e for e in pool if e[0] == "question"][:1]
            + assets[1:2]
        )
    rounds = (("enablers-blockers", ("enabler", "blocker")), ("ideas", ("idea", "question")))
    for n, (phase, kinds) in enumerate(rounds):
        set_phase(store, FACILITATOR, event_id, phase)
        for t, mine in picks.items():
            assets_here = [e for e in mine if e[0] == "asset"][n : n + 1]  # one asset in each phase
            for kind, text, evidence, theme in [*(e for e in mine if e[0] in kinds), *assets_here]:
                level, source = evidence, None
                if evidence == "local data" and kind != "asset":
                    level = rng.choice(DATA_LEVELS[meeting])
                if level == "anecdote" and meeting and rng.random() < 0.4:
                    level = "sample evaluation"
                if level:
                    source = rng.choice(SOURCES[level]) or None
                author = rng.choice(seating[t]).id if seating[t] and rng.random() < 0.8 else None
                eid = add_entry(
                    store, table_actor(t), event_id, t, kind, text,
                    evidence=level, source=source, author_id=author,
                )  # fmt: skip
                written[t].append((eid, kind, theme))
    return written


def build_series_demo(store: Store, *, seed: int = DEMO_SEED) -> list[EventKeys]:
    """Build a three-meeting community of practice in one series; returns each meeting's keys.

    The series is planned in its monthly slot (the 2nd Tuesday, from January 2027) with
    its convenor, curator, facilitator and administration lead, and a senior leader at
    each meeting. At each meeting tables give enablers, blockers and assets with their
    evidence and its source, ideas and a question; themes recur from meeting to
    meeting; most people return, so ties renew and grow; two groups form with first
    actions; the key question and success measures get a value; and from the second
    meeting on, the open actions of earlier meetings are reviewed (done, moved, dropped).

    Examples
    --------
    >>> import os, tempfile
    >>> from facilitation.store import open_store
    >>> from facilitation.events import get_event
    >>> from facilitation.network.graph import series_events
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "series.db"))
    >>> keys = build_series_demo(store)
    >>> [e.starts_on for e in series_events(store, get_event(store, keys[0].event_id).series_id)]
    ['2027-01-12', '2027-02-09', '2027-03-09']
    """
    from facilitation.plans import open_actions_from_earlier_events
    from facilitation.series import (
        parse_slot,
        plan_series,
        review_action,
        series_plan,
        set_meeting,
        set_series_roles,
    )
    from facilitation.series.measures import record_measure

    rng = random.Random(seed)
    series_id = next((x.id for x in list_series(store) if x.name == SERIES_DEMO_NAME), None)
    if series_id is None:
        series_id = create_series(
            store,
            ORGANISER,
            SERIES_DEMO_NAME,
            "A community of practice on falls and frailty: the Eastbrook system meets monthly to learn "
            "from what works, and reviews its actions and measures at every meeting.",
        )
    set_series_roles(store, ORGANISER, series_id, **SERIES_DEMO_ROLES)
    plan_series(store, ORGANISER, series_id, parse_slot(SERIES_DEMO_START, "tuesday", 2, "14:00", 90, 10))
    planned = series_plan(store, series_id)
    attendance = _series_demo_people(rng)
    out: list[EventKeys] = []
    for i, title in enumerate(SERIES_DEMO_MEETINGS):
        set_meeting(store, ORGANISER, series_id, i + 1, senior_leader=SERIES_DEMO_SENIOR[i])
        on = date.fromisoformat(planned[i].starts_on)
        keys = create_event(
            store, ORGANISER, template=SERIES_DEMO_TEMPLATE, title=title, tables=SERIES_DEMO_TABLES,
            series_id=series_id, starts_on=on.isoformat(), challenge=CHALLENGE, purpose=PURPOSE,
            key_question=KEY_QUESTION, success_measures=SUCCESS_MEASURES, context_briefing=CONTEXT_BRIEFING,
        )  # fmt: skip
        ev = keys.event_id
        # at the start of each meeting: the open actions of the earlier ones, reviewed
        for n, o in enumerate(open_actions_from_earlier_events(store, ev)):
            if n % 4 == 0:
                review_action(store, FACILITATOR, ev, o.action.id, "done", "Done: shown at the meeting")
            elif n % 4 == 1:
                moved = (on + timedelta(days=28)).isoformat()
                review_action(
                    store,
                    FACILITATOR,
                    ev,
                    o.action.id,
                    "moved",
                    "Waiting for the data sharing agreement",
                    moved,
                )
            elif n % 4 == 2 and i == 2:
                review_action(store, FACILITATOR, ev, o.action.id, "dropped", "Another group does this now")
        import_people(store, ORGANISER, ev, _people_csv(attendance[i]), f"cop-meeting-{i + 1}.csv")
        people = list_people(store, ev)
        apply_seating(
            store, ORGANISER, ev, plan_seating(people, SERIES_DEMO_TABLES, seed=rng.randrange(2**31))
        )
        seating: dict[int, list[Person]] = {t: [] for t in range(1, SERIES_DEMO_TABLES + 1)}
        for p in list_people(store, ev):
            if p.table is not None:
                seating[p.table].append(p)
        written = _series_entries(store, ev, i, seating, rng)
        # a later meeting words a theme as one of its tables did: recurrence is found, not given
        names = EVENT_THEMES if i == 0 else {key: said[i % len(said)] for key, said in THEMES.items()}
        merged = _themes(store, ev, written, rng, names)
        _dots(store, ev, merged, rng, tables=SERIES_DEMO_TABLES, dots=4)
        _links(store, ev, seating, rng)
        set_phase(store, FACILITATOR, ev, DEMO_END_PHASE)
        _groups(store, ev, merged, written, seating, rng, start=on)
        names = ["key question", *(str(n) for n in range(2, len(SUCCESS_MEASURES) + 2))]
        for name, value in zip(names, SERIES_DEMO_MEASURES[i], strict=False):
            record_measure(store, ORGANISER, ev, name, value, f"Recorded at meeting {i + 1}")
        out.append(keys)
    return out
