"""Event templates: every shipped one loads; a broken one names the file, the field and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from facilitation.errors import FacilitationError
from facilitation.events.templates import INPUTS, TEMPLATES_DIR, list_templates, load_template, parse_voting

SHIPPED = list_templates()


def test_the_standard_templates_ship():
    assert set(SHIPPED) >= {
        "innovation-challenge-half-day",
        "innovation-challenge-full-day",
        "community-of-practice-online-90",
        "community-of-practice-in-person-150",
    }


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_template_loads(name):
    t = load_template(name)
    assert t.name == name == (TEMPLATES_DIR / f"{name}.yaml").stem
    assert t.title and t.phases and 1 <= t.tables <= 60
    assert all(p.input in INPUTS and p.minutes > 0 and p.prompt for p in t.phases)
    assert len({p.name for p in t.phases}) == len(t.phases)
    assert t.voting.max_per_theme <= t.voting.dots_per_voter
    assert load_template(TEMPLATES_DIR / f"{name}.yaml") == t  # by path as well as by name


@pytest.mark.parametrize("name", [n for n in SHIPPED if n.startswith("innovation-challenge")])
def test_innovation_challenges_run_the_whole_flow(name):
    inputs = [p.input for p in load_template(name).phases]
    for needed in ("capture", "ideas", "grouping", "voting", "links", "plans"):
        assert needed in inputs


GOOD = {
    "name": "my-event",
    "title": "My event",
    "tables": 5,
    "voting": {"dots_per_voter": 3, "max_per_theme": 1, "voter": "person"},
    "phases": [{"name": "ideas", "title": "Ideas", "minutes": 20, "prompt": "Go", "input": "ideas"}],
}


def _write(tmp_path: Path, text: str, name: str = "my-event.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _with(**changes) -> dict:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    for dotted, value in changes.items():
        target = data
        keys = dotted.split("__")
        for k in keys[:-1]:
            target = target[int(k)] if isinstance(target, list) else target[k]
        if value is ...:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return data


def test_a_good_file_loads(tmp_path):
    t = load_template(_write(tmp_path, yaml.safe_dump(GOOD)))
    assert (t.name, t.tables, t.voting.voter, t.minutes) == ("my-event", 5, "person", 20)


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        (_with(name="My Event"), "name", "lower-case letters"),
        (_with(name=...), "name", "must be some text"),
        (_with(title=""), "title", "must be some text"),
        (_with(tables=0), "tables", "between 1 and 60"),
        (_with(tables="six"), "tables", "whole number"),
        (_with(phases=[]), "phases", "at least one phase"),
        (_with(phases__0__minutes="ten"), "phases[1].minutes", "whole number, not 'ten'"),
        (_with(phases__0__minutes=0), "phases[1].minutes", "between 1 and 600"),
        (_with(phases__0__input="chat"), "phases[1].input", "must be one of"),
        (_with(phases__0__prompt=None), "phases[1].prompt", "must be some text"),
        (_with(phases__0__colour="red"), "phases[1].colour", "is not a phase field"),
        (_with(phases=[GOOD["phases"][0], GOOD["phases"][0]]), "phases[2].name", "used by an earlier phase"),
        (
            _with(voting__dots_per_voter=2, voting__max_per_theme=3),
            "voting.max_per_theme",
            "more than dots_per_voter",
        ),
        (_with(voting__voter="everyone"), "voting.voter", "'table' or 'person'"),
        (_with(voting__secret=True), "voting.secret", "is not a voting rule"),
        (_with(voting__must_spend_all="yes"), "voting.must_spend_all", "true or false"),
        (_with(priority_areas="Digital"), "priority_areas", "list of names"),
        (_with(colour="blue"), "colour", "is not a template field"),
        (["a", "list"], "top level", "mapping of fields"),
    ],
)
def test_broken_files_name_file_field_and_problem(tmp_path, data, field, problem):
    path = _write(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(FacilitationError) as info:
        load_template(path)
    message = str(info.value)
    assert message.startswith(f"my-event.yaml: {field}: "), message
    assert problem in message


def test_invalid_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, "name: x\ntitle: [unclosed\nphases: []\n")
    with pytest.raises(FacilitationError, match=r"^my-event\.yaml: line \d+: is not valid YAML"):
        load_template(path)


def test_empty_file(tmp_path):
    with pytest.raises(FacilitationError, match=r"my-event\.yaml: top level"):
        load_template(_write(tmp_path, ""))


def test_unknown_template_name_lists_the_shipped_ones():
    with pytest.raises(FacilitationError) as info:
        load_template("no-such-template")
    assert all(name in str(info.value) for name in SHIPPED)


def test_voting_rules_defaults():
    rules = parse_voting({})
    assert (rules.dots_per_voter, rules.max_per_theme, rules.voter) == (5, 2, "table")
