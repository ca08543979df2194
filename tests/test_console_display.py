"""The room's display from the console: the projector's two themes meet 7:1 for text, and
the theme and the chime are the facilitator's to switch (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from facilitation.access import FACILITATOR, ORGANISER, table_actor
from facilitation.errors import FacilitationError, NotAllowed
from facilitation.events.rules import Display, create_event, display_settings, set_display
from facilitation.store import Store

CSS = resources.files("facilitation.ui").joinpath("static/facilitation.css").read_text(encoding="utf-8")


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--fac-([a-z]+):\s*(#[0-9a-fA-F]{6})", block))


def theme_colours() -> dict[str, dict[str, str]]:
    standard = variables(re.search(r":root\s*{([^}]*)}", CSS).group(1))  # type: ignore[union-attr]
    standard["card"] = re.search(r"\.fac-card {[^}]*background: (#[0-9a-f]{6})", CSS).group(1)  # type: ignore[union-attr]
    block = re.search(r"\.fac-projector\.fac-theme-contrast\s*{([^}]*)}", CSS)
    assert block is not None, "the high-contrast theme's block is missing from facilitation.css"
    return {"standard": standard, "contrast": {**standard, **variables(block.group(1))}}


def test_contrast_helper_matches_known_ratios() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


@pytest.mark.parametrize("theme", ["standard", "contrast"])
def test_every_text_colour_of_the_projector_meets_7_to_1(theme: str) -> None:
    c = theme_colours()[theme]
    pairs = {
        "text on the page": (c["ink"], c["paper"]),
        "secondary text on the page": (c["muted"], c["paper"]),
        "text on a card": (c["ink"], c["card"]),
        "secondary text on a card": (c["muted"], c["card"]),
    }
    low = {what: round(contrast(*pair), 2) for what, pair in pairs.items() if contrast(*pair) < 7}
    assert not low, f"{theme}: below 7:1 {low}"
    if theme == "contrast":
        assert luminance(c["paper"]) < 0.01 and luminance(c["ink"]) > 0.9  # light text on black


def test_the_display_is_the_facilitators_and_every_change_is_logged(store: Store) -> None:
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="D", tables=2
    ).event_id
    assert display_settings(store, ev) == Display("standard", False)
    for actor in (table_actor(1), ORGANISER):
        with pytest.raises(NotAllowed, match="Only the facilitator"):
            set_display(store, actor, ev, projector_theme="contrast")
    with pytest.raises(FacilitationError, match="standard or contrast, not 'neon'"):
        set_display(store, FACILITATOR, ev, projector_theme="neon")
    assert set_display(store, FACILITATOR, ev, projector_theme="contrast") == Display("contrast", False)
    assert set_display(store, FACILITATOR, ev, chime=True) == Display("contrast", True)
    assert set_display(store, FACILITATOR, ev, projector_theme="standard") == Display("standard", True)
    assert display_settings(store, ev) == Display("standard", True)
