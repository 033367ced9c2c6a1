"""Forms of the main blueprint. Field names follow the Mega-Tutorial."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from microblog.models.post import BODY_MAX_LENGTH
from microblog.models.user import ABOUT_ME_MAX_LENGTH, USERNAME_MAX_LENGTH


class PostForm(FlaskForm):
    post = TextAreaField(
        _l("Say something"), validators=[DataRequired(), Length(min=1, max=BODY_MAX_LENGTH)]
    )
    submit = SubmitField(_l("Submit"))


class EditProfileForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=USERNAME_MAX_LENGTH)]
    )
    about_me = TextAreaField(_l("About me"), validators=[Length(max=ABOUT_ME_MAX_LENGTH)])
    submit = SubmitField(_l("Submit"))
