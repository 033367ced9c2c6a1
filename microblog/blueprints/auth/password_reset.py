"""Views for forgotten passwords: ask for a link, then choose a new password."""

from flask import flash, redirect, render_template, url_for
from flask_babel import _
from flask_login import current_user

from microblog import known_devices, rate_limits
from microblog.blueprints.auth import bp
from microblog.blueprints.auth.forms import ResetPasswordForm, ResetPasswordRequestForm
from microblog.blueprints.forms import form_status, show_service_error
from microblog.errors import InvalidLink, ValidationError
from microblog.services import passwords


@bp.route("/reset_password_request", methods=["GET", "POST"])
@rate_limits.reset_request_per_ip
@rate_limits.reset_request_per_email
def reset_password_request():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = ResetPasswordRequestForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data)
        # The same words whether or not the address has an account.
        flash(_("If an account uses that address, we have sent it a link to reset the "
                "password. Check your email."), "info")
        return redirect(url_for("auth.login"))
    return render_template(
        "auth/reset_password_request.html", title=_("Reset Password"), form=form
    ), form_status(form)


@bp.route("/reset_password/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        user = passwords.user_for_reset(token)
    except InvalidLink as error:
        return render_invalid_link(error, retry_endpoint="auth.reset_password_request")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = passwords.reset_password(token, form.password.data, form.password2.data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            # Whoever reads the account's email is its owner: a lockout ends for them.
            rate_limits.forgive_account(user)
            known_devices.remember(user)
            flash(_("Your password has been reset. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/reset_password.html", title=_("Reset Password"), form=form, user=user
    ), form_status(form)


def render_invalid_link(error: InvalidLink, retry_endpoint: str):
    """A page that says what is wrong with the link and offers a new one; 400."""
    return render_template(
        "auth/invalid_link.html", title=_("Link not valid"), error=error,
        retry_endpoint=retry_endpoint,
    ), 400
