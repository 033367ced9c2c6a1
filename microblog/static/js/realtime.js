// The page's one Socket.IO connection, shared by the scripts that show things live.
//
// A signed-in visitor's pages always connect (their badges and toasts); anyone else's
// only where something on the page is live ([data-live]: a post's comments, Explore).
// The socket goes to one of the addresses in data-urls (SOCKETIO_URL: the Socket.IO
// processes; by default this page's own origin), chosen at random for this page, and
// carries the session cookie (withCredentials), which is who the visitor is.
//
// Socket.IO reconnects by itself, waiting longer after each failure (1 s, 2 s … 5 s,
// randomised so a thousand pages do not all come back at once). Every connection is a
// new socket with no rooms: each script joins what it needs on "realtime:connect",
// and asks the server what it missed while it was away.
//
// The other scripts listen on the document:
//   realtime:connect, realtime:disconnect   the socket's state
//   realtime:<event>                        a server event (comment, notification,
//                                           unread, new_post, task, error), detail = payload
// and send with window.microblogRealtime.emit(name, data), a Promise of the server's
// acknowledgement ({ok: true, …} or {ok: false, error}); onConnect(fn) runs fn on
// each connection, at once if the socket is already up.
(function () {
  "use strict";

  const script = document.currentScript;
  const urls = (script.dataset.urls || "").split(" ").filter(Boolean);
  const wanted = script.dataset.signedIn === "true" || document.querySelector("[data-live]");
  if (!wanted || typeof window.io !== "function" || urls.length === 0) return;

  const url = urls[Math.floor(Math.random() * urls.length)];
  const socket = window.io(url, {
    withCredentials: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
  });
  const EVENTS = ["comment", "notification", "unread", "new_post", "task", "error"];

  function tell(name, detail) {
    document.dispatchEvent(new CustomEvent("realtime:" + name, { detail: detail || {} }));
  }

  socket.on("connect", function () {
    document.documentElement.dataset.realtime = "connected";
    tell("connect");
  });
  socket.on("disconnect", function () {
    document.documentElement.dataset.realtime = "disconnected";
    tell("disconnect");
  });
  EVENTS.forEach(function (name) {
    socket.on(name, function (payload) {
      tell(name, payload);
    });
  });

  window.microblogRealtime = {
    connected: function () {
      return socket.connected;
    },
    // fn() now if connected, and on every (re)connection: a script loaded after the
    // socket connected still joins its rooms.
    onConnect: function (fn) {
      document.addEventListener("realtime:connect", function () {
        fn();
      });
      if (socket.connected) fn();
    },
    emit: function (name, data) {
      return socket.timeout(10000).emitWithAck(name, data).catch(function () {
        return { ok: false };
      });
    },
  };
})();
