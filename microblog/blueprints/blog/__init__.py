"""The blog blueprint: a post's own page, writing articles, comments, likes,
and the category and tag pages."""

from flask import Blueprint
from flask_login import current_user

# Aliased: importing the view modules below binds blog.comments and blog.posts here.
from microblog.services import comments as comment_rules
from microblog.services import posts as post_rules
from microblog.services import translations as translation_rules

bp = Blueprint("blog", __name__)


@bp.app_context_processor
def rules_for_the_visitor():
    """The services' rules, asked for the visitor, so templates show only the buttons
    that would work (the services check again when a button is pressed)."""
    return {
        "may_edit_post": lambda post: post_rules.may_edit(current_user, post),
        "may_delete_post": lambda post: post_rules.may_delete(current_user, post),
        "may_feature_post": lambda post: post_rules.may_feature(current_user, post),
        "may_edit_comment": lambda comment: comment_rules.may_edit(current_user, comment),
        "may_delete_comment": lambda comment: comment_rules.may_delete(current_user, comment),
        "offers_translation": lambda item: translation_rules.offers(current_user, item.language),
    }


from microblog.blueprints.blog import (  # noqa: E402,F401,I001
    browse, comments, editor, likes, posts, translations)
