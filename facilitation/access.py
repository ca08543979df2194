"""Who is acting, and what each role may do.

No accounts: an event has a join code, each table a key, the facilitator and the
organiser a secret key each. Keys are derived by HMAC from an installation secret
(``FACILITATION_SECRET``, or a file created once with mode 0600) so that links and
join cards can be printed again, and only their SHA-256 hashes are stored, so a
database file or backup that leaks gives nobody a key. Keys carry 128 bits of
randomness from the secret, so a fast hash is enough; a slow one would only slow
every page start.

Every rule calls one of the ``require_*`` functions before it writes: a hidden or
disabled widget is not access control, since a browser can send any widget message.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from facilitation.errors import NotAllowed

__all__ = [
    "FACILITATOR",
    "ORGANISER",
    "SYSTEM",
    "VIEWER",
    "Actor",
    "derive_key",
    "hash_key",
    "installation_secret",
    "keys_match",
    "new_join_code",
    "projector_key",
    "require",
    "require_table",
    "table_actor",
]

Role = Literal["facilitator", "organiser", "table", "system"]


@dataclass(frozen=True)
class Actor:
    """Who is acting: a role, and for a table its number.

    Examples
    --------
    >>> table_actor(3).label
    'table 3'
    >>> FACILITATOR.label
    'facilitator'
    """

    role: Role
    table: int | None = None

    @property
    def label(self) -> str:
        """How the activity log and messages name the actor."""
        return f"table {self.table}" if self.role == "table" else self.role


FACILITATOR = Actor("facilitator")
ORGANISER = Actor("organiser")
SYSTEM = Actor("system")
# The projector acts as nobody: a table role with no real table passes no check.
VIEWER = Actor("table", -1)


def table_actor(number: int) -> Actor:
    """The actor for the table lead of table ``number``."""
    return Actor("table", int(number))


_ROLE_WORDS = {
    "facilitator": "the facilitator's console",
    "organiser": "the organiser's page",
    "table": "a table page",
    "system": "the toolkit itself",
}


def require(actor: Actor, *roles: Role, action: str) -> None:
    """Raise :class:`NotAllowed` unless ``actor`` has one of ``roles``.

    The system actor (the demo, imports, restores) may do anything.

    Examples
    --------
    >>> require(FACILITATOR, "facilitator", action="move the phase")
    >>> require(table_actor(2), "facilitator", action="move the phase")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Only the facilitator's console can move the phase; table 2 cannot.
    """
    if actor.role == "system" or actor.role in roles:
        return
    allowed = " or ".join(_ROLE_WORDS[r] for r in roles)
    raise NotAllowed(f"Only {allowed} can {action}; {actor.label} cannot.")


def require_table(actor: Actor, table: int, *, action: str, also: tuple[Role, ...] = ()) -> None:
    """Raise unless ``actor`` is table ``table`` itself (or one of the roles in ``also``).

    Examples
    --------
    >>> require_table(table_actor(2), 2, action="add an entry")
    >>> require_table(table_actor(2), 5, action="add an entry")
    Traceback (most recent call last):
    ...
    facilitation.errors.NotAllowed: Table 2 cannot add an entry for table 5: each table writes only to its own.
    """
    if actor.role == "system" or actor.role in also:
        return
    if actor.role == "table" and actor.table == int(table):
        return
    if actor.role == "table":
        raise NotAllowed(
            f"Table {actor.table} cannot {action} for table {table}: each table writes only to its own."
        )
    raise NotAllowed(f"Only table {table} can {action}; {actor.label} cannot.")


# --- keys ---------------------------------------------------------------------------

_JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector


def new_join_code(length: int = 6) -> str:
    """A short code read off the projector; unambiguous letters and digits only."""
    return "".join(secrets.choice(_JOIN_ALPHABET) for _ in range(length))


def _secret_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "facilitation" / "secret"


def installation_secret() -> bytes:
    """The secret keys are derived from: ``FACILITATION_SECRET`` or a 0600 file.

    Several ``facilitate serve`` processes sharing one PostgreSQL must share it: set
    ``FACILITATION_SECRET`` to the same value on each.
    """
    env = os.environ.get("FACILITATION_SECRET")
    if env:
        return env.encode()
    path = _secret_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode())
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    return path.read_bytes().strip()


def derive_key(nonce: str, purpose: str, *, secret: bytes | None = None) -> str:
    """The key for ``purpose`` ("facilitator", "organiser", "table:3") of one event.

    ``nonce`` is the event's random key nonce, so keys differ between events and a
    new nonce revokes every key of the event at once.

    Examples
    --------
    >>> k = derive_key("n1", "table:3", secret=b"s")
    >>> k == derive_key("n1", "table:3", secret=b"s"), k == derive_key("n1", "table:4", secret=b"s")
    (True, False)
    """
    mac = hmac.new(secret or installation_secret(), f"{nonce}:{purpose}".encode(), "sha256")
    return mac.hexdigest()[:32]


def projector_key(nonce: str, *, secret: bytes | None = None) -> str:
    """The projector's read-only key: it opens the projector page of one event and nothing else.

    Safe to show the room (it is in the projector's address bar): no rule accepts it
    as an actor, so it writes nothing. It is derived, not stored: a new nonce revokes
    it with the event's other keys.

    Examples
    --------
    >>> k = projector_key("n1", secret=b"s")
    >>> k == derive_key("n1", "projector", secret=b"s"), k == projector_key("n2", secret=b"s")
    (True, False)
    """
    return derive_key(nonce, "projector", secret=secret)


def hash_key(key: str) -> str:
    """What the database keeps of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def keys_match(key: str | None, stored_hash: str | None) -> bool:
    """Compare a presented key with a stored hash in constant time."""
    if not key or not stored_hash:
        return False
    return hmac.compare_digest(hash_key(key), stored_hash)
