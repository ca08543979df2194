"""The one exception type the rules raise, with a message a person can act on."""

from __future__ import annotations

__all__ = ["FacilitationError", "NotAllowed", "NotFound"]


class FacilitationError(Exception):
    """Something a person asked for cannot be done; the message says what to do instead.

    Pages show ``str(error)`` as it is, and the command line prints it as one line,
    so the message is written for the facilitator, table lead or organiser.

    Examples
    --------
    >>> str(FacilitationError("Input is locked by the facilitator. Wait for the next phase."))
    'Input is locked by the facilitator. Wait for the next phase.'
    """


class NotAllowed(FacilitationError):
    """The actor's role does not permit the action (a forged widget message, a wrong key)."""


class NotFound(FacilitationError):
    """The event, table, entry or theme named does not exist (or was withdrawn)."""
