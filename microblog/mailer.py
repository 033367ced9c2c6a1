"""Sending email without making anyone wait for it.

``send_email`` renders nothing and decides nothing: it hands a message to the job
layer (``microblog/jobs/``) and returns at once, with the ``Task`` that will send
it. The task, :func:`deliver_email`, delivers it through Flask-Mail when
``MAIL_SERVER`` is set, or writes it to the outbox folder (``MAIL_OUTBOX_DIR``,
``instance/outbox/`` by default) and logs its subject and links, so someone running
``make run`` with no mail server can still click every link the app sends.

In production an RQ worker sends it; in the embedded default, this process's jobs
thread. Either way a mail server that is down (refused connection, timeout, a 4xx
reply) is tried again after ``JOBS_RETRY_DELAYS``, and the task fails, with the
server's answer, only when its attempts run out. The message travels as plain
strings (subject, addresses, bodies), rendered in the caller's context (its
request, its locale): the worker has neither.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from secrets import token_hex
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from flask_babel import _
from flask_mail import Message

from microblog import jobs
from microblog.extensions import mail
from microblog.languages import in_language_of
from microblog.models.task import Task

LINK = re.compile(r"https?://\S+")


def send_email(
    subject: str, recipients: list[str], text_body: str, html_body: str | None = None
) -> Task:
    """Queue one message for delivery in the background; returns its task."""
    return jobs.enqueue(
        deliver_email, subject, list(recipients), text_body, html_body,
        current_app.config["MAIL_DEFAULT_SENDER"],
        description=_("Email “%(subject)s” to %(recipients)s", subject=subject,
                      recipients=", ".join(recipients)),
    )


@jobs.task(max_attempts=4)
def deliver_email(subject: str, recipients: list[str], text_body: str,
                  html_body: str | None, sender: str) -> None:
    """The task: send the message over SMTP, or keep it in the outbox folder.

    A failure is logged and raised again, so the job layer tries it again or marks
    the task failed. Sending twice is possible (the server took the message, then
    the connection dropped before it said so); mail has no way to rule that out.
    """
    app = current_app._get_current_object()
    message = Message(subject=subject, recipients=recipients, body=text_body, html=html_body,
                      sender=sender)
    if not app.config.get("MAIL_SERVER"):
        write_to_outbox(app, message)
        return
    try:
        mail.send(message)
    except Exception as error:
        app.logger.error("Could not send email %r to %s: %s", subject, ", ".join(recipients),
                         error)
        raise
    app.logger.info("Email %r sent to %s", subject, ", ".join(recipients))


def send_template(template: str, subject: str, recipients: list[str], **context) -> None:
    """Render ``email/<template>.txt`` and ``.html`` with ``context`` and send both.

    Rendering happens in the caller's context (templates may need the request,
    the current user, the locale); only the finished message crosses to the thread.
    The message speaks its reader's language, ``context["user"]``'s
    (:func:`microblog.languages:in_language_of`), whoever's request sends it: give
    ``subject`` as a lazy string (``_l``), so it is translated in that language too.
    """
    with in_language_of(context.get("user")):
        send_email(
            str(subject),
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
    """Block until this process's jobs threads have sent every message due so far
    (the embedded default; tests call it before they read the outbox)."""
    jobs.wait_until_idle(timeout)


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
