// Module page side of the H5P bridge: gives each player iframe its saved state, forwards its xAPI statements
// and state to the server (session cookie + CSRF header), and sizes the iframe to its content.
(function () {
  "use strict";
  if (window.sigerH5PEmbed) return;  // the script is included once per block
  window.sigerH5PEmbed = true;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function send(url, method, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    });
  }

  function setup(box) {
    var frame = box.querySelector("iframe");
    var status = box.querySelector(".h5p-status");
    var playerOrigin = new URL(box.dataset.playerUrl, window.location.href).origin;
    var queue = [];
    var sending = false;

    function post(message) {
      message.source = "siger-h5p-host";
      message.activity = box.dataset.activity;
      frame.contentWindow.postMessage(message, playerOrigin);
    }

    function flush() {
      if (sending || !queue.length || !box.dataset.statementsUrl) return;
      sending = true;
      var batch = queue.splice(0, queue.length);
      send(box.dataset.statementsUrl, "POST", batch).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
      }).then(function (reply) {
        if (reply.ok) {
          if (reply.data.module_completed) status.textContent = "Aktivitas lulus. Modul selesai!";
          else if (reply.data.passed) status.textContent = "Aktivitas lulus.";
          else if (reply.data.last_percent !== null) status.textContent = "Nilai: " + reply.data.last_percent + "%";
          box.dataset.lastResult = JSON.stringify(reply.data);
        } else if (reply.status >= 500 || reply.status === 429) {
          queue = batch.concat(queue);  // same ids: the server recognises a retried statement
        }
      }).catch(function () { queue = batch.concat(queue); }).then(function () {
        sending = false;
        if (queue.length) window.setTimeout(flush, 1000);
      });
    }

    window.addEventListener("message", function (event) {
      if (event.origin !== playerOrigin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.source !== "siger-h5p" || data.activity !== box.dataset.activity) return;
      if (data.type === "ready") {
        if (box.dataset.initSent) return;
        box.dataset.initSent = "1";
        if (!box.dataset.stateUrl) { post({ type: "init", state: null }); return; }
        fetch(box.dataset.stateUrl, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { state: null }; })
          .catch(function () { return { state: null }; })
          .then(function (saved) { post({ type: "init", state: saved.state }); });
      } else if (data.type === "xapi") {
        queue.push(data.statement);
        window.setTimeout(flush, 200);
      } else if (data.type === "state" && box.dataset.stateUrl) {
        send(box.dataset.stateUrl, "PUT", { state: data.state }).then(function () { box.dataset.stateSaved = String(Date.now()); });
      } else if (data.type === "resize" && data.height > 0) {
        frame.style.height = Math.min(Math.max(data.height, 150), 5000) + "px";
      } else if (data.type === "loaded") {
        box.dataset.loaded = "1";
      } else if (data.type === "error") {
        status.textContent = "Aktivitas tidak dapat dimuat.";
        box.dataset.error = data.message || "error";
      }
    });
  }

  function init() { document.querySelectorAll(".siger-h5p").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
