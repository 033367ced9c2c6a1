"""Views of the settings blueprint. Each parses the form, calls a service, redirects."""

from flask import flash, redirect, render_template, url_for
from flask_babel import _
from flask_login import current_user, login_required

from microblog import known_devices
from microblog.blueprints.auth.session_cookies import sign_out
from microblog.blueprints.forms import form_status, show_service_error
from microblog.blueprints.paging import requested_page
from microblog.blueprints.settings import bp
from microblog.blueprints.settings.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
)
from microblog.blueprints.uploads.forms import AvatarForm
from microblog.errors import ValidationError
from microblog.languages import ngettext  # counts written the reader's way
from microblog.services import (
    accounts,
    blocks,
    email_confirmation,
    passwords,
    sessions,
    uploads,
)


@bp.before_request
@login_required
def require_login():
    """Every page here is about the logged-in person's own account."""


@bp.get("")
def index():
    return render_template("settings/index.html", title=_("Settings"))


@bp.get("/avatar")
def avatar():
    """The account's picture: upload one (the form posts to ``uploads.avatar``), or go
    back to the identicon."""
    return render_template("settings/avatar.html", title=_("Picture"), form=AvatarForm())


@bp.post("/avatar/identicon")
def use_identicon():
    uploads.use_identicon(current_user)
    flash(_("Your picture is the identicon again."), "info")
    return redirect(url_for("settings.avatar"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(current_user, form.current_password.data,
                                      form.password.data, form.password2.data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            # The device cookie carried the old password's fingerprint: renew it.
            known_devices.remember(current_user)
            flash(_("Your password has been changed. Your other sessions were logged out."),
                  "success")
            return redirect(url_for("settings.index"))
    return render_template(
        "settings/password.html", title=_("Change Password"), form=form
    ), form_status(form)


@bp.route("/email", methods=["GET", "POST"])
def email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            address = email_confirmation.request_change(
                current_user, form.email.data, form.password.data
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            flash(_("We have sent a link to %(new)s. Until you open it, your email address "
                    "stays %(old)s.", new=address, old=current_user.email), "info")
            return redirect(url_for("settings.email"))
    return render_template(
        "settings/email.html", title=_("Change Email"), form=form
    ), form_status(form)


@bp.post("/email/cancel")
def cancel_email_change():
    email_confirmation.cancel_change(current_user)
    flash(_("The email change was cancelled. Your address stays %(email)s.",
            email=current_user.email), "info")
    return redirect(url_for("settings.email"))


@bp.route("/delete_account", methods=["GET", "POST"])
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            accounts.delete_account(current_user, form.password.data, form.understood.data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            sign_out()
            flash(_("Your account and everything you posted have been deleted. Goodbye!"),
                  "info")
            return redirect(url_for("main.explore"))
    return render_template(
        "settings/delete_account.html", title=_("Delete Account"), form=form
    ), form_status(form)


@bp.get("/sessions")
def sessions_list():
    return render_template(
        "settings/sessions.html", title=_("Sessions"), sessions=sessions.active(current_user),
        this_session=current_user.login_session,
    )


@bp.post("/sessions/<int:session_id>/end")
def end_session(session_id):
    ended = sessions.end_one(current_user, session_id)
    flash(_("The session on %(device)s has ended.", device=ended.device), "info")
    return redirect(url_for("settings.sessions_list"))


@bp.post("/sessions/end_others")
def end_other_sessions():
    ended = sessions.end_others(current_user, keep=current_user.login_session)
    flash(ngettext("%(num)d other session has ended.", "%(num)d other sessions have ended.",
                   ended), "info")
    return redirect(url_for("settings.sessions_list"))


@bp.get("/blocked")
def blocked():
    """The accounts the person blocked, each with its Unblock button."""
    page = blocks.blocked_by(current_user, *requested_page("USERS_PER_PAGE"))
    return render_template("settings/blocked.html", title=_("Blocked accounts"), page=page)
