"""Writing, correcting and deleting comments."""

from flask import flash, jsonify, redirect, render_template, request
from flask_babel import _, ngettext
from flask_login import current_user, login_required

from microblog import rate_limits
from microblog.blueprints.blog import bp
from microblog.blueprints.blog.forms import CommentForm, EditCommentForm
from microblog.blueprints.blog.posts import comment_url, permalink, render_post
from microblog.blueprints.forms import form_status, show_service_error
from microblog.blueprints.paging import requested_number
from microblog.errors import Blocked, ValidationError
from microblog.fragments.slots import filled
from microblog.services import comments, posts


@bp.post("/post/<int:post_id>/comment")
@login_required
@rate_limits.comment_per_user
def comment(post_id: int):
    form = CommentForm()
    if form.validate_on_submit():
        try:
            created = comments.add(current_user, post_id, form.body.data)
        except ValidationError as error:
            show_service_error(form, error)
        except Blocked as error:
            # A block between the commenter and the author: said above the form, the
            # words kept, and the status that says "forbidden".
            form.form_errors.append(error.message)
            return render_post(posts.get_post(post_id, current_user), comment_form=form,
                               status=403)
        else:
            flash(_("Your comment is published."), "success")
            return redirect(comment_url(created))
    # The post again, with the comment form showing what went wrong and the text kept.
    return render_post(posts.get_post(post_id, current_user), comment_form=form, status=422)


@bp.get("/post/<int:post_id>/comments/live")
def live_comments(post_id: int):
    """What a post's open page has not shown, as JSON (``static/js/live-comments.js``):
    the comments after ``?after=<id>`` (and ``?again=<id>``, corrected since), each
    rendered for this visitor (their own buttons), and the heading with the count.
    The page asks when its socket says a comment changed, and when it reconnects."""
    post = posts.get_post(post_id, current_user)
    if post.is_draft:
        return jsonify({"heading": "", "count": 0, "comments": []})
    found = comments.newer_than(post, requested_number("after"), requested_number("again"))
    response = jsonify({
        "heading": ngettext("%(num)d comment", "%(num)d comments", post.comment_count),
        "count": post.comment_count,
        "comments": [{"id": comment.id,
                      "html": filled(render_template("blog/_comment_live.html",
                                                     comment=comment, post=post))}
                     for comment in found],
    })
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/comment/<int:comment_id>")
def show_comment(comment_id: int):
    """A comment's permanent address: sends the reader to its post's page, at the comment.

    Which page of comments holds it changes as comments are deleted, so links
    from elsewhere (search results) point here rather than at a page number.
    """
    return redirect(comment_url(comments.get_comment(comment_id)))


@bp.route("/comment/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    """Correct a comment, within the edit window (the service says when it has closed)."""
    entry = comments.get_comment(comment_id)
    form = EditCommentForm()
    if form.validate_on_submit():
        try:
            comments.edit(current_user, entry, form.body.data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            flash(_("Your comment is updated."), "success")
            return redirect(comment_url(entry))
    elif request.method == "GET":
        comments.require_may_edit(current_user, entry)  # else a 403 page that says why
        form.body.data = entry.body
    return render_template("blog/edit_comment.html", title=_("Edit comment"), form=form,
                           comment=entry, post_url=permalink(entry.post),
                           minutes=comments.EDIT_WINDOW.seconds // 60), form_status(form)


@bp.post("/comment/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    post = comments.delete(current_user, comments.get_comment(comment_id))
    flash(_("The comment is deleted."), "info")
    return redirect(permalink(post, _anchor="comments"))
