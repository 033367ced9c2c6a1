"""The one form of private messages: what to say."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField

from microblog.models.message import MESSAGE_MAX_LENGTH


class MessageForm(FlaskForm):
    # The tutorial's field name.
    message = TextAreaField(
        _l("Message"),
        description=_l("Markdown: **bold**, *italic*, `code`, links and lists. "
                       "Up to %(max)d characters.", max=MESSAGE_MAX_LENGTH),
        render_kw={"maxlength": MESSAGE_MAX_LENGTH, "rows": 3},
    )
    submit = SubmitField(_l("Send"))
