"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from microblog.errors import ValidationError

# What a field holds, for browsers and password managers (``render_kw`` of the field):
# they fill in the username and the *current* password at sign-in, and offer to generate
# and save a *new* one at registration, reset and change, instead of guessing from names.
USERNAME = {"autocomplete": "username"}
EMAIL = {"autocomplete": "email"}
CURRENT_PASSWORD = {"autocomplete": "current-password"}
NEW_PASSWORD = {"autocomplete": "new-password"}


def show_service_error(form: FlaskForm, error: ValidationError) -> None:
    """Show each message of a service's ValidationError next to its field.

    Messages that name no field (or a field this form lacks) go in
    ``form.form_errors``, which templates show above the form.
    """
    for name, message in error.errors.items():
        field = getattr(form, name, None) if name else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def error_summary(error: ValidationError) -> str:
    """Every message of a ValidationError on one line, for a page with no form to
    show them beside their fields (a flash message, the shared error page)."""
    return " ".join(error.errors.values())


def form_status(form: FlaskForm) -> int:
    """422 when a submitted form is re-shown with errors, 200 otherwise.

    The status lets scripts and tests tell a rejected submission from a
    first visit; browsers show the page the same either way.
    """
    return 422 if form.errors or form.form_errors else 200
