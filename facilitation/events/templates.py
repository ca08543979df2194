"""Event templates (``templates/events/*.yaml``): phases, minutes, prompts, voting rules.

A template is validated when loaded; an error names the file, the field and what is
wrong, so an organiser editing YAML can fix it without reading code.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from facilitation.errors import FacilitationError

__all__ = [
    "INPUTS",
    "TEMPLATES_DIR",
    "Phase",
    "Template",
    "VotingRules",
    "list_templates",
    "load_template",
    "parse_template",
]

# What a table page offers during a phase.
INPUTS = ("none", "capture", "ideas", "questions", "grouping", "voting", "links", "plans", "system-map")
PRIORITY_CIRCLE_BY = ("facilitator", "tables")  # who places themes and groups on the priority circle
VOTERS = ("table", "person")


def _find_templates_dir() -> Path:
    here = Path(__file__).resolve().parent.parent  # facilitation/, above this package
    for candidate in (here.parent / "templates" / "events", here / "_templates" / "events"):
        if candidate.is_dir():
            return candidate
    return here.parent / "templates" / "events"


TEMPLATES_DIR = _find_templates_dir()


@dataclass(frozen=True)
class Phase:
    """One step of an event: what the room does, for how long, and the table input."""

    name: str
    title: str
    minutes: int
    prompt: str
    input: str = "none"
    notes: str = ""  # the facilitator's notes: what to say and watch for (run sheet, console)
    materials: tuple[str, ...] = ()  # what must be ready in the room (or online) for this phase
    roles: tuple[str, ...] = ()  # who does what during this phase

    def __post_init__(self) -> None:
        # Phases come back from the store's JSON with lists; keep them tuples (hashable, comparable).
        object.__setattr__(self, "materials", tuple(self.materials))
        object.__setattr__(self, "roles", tuple(self.roles))

    def as_dict(self) -> dict[str, Any]:
        """The phase as the store and a backup hold it (JSON-able: lists, not tuples)."""
        return {**asdict(self), "materials": list(self.materials), "roles": list(self.roles)}


@dataclass(frozen=True)
class VotingRules:
    """How dot voting works at an event.

    Examples
    --------
    >>> VotingRules().dots_per_voter
    5
    """

    dots_per_voter: int = 5
    max_per_theme: int = 2
    voter: str = "table"  # "table" (one laptop per table) or "person"
    must_spend_all: bool = False
    own_themes: bool = True  # may a table vote for its own themes?

    def as_dict(self) -> dict[str, Any]:
        """The rules as a JSON-able record."""
        return asdict(self)


@dataclass(frozen=True)
class Template:
    """A validated event template."""

    name: str
    title: str
    description: str
    tables: int
    phases: tuple[Phase, ...]
    voting: VotingRules = field(default_factory=VotingRules)
    priority_areas: tuple[str, ...] = ()
    priority_circle: str = "facilitator"  # or "tables": tables place their themes and groups

    @property
    def minutes(self) -> int:
        """The whole event's planned length."""
        return sum(p.minutes for p in self.phases)


def _fail(source: str, where: str, what: str) -> FacilitationError:
    return FacilitationError(f"{source}: {where}: {what}")


