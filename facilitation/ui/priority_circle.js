// The priority circle on the projector: a sector per priority area, themes (circles)
// and groups (squares) placed in theirs. Geometry comes as JSON (unit circle);
// every name reaches the page as a text node (textContent), never markup.
const SVGNS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}
function short(text, n) { return text.length <= n ? text : text.slice(0, n - 1) + "\u2026"; }

function render({ model, el }) {
  el.classList.add("fac-circle");
  const svg = svgEl("svg", { role: "img", class: "fac-circle-svg" });
  el.append(svg);

  function arc(cx, cy, r, a0, a1) {
    const at = (deg) => { const t = deg * Math.PI / 180; return [cx + r * Math.sin(t), cy - r * Math.cos(t)]; };
    if (a1 - a0 >= 359.999) return `M${cx - r},${cy} a${r},${r} 0 1,0 ${2 * r},0 a${r},${r} 0 1,0 ${-2 * r},0`;
    const [x1, y1] = at(a0), [x2, y2] = at(a1);
    return `M${cx},${cy} L${x1},${y1} A${r},${r} 0 ${a1 - a0 > 180 ? 1 : 0},1 ${x2},${y2} Z`;
  }

  function draw() {
    const W = Math.max(el.clientWidth || 1200, 300), H = model.get("height_px"), fs = model.get("font_px");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.style.height = H + "px";
    svg.textContent = "";
    const sectors = model.get("sectors"), placements = model.get("placements");
    svg.setAttribute("aria-label", `Priority circle: ${sectors.length} priority areas, ${placements.length} placed`);
    const cx = W / 2, cy = H / 2, r = Math.min(W / 2 - 14 * fs, H / 2 - 2.2 * fs);
    if (!sectors.length) {
      const t = svgEl("text", { x: cx, y: cy, "text-anchor": "middle", "font-size": fs * 1.3, fill: "#333" });
      t.textContent = "This event has no priority areas.";
      svg.append(t);
      return;
    }
    const head = svgEl("text", { x: fs, y: fs * 1.4, "font-size": fs * 1.2, "font-weight": "bold", fill: "#111" });
    head.textContent = "Priority circle";
    svg.append(head);
    for (const s of sectors) {
      const p = svgEl("path", { d: arc(cx, cy, r, s.start, s.end), fill: s.fill, stroke: "#1a1a1a", "stroke-width": 2, class: "fac-circle-sector" });
      const tip = svgEl("title");
      tip.textContent = s.area;
      p.append(tip);
      svg.append(p);
      const lx = cx + s.label_x * r, ly = cy + s.label_y * r;
      const anchor = Math.abs(s.label_x) < 0.2 ? "middle" : (s.label_x > 0 ? "start" : "end");
      const t = svgEl("text", { x: lx, y: ly + (s.label_y > 0.5 ? fs : 0), "font-size": fs, "font-weight": "bold", "text-anchor": anchor, fill: "#111", class: "fac-circle-area" });
      t.textContent = short(s.area, 34);
      svg.append(t);
    }
    for (const p of placements) {
      const x = cx + p.x * r, y = cy + p.y * r, m = fs * 0.5;
      const mark = p.subject === "theme"
        ? svgEl("circle", { cx: x, cy: y, r: m, fill: p.colour, stroke: "#1a1a1a", "stroke-width": 1.5 })
        : svgEl("rect", { x: x - m, y: y - m, width: 2 * m, height: 2 * m, fill: p.colour, stroke: "#1a1a1a", "stroke-width": 1.5 });
      const tip = svgEl("title");
      tip.textContent = `${p.name} (${p.subject}): ${p.area}`;
      mark.append(tip);
      svg.append(mark);
      const t = svgEl("text", { x, y: y - m - 6, "font-size": fs, "text-anchor": "middle", fill: "#111",
        stroke: "#fff", "stroke-width": fs / 4, "paint-order": "stroke", class: "fac-circle-name" });
      t.textContent = short(p.name, 30);
      svg.append(t);
    }
  }
  const ro = new ResizeObserver(draw);
  ro.observe(el);
  draw();
  for (const k of ["sectors", "placements", "font_px", "height_px"]) model.on("change:" + k, draw);
  return () => ro.disconnect();
}
export default { render };
