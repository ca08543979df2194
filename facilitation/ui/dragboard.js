
function token() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2);
}
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "fac-dragboard-grid";
  el.appendChild(root);
  let dragged = null;
  function send(target, entry) {
    const name = root.querySelector(".fac-drag-new-name");
    model.send({
      event: "drop", entry: Number(entry), target: String(target),
      name: name ? name.value : "", token: "drag-" + token(),
    });
    if (target === "new" && name) name.value = "";  // the name went with the drop
  }
  function column(title, target, entries, cls) {
    const col = document.createElement("section");
    col.className = "fac-drag-column " + cls;
    col.dataset.target = String(target);
    const head = document.createElement("h2");  // under the page's h1: a heading level is never skipped
    head.className = "fac-drag-title";
    head.textContent = title;
    col.appendChild(head);
    for (const e of entries) {
      const card = document.createElement("div");
      card.className = "fac-drag-entry";
      card.draggable = !model.get("disabled");
      card.dataset.entry = String(e.id);
      card.textContent = e.text;
      card.title = e.kind;
      card.addEventListener("dragstart", (ev) => {
        dragged = e.id;
        ev.dataTransfer.setData("text/plain", String(e.id));
        ev.dataTransfer.effectAllowed = "move";
        card.classList.add("fac-drag-moving");
      });
      card.addEventListener("dragend", () => { card.classList.remove("fac-drag-moving"); dragged = null; });
      col.appendChild(card);
    }
    col.addEventListener("dragover", (ev) => { ev.preventDefault(); col.classList.add("fac-drag-over"); });
    col.addEventListener("dragleave", () => col.classList.remove("fac-drag-over"));
    col.addEventListener("drop", (ev) => {
      ev.preventDefault();
      col.classList.remove("fac-drag-over");
      const id = ev.dataTransfer.getData("text/plain") || dragged;
      if (id !== null && id !== "") send(target, id);
    });
    return col;
  }
  function draw() {
    const keep = root.querySelector(".fac-drag-new-name");
    const typed = keep ? keep.value : "";
    root.replaceChildren();
    const entries = model.get("entries");
    const themes = model.get("themes");
    root.appendChild(column("Not in a theme", "none",
      entries.filter((e) => e.theme_id === null), "fac-drag-loose"));
    for (const t of themes) {
      root.appendChild(column(t.name, t.id, entries.filter((e) => e.theme_id === t.id), "fac-drag-theme"));
    }
    const fresh = column("Drop here for a new theme", "new", [], "fac-drag-new");
    const label = document.createElement("label");
    const id = "fac-drag-new-" + Math.random().toString(36).slice(2);
    label.htmlFor = id;
    label.textContent = "Name of the new theme";
    const input = document.createElement("input");
    input.id = id;
    input.type = "text";
    input.className = "fac-drag-new-name";
    input.maxLength = 200;
    input.value = typed;
    fresh.appendChild(label);
    fresh.appendChild(input);
    root.appendChild(fresh);
  }
  draw();
  model.on("change:entries", draw);
  model.on("change:themes", draw);
  model.on("change:disabled", draw);
}
export default { render };
