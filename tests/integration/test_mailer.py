"""Sending email: the outbox folder without a mail server, SMTP with one, never blocking."""

from __future__ import annotations

import email
import logging
import threading

import pytest

from microblog.extensions import db
from microblog.mailer import link, send_email, wait_for_pending
from microblog.models.task import Task, TaskState
from tests.smtp import Inbox, SMTPServer, free_port, html_part, text_part


def test_without_a_mail_server_mail_lands_in_the_outbox_and_the_log(app, tmp_path, caplog):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")
    caplog.set_level(logging.INFO, logger="microblog")
    with app.test_request_context():
        send_email("Hello", ["ann@example.com"], "Open http://127.0.0.1:5000/x please",
                   "<p>Hi</p>")
    wait_for_pending()

    (saved,) = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(saved.read_bytes())
    assert message["Subject"] == "Hello"
    assert message["To"] == "ann@example.com"
    assert "Open http://127.0.0.1:5000/x please" in text_part(message)
    assert html_part(message) == "<p>Hi</p>"
    logged = caplog.text
    assert "'Hello' to ann@example.com written to" in logged
    assert "link: http://127.0.0.1:5000/x" in logged


def test_with_a_mail_server_mail_goes_over_smtp(mail_client, smtp_server):
    with mail_client.application.test_request_context():
        send_email("Over the wire", ["bob@example.com"], "text body", "<b>html body</b>")

    message = smtp_server.inbox.next_message()

    assert message["X-Envelope-To"] == "bob@example.com"
    assert message["From"] == "no-reply@microblog.localhost"
    assert text_part(message) == "text body"
    assert html_part(message) == "<b>html body</b>"


def test_an_unreachable_server_is_logged_not_raised(sibling_app, caplog):
    # Nothing listens on a free port.
    mailing = sibling_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    caplog.set_level(logging.ERROR, logger="microblog")
    with mailing.test_request_context():
        task_id = send_email("Lost", ["ann@example.com"], "body").id
    wait_for_pending()

    assert "Could not send email 'Lost' to ann@example.com" in caplog.text
    # Tried again (at once, in the tests), then failed, saying why.
    task = db.session.get(Task, task_id)
    assert (task.state, task.attempts) == (TaskState.FAILED, 4)
    assert task.error.startswith("ConnectionRefusedError")


class GatedInbox(Inbox):
    """Holds every message at the SMTP DATA step until the test opens the gate."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.gate.wait(10)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp_server():
    server = SMTPServer(GatedInbox()).start()
    try:
        yield server
    finally:
        server.inbox.gate.set()
        server.stop()


def test_a_request_does_not_wait_for_the_mail_server(sibling_app, make_user, slow_smtp_server):
    make_user("susan", "susan@example.com")
    browser = sibling_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=slow_smtp_server.port).test_client()

    response = browser.submit("/auth/reset_password_request", {"email": "susan@example.com"})

    # The page came back while the server was still holding the message.
    assert response.status_code == 302
    assert slow_smtp_server.inbox.messages == []
    slow_smtp_server.inbox.gate.set()
    assert slow_smtp_server.inbox.next_message()["Subject"] == "Reset your password"


def test_links_use_the_configured_site_address(app):
    app.config["SITE_URL"] = "https://blog.example.org/community"
    assert link("auth.login") == "https://blog.example.org/community/auth/login"
    assert link("main.user", username="ann") == "https://blog.example.org/community/user/ann"
