"""Where log records go: the console in development, files and email in production.

Production writes a rotating file in ``instance/logs/`` (or the console with
``LOG_TO_STDOUT``, for platforms that collect it) and, when ``MAIL_SERVER`` and
``ADMINS`` are set, emails every error to the administrators. Tests keep
Flask's default console handler.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler, SMTPHandler
from pathlib import Path

from flask import Flask
from flask.logging import default_handler

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s [in %(pathname)s:%(lineno)d]"


def configure_logging(app: Flask) -> None:
    # ``app.logger`` is the process-wide "microblog" logger: drop the handlers an
    # earlier app in this process added, or every record would be sent twice.
    for old in [h for h in app.logger.handlers if getattr(h, "added_by_microblog", False)]:
        app.logger.removeHandler(old)
        old.close()
    app.logger.setLevel(app.config["LOG_LEVEL"])
    if app.testing:
        return
    app.logger.removeHandler(default_handler)
    if app.config["LOG_TO_STDOUT"]:
        handler: logging.Handler = logging.StreamHandler()
    else:
        log_dir = Path(app.config["LOG_DIR"])
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(log_dir / "microblog.log", maxBytes=1_000_000, backupCount=10)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(app.config["LOG_LEVEL"])
    handlers = [handler]
    if not app.debug and app.config["MAIL_SERVER"] and app.config["ADMINS"]:
        handlers.append(_mail_handler(app))
    for handler in handlers:
        handler.added_by_microblog = True
        app.logger.addHandler(handler)


def _mail_handler(app: Flask) -> SMTPHandler:
    config = app.config
    credentials = None
    if config["MAIL_USERNAME"] or config["MAIL_PASSWORD"]:
        credentials = (config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    handler = SMTPHandler(
        mailhost=(config["MAIL_SERVER"], config["MAIL_PORT"]),
        fromaddr=config["MAIL_DEFAULT_SENDER"],
        toaddrs=config["ADMINS"],
        subject="Microblog failure",
        credentials=credentials,
        secure=() if config["MAIL_USE_TLS"] else None,
        timeout=10,
    )
    handler.setLevel(logging.ERROR)
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler
