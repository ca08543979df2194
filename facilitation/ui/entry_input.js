
function render({ model, el }) {
  const id = "fac-input-" + Math.random().toString(36).slice(2);
  const label = document.createElement("label");
  label.htmlFor = id;
  label.className = "fac-input-label";
  const input = document.createElement("input");
  input.id = id;
  input.type = "text";
  input.autocomplete = "off";
  input.spellcheck = true;
  el.appendChild(label);
  el.appendChild(input);
  // The text in the box is the browser's. A value the kernel sends back (the echo of
  // an older keystroke, late on a slow link) never overwrites what is being typed:
  // the kernel writes into the box only with a "fill" message (an edit, a cancel).
  function draw() {
    label.textContent = model.get("label");
    input.placeholder = model.get("placeholder");
    input.disabled = model.get("disabled");
    input.maxLength = model.get("max_length");
  }
  draw();
  model.on("change", draw);

  function showState(state, word, text) {
    // The page's one save line is drawn by the kernel; while the kernel cannot be
    // reached, or its word was lost on the way, only the browser can say where a
    // text is. Written inside the HTML widget's own content element: the kernel's
    // next word replaces exactly that element's content.
    const outer = document.querySelector(".fac-saved-state");
    if (!outer) return;
    const place = outer.querySelector(".widget-html-content") || outer;
    place.innerHTML = "";
    const box = document.createElement("div");
    box.className = "fac-state fac-state-" + state;
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = { saved: "\u2714", saving: "\u2026", "not-saved": "\u26a0" }[state] || "";
    const strong = document.createElement("strong");
    strong.textContent = word;
    box.appendChild(icon);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(strong);
    if (text) box.appendChild(document.createTextNode(": " + text));
    place.appendChild(box);
  }
  const short = (text) => text.length <= 60 ? text : text.slice(0, 57) + "\u2026";
  const norm = (text) => text.split(/\s+/).filter(Boolean).join(" ");

  // Every text sent has a draft id, made here; the id with the text names the write
  // (the kernel adds the table and the box), so the store keeps it once however
  // often it is sent. Enter sends the text and empties the box at once: what is
  // typed next is a new draft, never added to the one on its way. A sent text waits
  // in `pending` (and, with a draft_key, in this tab's sessionStorage) until the
  // kernel says the store has it ("Saved") or a rule refused it (it comes back into
  // an empty box); a reload asks the store about it before anything is sent again.
  const key = model.get("draft_key");
  const typingKey = "fac-draft:" + key;
  const sentKey = "fac-sent:" + key;
  const newDraft = () => (self.crypto && crypto.randomUUID) ? crypto.randomUUID()
    : Math.random().toString(36).slice(2) + Date.now().toString(36);
  const kept = (k) => {
    if (!key || !model.get("persist")) return null;
    try { return JSON.parse(sessionStorage.getItem(k) || "null"); } catch (e) { return null; }
  };
  const store = (k, v) => {
    try { if (v === null) sessionStorage.removeItem(k); else sessionStorage.setItem(k, JSON.stringify(v)); }
    catch (e) { /* private mode: drafts live as long as the page */ }
  };
  let draft = newDraft();
  const pending = new Map();  // draft id -> {draft, text, at}: sent, not yet confirmed
  let asked = 0;              // when the kernel was last asked about them
  let waiting = false;        // "no answer yet" is shown

  function keep() {
    // an edit (persist off) is not a draft to bring back after a reload or a phase move
    if (!key || !model.get("persist")) return;
    store(typingKey, input.value.trim() ? { draft: draft, text: input.value } : null);
    const sent = [...pending.values()].map((p) => ({ draft: p.draft, text: p.text }));
    store(sentKey, sent.length ? sent : null);
  }
  function sync() { model.set("value", input.value); model.set("draft", draft); model.save_changes(); }

  // the kernel's text (an edit in progress), else what was typed here and not sent
  const typed = kept(typingKey);
  if (model.get("value")) {
    input.value = model.get("value");
  } else if (typed && typeof typed.text === "string" && typeof typed.draft === "string") {
    input.value = typed.text;
    draft = typed.draft;
  }
  sync();
  const sentBefore = kept(sentKey);
  if (Array.isArray(sentBefore)) {
    for (const p of sentBefore) {
      if (p && typeof p.draft === "string" && typeof p.text === "string") {
        pending.set(p.draft, { draft: p.draft, text: p.text, at: Date.now() });
      }
    }
  }

  function ask() {
    asked = Date.now();
    for (const p of pending.values()) {
      try { model.send({ event: "check", draft: p.draft, value: p.text }); } catch (e) { /* asked again later */ }
    }
  }
  function send(p) {
    // the text travels with the submit: a value update still queued cannot be overtaken
    try { model.send({ event: "submit", value: p.text, draft: p.draft }); } catch (e) { /* asked again later */ }
  }
  if (pending.size) {
    // a reload (or the box drawn again) with texts sent and not confirmed: ask first
    showState("saving", "Checking", "whether \u201c" + short([...pending.values()][0].text) + "\u201d was saved");
    ask();
  }
  const timer = setInterval(() => {
    if (!pending.size) return;
    const oldest = Math.min(...[...pending.values()].map((p) => p.at));
    if (!waiting && Date.now() - oldest > 3000) {
      waiting = true;
      showState("saving", "Saving", "no answer from the event yet. What you typed is kept here "
        + "and is stored once, however often you press Enter.");
    }
    if (Date.now() - asked >= model.get("check_ms")) ask();  // answered once the link is back
  }, 500);

  function submit() {
    const text = input.value;
    if (!text.trim()) return;
    // the same text again while it is on its way (Enter pressed twice, typed again) is that draft
    const again = [...pending.values()].find((p) => norm(p.text) === norm(text));
    const p = again || { draft: draft, text: text };
    p.at = Date.now();
    pending.set(p.draft, p);
    if (p.draft === draft) draft = newDraft();
    waiting = false;
    asked = Date.now();
    showState("saving", "Saving", short(text));
    send(p);
    input.value = "";
    // no update now: one sent while the kernel writes would hold back (ipywidgets sends
    // one update at a time) the next text's update behind a click on Add; the next
    // keystroke carries these
    model.set("value", "");
    model.set("draft", draft);
    keep();
  }
  input.addEventListener("input", () => { model.set("value", input.value); model.save_changes(); keep(); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  model.on("msg:custom", (msg) => {
    if (!msg || typeof msg !== "object") return;
    if (typeof msg.fill === "string") {
      // the kernel puts a text into the box (an edit started or cancelled): a new draft
      input.value = msg.fill;
      draft = newDraft();
      sync();
      keep();
      return;
    }
    const p = pending.get(msg.draft);
    if (msg.stored) {
      if (p) {
        pending.delete(msg.draft);
      } else if (msg.draft === draft) {
        // stored by a button (Add): the box's own text; what was typed since stays
        if (input.value === msg.text) input.value = "";
        draft = newDraft();
        sync();
      } else {
        return;  // an older draft's late word
      }
      keep();
      waiting = false;
      showState("saved", "Saved", msg.saved || short(msg.text));
    } else if (p) {
      if (msg.refused) {
        // a rule said no (the kernel says why on the save line): the text comes back to
        // an empty box, under a new draft
        pending.delete(msg.draft);
        if (!input.value.trim()) { input.value = p.text; sync(); }
        keep();
      } else {
        // the store does not have it: the submit was lost on the way; send it again,
        // under the same name, so it is stored once
        send(p);
      }
    }
  });
  return () => clearInterval(timer);
}
export default { render };
