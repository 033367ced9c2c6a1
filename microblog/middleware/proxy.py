"""Believe a reverse proxy about the client, but only the proxies we were told about.

Behind nginx or a load balancer, every request arrives from the proxy's own
address over plain HTTP; the proxy says who the client was and how they
connected in ``X-Forwarded-For`` and ``X-Forwarded-Proto``. Werkzeug's
``ProxyFix`` copies those into the WSGI environ, so ``request.remote_addr``
(which rate limits count by) and ``request.is_secure`` (which decides HSTS)
are right. Anyone can send these headers, so they are believed only
``TRUSTED_PROXIES`` hops deep, and not at all by default.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)
