"""The collaboration map: an interactive network drawn by the browser, with its figures beside it.

A small anywidget whose inline ES module draws SVG: no CDN, no WebGL, works offline
in Voila. Every name reaches the page through ``textContent`` or an SVG ``<title>``
text node, never as markup, so typed text cannot run script on the projector. The
layout is computed in Python with a fixed seed and kept between refreshes (the
positions live in this view object), so the map does not jump while tables add links.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Iterable
from typing import Any

import anywidget
import networkx as nx
import traitlets

from facilitation.network.figures import NetworkFigures, network_figures
from facilitation.network.picture import map_data

__all__ = ["NetworkMap", "figure_rows", "map_widget", "series_map"]

_MAP_ESM = r"""
const SVGNS = "http://www.w3.org/2000/svg";
const PAD = 48;

function svgEl(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}
function div(cls, text) {
  const d = document.createElement("div");
  if (cls) d.className = cls;
  if (text !== undefined) d.textContent = text;
  return d;
}
function short(text, n) { return text.length <= n ? text : text.slice(0, n - 1) + "\u2026"; }

function render({ model, el }) {
  el.classList.add("fac-netmap");
  const stage = div("fac-netmap-stage");
  const aside = div("fac-netmap-aside");
  el.appendChild(stage); el.appendChild(aside);
  // The SVG's units are the stage's own pixels, so type and circles keep their
  // screen size whatever the projector's resolution.
  const svg = svgEl("svg", { role: "img" });
  stage.appendChild(svg);
  const detail = div("fac-netmap-detail");
  detail.setAttribute("aria-live", "polite");
  stage.appendChild(detail);
  let W = 0, H = 0;  // the stage's size in pixels

  function place(nodes) {
    // Fit the layout's box into the stage, keeping its proportions, centred.
    let ex = 0, ey = 0;
    for (const n of nodes) { ex = Math.max(ex, n.x); ey = Math.max(ey, n.y); }
    const uw = Math.max(W - 2 * PAD, 10), uh = Math.max(H - 2 * PAD - model.get("font_px"), 10);
    const k = Math.min(ex > 0 ? uw / ex : Infinity, ey > 0 ? uh / ey : Infinity, Math.max(uw, uh));
    // A wide screen may stretch the picture by half again, to spread the names out.
    const kx = Math.min(ex > 0 ? uw / ex : k, 1.5 * k), ky = Math.min(ey > 0 ? uh / ey : k, 1.5 * k);
    const ox = PAD + (uw - ex * kx) / 2, oy = PAD + model.get("font_px") + (uh - ey * ky) / 2;
    const at = {};
    for (const n of nodes) at[n.id] = [ox + n.x * kx, oy + n.y * ky];
    return at;
  }

  function draw() {
    stage.style.height = model.get("height_px") + "px";
    W = stage.clientWidth || 1200; H = stage.clientHeight || model.get("height_px");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const nodes = model.get("nodes"), edges = model.get("edges");
    svg.setAttribute("aria-label", `Collaboration map: ${nodes.length} people, ${edges.length} ties`);
    if (!nodes.length) {
      const t = svgEl("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "font-size": model.get("font_px") * 1.4, fill: "#333" });
      t.textContent = model.get("message") || "No one is on the map yet.";
      svg.appendChild(t);
      return;
    }
    const at = place(nodes);
    const r0 = 7, r1 = 26;
    const gEdges = svgEl("g", { "stroke-linecap": "round" });
    const byNode = {};
    for (const e of edges) {
      const [x1, y1] = at[e.source], [x2, y2] = at[e.target];
      const renewed = e.status !== "new";
      const line = svgEl("line", {
        x1, y1, x2, y2, class: "fac-netmap-edge " + (renewed ? "renewed" : "new"),
        stroke: renewed ? "#a6a6a6" : "#4d4d4d", "stroke-opacity": 0.45,
        "stroke-width": 1 + 0.8 * e.weight,
      });
      if (renewed) line.setAttribute("stroke-dasharray", "8 6");
      gEdges.appendChild(line);
      (byNode[e.source] = byNode[e.source] || []).push(line);
      (byNode[e.target] = byNode[e.target] || []).push(line);
    }
    svg.appendChild(gEdges);
    const gNodes = svgEl("g");
    const gLabels = svgEl("g", { "pointer-events": "none" });
    const fs = model.get("font_px");
    function label(n, x, y, r) {
      const text = short(n.label, 32);
      // keep the whole name on the map: a label centred on a node near the edge would
      // lose its ends (bold with a halo: about 0.7 em a character, half of it each side)
      const half = 0.36 * fs * text.length + fs / 2;
      const lx = Math.min(Math.max(x, half), Math.max(half, W - half));
      const t = svgEl("text", {
        x: lx, y: y - r - 6, "text-anchor": "middle", "font-size": fs, fill: "#111",
        stroke: "#fff", "stroke-width": fs / 4, "paint-order": "stroke", class: "fac-netmap-label",
      });
      t.textContent = text;
      return t;
    }
    let hoverLabel = null;
    for (const n of nodes) {
      const [x, y] = at[n.id];
      const r = r0 + (r1 - r0) * n.radius;
      const c = svgEl("circle", { cx: x, cy: y, r, fill: n.colour, stroke: "#1a1a1a", "stroke-width": 1.5, tabindex: 0 });
      const tip = svgEl("title");
      tip.textContent = `${n.label}${n.organisation ? " (" + n.organisation + ")" : ""}: ${n.ties} ties`;
      c.appendChild(tip);
      const focus = () => {
        for (const l of byNode[n.id] || []) { l.setAttribute("stroke-opacity", 0.95); }
        if (!n.show_label) { hoverLabel = label(n, x, y, r); gLabels.appendChild(hoverLabel); }
      };
      const blur = () => {
        for (const l of byNode[n.id] || []) { l.setAttribute("stroke-opacity", 0.45); }
        if (hoverLabel) { hoverLabel.remove(); hoverLabel = null; }
      };
      c.addEventListener("mouseenter", focus); c.addEventListener("mouseleave", blur);
      c.addEventListener("focus", focus); c.addEventListener("blur", blur);
      c.addEventListener("click", () => { model.set("selected", n.id); model.save_changes(); });
      gNodes.appendChild(c);
      if (n.show_label) gLabels.appendChild(label(n, x, y, r));
    }
    svg.appendChild(gNodes); svg.appendChild(gLabels);
    showDetail();
  }

  function showDetail() {
    const id = model.get("selected");
    const n = model.get("nodes").find((m) => m.id === id);
    detail.textContent = "";
    detail.hidden = !n;
    if (!n) return;
    detail.appendChild(div("fac-netmap-detail-name", n.label));
    const bits = [n.organisation, n.sector, n.table !== null && n.table !== undefined ? "table " + n.table : "", n.ties + " ties"];
    detail.appendChild(div("fac-netmap-detail-more", bits.filter(Boolean).join(" \u00b7 ")));
  }

  function drawAside() {
    aside.textContent = "";
    aside.appendChild(div("fac-netmap-title", model.get("title")));
    for (const f of model.get("figures")) {
      const box = div("fac-netmap-figure");
      box.appendChild(div("fac-netmap-value" + (f.key.startsWith("bridging") ? " fac-netmap-names" : ""), f.text));
      box.appendChild(div("fac-netmap-label", f.label));
      if (model.get("explain")) box.appendChild(div("fac-netmap-explain", f.explanation));
      aside.appendChild(box);
    }
    const legend = div("fac-netmap-legend");
    legend.appendChild(div("fac-netmap-label", "Colour: " + model.get("colour_by")));
    for (const [group, colour] of model.get("legend")) {
      const row = div("fac-netmap-key");
      const sw = document.createElement("span");
      sw.className = "fac-netmap-swatch"; sw.style.background = colour;
      row.appendChild(sw); row.appendChild(document.createTextNode(short(group, 40)));
      legend.appendChild(row);
    }
    for (const [name, dash] of [["new tie", false], ["renewed tie", true]]) {
      const row = div("fac-netmap-key");
      const sw = document.createElement("span");
      sw.className = "fac-netmap-line" + (dash ? " dashed" : "");
      row.appendChild(sw); row.appendChild(document.createTextNode(name));
      legend.appendChild(row);
    }
    aside.appendChild(legend);
  }

  const ro = new ResizeObserver(() => {
    if (Math.abs(stage.clientWidth - W) > 2 || Math.abs(stage.clientHeight - H) > 2) draw();
  });
  ro.observe(stage);
  draw(); drawAside();
  for (const k of ["nodes", "edges", "font_px", "height_px", "message"]) model.on("change:" + k, draw);
  for (const k of ["figures", "legend", "title", "colour_by", "explain"]) model.on("change:" + k, drawAside);
  model.on("change:selected", showDetail);
  return () => ro.disconnect();
}
export default { render };
"""

_MAP_CSS = """
.fac-netmap { display: flex; gap: 24px; align-items: stretch; width: 100%; font-family: inherit; color: #111; }
.fac-netmap-stage { flex: 1 1 auto; position: relative; min-width: 0; background: #fff; }
.fac-netmap-stage svg { width: 100%; height: 100%; display: block; }
.fac-netmap-stage circle { cursor: pointer; }
.fac-netmap-stage circle:focus { outline: none; stroke-width: 4; }
.fac-netmap-aside { flex: 0 0 min(30%, 420px); display: flex; flex-direction: column; gap: 10px; }
.fac-netmap-title { font-size: 1.2em; font-weight: bold; }
.fac-netmap-figure { border-left: 6px solid #332288; padding: 2px 10px; }
.fac-netmap-value { font-size: 1.6em; font-weight: bold; line-height: 1.1; }
.fac-netmap-names { font-size: 1em; }
.fac-netmap-label { font-size: 0.95em; font-weight: bold; }
.fac-netmap-explain { font-size: 0.7em; color: #333; }
.fac-netmap-legend { margin-top: 8px; font-size: 0.8em; }
.fac-netmap-key { display: flex; align-items: center; gap: 8px; margin: 2px 0; }
.fac-netmap-swatch { width: 1em; height: 1em; border-radius: 50%; border: 1px solid #1a1a1a; flex: none; }
.fac-netmap-line { width: 1.6em; border-top: 3px solid #4d4d4d; flex: none; }
.fac-netmap-line.dashed { border-top: 3px dashed #a6a6a6; }
.fac-netmap-detail { position: absolute; left: 12px; bottom: 12px; background: #fff; border: 2px solid #1a1a1a;
  padding: 6px 12px; max-width: 60%; }
.fac-netmap-detail-name { font-weight: bold; }
"""


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
