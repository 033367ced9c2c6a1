"""Liking and unliking a post: POST only, idempotent, back to where the click came from."""

from flask import redirect, request
from flask_login import current_user, login_required

from microblog.blueprints.auth.redirects import is_safe_next
from microblog.blueprints.blog import bp
from microblog.blueprints.blog.posts import permalink
from microblog.services import likes


@bp.post("/post/<int:post_id>/like")
@login_required
def like(post_id: int):
    return _back(likes.like(current_user, post_id))


@bp.post("/post/<int:post_id>/unlike")
@login_required
def unlike(post_id: int):
    return _back(likes.unlike(current_user, post_id))


def _back(post):
    """To the page the button was on (``next``, a path on this site), else the post."""
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else permalink(post))
