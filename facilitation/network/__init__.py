"""Who collaborated: links recorded at tables, the networks they make, their figures and
their picture.

- rules (the writes: ``record_link``, ``withdraw_link``) and the graphs of an event or a
  series: :mod:`facilitation.network.rules`;
- the graph built from what happened (ties from seats, themes, votes, links):
  :mod:`facilitation.network.graph`;
- pure computation of the figures a systems leader reads, with their sentences:
  :mod:`facilitation.network.figures`;
- the drawing (layout, colours, labels, SVG and PNG): :mod:`facilitation.network.picture`.

The interactive map is a view: :mod:`facilitation.ui.network_map` (``map_widget``).

>>> from facilitation.network import record_link, event_graph, network_figures
"""

from __future__ import annotations

from facilitation.network.figures import (
    EXPLANATIONS,
    Bridge,
    EventGrowth,
    Figure,
    NetworkFigures,
    SeriesFigures,
    brokerage,
    ei_index,
    event_figures,
    network_figures,
    organisation_graph,
    series_figures,
)
from facilitation.network.graph import (
    CO_AUTHORED,
    DEFAULT_KINDS,
    SAT_TOGETHER,
    TIE_KINDS,
    VOTED_FOR,
    event_graph,
    series_events,
    series_graph,
)
from facilitation.network.picture import (
    OTHER_COLOUR,
    PALETTE,
    MapData,
    colour_groups,
    layout,
    map_data,
    node_order,
    picture_png,
    picture_svg,
    write_pictures,
    xml_safe,
)
from facilitation.network.rules import (
    LINK_KINDS,
    Link,
    list_links,
    record_link,
    withdraw_link,
)

__all__ = [
    "CO_AUTHORED",
    "DEFAULT_KINDS",
    "EXPLANATIONS",
    "LINK_KINDS",
    "OTHER_COLOUR",
    "PALETTE",
    "SAT_TOGETHER",
    "TIE_KINDS",
    "VOTED_FOR",
    "Bridge",
    "EventGrowth",
    "Figure",
    "Link",
    "MapData",
    "NetworkFigures",
    "SeriesFigures",
    "brokerage",
    "colour_groups",
    "ei_index",
    "event_figures",
    "event_graph",
    "layout",
    "list_links",
    "map_data",
    "network_figures",
    "node_order",
    "organisation_graph",
    "picture_png",
    "picture_svg",
    "record_link",
    "series_events",
    "series_figures",
    "series_graph",
    "withdraw_link",
    "write_pictures",
    "xml_safe",
]
