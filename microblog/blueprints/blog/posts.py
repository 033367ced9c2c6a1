"""A post's own page (its permalink)."""

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from microblog.blueprints.blog import bp
from microblog.blueprints.blog.forms import CommentForm
from microblog.blueprints.paging import requested_page
from microblog.mailer import link
from microblog.services import blocks, comments, posts


@bp.get("/post/<int:post_id>")
@bp.get("/post/<int:post_id>/<slug>")
def post(post_id: int, slug: str | None = None):
    """The whole post and a page of its comments. An article's URL carries its slug;
    any other spelling of it (an old title, a typo, none) redirects to the right one."""
    entry = posts.get_post(post_id, current_user)
    if slug != entry.slug:  # keeping the page of comments the link asked for
        return redirect(permalink(entry, page=request.args.get("page", type=int)), 301)
    return render_post(entry)


def render_post(entry, comment_form: CommentForm | None = None, status: int = 200):
    """The post page; ``comment_form`` re-shows a rejected comment with its errors."""
    page = None if entry.is_draft else comments.for_post(
        entry, *requested_page("COMMENTS_PER_PAGE"))
    return render_template(
        "blog/post.html",
        title=entry.title or entry.author.username,
        post=entry,
        comments=page,
        comment_form=comment_form or CommentForm(),
        comment_refusal=blocks.comment_refusal(current_user, entry),
        canonical=link("blog.post", post_id=entry.id, slug=entry.slug),
    ), status


def permalink(entry, **kwargs) -> str:
    """The canonical URL of a post (``_external`` and ``page`` pass through)."""
    return url_for("blog.post", post_id=entry.id, slug=entry.slug, **kwargs)


def comment_url(comment, **kwargs) -> str:
    """The URL of a comment on its post's page (the page it is on, and its anchor)."""
    per_page = current_app.config["COMMENTS_PER_PAGE"]
    page = comments.page_of(comment, per_page)
    return permalink(comment.post, page=page if page > 1 else None,
                     _anchor=f"comment-{comment.id}", **kwargs)
