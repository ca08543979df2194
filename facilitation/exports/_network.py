"""What the network exports share: one event's graph, drawn once, with stable ids.

A person's id in every file is ``person-<id>``: people keep one identity across a
series, so importing the next event into Gephi or Kumu updates people rather than
duplicating them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, SupportsInt

import networkx as nx

from facilitation.network.picture import MapData, map_data, xml_safe

__all__ = ["EventNetwork", "edge_id", "event_network", "hex_rgb", "node_id", "xml_safe"]


def node_id(person_id: object) -> str:
    """The stable id of a person in every export.

    Examples
    --------
    >>> node_id(17)
    'person-17'
    """
    return f"person-{person_id}"


def edge_id(a: SupportsInt | str, b: SupportsInt | str) -> str:
    """The stable id of a tie: its two people, lower id first.

    Examples
    --------
    >>> edge_id(9, 3)
    'tie-3-9'
    """
    x, y = sorted((int(a), int(b)))
    return f"tie-{x}-{y}"


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``"#88CCEE"`` as ``(136, 204, 238)``.

    Examples
    --------
    >>> hex_rgb("#88CCEE")
    (136, 204, 238)
    """
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


@dataclass(frozen=True)
class EventNetwork:
    """An event's graph, its drawing, and the names files take from it."""

    graph: nx.Graph
    drawing: MapData
    title: str
    stem: str


def event_network(store: Any, event_id: int, *, seed: int = 0) -> EventNetwork:
    """Read an event's network as the map shows it and draw it (colours by organisation, fixed seed)."""
    from facilitation.events.rules import get_event
    from facilitation.exports import base_name
    from facilitation.network.rules import event_graph

    ev = get_event(store, event_id)
    # The same ties as the projector's map and the outcome pack's figures. Shared
    # themes and votes tie whole tables to whole tables (a hairball in Gephi); they
    # are in the workbook's themes and votes sheets, and ``render`` takes any graph
    # (``event_graph(store, ev, kinds=TIE_KINDS)``) for an analyst who wants them.
    graph = event_graph(store, event_id)
    return EventNetwork(graph, map_data(graph, seed=seed), ev.title, base_name(ev.title, ev.id, ev.starts_on))
