"""Forms of the main blueprint. Field names follow the Mega-Tutorial.

The forms declare fields, not rules: lengths and required-ness are the posts
and accounts services' rules, checked there for every front end. ``maxlength``
only helps the browser stop typing at the limit.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField

from microblog.blueprints.forms import USERNAME
from microblog.models.post import STATUS_MAX_LENGTH
from microblog.models.user import ABOUT_ME_MAX_LENGTH, USERNAME_MAX_LENGTH


class PostForm(FlaskForm):
    post = TextAreaField(
        _l("Say something"),
        description=_l("Up to %(max)d characters.", max=STATUS_MAX_LENGTH),
        render_kw={"maxlength": STATUS_MAX_LENGTH, "rows": 3},
    )
    submit = SubmitField(_l("Submit"))


class EditProfileForm(FlaskForm):
    username = StringField(_l("Username"), render_kw={"maxlength": USERNAME_MAX_LENGTH, **USERNAME})
    about_me = TextAreaField(
        _l("About me"),
        description=_l("Up to %(max)d characters.", max=ABOUT_ME_MAX_LENGTH),
        render_kw={"maxlength": ABOUT_ME_MAX_LENGTH},
    )
    submit = SubmitField(_l("Submit"))
