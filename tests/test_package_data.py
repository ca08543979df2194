"""The widgets' JavaScript and CSS are files beside their views, shipped as package data.

A file the code reads but the package does not ship works from a checkout and breaks
once installed; so every asset a view names must exist and match a ``package-data``
pattern of pyproject.toml, and no JavaScript or CSS is left in Python strings.
"""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from pathlib import Path

import pytest

from facilitation.ui.dragboard import DragBoard
from facilitation.ui.network_map import NetworkMap
from facilitation.ui.widgets import Countdown, EntryInput, Heartbeat

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "facilitation" / "ui"


def _package_data() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["facilitation"]


def _assets_named_in_code() -> set[str]:
    names = set()
    for path in UI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_asset":
                names.add(node.args[0].value)  # type: ignore[attr-defined]
    return names


def test_every_asset_a_view_names_exists_and_is_package_data() -> None:
    named = _assets_named_in_code()
    assert {"countdown.js", "heartbeat.js", "entry_input.js", "network_map.js", "dragboard.js"} <= named
    on_disk = {p.name for p in UI.iterdir() if p.suffix in (".js", ".css")}
    assert named <= on_disk
    patterns = _package_data()
    unshipped = [n for n in on_disk if not any(fnmatch.fnmatch(f"ui/{n}", pat) for pat in patterns)]
    assert unshipped == []


@pytest.mark.parametrize(
    ("widget", "esm", "css"),
    [
        (Countdown, "countdown.js", None),
        (Heartbeat, "heartbeat.js", None),
        (EntryInput, "entry_input.js", None),
        (NetworkMap, "network_map.js", "network_map.css"),
        (DragBoard, "dragboard.js", "dragboard.css"),
    ],
)
def test_each_widget_runs_the_file_beside_it(widget: type, esm: str, css: str | None) -> None:
    assert str(widget._esm) == (UI / esm).read_text(encoding="utf-8")
    assert "export default" in str(widget._esm)
    if css is not None:
        assert str(widget._css) == (UI / css).read_text(encoding="utf-8")


def test_no_javascript_left_in_python_strings() -> None:
    left = []
    for path in UI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if "export default" in text or "function render(" in text:
                left.append(f"{path.name}:{node.lineno}")
    assert left == []
