"""gunicorn's settings for Microblog in production.

    MICROBLOG_ENV=production SECRET_KEY=… DATABASE_URL=… REDIS_URL=… \
        gunicorn -c deploy/gunicorn.conf.py

Every value can still be given on the command line, which wins over this file.
"""

import os

wsgi_app = "microblog:create_app()"
bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Two per core is a common start: each worker is one process with one thread.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# gunicorn's own messages (workers starting, crashing, timing out) go to standard
# error, and the app's records to standard output (microblog/logs.py): the platform
# collects both. The app logs every request itself, so gunicorn's access log is off.
errorlog = "-"
accesslog = None
# gunicorn 27's control socket (for gunicornc) lives at one path per user, so two
# instances on one host would fight over it; nothing here uses it.
control_socket_disable = True

# Which requests came over HTTPS is decided in one place, the app's ProxyFix
# (microblog/middleware/proxy.py), which believes X-Forwarded-* only from
# TRUSTED_PROXIES hops. gunicorn would otherwise believe X-Forwarded-Proto from any
# client on 127.0.0.1 and mark a plain-HTTP request secure, so the app would send
# Strict-Transport-Security over HTTP: here it believes none.
forwarded_allow_ips = ""
