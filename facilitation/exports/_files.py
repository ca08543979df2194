"""What every export shares: safe file names, whole-or-nothing writes, inert cells."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

__all__ = ["neutralise_cell", "safe_filename", "write_atomic"]

_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def safe_filename(name: str, *, default: str = "export", max_length: int = 80) -> str:
    """A file name that is safe on Windows, macOS and Linux.

    Examples
    --------
    >>> safe_filename('Frailty: "what next?" / 2026')
    'Frailty what next 2026'
    >>> safe_filename("CON")
    '_CON'
    >>> safe_filename("../../etc/passwd")
    'etc passwd'
    """
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]+', " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = text[:max_length].strip(" .")
    if not text:
        text = default
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = "_" + text
    return text


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; an export is an ordinary file
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_cell(value: object) -> object:
    """Make text a person typed inert in a spreadsheet; numbers stay numbers.

    A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a newline would be
    read as a formula by Excel or LibreOffice; a leading apostrophe-free quote
    character (``'``) keeps the text exactly as typed when shown.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell(-2), neutralise_cell("Shared care record")
    (-2, 'Shared care record')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
