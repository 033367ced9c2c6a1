"""Settings → Notifications: which kinds of notification also come by email.

One checkbox per kind the service lists (``services.notifications.EMAIL_KINDS``), so a
kind added there appears here with nothing else to change.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField

from microblog.blueprints.settings import bp
from microblog.services import notifications


class EmailChoicesForm(FlaskForm):
    """The checkboxes are drawn from the service's list; the form carries the token."""

    submit = SubmitField(_l("Save"))


@bp.route("/notifications", methods=["GET", "POST"], endpoint="notifications")
def email_choices():
    form = EmailChoicesForm()
    if form.validate_on_submit():
        notifications.set_email_choices(current_user, set(request.form.getlist("email")))
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("settings.notifications"))
    return render_template("settings/notifications.html", title=_("Notifications"), form=form,
                           kinds=notifications.EMAIL_KINDS,
                           chosen=notifications.email_choices(current_user))
