"""Sending email without making anyone wait for it.

``send_email`` renders nothing and decides nothing: it hands a message to a
background thread and returns at once. The thread delivers it through
Flask-Mail when ``MAIL_SERVER`` is set, or writes it to the outbox folder
(``MAIL_OUTBOX_DIR``, ``instance/outbox/`` by default) and logs its subject
and links, so someone running ``make run`` with no mail server can still
click every link the app sends.

A thread has no application context of its own: ``current_app`` only works
inside a request or an explicit ``app.app_context()``. So the view's thread
passes the real app object (``current_app._get_current_object()``) and the
worker opens a context around the delivery.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from secrets import token_hex
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from flask_mail import Message

from microblog.extensions import mail

LINK = re.compile(r"https?://\S+")
_pending: set[threading.Thread] = set()
_pending_lock = threading.Lock()


def send_email(
    subject: str, recipients: list[str], text_body: str, html_body: str | None = None
) -> threading.Thread:
    """Queue one message for delivery in the background; returns the delivering thread."""
    message = Message(
        subject=subject,
        recipients=recipients,
        body=text_body,
        html=html_body,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    app = current_app._get_current_object()
    # Not a daemon: a CLI command that sends mail finishes sending before Python exits.
    thread = threading.Thread(target=_deliver, args=(app, message), name="send-email")
    with _pending_lock:
        _pending.add(thread)
    thread.start()
    return thread


def send_template(template: str, subject: str, recipients: list[str], **context) -> None:
    """Render ``email/<template>.txt`` and ``.html`` with ``context`` and send both.

    Rendering happens in the caller's context (templates may need the request,
    the current user, the locale); only the finished message crosses to the thread.
    """
    send_email(
        subject,
        recipients,
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )


def link(endpoint: str, **values) -> str:
    """An absolute URL for an email, on the site's configured address (``SITE_URL``).

    Never taken from the request's ``Host`` header: anyone can send a reset
    request with ``Host: evil.example``, and the victim's reset link would
    then carry their token to the attacker's server. Works outside requests
    too (CLI commands, background jobs).
    """
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def wait_for_pending(timeout: float = 10) -> None:
    """Block until every message handed to a thread so far has been delivered (or failed)."""
    with _pending_lock:
        threads = list(_pending)
    for thread in threads:
        thread.join(timeout)


def _deliver(app: Flask, message: Message) -> None:
    try:
        with app.app_context():
            try:
                if app.config.get("MAIL_SERVER"):
                    mail.send(message)
                    app.logger.info("Email %r sent to %s", message.subject,
                                    ", ".join(message.recipients))
                else:
                    write_to_outbox(app, message)
            except Exception:
                # Nobody is waiting on this thread to hear about the failure: log it.
                app.logger.exception("Could not send email %r to %s", message.subject,
                                     ", ".join(message.recipients))
    finally:
        with _pending_lock:
            _pending.discard(threading.current_thread())


def write_to_outbox(app: Flask, message: Message) -> Path:
    """Keep the message as an ``.eml`` file (any mail client opens it) and log its links."""
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = outbox / f"{stamp}-{token_hex(3)}.eml"
    path.write_bytes(message.as_bytes())
    links = LINK.findall(message.body or "")
    app.logger.info(
        "Email %r to %s written to %s%s", message.subject, ", ".join(message.recipients), path,
        "".join(f"\n    link: {link}" for link in links),
    )
    return path
