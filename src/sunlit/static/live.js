/* Sunlit live room: video (hls.js, or the recording after the end), chat, likes, shares,
   the shelf with live stock and a countdown, and buying in a sheet without leaving the room.
   The control page uses the same connection for its live figures and chat with moderation. */
(function () {
  "use strict";
  var room = document.getElementById("room") || document.getElementById("control");
  if (!room) return;
  var text = JSON.parse(document.getElementById("room-text").textContent);
  var initial = JSON.parse(document.getElementById("room-state").textContent);
  var session = room.dataset.session;
  var control = room.id === "control";
  var skew = (initial.now || Date.now()) - Date.now(); // server time minus ours
  var state = initial;
  var likes = initial.likes || 0;
  var ws = null;
  var beat = null;
  var retry = 1000;
  var closedForGood = false;
  // A ticket opens one connection within about a minute: the page's own is for its first
  // connection, and every reconnection asks for a fresh one for whoever is signed in now.
  var ticket = room.dataset.ticket;
  var signedIn = room.dataset.signedIn === "yes";
  var me = null; // the account the server says this connection is, once it has said

  function $(id) { return document.getElementById(id); }
  function fmt(s, params) {
    return s.replace(/%\((\w+)\)s/g, function (_, k) { return params[k]; });
  }
  function yuan(fen) {
    return "¥" + (fen / 100).toLocaleString(room.dataset.lang === "zh" ? "zh-CN" : "en-GB",
      { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function setText(id, value) { var el = $(id); if (el) el.textContent = value; }
  function showError(message) {
    var el = $("room-error");
    if (!el) return;
    el.textContent = message || "";
    el.hidden = !message;
  }

  // --- video -------------------------------------------------------------------------------
  var video = $("player");
  var hls = null;
  function note(message) { var el = $("player-note"); if (el) { el.textContent = message || ""; el.hidden = !message; } }
  var liveRetry = null;
  function playLive() {
    if (!video || closedForGood) return;
    var src = room.dataset.video + "/hls/" + session + ".m3u8";
    if (window.Hls && window.Hls.isSupported()) {
      if (hls) hls.destroy();
      hls = new window.Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 1000 });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () { note(""); video.play().catch(function () {}); });
      hls.on(window.Hls.Events.ERROR, function (_, data) {
        if (data.fatal) { note(text.waiting_video); liveRetry = setTimeout(playLive, 3000); }
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
    } else {
      note(text.waiting_video);
    }
  }
  var recordingTries = 0;
  function playRecording() {
    if (!video) return;
    if (hls) { hls.destroy(); hls = null; }
    var name = room.dataset.recording;
    if (!name && room.dataset.recordingMissing === "yes") {
      note(text.recording_missing);  // long ended with none: none is coming
      return;
    }
    if (!name) {
      note(text.no_recording);
      if (recordingTries++ < 40) setTimeout(checkRecording, 3000);
      return;
    }
    video.muted = true;
    video.onerror = function () {
      note(text.no_recording);
      if (recordingTries++ < 40) setTimeout(playRecording, 3000);
    };
    video.onloadeddata = function () { note(""); };
    video.src = room.dataset.video + "/recordings/" + name;
    video.play().catch(function () {});
  }
  function checkRecording() {
    fetch("/api/v1/live/" + session, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) { if (s.recording) room.dataset.recording = s.recording; playRecording(); })
      .catch(function () { setTimeout(checkRecording, 3000); });
  }

  // --- shelf -------------------------------------------------------------------------------
  function unitOf(p) {
    return p.unit === "box" ? fmt(text.box_of, { grams: p.box_grams }) : (text.units[p.unit] || p.unit);
  }
  // The whole shelf is on the page (in the plan's order); the pinned product moves first,
  // marked, with its price band, the offer's countdown and the in-room Buy button. Once the
  // session has ended nothing is pinned: each product links to its own page.
  var list = $("shelf-list");
  var planOrder = list ? Array.prototype.slice.call(list.children) : [];
  planOrder.sort(function (a, b) { return Number(a.dataset.order) - Number(b.dataset.order); });
  var shown = null; // what the pinned card was last built from
  function stockText(p) {
    if (!p.on_sale) return text.suspended;
    return p.stock <= 0 ? text.sold_out : fmt(text.stock, { stock: p.stock });
  }
  function pinnedCard(live, p) {
    live.textContent = "";
    if (p.band) {
      var band = document.createElement("div");
      band.className = "band band-" + p.band.status;
      band.innerHTML = '<div class="band-track" role="img"><span class="band-marker"></span></div>' +
        '<p class="band-legend"><span></span><strong></strong><span></span></p>';
      band.querySelector(".band-track").setAttribute("aria-label",
        text.band[p.band.status] + ": " + yuan(p.band.low) + " – " + yuan(p.band.high));
      band.querySelector(".band-marker").style.left = p.band.percent + "%";
      var legend = band.querySelectorAll(".band-legend > *");
      legend[0].textContent = yuan(p.band.low);
      legend[1].textContent = text.band[p.band.status];
      legend[2].textContent = yuan(p.band.high);
      live.appendChild(band);
    } else {
      var nb = document.createElement("p");
      nb.className = "muted small";
      nb.textContent = text.no_band;
      live.appendChild(nb);
    }
    if (state.offer_ends_at) {
      var offer = document.createElement("p");
      offer.className = "countdown";
      offer.innerHTML = '<span></span> <strong id="countdown"></strong>';
      offer.firstChild.textContent = text.ends_in;
      live.appendChild(offer);
      tick();
    }
    var buy;
    if (room.dataset.signedIn !== "yes") {
      buy = document.createElement("a");
      buy.href = "/signin?next=/live/" + session;
      buy.className = "button wide";
      buy.textContent = text.sign_in;
    } else {
      buy = document.createElement("button");
      buy.type = "button";
      buy.className = "button wide";
      buy.id = "buy";
      var open = p.stock > 0 && p.on_sale && state.status === "live";
      buy.disabled = !open;
      buy.textContent = p.stock <= 0 ? text.sold_out : (p.on_sale ? text.buy : text.suspended);
      buy.addEventListener("click", openSheet);
    }
    live.appendChild(buy);
  }
  function renderShelf() {
    if (!list || control) return;
    var p = state.status === "ended" ? null : state.product;
    var item = p ? list.querySelector('[data-product="' + p.id + '"]') : null;
    var wanted = item ? [item].concat(planOrder.filter(function (li) { return li !== item; })) : planOrder;
    wanted.forEach(function (li, i) {  // move only what is out of place (keeps focus)
      if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
    });
    var key = item ? JSON.stringify([p, state.offer_ends_at, state.status]) : null;
    if (key === shown) return;
    shown = key;
    planOrder.forEach(function (li) {
      var pinned = li === item;
      li.classList.toggle("pinned", pinned);
      li.querySelector(".shelf-pin").hidden = !pinned;
      li.querySelector(".shelf-link").hidden = pinned;
      if (!pinned) li.querySelector(".shelf-live").textContent = "";
      var stock = li.querySelector("[data-stock]");
      if (pinned) stock.id = "shelf-stock"; else stock.removeAttribute("id");
    });
    if (!item) return;
    item.querySelector("[data-stock]").textContent = stockText(p);
    pinnedCard(item.querySelector(".shelf-live"), p);
  }
  function tick() {
    var el = $("countdown");
    if (!el || !state.offer_ends_at) return;
    var left = Math.max(0, state.offer_ends_at - (Date.now() + skew));
    var s = Math.ceil(left / 1000);
    el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (left <= 0) el.textContent = text.offer_over;
  }
  setInterval(tick, 500);

  function applyState(s) {
    state = s;
    if (s.viewers !== undefined && s.viewers !== null) setText("f-viewers", s.viewers);
    if (s.signed_in !== undefined && s.signed_in !== null) setText("f-signed-in", s.signed_in);
    if (s.orders !== undefined) setText("f-orders", s.orders);
    if (s.product && control) {
      setText("c-pinned", s.product.name[room.dataset.lang] || s.product.name.zh);
      setText("c-stock", s.product.stock);
    } else if (control) {
      setText("c-pinned", "–");
      setText("c-stock", "–");
    }
    renderShelf();
  }

  // --- chat --------------------------------------------------------------------------------
  function addChat(m) {
    var list = $("chat");
    if (!list || list.querySelector('[data-id="' + m.id + '"]')) return;
    var li = document.createElement("li");
    li.dataset.id = m.id;
    var b = document.createElement("b");
    b.textContent = m.name;
    li.appendChild(b);
    li.appendChild(document.createTextNode(" " + m.text));
    if (control) choosable(li, m);
    list.appendChild(li);
    while (list.children.length > 200) list.removeChild(list.firstChild);
    list.scrollTop = list.scrollHeight;
  }
  // On the control page a message is chosen (click or Enter) for the hide and mute form.
  function choosable(li, m) {
    li.tabIndex = 0;
    li.setAttribute("role", "button");
    function choose() {
      document.querySelectorAll("#chat li.chosen").forEach(function (x) { x.classList.remove("chosen"); });
      li.classList.add("chosen");
      $("m-message").value = m.id;
      $("m-account").value = m.account || "";
      $("m-chosen").textContent = fmt(text.chosen, { name: m.name, text: m.text });
      $("m-hide").disabled = false;
      $("m-mute").disabled = !m.account;
    }
    li.addEventListener("click", choose);
    li.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); }
    });
  }
  function hideChat(id) {
    var li = $("chat") && $("chat").querySelector('[data-id="' + id + '"]');
    if (li) li.remove();
  }

  function onMessage(m) {
    switch (m.t) {
      case "hello":
        $("chat") && ($("chat").textContent = "");
        (m.history || []).forEach(addChat);
        likes = m.likes; setText("f-likes", likes);
        if (m.you && m.you.muted) showError(fmt(text.muted, { reason: text.reasons[m.you.muted] || m.you.muted }));
        if (m.status) applyState(m);
        me = m.you ? m.you.account : null;
        retry = 1000;
        break;
      case "chat":
        addChat(m);
        if (chatHidden()) { unread += 1; showUnread(); }
        break;
      case "hide": hideChat(m.id); break;
      case "likes": likes = m.total; setText("f-likes", likes); break;
      case "state": applyState(m); break;
      case "muted":
        showError(m.reason ? fmt(text.muted, { reason: text.reasons[m.reason] || m.reason }) : text.unmuted);
        break;
      case "error": showError(m.message); break;
      case "ended":
        applyState(m);
        ended();
        break;
    }
  }
  function ended() {
    closedForGood = true;
    state.status = "ended";
    renderShelf();
    var notice = $("room-ended"); if (notice) notice.hidden = false;
    if (sheet && sheet.open) sheet.close();
    clearTimeout(liveRetry);
    setText("room-status", text.ended);
    var form = $("chat-form"); if (form) form.hidden = true;
    var r = document.querySelector(".reactions"); if (r) r.hidden = true;
    note(text.session_ended);
    if (!control) setTimeout(checkRecording, 1500);
  }

  function again() {
    showError(text.reconnecting);
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 15000);
  }
  function freshTicket() {
    fetch("/live/" + session + "/ticket", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (t) {
        // Signed out, disabled or signed in as someone else meanwhile: show the page as it
        // now is rather than keep a chat box that speaks for an account no longer here.
        if ((t.account !== null) !== signedIn || (me && t.account !== me)) {
          closedForGood = true;
          location.reload();
          return;
        }
        ticket = t.ticket;
        if (t.now) skew = t.now - Date.now(); // a kept page's own time may be seconds old
        connect();
      })
      .catch(again);
  }
  function connect() {
    if (closedForGood) return;
    if (!ticket) { freshTicket(); return; }
    var use = ticket;
    ticket = null;
    ws = new WebSocket(room.dataset.ws + session + "?ticket=" + encodeURIComponent(use));
    ws.onopen = function () {
      showError("");
      beat = setInterval(function () { send({ t: "hb" }); }, Number(room.dataset.heartbeat) * 1000);
    };
    ws.onmessage = function (e) {
      var batch;
      try { batch = JSON.parse(e.data); } catch (err) { return; }
      batch.forEach(onMessage);
    };
    ws.onclose = function (e) {
      clearInterval(beat);
      if (e.code === 4004 || e.code === 4003 || e.code === 4000) {
        if (e.code === 4000 || e.code === 4004) ended();
        return;
      }
      if (closedForGood) return;
      again(); // 4001 (ticket used, expired or revoked) too: the next attempt gets a new one
    };
  }
  function send(obj) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj));
  }

  var form = $("chat-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = $("chat-text");
      var value = input.value.trim();
      if (!value) return;
      showError("");
      send({ t: "chat", text: value });
      input.value = "";
    });
  }
  var likeButton = $("like");
  var pendingLikes = 0;
  if (likeButton) {
    likeButton.addEventListener("click", function () {
      pendingLikes += 1;
      likes += 1; setText("f-likes", likes);
    });
    setInterval(function () {
      if (pendingLikes > 0) { send({ t: "like", n: Math.min(pendingLikes, 50) }); pendingLikes = 0; }
    }, 1000);
  }
  var shareButton = $("share");
  if (shareButton) {
    shareButton.addEventListener("click", function () {
      var url = location.origin + "/live/" + session;
      if (navigator.share) {
        navigator.share({ url: url, title: document.title }).then(function () { send({ t: "share", channel: "other" }); }).catch(function () {});
      } else {
        (navigator.clipboard ? navigator.clipboard.writeText(url) : Promise.resolve()).finally(function () {
          send({ t: "share", channel: "link" });
          showError(text.shared);
        });
      }
    });
  }

  // --- buying in a sheet -------------------------------------------------------------------
  var sheet = $("buy-sheet");
  var idempotency = null;
  var polling = null;
  function openSheet() {
    if (!sheet || !state.product) return;
    idempotency = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2);
    var body = $("buy-body");
    fetch("/live/" + session + "/buy", { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        if (window.htmx) window.htmx.process(body);  // the county picker's steps and search
        var f = $("buy-form");
        if (f) f.addEventListener("submit", placeOrder);
      })
      .catch(function () { body.textContent = text.failed; });
    sheet.showModal();
  }
  if ($("buy-close")) $("buy-close").addEventListener("click", function () { sheet.close(); });
  if (sheet) sheet.addEventListener("close", function () { clearInterval(polling); polling = null; });
  function field(name) { var el = $("buy-form").elements[name]; return el ? el.value : ""; }
  function placeOrder(e) {
    e.preventDefault();
    // The county search's button (also what Enter in the search box presses) looks a place
    // up; it never places an order.
    if (e.submitter && (e.submitter.name === "pick" || e.submitter.name === "region_pick")) return;
    var status = $("buy-status");
    status.textContent = text.placing;
    $("buy-form").querySelectorAll(".error-text").forEach(function (el) { el.remove(); });
    var order = {
      product_id: state.product.id,
      qty: Number(field("qty")) || 1,
      session_id: session,
      address: { region: field("region"), detail: field("detail"), recipient: field("recipient"), phone: field("phone") },
      payment_method: (($("buy-form").querySelector("input[name=method]:checked") || {}).value) || "wallet",
    };
    api("POST", "/api/v1/orders", order, { "Idempotency-Key": idempotency })
      .then(function (placed) { return api("POST", "/api/v1/orders/" + placed.id + "/pay", {}).then(function (p) { return [placed, p]; }); })
      .then(function (both) { pay(both[0], both[1]); })
      .catch(function (err) {
        status.textContent = (err && err.message) || text.failed;
        var fields = (err && err.fields) || {};
        Object.keys(fields).forEach(function (k) {
          var name = k.replace("address.", "").replace("address_", "");
          var input = $("buy-form").elements[name === "product_id" || name === "session_id" ? "qty" : name];
          if (input && input.parentNode) {
            var p = document.createElement("p");
            p.className = "error-text";
            p.textContent = fields[k];
            input.parentNode.appendChild(p);
          }
        });
      });
  }
  function pay(order, payment) {
    var body = $("buy-body");
    body.innerHTML = '<p class="muted" id="buy-status"></p><iframe class="pay-frame" title="pay"></iframe>';
    $("buy-status").textContent = text.paying;
    var frame = body.querySelector("iframe");
    frame.src = payment.pay_url + (payment.pay_url.indexOf("?") < 0 ? "?" : "&") + "embed=1";
    clearInterval(polling);
    polling = setInterval(function () {
      api("GET", "/api/v1/orders/" + order.id).then(function (o) {
        if (o.state === "paid") {
          clearInterval(polling);
          body.innerHTML = '<p class="notice" role="status" id="buy-status"></p><p><a class="button secondary" id="buy-order"></a></p>';
          $("buy-status").textContent = text.paid;
          var link = $("buy-order");
          link.href = "/orders/" + order.id;
          link.textContent = text.see_order;
        } else if (o.state !== "placed") {
          clearInterval(polling);
        }
      }).catch(function () {});
    }, 1000);
  }
  function api(method, url, body, headers) {
    var h = { "Accept": "application/json", "X-CSRF-Token": room.dataset.csrf };
    if (body !== undefined) h["Content-Type"] = "application/json";
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    return fetch(url, { method: method, credentials: "same-origin", headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (data) {
          if (!r.ok || data === null) throw (data && data.error) || { message: text.failed };
          return data;
        });
      });
  }

  // --- tabs on a phone: the products or the chat below the video (side by side when wide) ----
  var tabs = $("room-tabs");
  var unread = 0;
  function chatHidden() { return !!tabs && !tabs.hidden && room.dataset.tab !== "chat" && tabs.offsetParent !== null; }
  function showUnread() {
    var badge = $("chat-unread");
    if (!badge) return;
    badge.textContent = unread > 99 ? "99+" : String(unread);
    badge.hidden = unread === 0;
  }
  function chooseTab(tab, focus) {
    tabs.querySelectorAll("[role=tab]").forEach(function (b) {
      var on = b === tab;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    });
    room.dataset.tab = tab.id === "tab-chat" ? "chat" : "shelf";
    if (room.dataset.tab === "chat") {
      unread = 0;
      showUnread();
      var chatList = $("chat");
      if (chatList) chatList.scrollTop = chatList.scrollHeight;
    }
    if (focus) tab.focus();
  }
  if (tabs && !control) {
    tabs.hidden = false;
    var tabList = Array.prototype.slice.call(tabs.querySelectorAll("[role=tab]"));
    tabList.forEach(function (tab, i) {
      tab.addEventListener("click", function () { chooseTab(tab, false); });
      tab.addEventListener("keydown", function (e) {
        var step = e.key === "ArrowRight" ? 1 : (e.key === "ArrowLeft" ? -1 : 0);
        if (!step) return;
        e.preventDefault();
        chooseTab(tabList[(i + step + tabList.length) % tabList.length], true);
      });
    });
    chooseTab($("tab-shelf"), false);
  }

  // --- start -------------------------------------------------------------------------------
  applyState(initial);
  if (room.dataset.status === "live") {
    if (!control) playLive();
    connect();
  } else if (room.dataset.status === "ended") {
    if (!control) playRecording();
  } else if (room.dataset.status === "approved") {
    setInterval(function () {
      fetch("/api/v1/live/" + session).then(function (r) { return r.json(); }).then(function (s) {
        if (s.status === "live") location.reload();
      }).catch(function () {});
    }, 10000);
  }
})();
