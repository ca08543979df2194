"""The collaboration map: an interactive network drawn by the browser, with its figures beside it.

A small anywidget whose ES module (``network_map.js`` beside this module) draws SVG: no CDN, no WebGL, works offline
in Voila. Every name reaches the page through ``textContent`` or an SVG ``<title>``
text node, never as markup, so typed text cannot run script on the projector. The
layout is computed in Python with a fixed seed and kept between refreshes (the
positions live in this view object), so the map does not jump while tables add links.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Iterable
from importlib import resources
from typing import Any

import anywidget
import networkx as nx
import traitlets

from facilitation.network.figures import NetworkFigures, network_figures
from facilitation.network.picture import map_data

__all__ = ["NetworkMap", "figure_rows", "map_widget", "series_map"]


def _asset(name: str) -> str:
    """A widget's JavaScript or CSS, a file beside this module (package data)."""
    return resources.files("facilitation.ui").joinpath(name).read_text(encoding="utf-8")


_MAP_ESM = _asset("network_map.js")

_MAP_CSS = _asset("network_map.css")


def figure_rows(figures: NetworkFigures, *, bridging: int = 3) -> list[dict[str, Any]]:
    """The figures beside the map: headline figures, then the top bridging people and organisations.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_node(1, name="Ama", organisation="A", table=1)
    >>> g.add_node(2, name="Ben", organisation="B", table=2)
    >>> g.add_node(3, name="Cai", organisation="C", table=3)
    >>> g.add_edges_from([(1, 2), (2, 3)], status="new", weight=1)
    >>> [r["text"] for r in figure_rows(network_figures(g))][-2:]
    ['Ben (B)', 'B']
    """
    rows = [
        {"key": f.key, "label": f.label, "text": f.text, "explanation": f.explanation}
        for f in figures.headline()
    ]
    people = [
        f"{b.name} ({b.organisation})" if b.organisation else b.name
        for b in figures.bridging_people[:bridging]
    ]
    if people:
        rows.append(
            {
                "key": "bridging_people",
                "label": "Bridging people",
                "text": ", ".join(people),
                "explanation": figures.explanations["bridging_people"],
            }
        )
    orgs = [b.name for b in figures.bridging_organisations[:bridging] if b.betweenness > 0]
    if orgs:
        rows.append(
            {
                "key": "bridging_organisations",
                "label": "Bridging organisations",
                "text": ", ".join(orgs),
                "explanation": figures.explanations["bridging_organisations"],
            }
        )
    return rows


