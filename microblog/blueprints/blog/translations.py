"""Translating a post or a comment in place (static/js/translate.js asks, by id).

A POST (it spends the site's translator, and may store a translation) with the page's
CSRF token in the ``X-CSRFToken`` header; the answer is JSON, an error a JSON problem
body (``microblog/blueprints/errors/handlers.py``). Members only, rate-limited per
account (``RATELIMIT_TRANSLATE_PER_USER``).
"""

from flask import jsonify
from flask_login import current_user, login_required

from microblog import rate_limits
from microblog.blueprints.blog import bp
from microblog.services import translations
from microblog.services.translations import Translated


def _answer(translated: Translated):
    return jsonify(html=translated.html, title=translated.title, source=translated.source,
                   target=translated.target)


@bp.post("/post/<int:post_id>/translate")
@login_required
@rate_limits.translate_per_user
def translate_post(post_id: int):
    return _answer(translations.translate_post(current_user, post_id))


@bp.post("/comment/<int:comment_id>/translate")
@login_required
@rate_limits.translate_per_user
def translate_comment(comment_id: int):
    return _answer(translations.translate_comment(current_user, comment_id))
