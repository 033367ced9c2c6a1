"""Forms of the uploads blueprint: one file field each; the rules are the service's."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField

from microblog.images import ACCEPTED


class ImageForm(FlaskForm):
    image = FileField(_l("Picture"), description=_l("JPEG, PNG, GIF or WebP."),
                      render_kw={"accept": ACCEPTED})
    submit = SubmitField(_l("Upload"))


class AvatarForm(FlaskForm):
    image = FileField(_l("Your picture"),
                      description=_l("JPEG, PNG, GIF or WebP; it is cut to a square."),
                      render_kw={"accept": ACCEPTED})
    submit = SubmitField(_l("Upload"))