def _fingerprint(graph: nx.Graph, colour_by: str) -> str:
    nodes = sorted(
        (repr(n), d.get("name"), d.get("organisation"), d.get("sector"), d.get("table"))
        for n, d in graph.nodes(data=True)
    )
    edges = sorted(
        (*sorted((repr(u), repr(v))), d.get("kinds"), d.get("status")) for u, v, d in graph.edges(data=True)
    )
    raw = json.dumps([colour_by, nodes, edges], default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


class NetworkMap(anywidget.AnyWidget):
    """The interactive collaboration map of one event, with its headline figures.

    Parameters
    ----------
    store : Store, optional
        The page's store; with ``event_id``, :meth:`refresh` reads the event's
        network from it. Without, draw any graph with :meth:`show_graph`.
    event_id : int, optional
        The event to map.
    colour_by : {"organisation", "sector"}
        What the node colours show (a colour-blind-safe palette).
    seed : int
        The layout's and the community detection's seed: same seed, same map.
    label_count : int
        How many people (those with most ties) carry a name on the map; the rest
        show it on hover, focus or click.
    font_px : int
        Label size in screen pixels (22 reads from the back of a room on a projector).
    height_px : int
        The map's height on the page.
    explain : bool
        Show each figure's plain-English sentence under it.
    kinds : iterable of str, optional
        The kinds of tie to draw (default: seating and recorded links,
        :data:`facilitation.network.rules.DEFAULT_KINDS`; shared themes and votes on request).
    figure_keys : iterable of str, optional
        Show only these figures beside the map (the projector shows three); all by default.
    watch : bool
        Redraw by itself when the event changes (only while served by Voila, and only
        while the event is in its collaboration phase).

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> from facilitation.access import FACILITATOR
    >>> from facilitation.people.rules import add_person
    >>> store, ev = scratch_event()
    >>> _ = add_person(store, FACILITATOR, ev, "<b>Ama</b>", organisation="Council", table=1)
    >>> _ = add_person(store, FACILITATOR, ev, "Ben", organisation="Trust", table=1)
    >>> m = NetworkMap(store, ev)
    >>> [n["label"] for n in m.nodes], len(m.edges), m.figures[0]["text"]
    (['<b>Ama</b>', 'Ben'], 1, '2')
    >>> before = dict(m.positions)
    >>> m.refresh()
    False
    >>> m.positions == before
    True
    """

    _esm = _MAP_ESM
    _css = _MAP_CSS
    nodes = traitlets.List(traitlets.Dict()).tag(sync=True)
    edges = traitlets.List(traitlets.Dict()).tag(sync=True)
    legend = traitlets.List(traitlets.List()).tag(sync=True)
    figures = traitlets.List(traitlets.Dict()).tag(sync=True)
    title = traitlets.Unicode("Who worked with whom").tag(sync=True)
    colour_by = traitlets.Unicode("organisation").tag(sync=True)
    font_px = traitlets.Int(22).tag(sync=True)
    height_px = traitlets.Int(720).tag(sync=True)
    explain = traitlets.Bool(True).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)  # the person this viewer clicked

    def __init__(
        self,
        store: Any = None,
        event_id: int | None = None,
        *,
        colour_by: str = "organisation",
        seed: int = 0,
        label_count: int = 25,
        font_px: int = 22,
        height_px: int = 720,
        explain: bool = True,
        kinds: Iterable[str] | None = None,
        figure_keys: Iterable[str] | None = None,
        watch: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(colour_by=colour_by, font_px=font_px, height_px=height_px, explain=explain, **kwargs)
        self.store = store
        self.event_id = event_id
        self.seed = int(seed)
        self.label_count = int(label_count)
        self.kinds = None if kinds is None else tuple(kinds)
        self.figure_keys = None if figure_keys is None else tuple(figure_keys)
        # Per view: where each person was drawn last, so a refresh places only newcomers.
        self.positions: dict[Hashable, tuple[float, float]] = {}
        self.latest_figures: NetworkFigures | None = None
        self._fingerprint = ""
        self._watcher: Any = None
        if store is not None and event_id is not None:
            self.refresh()
            if watch:
                self._watch()

    def refresh(self) -> bool:
        """Re-read the event's network; redraw only when it changed. Returns whether it did."""
        if self.store is None or self.event_id is None:
            return False
        from facilitation.network.rules import event_graph

        return self.show_graph(event_graph(self.store, self.event_id, kinds=self.kinds))

    def show_graph(self, graph: nx.Graph, figures: NetworkFigures | None = None) -> bool:
        """Draw any network (an event's, a series'); people already drawn keep their place."""
        mark = _fingerprint(graph, self.colour_by)
        if mark == self._fingerprint:
            return False
        self._fingerprint = mark
        figures = figures or network_figures(graph, seed=self.seed)
        drawing = map_data(
            graph,
            colour_by=self.colour_by,
            seed=self.seed,
            previous=self.positions,
            label_count=self.label_count,
        )
        self.positions = dict(drawing.positions)
        self.latest_figures = figures
        with self.hold_sync():
            self.nodes = drawing.nodes
            self.edges = drawing.edges
            self.legend = [list(x) for x in drawing.legend]
            rows = figure_rows(figures)
            keys = self.figure_keys
            self.figures = (
                rows
                if keys is None
                else sorted((r for r in rows if r["key"] in keys), key=lambda r: keys.index(r["key"]))
            )
            if graph.graph.get("title"):
                self.title = f"Who worked with whom: {graph.graph['title']}"
        return True

    def set_colour_by(self, colour_by: str) -> None:
        """Colour by "organisation" or "sector" (the layout stays)."""
        if colour_by != self.colour_by:
            self.colour_by = colour_by
            self._fingerprint = ""
            self.refresh()

    def _watch(self) -> None:
        from facilitation.live import Watcher

        self._watcher = Watcher(self.store, int(self.event_id))  # type: ignore[arg-type]
        self._watcher.on_change(self._on_change)
        self._watcher.start()

    def _on_change(self) -> None:
        from facilitation.events.rules import get_event

        if get_event(self.store, int(self.event_id)).phase.input != "links":  # type: ignore[arg-type]
            # The projector has moved on and dropped this map: stop polling.
            self.stop()
            return
        self.refresh()

    def stop(self) -> None:
        """Stop redrawing by itself."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    def close(self) -> None:
        """Close the widget and stop its watcher."""
        self.stop()
        super().close()


def map_widget(store: Any, event_id: int, **kwargs: Any) -> NetworkMap:
    """The projector's live collaboration map for an event (redraws itself while served)."""
    kwargs.setdefault("watch", True)
    return NetworkMap(store, event_id, **kwargs)


def series_map(store: Any, series_id: int, *, until_event: int | None = None, **kwargs: Any) -> NetworkMap:
    """The whole network of a series so far: everyone who came, every tie ever made.

    Ties first made at the latest event are drawn as new, older ones (and those
    between people who knew each other before) as renewed; the
    figures beside it are those of the whole series network.

    Examples
    --------
    >>> from facilitation.testing import scratch_event
    >>> store, _ = scratch_event()
    >>> series_map(store, 999).nodes
    []
    """
    from facilitation.network.rules import series_graph

    whole, per_event = series_graph(store, series_id, until_event=until_event)
    latest = per_event[-1].graph["event_id"] if per_event else None
    for _, _, d in whole.edges(data=True):
        fresh = d["first_event"] == latest and "knew before" not in d["kinds"]
        d["status"] = "new" if fresh else "renewed"
    kwargs.setdefault("title", "The series so far")
    widget = NetworkMap(**kwargs)
    widget.show_graph(whole)
    widget.title = kwargs["title"]
    return widget
