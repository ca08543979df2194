
function fmt(s) {
  s = Math.max(0, Math.round(s));
  const m = Math.floor(s / 60), r = s % 60;
  return m + ":" + String(r).padStart(2, "0");
}
function render({ model, el }) {
  el.classList.add("fac-countdown");
  const out = document.createElement("div");
  out.setAttribute("role", "timer");
  out.setAttribute("aria-live", "off");
  el.appendChild(out);
  let offset = 0;  // server clock minus this browser's clock, in seconds
  const sentAt = Date.now() / 1000;
  model.on("msg:custom", (msg) => {
    if (msg && msg.server_now !== undefined) {
      const now = Date.now() / 1000;
      offset = msg.server_now - (sentAt + now) / 2;
    }
  });
  model.send({ sync: sentAt });
  function draw() {
    const ends = model.get("ends_at");
    const left = model.get("remaining");
    let text, state;
    if (ends !== null && ends !== undefined) {
      const s = ends - (Date.now() / 1000 + offset);
      state = s <= 0 ? "over" : (s <= 60 ? "last-minute" : "running");
      text = state === "over" ? "Time" : fmt(s);  // at zero the room reads "Time", not "0:00"
    } else if (left !== null && left !== undefined) {
      text = fmt(left); state = "paused";
    } else { text = ""; state = "none"; }
    if (out.textContent !== text) out.textContent = text;
    el.dataset.state = state;
    out.setAttribute("aria-label", state === "paused" ? "Timer paused at " + text
      : (state === "over" ? "Time is up" : "Time left " + text));
  }
  draw();
  const timer = setInterval(draw, 250);
  model.on("change:ends_at", draw);
  model.on("change:remaining", draw);
  return () => clearInterval(timer);
}
export default { render };
