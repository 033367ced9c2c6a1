"""Where log records go, and what a line looks like.

Production writes to standard output, where gunicorn's workers all share one
stream and the platform (systemd, Docker, a log collector) picks the lines up;
``LOG_TO_STDOUT=false`` writes ``instance/logs/microblog.log`` instead. Several
worker processes append to that one file safely because none of them rotates
it: ``WatchedFileHandler`` reopens the file when ``logrotate`` has moved it away.
(A ``RotatingFileHandler`` in each worker would rename the file under the
others, which then write into a backup that the next rotation deletes: that is
how two workers lost a third of their records.) When ``MAIL_SERVER`` and
``ADMINS`` are set, every error is also emailed to the administrators. Tests keep
Flask's default console handler (and read records with pytest's ``caplog``).

The handlers sit on the app logger, ``microblog``. The request log
(``microblog.request``) and the audit trail (``microblog.audit``) are its
children, so their records reach the same handlers by propagation.

A line is readable text (``LOG_FORMAT=text``, development) or one JSON object
(``LOG_FORMAT=json``, production), which log collectors can search by field.
Either way one record is one line: a username holding a newline cannot forge a
second, innocent-looking line in the audit trail.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import sys
from datetime import UTC, datetime
from logging.handlers import SMTPHandler, WatchedFileHandler
from pathlib import Path

from flask import Flask, g, has_request_context
from flask.logging import default_handler

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s [in %(pathname)s:%(lineno)d]"
LOG_FORMATS = ("text", "json")
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Characters that would end a line, move the cursor or recolour a terminal.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """``text`` with each control character written as Python writes it: a newline as ``\\n``."""
    return CONTROL_CHARACTERS.sub(lambda found: ascii(found.group())[1:-1], text)


class TextFormatter(logging.Formatter):
    """Readable lines, with the message's control characters escaped.

    The message holds what users typed (a username, a path), so it may hold a
    newline; the traceback that follows an error keeps its own lines.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        escaped = copy.copy(record)  # other handlers format the same record
        escaped.message = escape_controls(record.message)
        return super().formatMessage(escaped)


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
    return JsonFormatter() if log_format == "json" else TextFormatter(FORMAT)


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
        handler: logging.Handler = logging.StreamHandler(sys.stdout)
    else:
        log_dir = Path(app.config["LOG_DIR"])
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = WatchedFileHandler(log_dir / "microblog.log")
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
    handler.setFormatter(TextFormatter(FORMAT))
    return handler
