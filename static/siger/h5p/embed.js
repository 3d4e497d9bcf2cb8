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

  // The module's status card, progress bar and "next step" link, from the intake's answer: no reload needed.
  function moduleCompleted(data) {
    var card = document.getElementById("module-status");
    if (!card) return;
    var rule = document.getElementById("module-rule");
    if (rule) {
      var badge = document.createElement("p");
      badge.className = "badge ok";
      badge.textContent = card.dataset.doneText || "Selesai";
      rule.replaceWith(badge);
      var note = document.createElement("p");
      note.textContent = card.dataset.completedText || "";
      badge.after(note);
    }
    if (typeof data.progress_percent === "number") {
      var bar = card.querySelector(".progress");
      if (bar) {
        bar.setAttribute("aria-valuenow", String(data.progress_percent));
        var fill = bar.querySelector("span");
        if (fill) fill.style.width = data.progress_percent + "%";
      }
      var text = card.querySelector(".progress-text");
      if (text) text.textContent = (card.dataset.progressLabel || "Kemajuan") + ": " + data.progress_percent + "%";
    }
    var next = document.getElementById("step-next");
    if (next && data.next_url && next.tagName !== "A") {
      var link = document.createElement("a");
      link.id = "step-next";
      link.href = data.next_url;
      link.textContent = data.next_title + " →";
      next.replaceWith(link);
    }
  }

  function setup(box) {
    var frame = box.querySelector("iframe");
    var status = box.querySelector(".h5p-status");
    var playerOrigin = new URL(box.dataset.playerUrl, window.location.href).origin;
    // Statements wait in localStorage until the server has acknowledged them (stored, duplicate, or rejected as
    // malformed), so that nothing is lost offline, on a reload or when the server is down. The key names the
    // learner: on a shared computer, another account must not send them as its own.
    var queueKey = "siger-xapi:" + (box.dataset.queueKey || "") + ":" + (box.dataset.statementsUrl || "");
    var queue = queueLoad();
    var sending = false;
    var batchLimit = 50;  // below the server's limit; replaced by the `max_batch` it reports
    var retryDelay = 1000;
    if (queue.length) window.setTimeout(flush, 2000);  // left over from an earlier visit
    window.addEventListener("online", function () { retryDelay = 1000; flush(); });

    function queueLoad() {
      try {
        var kept = JSON.parse(window.localStorage.getItem(queueKey) || "[]");
        return Array.isArray(kept) ? kept : [];
      } catch (e) { return []; }
    }

    var done = {};  // ids this page has seen acknowledged: never taken back from another tab's copy

    function queueSave() {
      try {
        // Another tab of the same module may have queued statements under the same key: keep them too (both
        // tabs may then send one; the server recognises the repeat by its id).
        var have = {};
        queue.forEach(function (s) { if (s && s.id) have[s.id] = true; });
        queueLoad().forEach(function (s) {
          if (s && s.id && !have[s.id] && !done[s.id]) { queue.push(s); have[s.id] = true; }
        });
        if (queue.length) window.localStorage.setItem(queueKey, JSON.stringify(queue));
        else window.localStorage.removeItem(queueKey);
      } catch (e) { /* storage full or disabled: the queue is still kept in memory */ }
    }

    function enqueue(statement) {
      queue.push(statement);
      queueSave();
      window.setTimeout(flush, 200);
    }

    function post(message) {
      message.source = "siger-h5p-host";
      message.activity = box.dataset.activity;
      frame.contentWindow.postMessage(message, playerOrigin);
    }

    function flush() {
      if (sending || !queue.length || !box.dataset.statementsUrl) return;
      sending = true;
      // The head of the queue, at most one batch; it stays queued until the answer says what became of it.
      var batch = queue.slice(0, batchLimit);
      var again = 0;  // ms until the next try: at once after an answer, with a growing delay after a failure
      send(box.dataset.statementsUrl, "POST", batch).then(function (response) {
        // A proxy's error page is not JSON: its status alone decides.
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      }).then(function (reply) {
        var data = reply.data || {};
        if (data.max_batch > 0) batchLimit = Math.min(data.max_batch, 200);
        if (reply.ok) {
          batch.forEach(function (s) { if (s && s.id) done[s.id] = true; });
          queue.splice(0, batch.length);
          if (data.module_completed) status.textContent = "Aktivitas lulus. Modul selesai!";
          else if (data.passed) status.textContent = "Aktivitas lulus.";
          else if (data.last_percent !== null) status.textContent = "Nilai: " + data.last_percent + "%";
          if (data.module_completed) moduleCompleted(data);
          box.dataset.lastResult = JSON.stringify(data);
        } else if ((reply.status === 400 || reply.status === 409) && Array.isArray(data.rejected) && data.rejected.length) {
          // The server names each statement it refuses; only those are dropped, the rest is sent again at once.
          var refused = {};
          data.rejected.forEach(function (r) {
            refused[r.index] = true;
            if (batch[r.index] && batch[r.index].id) done[batch[r.index].id] = true;
          });
          var keep = batch.filter(function (_s, i) { return !refused[i]; });
          queue.splice.apply(queue, [0, batch.length].concat(keep));
          box.dataset.rejected = String(Number(box.dataset.rejected || 0) + data.rejected.length);
        } else if ((reply.status === 400 || reply.status === 413) && batch.length > 1) {
          batchLimit = Math.max(1, Math.floor(batch.length / 2));  // too many or too large: smaller batches
        } else if (reply.status === 400 || reply.status === 413) {
          if (batch[0] && batch[0].id) done[batch[0].id] = true;
          queue.splice(0, 1);  // one statement the server can never accept
          box.dataset.rejected = String(Number(box.dataset.rejected || 0) + 1);
        } else {
          again = retryDelay;  // offline, server error, rate limit, session expired: keep everything, retry later
        }
      }).catch(function () { again = retryDelay; }).then(function () {
        queueSave();
        sending = false;
        retryDelay = again ? Math.min(retryDelay * 2, 60000) : 1000;
        box.dataset.queued = String(queue.length);
        if (queue.length) window.setTimeout(flush, again);
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
        enqueue(data.statement);
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
