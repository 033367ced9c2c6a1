"""Forms as a visitor first sees them, rendered once: ``{{ blank_form(form) }}``.

The home page shows its post form on every view, and a post's page its comment
form: labels, help text and buttons, translated, through the ``quick_form`` macro
of ``templates/_macros.html``. That was a seventh of a warm home page's work, yet
the empty form is the same for every visitor who sees it in the same language but
for two values: the CSRF token and, for the comment form, the address it posts to.
So the blank form is rendered once per form and language with a hole for each
(:func:`microblog.blueprints.cards.hole`), kept beside the cards in this worker's
memory, and the holes are filled on each request.

A form that carries anything of the visitor's, words typed or errors to show (a
rejected submission shown again), is rendered for this request only, by the same
macro: only blank forms are kept.
"""

from __future__ import annotations

from flask import Flask, get_template_attribute
from flask_babel import get_locale
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from microblog.blueprints.cards import CSRF_HOLE, fill_holes, hole
from microblog.extensions import fragments

ACTION_HOLE = hole("action")
# Fields whose data is the form's own, not something the visitor typed.
_NOT_TYPED = frozenset({"CSRFTokenField", "SubmitField", "HiddenField"})


def init_blank_forms(app: Flask) -> None:
    app.jinja_env.globals["blank_form"] = blank_form


def blank_form(form: FlaskForm, action: str = "") -> Markup:
    """``form`` as ``quick_form(form, action)`` renders it: the one kept for a blank
    form of its kind in this language, with this request's token and ``action``."""
    quick_form = get_template_attribute("_macros.html", "quick_form")
    if not is_blank(form):
        return quick_form(form, action=action)
    key = repr(("blank_form", type(form).__module__, type(form).__qualname__,
                str(get_locale())))
    html = fragments.get(key)
    if html is None:
        html = str(quick_form(form, action=ACTION_HOLE))
        token = getattr(form.meta, "csrf", False) and form.csrf_token.current_token
        if token:  # the macro wrote this request's token: keep a hole in its place
            html = html.replace(str(escape(token)), CSRF_HOLE)
        fragments.set(key, html)
    return Markup(fill_holes(html).replace(ACTION_HOLE, escape(action)))


def is_blank(form: FlaskForm) -> bool:
    """Nothing typed into ``form`` and no errors to show: the same for everyone."""
    return not (form.errors or form.form_errors
                or any(field.data for field in form if field.type not in _NOT_TYPED))
