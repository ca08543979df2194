// The event's system map on the projector: elements placed by the same seeded layout
// as the collaboration map, arrows with heads, a legend. SVG built with
// createElementNS; every label is a text node (textContent), never markup.
const SVGNS = "http://www.w3.org/2000/svg";
const PAD = 60;
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
  el.classList.add("fac-sysmap-picture");
  const stage = div("fac-sysmap-stage");
  const aside = div("fac-sysmap-aside");
  el.append(stage, aside);
  const svg = svgEl("svg", { role: "img" });
  stage.append(svg);
  let W = 0, H = 0;

  function draw() {
    stage.style.height = model.get("height_px") + "px";
    W = stage.clientWidth || 1200; H = stage.clientHeight || model.get("height_px");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.textContent = "";
    const nodes = model.get("nodes"), edges = model.get("edges"), fs = model.get("font_px");
    const styles = model.get("relation_styles"), colours = model.get("kind_colours");
    svg.setAttribute("aria-label", `System map: ${nodes.length} elements, ${edges.length} arrows`);
    const defs = svgEl("defs");
    for (const [rel, st] of Object.entries(styles)) {
      const m = svgEl("marker", { id: "fac-sm-head-" + st.key, viewBox: "0 0 10 10", refX: 10, refY: 5,
        markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse", markerUnits: "strokeWidth" });
      m.append(svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: st.colour }));
      defs.append(m);
    }
    svg.append(defs);
    if (!nodes.length) {
      const t = svgEl("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "font-size": fs * 1.3, fill: "#333" });
      t.textContent = model.get("message");
      svg.append(t);
      return;
    }
    const uw = Math.max(W - 2 * PAD - 8 * fs, 10), uh = Math.max(H - 2 * PAD, 10);
    const at = {};
    for (const n of nodes) at[n.id] = [PAD + 4 * fs + n.x * uw, PAD + n.y * uh];
    const r = Math.max(10, fs * 0.6);
    const gE = svgEl("g");
    for (const e of edges) {
      const [x1, y1] = at[e.source], [x2, y2] = at[e.target];
      const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy) || 1;
      const st = styles[e.relation];
      // bend a little, so two arrows between one pair (both ways) do not overlap
      const mx = (x1 + x2) / 2 - dy * 0.12, my = (y1 + y2) / 2 + dx * 0.12;
      const sx = x1 + dx / len * r, sy = y1 + dy / len * r, ex = x2 - dx / len * (r + 3), ey = y2 - dy / len * (r + 3);
      const path = svgEl("path", { d: `M${sx},${sy} Q${mx},${my} ${ex},${ey}`, fill: "none", stroke: st.colour,
        "stroke-width": 2 + Math.min(e.count, 4), "marker-end": `url(#fac-sm-head-${st.key})`, class: "fac-sysmap-arrow" });
      if (st.dash) path.setAttribute("stroke-dasharray", st.dash);
      const tip = svgEl("title");
      tip.textContent = `${e.source_label} ${e.relation} ${e.target_label}`;
      path.append(tip);
      gE.append(path);
    }
    svg.append(gE);
    const gN = svgEl("g"), gL = svgEl("g", { "pointer-events": "none" });
    for (const n of nodes) {
      const [x, y] = at[n.id];
      const c = svgEl("circle", { cx: x, cy: y, r, fill: colours[n.kind] || "#777", stroke: "#1a1a1a", "stroke-width": 1.5, class: "fac-sysmap-node" });
      const tip = svgEl("title");
      tip.textContent = `${n.label} (${n.kind})`;
      c.append(tip);
      gN.append(c);
      const text = short(n.label, 28);
      const half = 0.3 * fs * text.length + fs / 2;
      const t = svgEl("text", { x: Math.min(Math.max(x, half), Math.max(half, W - half)), y: y - r - 6, "text-anchor": "middle",
        "font-size": fs, fill: "#111", stroke: "#fff", "stroke-width": fs / 4, "paint-order": "stroke", class: "fac-sysmap-node-label" });
      t.textContent = text;
      gL.append(t);
    }
    svg.append(gN, gL);
  }

  function drawAside() {
    aside.textContent = "";
    aside.append(div("fac-sysmap-title", model.get("title")));
    for (const f of model.get("figures")) {
      const box = div("fac-sysmap-figure");
      box.append(div("fac-sysmap-value", f.text), div("fac-sysmap-figlabel", f.label));
      aside.append(box);
    }
    const legend = div("fac-sysmap-legend");
    for (const [kind, colour] of Object.entries(model.get("kind_colours"))) {
      const row = div("fac-sysmap-key");
      const sw = document.createElement("span");
      sw.className = "fac-sysmap-swatch"; sw.style.background = colour;
      row.append(sw, document.createTextNode(kind));
      legend.append(row);
    }
    for (const [rel, st] of Object.entries(model.get("relation_styles"))) {
      const row = div("fac-sysmap-key");
      const sw = document.createElement("span");
      sw.className = "fac-sysmap-line"; sw.style.borderTopColor = st.colour;
      if (st.dash) sw.style.borderTopStyle = "dashed";
      row.append(sw, document.createTextNode(rel));
      legend.append(row);
    }
    aside.append(legend);
  }

  const ro = new ResizeObserver(() => {
    if (Math.abs(stage.clientWidth - W) > 2 || Math.abs(stage.clientHeight - H) > 2) draw();
  });
  ro.observe(stage);
  draw(); drawAside();
  for (const k of ["nodes", "edges", "font_px", "height_px", "message"]) model.on("change:" + k, draw);
  for (const k of ["figures", "title", "kind_colours", "relation_styles"]) model.on("change:" + k, drawAside);
  return () => ro.disconnect();
}
export default { render };
