"""Views for confirming an email address: the link's page, and "send it again"."""

from flask import flash, redirect, render_template, url_for
from flask_babel import _
from flask_login import current_user, login_required

from microblog import rate_limits
from microblog.blueprints.auth import bp
from microblog.blueprints.auth.forms import ConfirmEmailForm
from microblog.blueprints.auth.password_reset import render_invalid_link
from microblog.errors import InvalidLink, ValidationError
from microblog.services import email_confirmation
from microblog.services.email_confirmation import Confirmed


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token):
    retry = "settings.email" if current_user.is_authenticated else "auth.login"
    try:
        user, address = email_confirmation.link_target(token)
    except InvalidLink as error:
        return render_invalid_link(error, retry_endpoint=retry)
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            user, outcome = email_confirmation.confirm(token)
        except InvalidLink as error:
            return render_invalid_link(error, retry_endpoint=retry)
        except ValidationError as error:
            flash(error.message, "danger")
            return redirect(url_for(retry))
        if outcome is Confirmed.CHANGED:
            flash(_("Your email address is now %(email)s.", email=user.email), "success")
        elif outcome is Confirmed.EMAIL:
            flash(_("Thank you! Your email address is confirmed."), "success")
        else:
            flash(_("Your email address was already confirmed."), "info")
        return redirect(url_for("main.index" if current_user.is_authenticated
                                else "auth.login"))
    return render_template(
        "auth/confirm_email.html", title=_("Confirm your email address"), form=form,
        user=user, address=address,
    )


@bp.post("/resend_confirmation")
@login_required
@rate_limits.confirmation_resend_per_user
def resend_confirmation():
    try:
        email_confirmation.resend(current_user)
    except ValidationError as error:
        flash(error.message, "info")
    else:
        flash(_("We have sent a new confirmation link to %(email)s.",
                email=current_user.email), "info")
    return redirect(url_for("main.index"))
