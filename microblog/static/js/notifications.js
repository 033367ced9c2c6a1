// Keep the navbar's unread counts (messages, notifications) current without a reload.
//
// Every few seconds (data-interval, 15 by default) while the tab is visible, ask
// GET /notifications?since=<t> for JSON, as the Mega-Tutorial's chapter 21 does, and
// write its two counts into the badges (<span data-unread="messages">). A hidden tab
// asks nothing; when it is shown again it asks at once. A failed request (offline, a
// deploy) is simply tried again at the next tick. Real-time push can later replace
// the polling; the badges it updates are the same.
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script.dataset.url;
  var interval = Math.max(1, Number(script.dataset.interval) || 15) * 1000;
  var since = Date.now() / 1000;
  var timer = null;

  function show(name, count) {
    var badge = document.querySelector('[data-unread="' + name + '"]');
    if (!badge) return;
    badge.querySelector(".count").textContent = String(count);
    badge.classList.toggle("d-none", !count);
  }

  async function poll() {
    try {
      var response = await fetch(url + "?since=" + encodeURIComponent(since), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return; // logged out elsewhere, or the site is down: next tick
      var answer = await response.json();
      since = answer.timestamp;
      show("messages", answer.unread.messages);
      show("notifications", answer.unread.notifications);
      document.dispatchEvent(new CustomEvent("notifications-polled", { detail: answer }));
    } catch (error) {
      // offline, or an answer that is not ours: try again at the next tick
    }
  }

  function start() {
    if (timer === null) timer = window.setInterval(poll, interval);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      poll();
      start();
    } else {
      stop();
    }
  });
  if (document.visibilityState === "visible") start();
})();
