"""Production logging: a rotating file in instance/logs, and error emails to ADMINS.

The email goes to a real SMTP server (aiosmtpd) listening on loopback.
"""

from flask import Flask

from microblog import create_app


def production_app(database_url: str, log_dir, **extra) -> Flask:
    app = create_app("production", {
        "SECRET_KEY": "production-test-key-" + "0" * 32,
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
    prod = production_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "logs",
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


def test_no_error_email_without_a_mail_server(app, tmp_path):
    prod = production_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "logs",
                          ADMINS=["ops@example.com"])
    assert not any(type(h).__name__ == "SMTPHandler" for h in prod.logger.handlers)
    assert prod.test_client().get("/boom").status_code == 500
    assert "the flux capacitor failed" in (tmp_path / "logs" / "microblog.log").read_text()
