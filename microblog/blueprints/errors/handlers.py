"""Error handlers, registered for the whole app.

Every HTTP error renders ``errors/error.html`` (or a JSON problem body when the
client asked for JSON). Domain errors that escape a view are mapped here once:
NotFound is a 404 (Moved, an old name of a renamed user or category, a 301 to
the current one), PermissionDenied a 403, ValidationError a 422. A database that
cannot be reached is a 503 with ``Retry-After``: the request was fine, and will
work again once the database is back.
"""

import sqlite3
import time
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import _, force_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import login_url
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import (
    Forbidden,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    Unauthorized,
    UnprocessableEntity,
)
from werkzeug.exceptions import NotFound as HTTPNotFound

from microblog import languages, rate_limits
from microblog.blueprints.errors import bp
from microblog.blueprints.forms import error_summary
from microblog.errors import Moved, NotFound, PermissionDenied, ValidationError
from microblog.extensions import db, limiter, login

# What each error means for the person who met it (Werkzeug's own wording
# is written for developers).
FRIENDLY_DETAIL = {
    400: _l("The request could not be understood. Please go back and try again."),
    401: _l("Please log in to do that. If you were logged in, your session has ended."),
    403: _l("You do not have permission to do that."),
    404: _l("We could not find the page you were looking for."),
    405: _l("That action is not possible on this page."),
    413: _l("What you sent is too large."),
    422: _l("What you sent could not be accepted."),
    429: _l("Too many attempts. Please wait a while and try again."),
    500: _l("Something went wrong on our side. It has been logged; please try again later."),
    503: _l("The site cannot answer just now. Please try again in a minute."),
}

# Each error's name, as Werkzeug spells it in English, in the reader's language.
TITLE = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    413: _l("Request Entity Too Large"),
    422: _l("Unprocessable Entity"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}

# How long a browser may keep the redirect from an old name: a day, not for ever (a 301's
# default), since someone else may take the name over and /user/<name> becomes theirs.
MOVED_MAX_AGE = 24 * 60 * 60

# Seconds a client is asked to wait (``Retry-After``) while the database is unreachable.
DATABASE_RETRY_AFTER = 30
# PostgreSQL's SQLSTATEs for "cannot serve you now": class 08 (connection exception),
# shutting down or starting up (57P01-57P03), too many connections (53300).
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite's, for a database file it cannot open or that stayed locked.
UNAVAILABLE_SQLITE_ERRORS = {"SQLITE_CANTOPEN", "SQLITE_BUSY"}

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


@login.unauthorized_handler
def not_logged_in():
    """A page that needs a login, visited without one: the login form, which comes back
    here afterwards (Flask-Login's own answer); to a script (a hover card's Follow after
    the session ended), a 401 problem it can show, not a login page it cannot read."""
    if wants_json():
        return error_response(Unauthorized())
    flash(str(login.login_message), login.login_message_category)
    return redirect(login_url(login.login_view, next_url=request.url))


def error_response(error: HTTPException, detail: str | None = None):
    detail = str(detail or FRIENDLY_DETAIL[error.code])
    name = str(TITLE.get(error.code, error.name))
    if wants_json():
        body = {"type": "about:blank", "title": name, "status": error.code, "detail": detail}
        response = current_app.json.response(body)
        response.status_code = error.code
        response.mimetype = "application/problem+json"
    else:
        response = current_app.make_response(
            (render_template("errors/error.html", error=error, name=name, detail=detail),
             error.code)
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
        return too_many_requests(error)
    return error_response(error)


def too_many_requests(error: HTTPException):
    """The 429 page, with ``Retry-After``: the seconds until the breached limit lets this
    client try again (the moving window's oldest attempt leaves it)."""
    response = error_response(error, too_many_requests_detail())
    if (limit := limiter.current_limit) is not None:
        response.headers["Retry-After"] = str(max(1, int(limit.reset_at - time.time())))
    return response


def too_many_requests_detail() -> str:
    """How long until the breached limit lets this client try again, in words."""
    limit = limiter.current_limit
    if limit is None:
        return str(FRIENDLY_DETAIL[429])
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    detail = ngettext("Too many attempts. Please try again in %(num)d minute.",
                      "Too many attempts. Please try again in %(num)d minutes.", minutes)
    if rate_limits.is_account_cool_down(limit):
        # The same words whatever was typed: they tell nobody whether it was right.
        detail += " " + _("If this is your account, you can sign in now from a browser you "
                          "have signed in with before, or by resetting your password.")
    return detail


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
        # The language too, without asking for the visitor it may be unable to load.
        with force_locale(languages.browser_choice()):
            detail = escape(str(FRIENDLY_DETAIL[500]))
        return BARE_500.format(detail=detail), 500, {"Content-Type": "text/html; charset=utf-8"}


def database_unreachable(error: sa.exc.DBAPIError) -> bool:
    """The database could not be reached (refused, gone mid-request, shutting down), as
    opposed to a statement that failed: a missing table or a bad query is a bug."""
    if error.connection_invalidated:  # SQLAlchemy saw the connection break
        return True
    original = error.orig
    if sqlstate := getattr(original, "sqlstate", None):
        return sqlstate.startswith(UNAVAILABLE_SQLSTATES)
    if isinstance(original, sqlite3.Error):
        return getattr(original, "sqlite_errorname", None) in UNAVAILABLE_SQLITE_ERRORS
    # psycopg's errors with no SQLSTATE come from the client: the connection failed.
    return isinstance(error, sa.exc.OperationalError)


@bp.app_errorhandler(sa.exc.DBAPIError)
def handle_database_error(error: sa.exc.DBAPIError):
    """503 while the database is unreachable; any other database error is re-raised,
    so Flask logs it with its traceback and answers 500."""
    if not database_unreachable(error):
        raise error
    current_app.logger.warning("Database unreachable: %s", error.orig)
    db.session.rollback()
    # Who the visitor is cannot be looked up now: the page is drawn as for a visitor
    # who is not logged in (the session is left alone, so they still are afterwards).
    login._update_request_context_with_user()
    return error_response(ServiceUnavailable(retry_after=DATABASE_RETRY_AFTER), _(
        "We cannot reach our database just now. Please try again in a minute."))


@bp.app_errorhandler(NotFound)
def handle_not_found(error: NotFound):
    return error_response(HTTPNotFound(), error.message)


@bp.app_errorhandler(Moved)
def handle_moved(error: Moved):
    """The page the old name asked for, under the current name: a 301 keeping the query
    string (``?page=2``). A POST or a name that came from elsewhere than the path (a
    form field) stays a 404: a browser would repeat a redirected POST as a GET."""
    args = request.view_args or {}
    if request.method not in ("GET", "HEAD") or error.old not in args.values():
        return handle_not_found(error)
    location = url_for(request.endpoint, **{
        name: error.new if value == error.old else value for name, value in args.items()})
    if request.args:
        location += "?" + urlencode(list(request.args.items(multi=True)))
    response = redirect(location, 301)
    response.cache_control.max_age = MOVED_MAX_AGE
    return response


@bp.app_errorhandler(PermissionDenied)
def handle_permission_denied(error: PermissionDenied):
    return error_response(Forbidden(), error.message)


@bp.app_errorhandler(ValidationError)
def handle_validation_error(error: ValidationError):
    """A safety net: views show these next to form fields; one that escapes is still a 422."""
    return error_response(UnprocessableEntity(), error_summary(error))
