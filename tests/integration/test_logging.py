"""Production logging: a rotating file in instance/logs, and error emails to ADMINS.

The email goes to a real SMTP server (aiosmtpd) listening on loopback.
"""

import email
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from microblog import create_app


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        self.arrived.set()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def production_app(database_url: str, log_dir, **extra) -> Flask:
    app = create_app("production", {
        "SECRET_KEY": "production-test-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LOG_TO_STDOUT": False,
        "LOG_DIR": str(log_dir),
        **extra,
    })

    @app.get("/boom")
    def boom():
        raise RuntimeError("the flux capacitor failed")

    return app


def test_errors_go_to_the_log_file_and_to_the_admins(app, tmp_path, smtp_server):
    port, inbox = smtp_server
    prod = production_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "logs",
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, ADMINS=["ops@example.com"],
    )
    response = prod.test_client().get("/boom")

    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    log = (tmp_path / "logs" / "microblog.log").read_text()
    assert "the flux capacitor failed" in log
    assert inbox.arrived.wait(timeout=10), "no error email arrived"
    message = inbox.messages[0]
    assert message["Subject"] == "Microblog failure"
    assert message["X-Envelope-To"] == "ops@example.com"
    assert "the flux capacitor failed" in message.get_payload()


def test_no_error_email_without_a_mail_server(app, tmp_path):
    prod = production_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "logs",
                          ADMINS=["ops@example.com"])
    assert not any(type(h).__name__ == "SMTPHandler" for h in prod.logger.handlers)
    assert prod.test_client().get("/boom").status_code == 500
    assert "the flux capacitor failed" in (tmp_path / "logs" / "microblog.log").read_text()
