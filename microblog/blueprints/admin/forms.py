"""Forms of the admin blueprint. The rules (length, unique names) are the categories service's."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField

from microblog.models.category import CATEGORY_NAME_MAX_LENGTH


class CategoryForm(FlaskForm):
    name = StringField(_l("New category"), render_kw={"maxlength": CATEGORY_NAME_MAX_LENGTH})
    submit = SubmitField(_l("Add category"))
