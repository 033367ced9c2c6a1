// Keep the navbar's unread counts (messages, notifications) current without a reload,
// and show a small toast for each new notification.
//
// While the page's socket is connected (realtime.js), the server rings: a
// "notification" event means something new (ask what), an "unread" event carries the
// new counts (something was read in another tab: a conversation opened elsewhere
// clears the badge here too). On each connection the page asks once, to catch up with
// what happened while it was away.
//
// Without a socket (none, or lost), it polls as the Mega-Tutorial's chapter 21 does:
// every few seconds (data-interval, 15 by default) while the tab is visible, ask
// GET /notifications?since=<t> for JSON and write its two counts into the badges
// (<span data-unread="messages">). A hidden tab asks nothing; when it is shown again it
// asks at once. A failed request (offline, a deploy) is simply tried again later.
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script.dataset.url;
  var closeLabel = script.dataset.close || "";
  var interval = Math.max(1, Number(script.dataset.interval) || 15) * 1000;
  var since = Date.now() / 1000;
  var timer = null;
  var pushed = false; // the socket is connected: no polling

  function show(name, count) {
    var badge = document.querySelector('[data-unread="' + name + '"]');
    if (!badge) return;
    badge.querySelector(".count").textContent = String(count);
    badge.classList.toggle("d-none", !count);
  }

  function toast(notification) {
    var holder = document.getElementById("toasts");
    if (!holder || !window.bootstrap) return;
    var element = document.createElement("div");
    element.className = "toast";
    element.setAttribute("role", "status");
    var row = document.createElement("div");
    row.className = "d-flex";
    var body = document.createElement("div");
    body.className = "toast-body";
    var link = document.createElement("a");
    link.href = notification.url;
    link.textContent = notification.text;
    body.append(link);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close me-2 m-auto";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", closeLabel);
    row.append(body, close);
    element.append(row);
    holder.append(element);
    element.addEventListener("hidden.bs.toast", function () {
      element.remove();
    });
    window.bootstrap.Toast.getOrCreateInstance(element).show();
  }

  async function poll() {
    try {
      var response = await fetch(url + "?since=" + encodeURIComponent(since), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 401) {
        // Signed out (another tab, Settings, this page's own Logout on its way): nothing
        // to count until the person is back, which showing the tab again asks.
        stop();
        return;
      }
      if (!response.ok) return; // the site is down or busy: next tick
      var answer = await response.json();
      since = answer.timestamp;
      show("messages", answer.unread.messages);
      show("notifications", answer.unread.notifications);
      answer.notifications.forEach(toast);
      document.dispatchEvent(new CustomEvent("notifications-polled", { detail: answer }));
    } catch (error) {
      // offline, or an answer that is not ours: try again at the next tick
    }
  }

  function start() {
    if (timer === null && !pushed) timer = window.setInterval(poll, interval);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("realtime:connect", function () {
    pushed = true;
    stop();
    poll(); // what happened while the page had no socket
  });
  document.addEventListener("realtime:disconnect", function () {
    pushed = false;
    if (document.visibilityState === "visible") start();
  });
  document.addEventListener("realtime:notification", poll);
  document.addEventListener("realtime:unread", function (event) {
    show("messages", event.detail.messages);
    show("notifications", event.detail.notifications);
  });

  document.addEventListener("visibilitychange", function () {
    if (pushed) return;
    if (document.visibilityState === "visible") {
      poll();
      start();
    } else {
      stop();
    }
  });
  if (window.microblogRealtime && window.microblogRealtime.connected()) {
    pushed = true;
    poll();
  } else if (document.visibilityState === "visible") {
    start();
  }
})();