def _int(value: Any, source: str, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(source, where, f"must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise _fail(source, where, f"must be between {low} and {high}, not {value}")
    return value


def _str(value: Any, source: str, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(source, where, "must be some text")
    return value.strip()


MAX_NOTES = 4000  # a phase's notes, as long as an event's challenge or purpose
MAX_ITEM = 200  # one material or role
PHASE_EXTRAS = ("notes", "materials", "roles")


def _long_text(value: Any, source: str, where: str, longest: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(source, where, f"must be some text, not {value!r}")
    text = value.strip()
    if len(text) > longest:
        raise _fail(source, where, f"is {len(text):,} characters long; the most is {longest:,}")
    return text


def _names(value: Any, source: str, where: str) -> tuple[str, ...]:
    """A list of short texts (materials, roles); absent is an empty list."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(source, where, "must be a list of short texts (one per line, each starting with '- ')")
    out = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise _fail(source, f"{where}[{i}]", f"must be some text, not {item!r}")
        if len(item.strip()) > MAX_ITEM:
            raise _fail(source, f"{where}[{i}]", f"is longer than {MAX_ITEM} characters")
        out.append(" ".join(item.split()))
    return tuple(out)


def _bool(value: Any, source: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(source, where, f"must be true or false, not {value!r}")
    return value


def parse_template(data: Any, source: str = "<template>") -> Template:
    """Validate a template's parsed YAML and build a :class:`Template`.

    Examples
    --------
    >>> parse_template({"name": "x", "title": "X", "phases": []}, "x.yaml")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: x.yaml: phases: must list at least one phase
    >>> parse_template({"name": "x", "title": "X", "phases": [
    ...     {"name": "ideas", "title": "Ideas", "minutes": "ten", "prompt": "Go"}]}, "x.yaml")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: x.yaml: phases[1].minutes: must be a whole number, not 'ten'
    >>> parse_template({"name": "x", "title": "X", "phases": [
    ...     {"name": "ideas", "title": "Ideas", "minutes": 10, "prompt": "Go", "materials": "pens"}]}, "x.yaml")
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: x.yaml: phases[1].materials: must be a list of short texts (one per line, each starting with '- ')
    """
    if not isinstance(data, dict):
        raise _fail(source, "top level", "must be a mapping of fields (name, title, phases, ...)")
    known = {
        "name",
        "title",
        "description",
        "tables",
        "phases",
        "voting",
        "priority_areas",
        "priority_circle",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise _fail(source, unknown[0], f"is not a template field (known: {', '.join(sorted(known))})")
    name = _str(data.get("name"), source, "name")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise _fail(source, "name", "must be lower-case letters, digits and hyphens")
    title = _str(data.get("title"), source, "title")
    description = _str(data.get("description"), source, "description", required=False)
    tables = _int(data.get("tables", 6), source, "tables", 1, 60)
    raw_phases = data.get("phases")
    if not isinstance(raw_phases, list) or not raw_phases:
        raise _fail(source, "phases", "must list at least one phase")
    phases: list[Phase] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_phases, start=1):
        where = f"phases[{i}]"
        if not isinstance(raw, dict):
            raise _fail(
                source,
                where,
                "must be a mapping with name, title, minutes, prompt (and notes, materials, roles)",
            )
        extra = sorted(set(raw) - {"name", "title", "minutes", "prompt", "input", *PHASE_EXTRAS})
        if extra:
            raise _fail(source, f"{where}.{extra[0]}", "is not a phase field")
        pname = _str(raw.get("name"), source, f"{where}.name")
        if pname in seen:
            raise _fail(source, f"{where}.name", f"'{pname}' is used by an earlier phase")
        seen.add(pname)
        minutes = _int(raw.get("minutes"), source, f"{where}.minutes", 1, 600)
        inp = raw.get("input", "none")
        if inp not in INPUTS:
            raise _fail(source, f"{where}.input", f"must be one of {', '.join(INPUTS)}, not {inp!r}")
        phases.append(
            Phase(
                name=pname,
                title=_str(raw.get("title"), source, f"{where}.title"),
                minutes=minutes,
                prompt=_str(raw.get("prompt"), source, f"{where}.prompt"),
                input=inp,
                notes=_long_text(raw.get("notes"), source, f"{where}.notes", MAX_NOTES),
                materials=_names(raw.get("materials"), source, f"{where}.materials"),
                roles=_names(raw.get("roles"), source, f"{where}.roles"),
            )
        )
    voting = parse_voting(data.get("voting") or {}, source)
    areas = data.get("priority_areas") or []
    if not isinstance(areas, list) or not all(isinstance(a, str) and a.strip() for a in areas):
        raise _fail(source, "priority_areas", "must be a list of names")
    circle = data.get("priority_circle", "facilitator")
    if circle not in PRIORITY_CIRCLE_BY:
        raise _fail(source, "priority_circle", f"must be 'facilitator' or 'tables', not {circle!r}")
    return Template(name, title, description, tables, tuple(phases), voting, tuple(areas), circle)


def parse_voting(raw: Any, source: str = "voting rules") -> VotingRules:
    """Validate voting rules (from a template, or changed before voting opens).

    Examples
    --------
    >>> parse_voting({"dots_per_voter": 3, "max_per_theme": 5})
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: voting rules: voting.max_per_theme: cannot be more than dots_per_voter (3)
    """
    if not isinstance(raw, dict):
        raise _fail(source, "voting", "must be a mapping")
    fields = set(VotingRules.__dataclass_fields__)
    extra = sorted(set(raw) - fields)
    if extra:
        raise _fail(
            source, f"voting.{extra[0]}", f"is not a voting rule (known: {', '.join(sorted(fields))})"
        )
    d = VotingRules()
    dots = _int(raw.get("dots_per_voter", d.dots_per_voter), source, "voting.dots_per_voter", 1, 50)
    cap = _int(raw.get("max_per_theme", d.max_per_theme), source, "voting.max_per_theme", 1, 50)
    if cap > dots:
        raise _fail(source, "voting.max_per_theme", f"cannot be more than dots_per_voter ({dots})")
    voter = raw.get("voter", d.voter)
    if voter not in VOTERS:
        raise _fail(source, "voting.voter", f"must be 'table' or 'person', not {voter!r}")
    return VotingRules(
        dots_per_voter=dots,
        max_per_theme=cap,
        voter=voter,
        must_spend_all=_bool(raw.get("must_spend_all", d.must_spend_all), source, "voting.must_spend_all"),
        own_themes=_bool(raw.get("own_themes", d.own_themes), source, "voting.own_themes"),
    )


def load_template(name_or_path: str | Path) -> Template:
    """Load a template by name (``innovation-challenge-half-day``) or by file path.

    Examples
    --------
    >>> load_template("innovation-challenge-half-day").phases[0].name
    'framing'
    """
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = TEMPLATES_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        names = ", ".join(list_templates()) or "none found"
        raise FacilitationError(f"No template named '{name_or_path}'. Templates: {names}.")
    import yaml  # only when a template is read: a page's kernel never reads one

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        raise _fail(path.name, where, f"is not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    return parse_template(data, path.name)


def list_templates() -> list[str]:
    """The names of the templates shipped in ``templates/events``."""
    return sorted(p.stem for p in TEMPLATES_DIR.glob("*.yaml"))
