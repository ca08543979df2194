// Lists and controls drawn by the browser from JSON (facilitation/ui/lists.py).
//
// Every string a person typed is set with textContent, never as markup. A row's
// buttons are real <button>s (tab order, Enter and Space) whose message names the
// row by its id, never by its place, so a click still counts after another laptop
// redrew the list.

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function addClasses(node, cls) {
  for (const c of String(cls || "").split(/\s+/)) if (c) node.classList.add(c);
}

// -- a list: one <ul>, a <li> per row, rows kept by id -------------------------------
function drawRow(model, row) {
  const li = el("li", "fac-entry-row fac-list-row");
  addClasses(li, row.row_cls);
  li.dataset.id = String(row.id);
  if (row.check) {
    // a row that can be selected (the grouping board's keyboard path): a real checkbox
    const lab = el("label", "fac-list-check");
    const box = el("input");
    box.type = "checkbox";
    box.checked = !!row.check.checked;
    box.setAttribute("aria-label", row.check.label || "Select");
    box.dataset.action = "check";
    box.addEventListener("change", () => model.send({ action: "check", id: row.id, checked: box.checked }));
    lab.append(box, el("span", "fac-list-check-label", row.check.text || ""));
    li.appendChild(lab);
  }
  const card = el("div", "fac-list-card");
  addClasses(card, row.cls);
  for (const cell of row.cells || []) {
    if (cell.text === "" || cell.text === null || cell.text === undefined) continue;
    if (card.childNodes.length) card.appendChild(document.createTextNode(" "));  // read as words
    card.appendChild(el("span", cell.cls || "", cell.text));
  }
  li.appendChild(card);
  const buttons = row.buttons || [];
  if (buttons.length) {
    const bar = el("div", "fac-list-buttons");
    for (const b of buttons) {
      const button = el("button", "fac-list-button", b.label);
      addClasses(button, b.cls);
      button.type = "button";
      if (b.title) button.setAttribute("aria-label", b.title);
      if (b.title) button.title = b.title;
      button.disabled = !!b.disabled;
      button.dataset.action = b.action;
      button.addEventListener("click", () => {
        if (button.disabled) return;
        model.send({ action: b.action, id: row.id });
      });
      bar.appendChild(button);
    }
    li.appendChild(bar);
  }
  return li;
}

function renderList({ model, el: root }) {
  addClasses(root, "fac-list");
  const title = el("div", "fac-section-title");
  const list = el("ul", "fac-list-rows");
  list.setAttribute("role", "list");
  const empty = el("p", "fac-more");
  root.append(title, list, empty);
  const drawn = new Map(); // id -> [json, li]
  function draw() {
    const t = model.get("title");
    title.textContent = t || "";
    title.style.display = t ? "" : "none";
    list.setAttribute("aria-label", model.get("label") || t || "List");
    const rows = model.get("rows") || [];
    const keep = new Set();
    let before = null;
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i];
      const key = String(row.id);
      const json = JSON.stringify(row);
      let item = drawn.get(key);
      if (!item || item[0] !== json) {
        const li = drawRow(model, row);
        if (item) {
          // the same row changed: keep focus on the button of the same action
          const focused = item[1].contains(document.activeElement)
            ? document.activeElement.dataset.action : null;
          item[1].replaceWith(li);
          if (focused) {
            const again = li.querySelector(`[data-action="${CSS.escape(focused)}"]`);
            if (again && !again.disabled) again.focus();
          }
        }
        item = [json, li];
        drawn.set(key, item);
      }
      keep.add(key);
      if (item[1].nextSibling !== before || item[1].parentNode !== list) list.insertBefore(item[1], before);
      before = item[1];
    }
    for (const [key, item] of drawn) {
      if (!keep.has(key)) { item[1].remove(); drawn.delete(key); }
    }
    empty.textContent = rows.length ? "" : (model.get("empty") || "");
    empty.style.display = rows.length ? "none" : "";
  }
  draw();
  model.on("change:rows", draw);
  model.on("change:title", draw);
  model.on("change:empty", draw);
}

// -- controls: choices (radio groups, a select), text fields and buttons --------------
let uid = 0;

