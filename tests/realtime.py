"""Helpers for the real-time tests: real servers on loopback, real Socket.IO clients.

A :class:`Visitor` is one person's browser without the page: an HTTP session (cookies,
CSRF tokens read from pages, as a browser has them) and as many sockets as they open,
each a python-socketio client over a real connection. Waiting is for a condition with
a deadline (a condition variable woken by every event), never a sleep.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
import socketio
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
USER_AGENT = "microblog-realtime-tests"  # the same for pages and sockets (session protection)


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` on a free loopback port in background threads; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="realtime-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Socket:
    """One socket of a visitor, keeping every event it receives.

    Long-polling by default: Werkzeug's server (:func:`serving`) ends a WebSocket
    without answering the client's closing frame, which then waits three seconds for
    it. The tests of several processes, on gunicorn, use WebSockets."""

    def __init__(self, url: str, http: requests.Session, transports: list[str] | None = None,
                 auth: dict | None = None):
        self.events: list[tuple[str, Any]] = []
        self.changed = threading.Condition()
        self.client = socketio.Client(http_session=http, reconnection=False)
        self.client.on("*", self._record)
        self.client.connect(url, headers={"User-Agent": USER_AGENT}, auth=auth,
                            transports=transports or ["polling"], wait_timeout=10)

    def _record(self, event: str, data: Any = None) -> None:
        with self.changed:
            self.events.append((event, data))
            self.changed.notify_all()

    def received(self, event: str) -> list[Any]:
        with self.changed:
            return [data for name, data in self.events if name == event]

    def wait_for(self, event: str, where: Callable[[Any], bool] = lambda data: True,
                 timeout: float = 10) -> Any:
        """The first ``event`` whose payload satisfies ``where``, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for name, data in self.events:
                    if name == event and where(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {event!r} within {timeout} s; got {self.events}")
                self.changed.wait(left)

    def call(self, event: str, data: Any = None, timeout: float = 10) -> Any:
        """Send ``event`` and return the server's acknowledgement."""
        return self.client.call(event, data, timeout=timeout)

    def close(self) -> None:
        """Say goodbye and go: the server is told, and no thread waits for the answer to
        a long-poll the server may hold for its whole ping interval (25 s)."""
        if not self.client.connected:
            return
        for namespace in self.client.namespaces:
            self.client._send_packet(self.client.packet_class(
                socketio.packet.DISCONNECT, namespace=namespace))
        self.client.eio.disconnect(abort=True)


class Visitor:
    """A browser on the site at ``url``: its cookies, and the sockets it opens."""

    def __init__(self, url: str, socket_url: str | None = None) -> None:
        self.url, self.socket_url = url, socket_url or url
        self.http = requests.Session()
        self.http.headers["User-Agent"] = USER_AGENT
        self.sockets: list[Socket] = []

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.url + path, timeout=10, **kwargs)

    def csrf_token(self, path: str = "/explore") -> str:
        return CSRF.search(self.get(path).text).group(1)

    def submit(self, path: str, data: dict[str, str] | None = None) -> requests.Response:
        """POST a form with the CSRF token a page gave, as a browser does."""
        return self.http.post(self.url + path, data={"csrf_token": self.csrf_token(),
                                                     **(data or {})}, timeout=10)

    def login(self, username: str) -> Visitor:
        response = self.submit("/auth/login", {"username": username, "password": PASSWORD})
        assert response.ok and "Logout" in response.text, response.status_code
        return self

    def socket(self, **options) -> Socket:
        opened = Socket(self.socket_url, self.http, **options)
        self.sockets.append(opened)
        return opened

    def close(self) -> None:
        for opened in self.sockets:
            opened.close()
        self.http.close()
