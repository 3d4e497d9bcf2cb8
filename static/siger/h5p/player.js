// Runs inside the player iframe, on the player host: an origin of its own, without the site's cookies. Talks to
// the embedding page only through postMessage with an explicit target origin, and accepts messages only from an
// allowed parent origin (the site), never from its own origin where package code runs.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("h5p-config").textContent);
  var allowed = (config.parentOrigins || []).filter(function (origin) { return origin !== window.location.origin; });
  var parentOrigin = null;
  var started = false;
  var lastState = null;

  // The player host is another site than the module page in the embedded default (localhost inside 127.0.0.1),
  // and browsers that block third-party storage throw on any touch of localStorage there. H5P core reads it
  // unguarded (clipboard, xAPI request queue), in this window and in the about:blank frame it writes the content
  // into: an in-memory stand-in keeps the content working (nothing H5P keeps there needs to outlive the page).
  function memoryStorage() {
    var items = {};
    return {
      getItem: function (key) { return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null; },
      setItem: function (key, value) { items[key] = String(value); },
      removeItem: function (key) { delete items[key]; },
      clear: function () { items = {}; },
      key: function (n) { return Object.keys(items)[n] || null; },
      get length() { return Object.keys(items).length; }
    };
  }
  function shimStorage(win) {
    ["localStorage", "sessionStorage"].forEach(function (name) {
      try { if (win[name]) return; } catch (e) { /* denied: replace it below */ }
      try { Object.defineProperty(win, name, { value: memoryStorage(), configurable: true }); } catch (e) { /* keep */ }
    });
  }
  shimStorage(window);
  var frameDocument = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, "contentDocument");
  Object.defineProperty(HTMLIFrameElement.prototype, "contentDocument", {
    configurable: true,
    get: function () {
      var doc = frameDocument.get.call(this);
      if (doc && doc.defaultView) shimStorage(doc.defaultView);
      return doc;
    }
  });

  function send(message) {
    if (!parentOrigin || window.parent === window) return;
    message.source = "siger-h5p";
    message.activity = config.activity;
    window.parent.postMessage(message, parentOrigin);
  }

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // The player writes the content into an about:blank iframe of its own: H5P instances live there.
  function instances() {
    var windows = [window];
    document.querySelectorAll("iframe").forEach(function (frame) {
      try { if (frame.contentWindow && frame.contentWindow.H5P) windows.push(frame.contentWindow); } catch (e) { /* other origin */ }
    });
    var found = [];
    windows.forEach(function (w) { if (w.H5P && w.H5P.instances) found = found.concat(w.H5P.instances); });
    return found;
  }

  function saveState() {
    var list = instances();
    for (var i = 0; i < list.length; i++) {
      if (typeof list[i].getCurrentState === "function") {
        var state = list[i].getCurrentState();
        if (state === undefined) return;
        var json = JSON.stringify(state);
        if (json !== lastState) {
          lastState = json;
          send({ type: "state", state: json });
        }
        return;
      }
    }
  }

  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    send({ type: "resize", height: height });
  }

  function start(init) {
    if (started) return;
    started = true;
    var options = Object.assign({}, config.options);
    if (init && init.state) {
      lastState = init.state;
      // H5P core reads contentUserData[subContentId][dataType] as a JSON string.
      options.contentUserData = [{ state: init.state }];
    }
    // No `user` option: with a user set, H5P core would also load and save state through its own AJAX URL.
    // The server sets the actor from the session anyway.
    // H5P core hands `previousState` to the content only when saveFreq is set. Its own save goes nowhere without
    // a `user` (it just reports "not signed in"); saving is ours: getCurrentState() is sent to the parent below.
    options.saveFreq = 30;
    var element = document.getElementById("h5p-container");
    new H5PStandalone.H5P(element, options).then(function () {
      H5P.externalDispatcher.on("xAPI", function (event) {
        var statement = JSON.parse(JSON.stringify(event.data.statement));
        // The id makes the server's store idempotent when the parent retries.
        if (!statement.id) statement.id = uuid4();
        send({ type: "xapi", statement: statement });
        window.setTimeout(saveState, 300);
      });
      window.setInterval(saveState, 3000);
      window.addEventListener("pagehide", saveState);
      if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
      window.setInterval(reportHeight, 1000);
      reportHeight();
      document.body.setAttribute("data-h5p-ready", "1");
      send({ type: "loaded" });
    }).catch(function (error) {
      document.getElementById("h5p-error").hidden = false;
      send({ type: "error", message: String(error) });
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || allowed.indexOf(event.origin) === -1) return;
    var data = event.data || {};
    if (data.source !== "siger-h5p-host" || data.activity !== config.activity) return;
    parentOrigin = event.origin;
    if (data.type === "init") start(data);
    if (data.type === "save") saveState();
  });

  if (config.standalone || window.parent === window) {
    start(null);
  } else {
    // The parent's origin is not known yet: announce readiness to every allowed origin (no data is sent),
    // again until answered, since the parent's script may attach its listener after this frame loaded.
    var tries = 0;
    var announce = function () {
      if (started || tries++ > 40) return;
      allowed.forEach(function (origin) {
        try { window.parent.postMessage({ source: "siger-h5p", type: "ready", activity: config.activity }, origin); } catch (e) { /* ignore */ }
      });
      window.setTimeout(announce, 250);
    };
    announce();
  }
})();