function renderControls({ model, el: root }) {
  addClasses(root, "fac-controls");
  const form = el("div", "fac-controls-row");
  root.appendChild(form);
  const values = {}; // what this browser shows, sent with every button
  const searching = {}; // a picker's typed search, kept when the form is redrawn

  function current() {
    return Object.assign({}, model.get("values") || {}, values);
  }

  function draw() {
    const focusedName = form.contains(document.activeElement)
      ? (document.activeElement.dataset.key || null) : null;
    form.replaceChildren();
    const state = current();
    for (const item of model.get("items") || []) {
      if (item.hidden) continue;
      let focusable = null;
      if (item.type === "radio") {
        const set = el("fieldset", "fac-choice");
        addClasses(set, item.cls);
        set.setAttribute("role", "radiogroup");
        const legend = el("legend", "fac-choice-legend", item.label);
        set.appendChild(legend);
        const name = `fac-choice-${++uid}`;
        for (const [label, value] of item.options || []) {
          const lab = el("label", "fac-choice-option");
          const input = el("input");
          input.type = "radio";
          input.name = name;
          input.value = value;
          input.checked = state[item.name] === value;
          input.disabled = !!item.disabled;
          input.dataset.key = `${item.name}=${value}`;
          input.addEventListener("change", () => {
            if (!input.checked) return;
            values[item.name] = value;
            model.send({ action: "choose", name: item.name, value });
          });
          lab.append(input, el("span", "", label));
          set.appendChild(lab);
          if (focusedName === input.dataset.key) focusable = input;
        }
        form.appendChild(set);
      } else if (item.type === "select") {
        const lab = el("label", "fac-select");
        addClasses(lab, item.cls);
        lab.appendChild(el("span", "fac-select-label", item.label));
        const select = el("select");
        select.dataset.key = item.name;
        select.disabled = !!item.disabled;
        for (const [label, value] of item.options || []) {
          const option = el("option", "", label);
          option.value = value;
          select.appendChild(option);
        }
        select.value = state[item.name] || "";
        select.addEventListener("change", () => {
          values[item.name] = select.value;
          model.send({ action: "choose", name: item.name, value: select.value });
        });
        lab.appendChild(select);
        form.appendChild(lab);
        if (focusedName === item.name) focusable = select;
      } else if (item.type === "text") {
        const lab = el("label", "fac-field");
        addClasses(lab, item.cls);
        lab.appendChild(el("span", "fac-field-label", item.label));
        const input = el("input");
        input.type = "text";
        input.dataset.key = item.name;
        input.placeholder = item.placeholder || "";
        input.maxLength = item.max_length || 200;
        input.value = state[item.name] || "";
        input.disabled = !!item.disabled;
        input.addEventListener("input", () => { values[item.name] = input.value; });
        input.addEventListener("change", () => {
          model.send({ action: "choose", name: item.name, value: input.value });
        });
        lab.appendChild(input);
        form.appendChild(lab);
        if (focusedName === item.name) focusable = input;
      } else if (item.type === "picker") {
        focusable = drawPicker(item, focusedName);
      } else if (item.type === "button") {
        const button = el("button", "fac-list-button", item.label);
        addClasses(button, item.cls);
        if (item.primary) button.classList.add("fac-primary");
        button.type = "button";
        button.dataset.key = `button:${item.action}`;
        button.disabled = !!item.disabled;
        if (item.title) { button.title = item.title; button.setAttribute("aria-label", item.title); }
        button.addEventListener("click", () => {
          if (button.disabled) return;
          model.send({ action: item.action, values: current() });
        });
        form.appendChild(button);
        if (focusedName === button.dataset.key) focusable = button;
      }
      if (focusable) focusable.focus();
    }
  }
  // a searchable person picker: type part of a name, choose from the matches (usable at 400)
  function drawPicker(item, focusedName) {
    const wrap = el("div", "fac-picker");
    addClasses(wrap, item.cls);
    const id = `fac-picker-${++uid}`;
    const lab = el("label", "fac-field-label", item.label);
    lab.htmlFor = id;
    const input = el("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.placeholder = item.placeholder || "Type part of a name";
    input.dataset.key = item.name;
    input.setAttribute("aria-describedby", id + "-chosen");
    const chosen = el("div", "fac-picker-chosen");
    chosen.id = id + "-chosen";
    chosen.setAttribute("aria-live", "polite");
    const list = el("ul", "fac-picker-list");
    list.setAttribute("aria-label", `${item.label}: people matching what you typed`);
    const options = item.options || [];
    function show() {
      const picked = current()[item.name];
      const hit = options.find((o) => String(o[1]) === String(picked));
      chosen.textContent = hit ? `Chosen: ${hit[0]}` : "Nobody chosen yet";
      chosen.classList.toggle("fac-picker-none", !hit);
      list.replaceChildren();
      const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      if (!words.length) { list.style.display = "none"; return; }
      list.style.display = "";
      const found = options.filter((o) => words.every((w) => String(o[0]).toLowerCase().includes(w)));
      if (!found.length) list.appendChild(el("li", "fac-more", "Nobody matches"));
      for (const [label, value] of found.slice(0, 8)) {
        const li = el("li");
        const pick = el("button", "fac-list-button fac-picker-option", label);
        pick.type = "button";
        pick.addEventListener("click", () => {
          values[item.name] = String(value);
          model.send({ action: "choose", name: item.name, value: String(value) });
          input.value = "";
          searching[item.name] = "";
          show();
          input.focus();
        });
        li.appendChild(pick);
        list.appendChild(li);
      }
      if (found.length > 8) list.appendChild(el("li", "fac-more", `${found.length - 8} more: type more of the name`));
    }
    input.value = searching[item.name] || "";
    input.addEventListener("input", () => { searching[item.name] = input.value; show(); });
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      const first = list.querySelector("button");
      if (first) { e.preventDefault(); first.click(); }
    });
    wrap.append(lab, input, chosen, list);
    form.appendChild(wrap);
    show();
    return focusedName === item.name ? input : null;
  }

  draw();
  model.on("change:items", draw);
  model.on("change:values", () => {
    // the kernel reset or filled the form: what this browser chose gives way
    Object.keys(values).forEach((k) => delete values[k]);
    draw();
  });
}

function render(args) {
  return args.model.get("part") === "controls" ? renderControls(args) : renderList(args);
}

export default { render };
