"""Forms of the settings blueprint. The rules are the services' (see the auth forms)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField

from microblog.blueprints.forms import CURRENT_PASSWORD, EMAIL, NEW_PASSWORD


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current Password"), render_kw=CURRENT_PASSWORD)
    password = PasswordField(_l("New Password"), render_kw=NEW_PASSWORD,
                             description=_l("Other devices logged in to your account will be "
                                            "logged out."))
    password2 = PasswordField(_l("Repeat New Password"), render_kw=NEW_PASSWORD)
    submit = SubmitField(_l("Change Password"))


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New Email"), render_kw=EMAIL,
                       description=_l("We will send a link to the new address. Your current "
                                      "address stays in use until you open it."))
    password = PasswordField(_l("Password"), render_kw=CURRENT_PASSWORD)
    submit = SubmitField(_l("Change Email"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Password"), render_kw=CURRENT_PASSWORD)
    understood = BooleanField(_l("I understand that my account, my posts and my follows "
                                 "are deleted for good."))
    submit = SubmitField(_l("Delete My Account"), render_kw={"data-variant": "danger"})
