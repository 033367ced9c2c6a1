"""Views of the auth blueprint."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user

from microblog import rate_limits
from microblog.blueprints.auth import bp
from microblog.blueprints.auth.forms import LoginForm, RegistrationForm
from microblog.blueprints.auth.redirects import is_safe_next
from microblog.blueprints.auth.session_cookies import sign_in, sign_out
from microblog.blueprints.forms import form_status, show_service_error
from microblog.errors import PermissionDenied, ValidationError
from microblog.services import accounts


def redirect_after_login():
    """To ``?next=`` when it is a path on this site, else home."""
    next_page = request.args.get("next")
    return redirect(next_page if is_safe_next(next_page) else url_for("main.index"))


@bp.route("/login", methods=["GET", "POST"])
@rate_limits.login_per_ip
@rate_limits.login_per_account
def login():
    if current_user.is_authenticated:
        return redirect_after_login()
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data)
        except PermissionDenied as error:  # a disabled account
            form.form_errors.append(error.message)
        else:
            if user is not None:
                sign_in(user, remember=form.remember_me.data)
                rate_limits.forgive_sign_in_failures()
                return redirect_after_login()
            form.form_errors.append(_("Invalid username or password."))
    return render_template("auth/login.html", title=_("Sign In"), form=form), form_status(form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        accounts.log_out(current_user)
    sign_out()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("main.explore"))


@bp.route("/register", methods=["GET", "POST"])
@rate_limits.register_per_ip
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            accounts.register(
                form.username.data, form.email.data, form.password.data, form.password2.data
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            # The same answer when the address already had an account (register
            # emailed its owner instead): the page must not tell who is registered.
            flash(_("Thank you for registering! We have sent a message to %(email)s: open "
                    "the link in it to confirm your address. You can sign in now.",
                    email=form.email.data.strip()), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", title=_("Register"), form=form), form_status(form)
