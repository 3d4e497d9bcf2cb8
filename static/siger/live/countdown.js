// The "belum dimulai" countdown: ticks each second and reloads the page when the room opens, so the room's own
// script (and its socket) starts only then. Without JS the server-rendered "dalam N menit" still reads right.
(function () {
  "use strict";
  const node = document.getElementById("room-countdown");
  if (!node) return;
  const opensAt = Date.parse(node.dataset.opensAt);
  if (isNaN(opensAt)) return;
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    const left = Math.max(0, Math.round((opensAt - Date.now()) / 1000));
    if (left === 0) { location.reload(); return; }
    const days = Math.floor(left / 86400);
    const rest = left % 86400;
    const clock = pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor((rest % 3600) / 60)) + ":" + pad(rest % 60);
    node.textContent = (days ? days + " " + (node.dataset.days || "hari") + " " : "") + clock;
    setTimeout(tick, 1000);
  }
  tick();
})();
