"""The test data every layer of tests shares (copied from the project's shared test data).

A module of its own, not ``conftest``: ``tests/`` and ``notebooks/`` each have a
conftest.py, and ``from conftest import ...`` would find whichever loaded last.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA", "hostile_strings"]

DATA = Path(__file__).parent / "data"


def hostile_strings() -> list[str]:
    """The shared hostile strings, one per line, plus a 10,000-character one."""
    lines = (DATA / "hostile-strings.txt").read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip()] + ["x" * 9_990 + "<b>end</b>"]
