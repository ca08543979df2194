// A chime made in the browser (Web Audio: nothing downloaded) when the countdown reaches zero.
// The kernel sends the end time and whether the facilitator switched the chime on; the
// browser asks the kernel for its clock once, as the countdown does. Browsers keep sound
// off until someone clicks the page: while that is so, a small button offers to allow it.
function render({ model, el }) {
  el.classList.add("fac-chime");
  el.dataset.chimes = "0";
  let audio = null;
  let timer = null;
  let rung = null;
  let offset = 0;
  const allow = document.createElement("button");
  allow.type = "button";
  allow.className = "fac-chime-allow";
  allow.textContent = "Allow the chime";
  allow.hidden = true;
  el.appendChild(allow);
  function context() {
    if (!audio) {
      const AC = window.AudioContext || window.webkitAudioContext;
      if (AC) audio = new AC();
    }
    return audio;
  }
  function ring() {
    el.dataset.chimes = String(Number(el.dataset.chimes) + 1);
    const c = context();
    if (!c) return;
    const t0 = c.currentTime + 0.05;
    [660, 880, 1320].forEach((freq, i) => {
      const osc = c.createOscillator();
      const gain = c.createGain();
      const at = t0 + i * 0.3;
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.35, at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.4);
      osc.connect(gain).connect(c.destination);
      osc.start(at);
      osc.stop(at + 1.5);
    });
  }
  function schedule() {
    clearTimeout(timer);
    const on = model.get("enabled");
    const ends = model.get("ends_at");
    el.dataset.enabled = on ? "on" : "off";
    const c = on ? context() : null;
    allow.hidden = !c || c.state === "running";
    if (!on || ends === null || ends === undefined || ends === rung) return;
    const wait = (ends - (Date.now() / 1000 + offset)) * 1000;
    if (wait < -5000) return;  // it ended long before this page knew: no late chime
    timer = setTimeout(() => { rung = ends; ring(); }, Math.max(0, wait));
  }
  allow.addEventListener("click", () => {
    const c = context();
    if (c) c.resume().then(() => { allow.hidden = true; });
  });
  const sentAt = Date.now() / 1000;
  model.on("msg:custom", (msg) => {
    if (msg && msg.server_now !== undefined) {
      offset = msg.server_now - (sentAt + Date.now() / 1000) / 2;
      schedule();
    }
  });
  model.send({ sync: sentAt });
  model.on("change:enabled", schedule);
  model.on("change:ends_at", schedule);
  schedule();
  return () => clearTimeout(timer);
}
export default { render };
