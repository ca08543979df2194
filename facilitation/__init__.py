"""Run live accelerated design events on Jupyter and Voila.

The public face is small: open a store, act as someone, call the rules.

>>> from facilitation import open_store, FACILITATOR, FacilitationError
"""

from __future__ import annotations

from facilitation.access import FACILITATOR, ORGANISER, SYSTEM, Actor, table_actor
from facilitation.errors import FacilitationError, NotAllowed, NotFound
from facilitation.frames import frames
from facilitation.store import Store, open_store

__all__ = [
    "FACILITATOR",
    "ORGANISER",
    "SYSTEM",
    "Actor",
    "FacilitationError",
    "NotAllowed",
    "NotFound",
    "Store",
    "frames",
    "open_store",
    "table_actor",
]

__version__ = "0.1.0"
