
function render({ model, el }) {
  // The page scrolls inside #rendered_cells; make it reachable by keyboard (WCAG 2.1.1).
  const cells = document.getElementById("rendered_cells");
  if (cells && !cells.hasAttribute("tabindex")) {
    cells.tabIndex = 0;
    cells.setAttribute("role", "region");
    cells.setAttribute("aria-label", "Page content");
  }
  let last = Date.now();
  let lost = false;
  el.classList.add("fac-heartbeat");
  let shown = null;
  model.on("msg:custom", (msg) => {
    if (msg && msg.pong !== undefined) {
      last = Date.now();
      if (lost) clear();  // the link is back: the page works again, so it says nothing more
    }
  });
  function clear() {
    lost = false;
    if (shown) shown.remove();
    shown = null;
    document.body.classList.remove("fac-disconnected");
  }
  function banner() {
    if (lost) return;
    lost = true;
    const b = document.createElement("div");
    shown = b;
    b.className = "fac-reload-banner";
    b.setAttribute("role", "alert");
    const p = document.createElement("span");
    p.textContent = model.get("message");
    const btn = document.createElement("button");
    btn.textContent = "Reload the page";
    btn.addEventListener("click", () => window.location.reload());
    b.appendChild(p); b.appendChild(btn);
    document.body.appendChild(b);
    document.body.classList.add("fac-disconnected");
  }
  function beat() {
    // keep pinging while the banner shows: the first answer after it clears it
    if (Date.now() - last > model.get("timeout_ms")) banner();
    try { model.send({ ping: Date.now() }); } catch (e) { banner(); }
  }
  beat();
  const timer = setInterval(beat, model.get("interval_ms"));
  return () => clearInterval(timer);
}
export default { render };
