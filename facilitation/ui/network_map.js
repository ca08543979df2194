
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
