"""Views of the admin blueprint. The decorators guard the pages; the moderation service
guards each action again, with the finer rules (whom a moderator may disable, the last
administrator), so the API and the CLI get the same answers.
"""

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user

from microblog.blueprints.admin import bp
from microblog.blueprints.decorators import admin_required, permission_required
from microblog.blueprints.forms import error_summary
from microblog.blueprints.paging import requested_page
from microblog.errors import PermissionDenied, ValidationError
from microblog.models.role import Permission, Role
from microblog.services import moderation


def listing_args() -> dict[str, object]:
    """The table's filter and page, carried through each action and back to the table."""
    args: dict[str, object] = {}
    if query := request.args.get("q", "").strip():
        args["q"] = query
    if (page := requested_page("USERS_PER_PAGE")[0]) != 1:
        args["page"] = page
    return args


def users_page(status: int = 200):
    listing = listing_args()
    page = moderation.list_users(current_user, *requested_page("USERS_PER_PAGE"), listing.get("q"))
    return render_template(
        "admin/users.html", title=_("Accounts"), page=page, listing=listing,
        roles=list(Role),
        may_moderate=partial(moderation.may_moderate, current_user),
    ), status


def refused(error: PermissionDenied | ValidationError):
    """The table again, the reason on top: 403 when forbidden, 422 when a rule says no."""
    if isinstance(error, PermissionDenied):
        flash(error.message, "danger")
        return users_page(403)
    flash(error_summary(error), "danger")
    return users_page(422)


@bp.get("/users")
@permission_required(Permission.MODERATE)
def users():
    return users_page()


@bp.post("/users/<username>/role")
@admin_required
def set_role(username):
    try:
        user = moderation.set_role(current_user, username, request.form.get("role", ""))
    except (PermissionDenied, ValidationError) as error:
        return refused(error)
    flash(_("%(username)s's role is now %(role)s.",
            username=user.username, role=user.role.label), "success")
    return redirect(url_for("admin.users", **listing_args()))


@bp.post("/users/<username>/disable")
@permission_required(Permission.MODERATE)
def disable(username):
    try:
        user = moderation.disable(current_user, username)
    except (PermissionDenied, ValidationError) as error:
        return refused(error)
    flash(_("%(username)s is disabled and has been logged out.", username=user.username),
          "success")
    return redirect(url_for("admin.users", **listing_args()))


@bp.post("/users/<username>/enable")
@permission_required(Permission.MODERATE)
def enable(username):
    try:
        user = moderation.enable(current_user, username)
    except (PermissionDenied, ValidationError) as error:
        return refused(error)
    flash(_("%(username)s can log in again.", username=user.username), "success")
    return redirect(url_for("admin.users", **listing_args()))
