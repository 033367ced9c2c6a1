"""gunicorn's settings for a Socket.IO process of Microblog (``make prod``, deploy/Procfile).

    MICROBLOG_ENV=production SECRET_KEY=… DATABASE_URL=… REDIS_URL=… \
        gunicorn -c deploy/socketio.conf.py --bind 127.0.0.1:8001

One worker, many threads: Socket.IO keeps each visitor's state (its socket, the rooms
it joined, a long-polling session) in the process that accepted it, and gunicorn's
own load balancing would send a visitor's next request to another worker, which knows
nothing of them. So a Socket.IO process has one worker (Flask-SocketIO's deployment
documentation), and capacity comes from running more processes, each on its own
port, joined by the Redis message queue (docs/38-real-time.md). With threads and
simple-websocket (``async_mode="threading"``), each open WebSocket holds one thread:
``SOCKETIO_THREADS`` is how many visitors one process can hold at once.

The process serves the same app as the pages (it could answer them too); browsers
are sent here only for ``/socket.io`` (``SOCKETIO_URL``).
"""

import os

wsgi_app = "microblog:create_app()"
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8001')}")
workers = 1
worker_class = "gthread"
threads = int(os.environ.get("SOCKETIO_THREADS", "1000"))
# A WebSocket is one long request; gunicorn's timeout is about a worker that stops
# answering its master (its heartbeat), which the threads do not hold up.
timeout = 30
errorlog = "-"
accesslog = None
control_socket_disable = True
forwarded_allow_ips = ""  # the app's ProxyFix decides (deploy/gunicorn.conf.py says why)
