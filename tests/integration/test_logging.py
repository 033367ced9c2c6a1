"""Production logging: a rotating file in instance/logs, and error emails to ADMINS.

The email goes to a real SMTP server (aiosmtpd) listening on loopback.
"""

import pytest


@pytest.fixture
def failing_production_app(production_app):
    """``production_app(**overrides)`` (logging to ``tmp_path / "logs"``) with a /boom route."""

    def build(**overrides):
        app = production_app(**overrides)

        @app.get("/boom")
        def boom():
            raise RuntimeError("the flux capacitor failed")

        return app

    return build


def test_errors_go_to_the_log_file_and_to_the_admins(failing_production_app, tmp_path,
                                                     smtp_server):
    prod = failing_production_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, ADMINS=["ops@example.com"],
    )
    response = prod.test_client().get("/boom")

    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    log = (tmp_path / "logs" / "microblog.log").read_text()
    assert "the flux capacitor failed" in log
    message = smtp_server.inbox.next_message()
    assert message["Subject"] == "Microblog failure"
    assert message["X-Envelope-To"] == "ops@example.com"
    assert "the flux capacitor failed" in message.get_payload()


def test_no_error_email_without_a_mail_server(failing_production_app, tmp_path):
    prod = failing_production_app(ADMINS=["ops@example.com"])
    assert not any(type(h).__name__ == "SMTPHandler" for h in prod.logger.handlers)
    assert prod.test_client().get("/boom").status_code == 500
    assert "the flux capacitor failed" in (tmp_path / "logs" / "microblog.log").read_text()


def test_a_text_line_cannot_be_split_by_what_a_user_typed(production_app, tmp_path):
    """A username holding a newline would otherwise write a second, forged audit line."""
    from microblog import audit

    prod = production_app(LOG_FORMAT="text")
    forged = "mallory\n2026-12-06 00:00:00,000 INFO microblog.audit: audit login.success user=ada"
    with prod.test_request_context():
        audit.record("login.failure", username=forged)
        prod.logger.error("boom", exc_info=RuntimeError("the flux capacitor failed"))

    lines = (tmp_path / "logs" / "microblog.log").read_text().splitlines()
    audit_lines = [line for line in lines if "microblog.audit" in line]
    assert len(audit_lines) == 1
    assert "mallory\\n2026-12-06" in audit_lines[0]
    # A traceback keeps its own lines: only the message is escaped.
    assert any(line.startswith("RuntimeError: the flux capacitor failed") for line in lines)
