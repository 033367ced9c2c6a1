"""Headers that tell the browser what our pages may do, on every response.

- ``Content-Security-Policy``: scripts, styles, fonts and frames only from this
  site, images also from the avatar service and the hosts an operator lets articles
  show images of (``MARKDOWN_IMAGE_HOSTS``). No inline ``<script>``, no
  ``style="…"`` and no ``onclick=`` are allowed, so markup injected past the
  sanitiser cannot run; page scripts live in ``static/js/``.
  ``frame-ancestors 'none'`` forbids other sites to frame ours (clickjacking).
- ``X-Frame-Options: DENY``: the same for browsers without CSP level 2.
- ``X-Content-Type-Options: nosniff``: a file is what its Content-Type says
  (an uploaded text file is never run as a script).
- ``Referrer-Policy``: other sites see our origin, never our paths and query strings.
- ``Permissions-Policy``: no camera, microphone, location and the like.
- ``Strict-Transport-Security`` (production, HTTPS only): the browser uses HTTPS
  for this host from now on, even when someone types ``http://``.
- ``Cache-Control: private, no-store`` on every answer to a signed-in visitor: a page
  made for one person (their settings, their address, the admin's list of accounts)
  is kept by no shared proxy and by no browser cache that the next user of the
  computer could open.

A view that needs a different value sets the header itself; these are defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.wrappers import Response

from microblog.middleware.request_log import logged_in_user_id

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
                    "microphone", "payment", "usb")
)


def content_security_policy(avatar_url: str | None, image_hosts: Iterable[str] = (),
                            socket_urls: Iterable[str] = ()) -> str:
    """The policy; images may also come from the origin of ``avatar_url`` (Gravatar), if
    any, and over https from ``image_hosts``, the hosts articles may show images of
    (``MARKDOWN_IMAGE_HOSTS``, :func:`microblog.markdown.image_shown`). Scripts may
    also connect to the Socket.IO processes at ``socket_urls`` (``SOCKETIO_URL``), over
    HTTP (long-polling) and WebSocket."""
    avatar = urlsplit(avatar_url or "")
    sources = ["'self'", "data:"]
    if avatar.netloc:
        sources.append(f"{avatar.scheme}://{avatar.netloc}")
    sources.extend(f"https://{host}" for host in image_hosts)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(sources),
        "object-src": "'none'",
        **({"connect-src": " ".join(["'self'", *_socket_sources(socket_urls)])}
           if socket_urls else {}),
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _socket_sources(urls: Iterable[str]) -> list[str]:
    sources = []
    for url in urls:
        parts = urlsplit(url)
        sources.append(f"{parts.scheme}://{parts.netloc}")
        sources.append(f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}")
    return sources


def init_app(app: Flask) -> None:
    headers = {
        "Content-Security-Policy": content_security_policy(
            app.config["GRAVATAR_URL"] if app.config["AVATAR_PROVIDER"] == "gravatar" else None,
            app.config["MARKDOWN_IMAGE_HOSTS"],
            app.config["SOCKETIO_URL"],
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
    hsts_seconds = app.config["HSTS_SECONDS"]
    hsts = f"max-age={hsts_seconds}; includeSubDomains" if hsts_seconds > 0 else None

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # Those a view has not set itself, found in one pass: ``Headers.setdefault`` looks
        # through every header, lower-casing each, once per default (3 % of a small API
        # answer's instructions).
        set_by_the_view = {name.lower() for name, _value in response.headers}
        response.headers.extend([(name, value) for name, value in headers.items()
                                 if name.lower() not in set_by_the_view])
        # Browsers ignore HSTS over plain HTTP (RFC 6797), so it is only sent over HTTPS.
        if hsts and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        if logged_in_user_id() is not None:
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response
