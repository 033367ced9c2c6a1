"""The audit trail: one log line per security event, on its own logger.

Security events (logins, password and email changes, role changes, account
deletion) go to the ``microblog.audit`` logger, so an operator can route them
somewhere durable apart from the request log. Each record carries the fields
as ``record.audit`` (a dict) for the JSON formatter, and a readable message.
"""

from __future__ import annotations

import logging

from flask import g, has_request_context, request

logger = logging.getLogger("microblog.audit")


def record(event: str, *, user=None, **details: object) -> None:
    """Log ``event`` (dotted, like ``"login.failure"``) with who, from where and details."""
    fields: dict[str, object] = {"event": event}
    if user is not None:
        fields["user_id"] = user.id
        fields["username"] = user.username
    if has_request_context():
        fields["ip"] = request.remote_addr
        request_id = g.get("request_id")
        if request_id:
            fields["request_id"] = request_id
    fields.update(details)
    message = " ".join(f"{key}={value}" for key, value in fields.items())
    logger.info("audit %s", message, extra={"audit": fields})
