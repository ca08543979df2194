// The table's system map panel: add an element (text box + kind + Add), add an arrow
// (from + relation + to + Add), and the table's own elements and arrows with Remove.
// Drawn from JSON state; every typed text reaches the page through textContent.
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, String(v));
  }
  if (text !== undefined) e.textContent = text;
  return e;
}
function newDraft() { return Math.random().toString(36).slice(2) + Date.now().toString(36); }

function render({ model, el: root }) {
  const uid = "fac-sm-" + Math.random().toString(36).slice(2, 8);
  root.classList.add("fac-sysmap-panel");
  const pending = new Map();  // draft -> {msg, at}

  // --- add an element
  const f1 = el("form", { class: "fac-sysmap-form fac-sysmap-add-element", "aria-label": "Add an element" });
  const h1 = el("h2", {}, "Add an element");
  const labelId = uid + "-label", kindId = uid + "-kind";
  const labelBox = el("input", { id: labelId, type: "text", class: "fac-sysmap-label", maxlength: 200, autocomplete: "off" });
  const kindSel = el("select", { id: kindId, class: "fac-sysmap-kind" });
  const addEl = el("button", { type: "submit", class: "fac-sysmap-add" }, "Add element");
  const r1 = el("div", { class: "fac-sysmap-row" });
  const c1 = el("div", { class: "fac-sysmap-field fac-sysmap-grow" });
  c1.append(el("label", { for: labelId }, "Element"), labelBox);
  const c2 = el("div", { class: "fac-sysmap-field" });
  c2.append(el("label", { for: kindId }, "Kind"), kindSel);
  r1.append(c1, c2, addEl);
  f1.append(h1, r1);

  // --- add an arrow
  const f2 = el("form", { class: "fac-sysmap-form fac-sysmap-add-arrow", "aria-label": "Add an arrow" });
  const h2 = el("h2", {}, "Add an arrow");
  const fromId = uid + "-from", relId = uid + "-rel", toId = uid + "-to";
  const fromSel = el("select", { id: fromId, class: "fac-sysmap-from" });
  const relSel = el("select", { id: relId, class: "fac-sysmap-relation" });
  const toSel = el("select", { id: toId, class: "fac-sysmap-to" });
  const addAr = el("button", { type: "submit", class: "fac-sysmap-add" }, "Add arrow");
  const r2 = el("div", { class: "fac-sysmap-row" });
  for (const [id, text, sel] of [[fromId, "From", fromSel], [relId, "Relation", relSel], [toId, "To", toSel]]) {
    const c = el("div", { class: "fac-sysmap-field" });
    c.append(el("label", { for: id }, text), sel);
    r2.append(c);
  }
  r2.append(addAr);
  f2.append(h2, r2);

  // --- what this table drew
  const lists = el("div", { class: "fac-sysmap-lists" });
  const hE = el("h2", {}, "Our elements");
  const ulE = el("ul", { class: "fac-sysmap-elements" });
  const hA = el("h2", {}, "Our arrows");
  const ulA = el("ul", { class: "fac-sysmap-arrows" });
  lists.append(hE, ulE, hA, ulA);
  root.append(f1, f2, lists);

  function send(msg) {
    pending.set(msg.draft, { msg, at: Date.now() });
    model.send(msg);
  }
  const timer = setInterval(() => {
    for (const p of pending.values()) {
      if (Date.now() - p.at > 4000) { p.at = Date.now(); model.send(p.msg); }  // same draft: stored once
    }
  }, 1000);

  f1.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!labelBox.value.trim()) { labelBox.focus(); return; }
    const again = [...pending.values()].find((p) => p.msg.op === "element" && p.msg.label === labelBox.value);
    send(again ? again.msg : { op: "element", draft: newDraft(), label: labelBox.value, kind: kindSel.value });
  });
  f2.addEventListener("submit", (e) => {
    e.preventDefault();
    send({ op: "arrow", draft: newDraft(), source: Number(fromSel.value), relation: relSel.value, target: Number(toSel.value) });
  });

  model.on("msg:custom", (msg) => {
    if (!msg || typeof msg !== "object" || !pending.has(msg.draft)) return;
    const p = pending.get(msg.draft);
    pending.delete(msg.draft);
    if (msg.stored && p.msg.op === "element" && labelBox.value === p.msg.label) {
      labelBox.value = "";
      labelBox.focus();
    }
  });

  function fill(sel, options, keep) {
    const before = sel.value;
    sel.textContent = "";
    for (const [value, text] of options) sel.append(el("option", { value: value }, text));
    if (keep && options.some(([v]) => String(v) === before)) sel.value = before;
  }

  function draw() {
    const open = model.get("writable");
    fill(kindSel, model.get("kinds").map((k) => [k, k]), true);
    fill(relSel, model.get("relations").map((r) => [r, r]), true);
    const choices = model.get("choices").map((c) => [c.id, c.text]);
    fill(fromSel, choices, true);
    fill(toSel, choices, true);
    if (choices.length > 1 && fromSel.value === toSel.value) toSel.selectedIndex = 1;
    for (const c of [labelBox, kindSel, addEl]) c.disabled = !open;
    for (const c of [fromSel, relSel, toSel, addAr]) c.disabled = !open || choices.length < 2;
    ulE.textContent = "";
    for (const item of model.get("elements")) {
      const li = el("li", { class: "fac-sysmap-item" });
      li.append(el("span", { class: "fac-sysmap-badge fac-sysmap-" + item.kind }, item.kind), el("span", { class: "fac-sysmap-text" }, item.label));
      if (item.merged) li.append(el("span", { class: "fac-sysmap-note" }, "shown as \u201c" + item.merged + "\u201d"));
      const rm = el("button", { type: "button", class: "fac-sysmap-remove", "aria-label": "Remove " + item.label }, "Remove");
      rm.disabled = !open;
      rm.addEventListener("click", () => send({ op: "remove_element", draft: newDraft(), id: item.id }));
      li.append(rm);
      ulE.append(li);
    }
    if (!model.get("elements").length) ulE.append(el("li", { class: "fac-sysmap-empty" }, "None yet: add the key drivers, dependencies, actors and resources."));
    ulA.textContent = "";
    for (const a of model.get("arrows")) {
      const li = el("li", { class: "fac-sysmap-item" });
      li.append(el("span", { class: "fac-sysmap-text" }, a.source_label), el("span", { class: "fac-sysmap-rel" }, a.relation), el("span", { class: "fac-sysmap-text" }, a.target_label));
      const rm = el("button", { type: "button", class: "fac-sysmap-remove", "aria-label": "Remove arrow " + a.source_label + " " + a.relation + " " + a.target_label }, "Remove");
      rm.disabled = !open;
      rm.addEventListener("click", () => send({ op: "remove_arrow", draft: newDraft(), id: a.id }));
      li.append(rm);
      ulA.append(li);
    }
    if (!model.get("arrows").length) ulA.append(el("li", { class: "fac-sysmap-empty" }, "None yet: an arrow needs two elements."));
  }
  draw();
  for (const k of ["elements", "arrows", "choices", "kinds", "relations", "writable"]) model.on("change:" + k, draw);
  return () => clearInterval(timer);
}
export default { render };
