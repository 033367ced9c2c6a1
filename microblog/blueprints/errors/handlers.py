"""Error handlers, registered for the whole app.

Every HTTP error renders ``errors/error.html`` (or a JSON problem body when the
client asked for JSON). Domain errors that escape a view are mapped here once:
NotFound is a 404, PermissionDenied a 403, ValidationError a 422.
"""

import time

from flask import current_app, render_template, request
from flask_babel import _, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import (
    Forbidden,
    HTTPException,
    InternalServerError,
    UnprocessableEntity,
)
from werkzeug.exceptions import NotFound as HTTPNotFound

from microblog.blueprints.errors import bp
from microblog.blueprints.forms import error_summary
from microblog.errors import NotFound, PermissionDenied, ValidationError
from microblog.extensions import db, limiter

# What each error means for the person who met it (Werkzeug's own wording
# is written for developers).
FRIENDLY_DETAIL = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have permission to do that."),
    404: _l("We could not find the page you were looking for."),
    405: _l("That action is not possible on this page."),
    413: _l("What you sent is too large."),
    422: _l("What you sent could not be accepted."),
    429: _l("Too many attempts. Please wait a while and try again."),
    500: _l("Something went wrong on our side. It has been logged; please try again later."),
}

# The last resort when even the error page cannot be drawn (say the database
# is down and the navbar needs the current user): plain HTML, no template.
BARE_500 = (
    "<!doctype html><title>500 Internal Server Error</title>"
    "<h1>Internal Server Error</h1><p>{detail}</p>"
)


def wants_json() -> bool:
    """True when the client prefers JSON to HTML (HTML wins a tie, as for ``*/*``)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def error_response(error: HTTPException, detail: str | None = None):
    detail = str(detail or FRIENDLY_DETAIL[error.code])
    if wants_json():
        body = {"type": "about:blank", "title": error.name, "status": error.code, "detail": detail}
        response = current_app.json.response(body)
        response.status_code = error.code
        response.mimetype = "application/problem+json"
    else:
        response = current_app.make_response(
            (render_template("errors/error.html", error=error, detail=detail), error.code)
        )
    # Keep headers the error carries: Allow on 405, Retry-After on 429.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.app_errorhandler(HTTPException)
def handle_http_error(error: HTTPException):
    """Every HTTP error, including the 500 Flask makes of an unhandled exception."""
    if error.code not in FRIENDLY_DETAIL:
        return error
    if error.code == 500:
        return handle_internal_error(error)
    if error.code == 429:
        return error_response(error, too_many_requests_detail())
    return error_response(error)


def too_many_requests_detail() -> str:
    """How long until the breached limit lets this client try again, in words."""
    limit = limiter.current_limit
    if limit is None:
        return str(FRIENDLY_DETAIL[429])
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    return ngettext("Too many attempts. Please try again in %(num)d minute.",
                    "Too many attempts. Please try again in %(num)d minutes.", minutes)


@bp.app_errorhandler(CSRFError)
def handle_csrf_error(error: CSRFError):
    """A form without a valid token: forged, or opened in a session that has ended."""
    return error_response(error, _(
        "This form has expired or was not sent by this site. Reload the page and try again."
    ))


def handle_internal_error(error: InternalServerError):
    """Roll back whatever the failed request had half-written, then apologise."""
    db.session.rollback()
    try:
        return error_response(InternalServerError())
    except Exception:
        current_app.logger.exception("The error page itself failed")
        detail = escape(str(FRIENDLY_DETAIL[500]))
        return BARE_500.format(detail=detail), 500, {"Content-Type": "text/html; charset=utf-8"}


@bp.app_errorhandler(NotFound)
def handle_not_found(error: NotFound):
    return error_response(HTTPNotFound(), error.message)


@bp.app_errorhandler(PermissionDenied)
def handle_permission_denied(error: PermissionDenied):
    return error_response(Forbidden(), error.message)


@bp.app_errorhandler(ValidationError)
def handle_validation_error(error: ValidationError):
    """A safety net: views show these next to form fields; one that escapes is still a 422."""
    return error_response(UnprocessableEntity(), error_summary(error))
