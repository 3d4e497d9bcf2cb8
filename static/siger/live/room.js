/* Siger live room: chat, presence, hands and moderation over one websocket.
   Everything people typed is put on the page with textContent, never as HTML.
   The socket reconnects by itself with backoff and resumes from the last message id it saw; messages are kept
   by id, so a line received twice is shown once. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("room-config").textContent);
  const strings = {};
  document.getElementById("room-strings").content.querySelectorAll("[data-key]").forEach(function (el) {
    strings[el.dataset.key] = el.textContent.trim();
  });
  const $ = function (id) { return document.getElementById(id); };

  const state = {
    socket: null,
    attempts: 0,
    lastId: 0,
    me: null,
    messages: new Map(), // id → <li>
    deleted: new Set(),
    present: new Map(), // user id → participant
    hands: new Set(),
    muted: new Set(),
    chatOpen: true,
    pending: new Map(), // client id → text, resent after a reconnect until acknowledged
  };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function send(action, fields) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return false;
    state.socket.send(JSON.stringify(Object.assign({ action: action }, fields || {})));
    return true;
  }

  function showError(text) {
    const box = $("chat-error");
    box.textContent = text;
    box.hidden = !text;
  }

  // --- chat ------------------------------------------------------------------------------------------------

  function addMessage(message) {
    if (message.id > state.lastId) state.lastId = message.id;
    if (state.messages.has(message.id) || state.deleted.has(message.id)) return;
    const li = el("li", "chat-line");
    li.dataset.id = String(message.id);
    li.appendChild(el("strong", "author", message.author));
    const time = el("time", "small", new Date(message.at).toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }));
    time.dateTime = message.at;
    li.appendChild(document.createTextNode(" "));
    li.appendChild(time);
    li.appendChild(el("div", "text", message.text));
    if (config.moderator) {
      const del = el("button", "link", strings.delete);
      del.type = "button";
      del.addEventListener("click", function () { send("chat.delete", { id: message.id }); });
      li.appendChild(del);
    }
    const list = $("messages");
    let before = null;
    for (const [id, node] of state.messages) {
      if (id > message.id && (before === null || Number(before.dataset.id) > id)) before = node;
    }
    list.insertBefore(li, before);
    state.messages.set(message.id, li);
    if (before === null) list.scrollTop = list.scrollHeight;
  }

  function removeMessage(id) {
    state.deleted.add(id);
    const li = state.messages.get(id);
    if (li) li.remove();
    state.messages.delete(id);
  }

  function renderChatControls() {
    const mutedMe = state.me && state.muted.has(state.me.id) && !config.moderator;
    const closed = !state.chatOpen && !config.moderator;
    $("chat-closed").hidden = state.chatOpen;
    $("chat-muted").hidden = !mutedMe;
    $("chat-form").querySelectorAll("textarea, button").forEach(function (node) { node.disabled = mutedMe || closed; });
    const toggle = $("chat-toggle");
    if (toggle) toggle.textContent = state.chatOpen ? strings.closeChat : strings.openChat;
  }

  function renderPinned(text) {
    $("pinned-text").textContent = text;
    $("pinned").hidden = !text;
  }

  // --- people ----------------------------------------------------------------------------------------------

  function renderPeople() {
    const list = $("present");
    const only = $("people-class") ? $("people-class").value : "";  // the moderator's class filter
    const people = Array.from(state.present.values())
      .filter(function (p) { return !only || p.role === "moderator" || String(p.kelas) === only; })
      .sort(function (a, b) { return a.name.localeCompare(b.name); });
    list.replaceChildren();
    people.forEach(function (person) {
      const li = el("li", "person");
      li.dataset.userId = String(person.id);
      li.appendChild(el("span", "name", person.name));
      if (person.opd) li.appendChild(el("span", "small", " · " + person.opd));
      li.appendChild(el("span", "badge" + (person.role === "moderator" ? " ok" : ""), person.role === "moderator" ? strings.moderator : strings.learner));
      if (state.hands.has(person.id)) li.appendChild(el("span", "hand", " ✋"));
      if (state.muted.has(person.id)) li.appendChild(el("span", "small", " (" + strings.muted + ")"));
      if (config.moderator && person.role !== "moderator") {
        const isMuted = state.muted.has(person.id);
        const button = el("button", "link", isMuted ? strings.unmute : strings.mute);
        button.type = "button";
        button.addEventListener("click", function () { send(isMuted ? "unmute" : "mute", { user_id: person.id }); });
        li.appendChild(button);
      }
      list.appendChild(li);
    });
    $("present-count").textContent = String(people.length);
    renderHands();
  }

  function renderHands() {
    const hands = $("hands");
    if (hands) {
      hands.replaceChildren();
      state.hands.forEach(function (userId) {
        const person = state.present.get(userId);
        const li = el("li", "hand-line");
        li.dataset.userId = String(userId);
        li.appendChild(el("span", "name", person ? person.name : "#" + userId));
        const lower = el("button", "link", strings.lower);
        lower.type = "button";
        lower.addEventListener("click", function () { send("hand.lower", { user_id: userId }); });
        li.appendChild(lower);
        hands.appendChild(li);
      });
    }
    const own = $("hand-toggle");
    if (own && state.me) {
      const raised = state.hands.has(state.me.id);
      own.setAttribute("aria-pressed", raised ? "true" : "false");
      own.textContent = raised ? strings.lowerOwn : strings.raise;
    }
  }

  // --- frames from the server ------------------------------------------------------------------------------

  const handlers = {
    hello: function (frame) {
      state.me = frame.me;
      frame.deleted.forEach(removeMessage);
      frame.messages.forEach(addMessage);
      state.present = new Map(frame.presence.map(function (p) { return [p.id, p]; }));
      state.hands = new Set(frame.hands);
      state.muted = new Set(frame.muted);
      state.chatOpen = frame.room.chat_open;
      renderPinned(frame.room.pinned);
      renderChatControls();
      renderPeople();
      $("room-status").textContent = strings.connected;
      document.body.dataset.roomReady = "1";
      // Unacknowledged messages go again under the same client id: the server stores each id once.
      state.pending.forEach(function (text, id) { send("chat.send", { text: text, client_id: id }); });
    },
    "chat.message": function (frame) { addMessage(frame.message); },
    "chat.ack": function (frame) {
      state.pending.delete(frame.client_id);
      addMessage(frame.message);
    },
    "chat.deleted": function (frame) { removeMessage(frame.id); },
    presence: function (frame) {
      frame.left.forEach(function (id) { state.present.delete(id); });
      frame.joined.forEach(function (p) { state.present.set(p.id, p); });
      renderPeople();
    },
    hand: function (frame) {
      if (frame.raised) state.hands.add(frame.user_id); else state.hands.delete(frame.user_id);
      renderPeople();
    },
    "participant.muted": function (frame) {
      if (frame.muted) state.muted.add(frame.user_id); else state.muted.delete(frame.user_id);
      renderChatControls();
      renderPeople();
    },
    "room.state": function (frame) {
      state.chatOpen = frame.chat_open;
      renderPinned(frame.pinned);
      renderChatControls();
    },
    error: function (frame) {
      if (frame.client_id && state.pending.has(frame.client_id)) {
        const text = state.pending.get(frame.client_id);
        state.pending.delete(frame.client_id);
        if (frame.code !== "server_error" && !$("chat-text").value) $("chat-text").value = text;
        if (frame.code === "server_error") state.pending.set(frame.client_id, text);
      }
      showError(frame.message);
    },
  };

  // --- the socket ------------------------------------------------------------------------------------------

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const query = state.lastId ? "?after=" + state.lastId : "";
    const socket = new WebSocket(scheme + location.host + config.socket + query);
    state.socket = socket;
    socket.addEventListener("open", function () { state.attempts = 0; });
    socket.addEventListener("message", function (event) {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      const handler = handlers[frame.type];
      if (handler) handler(frame);
    });
    socket.addEventListener("close", function (event) {
      if (state.socket !== socket) return;
      delete document.body.dataset.roomReady;
      if (event.code === 4403) {  // live/events.py CLOSE_ACCESS_REVOKED: no reconnecting
        $("room-status").textContent = strings.revoked;
        return;
      }
      $("room-status").textContent = strings.reconnecting;
      // Exponential backoff with jitter, so that a restarted server is not hit by every browser at once.
      const delay = Math.min(15000, 500 * Math.pow(2, state.attempts)) * (0.5 + Math.random() / 2);
      state.attempts += 1;
      setTimeout(connect, delay);
    });
  }

  // --- what the person does --------------------------------------------------------------------------------

  if ($("people-class")) $("people-class").addEventListener("change", renderPeople);

  $("chat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const input = $("chat-text");
    const text = input.value.trim();
    if (!text) return;
    const id = clientId();
    state.pending.set(id, text);
    showError("");
    if (send("chat.send", { text: text, client_id: id })) input.value = "";
    else showError(strings.sendFailed);
  });

  // Enter sends, as in every chat; Shift+Enter starts a new line.
  $("chat-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("chat-form").requestSubmit();
    }
  });

  const handToggle = $("hand-toggle");
  if (handToggle) {
    handToggle.addEventListener("click", function () {
      send(state.hands.has(state.me.id) ? "hand.lower" : "hand.raise");
    });
  }

  const pinForm = $("pin-form");
  if (pinForm) {
    pinForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send("pin", { text: $("pin-text").value });
    });
    $("chat-toggle").addEventListener("click", function () {
      send(state.chatOpen ? "chat.close" : "chat.open");
    });
  }

  // Classroom: the instructor's check-in code turns over every 30 seconds.
  const code = $("checkin-code");
  if (code && config.codeUrl) {
    const refresh = function () {
      fetch(config.codeUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          code.textContent = data.code;
          const svg = new DOMParser().parseFromString(data.svg, "image/svg+xml").documentElement;
          $("checkin-qr").replaceChildren(document.importNode(svg, true));
          setTimeout(refresh, (data.seconds_left + 0.5) * 1000);
        })
        .catch(function () { setTimeout(refresh, 5000); });
    };
    setTimeout(refresh, (Number(code.dataset.secondsLeft) + 0.5) * 1000);
  }

  connect();
})();
