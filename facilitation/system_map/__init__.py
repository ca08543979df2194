"""The system map: "ten minutes developing a rough map of a system".

Tables add elements (drivers of system behaviour, dependencies, actors, resources)
and arrows between them; the facilitator merges the tables' elements into one
event-wide map, which the projector draws, the outcome pack shows and the network
exports write beside the people network.
"""

from facilitation.system_map.records import (
    ELEMENT_KINDS,
    RELATIONS,
    Arrow,
    Element,
    EventMap,
    MapArrow,
    MapElement,
    event_map,
    read_arrows,
    read_elements,
    system_map,
)
from facilitation.system_map.rules import (
    INPUT,
    add_arrow,
    add_element,
    check_kind,
    check_relation,
    merge_elements,
    remove_arrow,
    remove_element,
    unmerge_element,
)

__all__ = [
    "ELEMENT_KINDS",
    "INPUT",
    "RELATIONS",
    "Arrow",
    "Element",
    "EventMap",
    "MapArrow",
    "MapElement",
    "add_arrow",
    "add_element",
    "check_kind",
    "check_relation",
    "event_map",
    "merge_elements",
    "read_arrows",
    "read_elements",
    "remove_arrow",
    "remove_element",
    "system_map",
    "unmerge_element",
]
