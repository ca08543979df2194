"""Every export format, found at run time: one module per format in this package.

A format module defines ``FORMAT`` (the name on the command line), ``DESCRIPTION``
(one line) and ``write(store, event_id, out_dir) -> list[Path]``; most also offer a
pure ``render(...)``. Adding a module adds a format: nothing here changes. Only the
organiser (or the facilitator, or the toolkit itself) may export.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from facilitation.access import Actor, require
from facilitation.errors import FacilitationError
from facilitation.exports._files import neutralise_cell, safe_filename, write_atomic

__all__ = [
    "Format",
    "NothingToExport",
    "base_name",
    "export",
    "formats",
    "neutralise_cell",
    "safe_filename",
    "write_atomic",
]


class NothingToExport(FacilitationError):
    """A format has nothing to hold yet (a calendar with no meeting): said, not written empty."""


@dataclass(frozen=True)
class Format:
    """An export format: its name, one line on what it gives, and its module."""

    name: str
    description: str
    module: ModuleType

    def write(self, store: Any, event_id: int, out_dir: Path) -> list[Path]:
        """Write this format for one event into ``out_dir``; returns the files written."""
        return list(self.module.write(store, event_id, Path(out_dir)))


def formats() -> dict[str, Format]:
    """The export formats, by name, from the modules of this package.

    A module that fails to import is left out with a warning, so one broken format
    never stops the others.

    Examples
    --------
    >>> {"html", "md", "xlsx", "csv", "ics", "json"} <= set(formats())
    True
    """
    found: dict[str, Format] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{__name__}.{info.name}")
        except Exception as exc:  # report and go on: the other formats still work
            warnings.warn(f"export module {info.name} did not load: {exc}", RuntimeWarning, stacklevel=2)
            continue
        name = getattr(module, "FORMAT", None)
        if isinstance(name, str) and callable(getattr(module, "write", None)):
            found[name] = Format(name, str(getattr(module, "DESCRIPTION", "")), module)
    return dict(sorted(found.items()))


def base_name(title: str, event_id: int, starts_on: str | None = None) -> str:
    """The safe stem every export of an event shares: date, title and id.

    Examples
    --------
    >>> base_name('Frailty: "what next?"', 7, "2026-11-26")
    '2026-11-26 Frailty what next (event 7)'
    """
    stem = safe_filename(" ".join(x for x in (starts_on or "", title) if x), max_length=200)
    if len(stem) > 60:  # cut at a word, so a name never ends mid-word
        stem = stem[:60].rsplit(" ", 1)[0] if " " in stem[:60] else stem[:60]
    return safe_filename(f"{stem} (event {int(event_id)})", max_length=90)


def export(
    store: Any,
    actor: Actor,
    event_id: int,
    fmt: str,
    out_dir: str | Path,
    *,
    skipped: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write one format (or ``"all"``) of an event into ``out_dir``; returns the files.

    A format with nothing to hold yet raises :class:`NothingToExport` when asked
    for alone; with ``"all"`` the others are written and its message goes to
    ``skipped`` (by default, a warning).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import table_actor, ORGANISER
    >>> store, ev = scratch_event()
    >>> export(store, table_actor(1), ev, "json", "/tmp")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the organiser's page or the facilitator's console can export the event; table 1 cannot.
    >>> export(store, ORGANISER, ev, "docx", "/tmp")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    facilitation.errors.FacilitationError: There is no export format 'docx'. Choose one of: ...
    """
    require(actor, "organiser", "facilitator", action="export the event")
    known = formats()
    # "all" leaves out a format that says IN_ALL = False (the PDF: slow, and an optional extra)
    chosen = [n for n, f in known.items() if getattr(f.module, "IN_ALL", True)] if fmt == "all" else [fmt]
    for name in chosen:
        if name not in known:
            raise FacilitationError(
                f"There is no export format '{name}'. Choose one of: {', '.join(known)}, or all."
            )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in chosen:
        try:
            written.extend(known[name].write(store, int(event_id), out))
        except NothingToExport as exc:
            if fmt != "all":
                raise
            if skipped is not None:
                skipped(f"{name}: {exc}")
            else:
                warnings.warn(f"{name}: {exc}", RuntimeWarning, stacklevel=2)
    return written
