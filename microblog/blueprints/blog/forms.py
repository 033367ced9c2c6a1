"""Forms of the blog blueprint. Lengths and required-ness are the services' rules;
``maxlength`` only helps the browser stop typing at the limit."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from microblog.integers import whole_number
from microblog.models.comment import COMMENT_MAX_LENGTH
from microblog.models.post import ARTICLE_MAX_LENGTH, STATUS_MAX_LENGTH, TITLE_MAX_LENGTH


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        description=_l("Markdown: **bold**, *italic*, `code`, links and lists. "
                       "Up to %(max)d characters.", max=COMMENT_MAX_LENGTH),
        render_kw={"maxlength": COMMENT_MAX_LENGTH, "rows": 4},
    )
    submit = SubmitField(_l("Comment"))


class EditCommentForm(CommentForm):
    submit = SubmitField(_l("Save"))


class ArticleForm(FlaskForm):
    """The article editor. Which button was pressed says what to do with the text."""

    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX_LENGTH})
    body = TextAreaField(
        _l("Article"),
        description=_l("Markdown: headings, **bold**, *italic*, links, images, lists, "
                       "tables and ``` code blocks ```."),
        render_kw={"maxlength": ARTICLE_MAX_LENGTH, "rows": 16, "data-preview": "article-preview"},
    )
    # The service says whether the category exists; a value that cannot be an id is
    # refused here, before it reaches a query.
    category = SelectField(_l("Category"), coerce=whole_number, validate_choice=False,
                           invalid_value_message=_l("Choose a category from the list."))
    tags = StringField(_l("Tags"), description=_l("Up to ten words, separated by commas."))
    publish = SubmitField(_l("Publish"))
    save_draft = SubmitField(_l("Save draft"), render_kw={"data-variant": "outline-secondary"})
    preview = SubmitField(_l("Preview"), render_kw={"data-variant": "outline-secondary"})


class StatusForm(FlaskForm):
    """Editing a status: its text alone."""

    post = TextAreaField(_l("Your post"), render_kw={"maxlength": STATUS_MAX_LENGTH, "rows": 3})
    submit = SubmitField(_l("Save"))
