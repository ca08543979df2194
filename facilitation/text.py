"""Cleaning of typed text on the way in; text is never altered on the way out.

Control characters (except newline and tab inside long text), bidi overrides and
isolates, and zero-width characters are removed, white space at the ends is
trimmed, and a length cap gives a clear message rather than silent truncation.
"""

from __future__ import annotations

import unicodedata

from facilitation.errors import FacilitationError

__all__ = ["MAX_ENTRY", "MAX_LONG", "MAX_NAME", "clean_text"]

MAX_NAME = 200
MAX_ENTRY = 1_000
MAX_LONG = 4_000

# Bidi embeddings, overrides and isolates can make a projector show text in another
# order than typed (Trojan Source); zero-width characters, deprecated format
# characters, interlinear annotations and tag characters hide text or make two names
# that look the same differ.
_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",  # zero width, word joiner, BOM
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings and overrides
    "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
    "\u200e", "\u200f", "\u061c",  # marks
    *(chr(c) for c in range(0x206A, 0x2070)),  # deprecated format characters
    "\ufff9", "\ufffa", "\ufffb",  # interlinear annotation
    *(chr(c) for c in range(0xE0000, 0xE0080)),  # tag characters
}  # fmt: skip
# Line and paragraph separators break a line as a newline does.
_LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029", "\x85")
# A ZWJ inside an emoji sequence (a family, a health worker) is part of the emoji.
_ZWJ = "\u200d"


def _keep(ch: str, multiline: bool) -> bool:
    if ch in _INVISIBLE:
        return False
    if ch in "\n\t":
        return multiline
    return unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or ch == "\ufe0f"


def _filter(text: str, multiline: bool) -> str:
    """Drop what cleaning removes; a ZWJ stays only between two emoji that stay."""
    kept = [ch for ch in text if ch == _ZWJ or _keep(ch, multiline)]
    out = [
        ch
        for i, ch in enumerate(kept)
        if ch != _ZWJ or (0 < i < len(kept) - 1 and _is_emoji(kept[i - 1]) and _is_emoji(kept[i + 1]))
    ]
    return "".join(out)


def clean_text(
    value: object,
    *,
    field: str = "text",
    max_length: int = MAX_ENTRY,
    multiline: bool = False,
    required: bool = True,
) -> str:
    """Return ``value`` cleaned for storage, or raise a message naming the field.

    Parameters
    ----------
    value : object
        What was typed (``None`` counts as empty).
    field : str
        The field's name as a person knows it, used in messages.
    max_length : int
        Longest text accepted, counted after cleaning.
    multiline : bool
        Keep newlines and tabs (notes, purposes); otherwise they become spaces.
    required : bool
        Raise when nothing is left after cleaning.

    Examples
    --------
    >>> clean_text("  Shared  care\u202erecords ")
    'Shared  carerecords'
    >>> clean_text("a\\nb")
    'a b'
    >>> clean_text("a\\nb", multiline=True)
    'a\\nb'
    >>> clean_text("x" * 5, max_length=3)
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: The text is 5 characters long; the most is 3. Shorten it and try again.
    """
    text = "" if value is None else str(value)
    for brk in _LINE_BREAKS:
        text = text.replace(brk, "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    # Filter first, then compose: removing a character between a letter and its accent
    # must not leave a pair that composes differently on the next clean (idempotence).
    cleaned = unicodedata.normalize("NFC", _filter(text, multiline)).strip()
    if required and not cleaned:
        raise FacilitationError(f"The {field} is empty. Type something and try again.")
    if len(cleaned) > max_length:
        raise FacilitationError(
            f"The {field} is {len(cleaned):,} characters long; the most is {max_length:,}. "
            "Shorten it and try again."
        )
    return cleaned
