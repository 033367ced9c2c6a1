"""Where log records go, and what a line looks like.

Production writes a rotating file in ``instance/logs/`` (or the console with
``LOG_TO_STDOUT``, for platforms that collect it) and, when ``MAIL_SERVER`` and
``ADMINS`` are set, emails every error to the administrators. Tests keep
Flask's default console handler (and read records with pytest's ``caplog``).

The handlers sit on the app logger, ``microblog``. The request log
(``microblog.request``) and the audit trail (``microblog.audit``) are its
children, so their records reach the same handlers by propagation.

A line is readable text (``LOG_FORMAT=text``, development) or one JSON object
(``LOG_FORMAT=json``, production), which log collectors can search by field.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler, SMTPHandler
from pathlib import Path

from flask import Flask, g, has_request_context
from flask.logging import default_handler

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s [in %(pathname)s:%(lineno)d]"
LOG_FORMATS = ("text", "json")
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, then the extras.

    Fields passed as ``extra`` become keys of their own (the request log's
    ``status``, the audit trail's ``audit`` dict), and a record made while
    answering a request carries its ``request_id``, so every line of one request,
    traceback included, can be found by that id.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if "request_id" not in entry and has_request_context() and g.get("request_id"):
            entry["request_id"] = g.request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def make_formatter(log_format: str) -> logging.Formatter:
    if log_format not in LOG_FORMATS:
        raise RuntimeError(
            f"LOG_FORMAT={log_format!r} is not one of {', '.join(LOG_FORMATS)}"
        )
    return JsonFormatter() if log_format == "json" else logging.Formatter(FORMAT)


def configure_logging(app: Flask) -> None:
    # ``app.logger`` is the process-wide "microblog" logger: drop the handlers an
    # earlier app in this process added, or every record would be sent twice.
    for old in [h for h in app.logger.handlers if getattr(h, "added_by_microblog", False)]:
        app.logger.removeHandler(old)
        old.close()
    app.logger.setLevel(app.config["LOG_LEVEL"])
    formatter = make_formatter(app.config["LOG_FORMAT"])
    if app.testing:
        return
    app.logger.removeHandler(default_handler)
    if app.config["LOG_TO_STDOUT"]:
        handler: logging.Handler = logging.StreamHandler()
    else:
        log_dir = Path(app.config["LOG_DIR"])
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(log_dir / "microblog.log", maxBytes=1_000_000, backupCount=10)
    handler.setFormatter(formatter)
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
