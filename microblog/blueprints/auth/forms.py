"""Forms of the auth blueprint. Field names follow the Mega-Tutorial.

The registration form declares fields but no rules: every rule (required,
length, format, uniqueness, matching confirmation) is the accounts service's,
so every front end shares them and all problems are reported in one round.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired

from microblog.blueprints.forms import CURRENT_PASSWORD, EMAIL, NEW_PASSWORD, USERNAME


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()], render_kw=USERNAME)
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw=CURRENT_PASSWORD)
    remember_me = BooleanField(_l("Remember Me"))
    submit = SubmitField(_l("Sign In"))


class RegistrationForm(FlaskForm):
    username = StringField(_l("Username"), render_kw=USERNAME)
    email = EmailField(_l("Email"), render_kw=EMAIL)
    password = PasswordField(_l("Password"), render_kw=NEW_PASSWORD)
    password2 = PasswordField(_l("Repeat Password"), render_kw=NEW_PASSWORD)
    submit = SubmitField(_l("Register"))


class ResetPasswordRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()], render_kw=EMAIL)
    submit = SubmitField(_l("Request Password Reset"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New Password"), render_kw=NEW_PASSWORD)
    password2 = PasswordField(_l("Repeat Password"), render_kw=NEW_PASSWORD)
    submit = SubmitField(_l("Reset Password"))


class ConfirmEmailForm(FlaskForm):
    """One button: a link from an email only shows it, so a mail scanner that
    opens every link confirms nothing; the person's click (a POST) does."""

    submit = SubmitField(_l("Confirm"))
