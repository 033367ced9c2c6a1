"""Real time: what happened, told at once to the browsers that should hear it (Socket.IO).

Services say *what happened*, once their transaction has committed
(:func:`microblog.services.transactions.after_commit`)::

    publish("comment_added", post_id=post.id, comment_id=comment.id)

and this package decides *who hears it* (:mod:`microblog.realtime.audiences`: the rooms)
and sends it. What a browser may send (join a post's room, write a comment) is in
:mod:`microblog.realtime.events`, which calls the same services as the forms.

Two shapes, chosen by configuration (docs/38-real-time.md):

- **Embedded** (``make run``, the tests): no message queue. The app serves Socket.IO
  in its own process and ``publish`` emits straight to the sockets connected to it.
- **Several processes** (``make prod``): ``SOCKETIO_MESSAGE_QUEUE`` (by default
  ``REDIS_URL``). Every process publishes to the Redis channel ``SOCKETIO_CHANNEL``
  through a write-only emitter, the bare ``SocketIO(message_queue=…)`` of Flask-SocketIO's
  documentation: the page workers, the RQ workers and the Socket.IO processes alike.
  Each Socket.IO process listens on the channel and delivers to the sockets it holds.

``async_mode="threading"`` with simple-websocket, always: it serves WebSockets under
``flask run`` and in a single-worker gunicorn process with threads (gthread), with no
monkey-patching (no eventlet, which is unmaintained and gone from gunicorn; no gevent).
Each open socket holds a thread of its process.
"""

from __future__ import annotations

import socketio as python_socketio
from flask import Flask, current_app, request
from flask_socketio import SocketIO

from microblog.realtime import audiences

SERVER = "socketio"  # app.extensions[SERVER]: this app's Socket.IO server (Flask-SocketIO's key)
EMITTER = "microblog.realtime.emitter"  # what publish() sends through


def init_app(app: Flask) -> None:
    """Serve Socket.IO at ``/socket.io`` of ``app`` and set up :func:`publish`.

    Called before the middleware wraps ``app.wsgi_app``, so the proxy fix runs first
    and a socket sees the visitor's address, as their pages do (Flask-Login's session
    protection compares it).
    """
    from microblog.realtime import events
    from microblog.redis_client import client_options

    queue_url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    options = {}
    if queue_url:
        # The listener waits on the channel for as long as it likes: no socket timeout.
        options["client_manager"] = python_socketio.RedisManager(
            queue_url, channel=app.config["SOCKETIO_CHANNEL"],
            redis_options={"socket_connect_timeout": app.config["REDIS_CONNECT_TIMEOUT"],
                           "health_check_interval": 30})
    server = SocketIO(
        app,
        async_mode="threading",
        cors_allowed_origins=_allowed_origin(app.config["SITE_URL"]),
        manage_session=False,  # the session is the cookie's, read again for each event
        max_http_buffer_size=64 * 1024,  # a comment is at most a few kilobytes
        **options,
    )
    events.register(server)
    if queue_url:
        emitter = SocketIO()
        emitter.init_app(None, client_manager=python_socketio.RedisManager(
            queue_url, channel=app.config["SOCKETIO_CHANNEL"], write_only=True,
            redis_options=client_options(app.config)))
        app.extensions[EMITTER] = emitter
    else:
        app.extensions[EMITTER] = server


def _allowed_origin(site_url: str):
    """The origins whose pages may open a socket: the site's own (``SITE_URL``, which
    is also where pages served by another process come from) and the origin the
    request was sent to (the same page and socket address: ``make run``, the tests)."""
    site = site_url.rstrip("/")

    def allowed(origin: str | None, environ: dict) -> bool:
        if not origin:
            return True  # not a browser (a browser always says where its page is from)
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin in (site, own)

    return allowed


def publish(fact: str, **details: object) -> None:
    """Tell whoever should hear it that ``fact`` happened (``comment_added``, …: the
    names of :data:`microblog.realtime.audiences.FACTS`). Call it after the commit.

    Never raises: the change is committed whatever happens here, and a browser that
    missed the news catches up when it next asks (docs/38-real-time.md). A message
    queue that does not answer is logged."""
    app = current_app._get_current_object()
    try:
        event, payload, rooms = audiences.of(fact, details)
        if rooms:
            app.extensions[EMITTER].emit(event, payload, to=rooms, namespace="/")
    except Exception:
        app.logger.warning("could not publish %s", fact, exc_info=True)


def socket_urls() -> list[str]:
    """The Socket.IO addresses a page is told to connect to (``SOCKETIO_URL``), or the
    page's own origin when none is set."""
    return current_app.config["SOCKETIO_URL"] or [request.host_url.rstrip("/")]


def _connect_task_signals() -> None:
    """A background task's progress and end, told to its owner's tabs (the job layer's
    signals, sent in whichever process runs the task: the RQ worker in production)."""
    from microblog.jobs import signals

    def changed(state: str):
        def receiver(app: Flask, *, task_id: str, user_id: int | None,
                     progress: int | None = None, **_: object) -> None:
            if user_id is None:
                return
            with app.app_context():
                publish("task_changed", user_id=user_id, task_id=task_id, state=state,
                        progress=100 if state == "finished" else progress)
        return receiver

    for signal, state in ((signals.task_progress, "running"),
                          (signals.task_finished, "finished"),
                          (signals.task_failed, "failed")):
        signal.connect(changed(state), weak=False)


_connect_task_signals()
