"""The footer's language switcher: everyone's, signed in or not.

A small POST form (with its CSRF token, like every change) on every page. The choice is
kept in a long-lived cookie (``microblog.languages:LANGUAGE_COOKIE``), which is all an
anonymous visitor has; a signed-in person's account keeps it too
(``microblog.services.accounts:choose_language``), so it follows them to other browsers
and into their emails. Then back to the page the form was on.
"""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from microblog.blueprints.auth.redirects import is_safe_next
from microblog.blueprints.main import bp
from microblog.errors import ValidationError
from microblog.languages import LANGUAGE_COOKIE
from microblog.services import accounts


@bp.post("/language")
def language():
    target = request.form.get("next")
    response = redirect(target if is_safe_next(target) else url_for("main.index"))
    try:
        chosen = accounts.choose_language(
            current_user if current_user.is_authenticated else None,
            request.form.get("language"))
    except ValidationError as error:
        flash(error.message, "danger")
        return response
    response.set_cookie(LANGUAGE_COOKIE, chosen,
                        max_age=current_app.config["LANGUAGE_COOKIE_DURATION"],
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
                        httponly=True, samesite="Lax")
    return response
