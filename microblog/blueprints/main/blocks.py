"""Blocking and unblocking, from a profile or the settings' list of blocked accounts.

The rules (and what a block stops) are ``services.blocks``'; these views only say
what happened and go back to where the button was.
"""

from flask import flash, redirect, request, url_for
from flask_babel import _
from flask_login import current_user, login_required

from microblog.blueprints.auth.redirects import is_safe_next
from microblog.blueprints.main import bp
from microblog.errors import ValidationError
from microblog.services import blocks


@bp.post("/block/<username>")
@login_required
def block(username):
    try:
        other = blocks.block(current_user, username)
    except ValidationError as error:
        flash(error.message, "warning")
        return redirect(url_for("main.user", username=username))
    flash(_("You have blocked %(username)s. They can no longer follow you or comment on "
            "your posts.", username=other.username), "info")
    return _back(other)


@bp.post("/unblock/<username>")
@login_required
def unblock(username):
    other = blocks.unblock(current_user, username)
    flash(_("You have unblocked %(username)s.", username=other.username), "info")
    return _back(other)


def _back(other):
    """To the page the button was on (``next``, a path on this site), else the profile."""
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("main.user",
                                                                 username=other.username))
