"""Writing and changing posts: the article editor with its preview, editing,
publishing a draft, featuring, deleting. Every change is a POST with CSRF."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user, login_required

from microblog import images
from microblog.blueprints.blog import bp
from microblog.blueprints.blog.forms import ArticleForm, StatusForm
from microblog.blueprints.blog.posts import permalink
from microblog.blueprints.decorators import permission_required
from microblog.blueprints.forms import form_status, show_service_error
from microblog.blueprints.paging import requested_page
from microblog.errors import ValidationError
from microblog.models.role import Permission
from microblog.services import categories, posts, timelines, uploads


def _article_form() -> ArticleForm:
    form = ArticleForm()
    form.category.choices = [(0, _("No category"))] + [
        (category.id, category.name) for category in categories.all_categories()
    ]
    return form


def _editor(form, post=None, preview_html=None):
    title = _("Edit article") if post else _("New article")
    return render_template("blog/editor.html", title=title, form=form, post=post,
                           preview_html=preview_html, accepted_images=images.ACCEPTED,
                           upload_max_megabytes=uploads.megabytes(
                               current_app.config["UPLOAD_MAX_BYTES"])), form_status(form)


@bp.route("/write", methods=["GET", "POST"])
@permission_required(Permission.WRITE)
def write():
    """A new article: publish it, keep it as a draft, or preview it first."""
    form = _article_form()
    if form.validate_on_submit():
        if form.preview.data:
            return _editor(form, preview_html=posts.preview(form.body.data))
        try:
            post = posts.create_article(
                current_user, form.title.data, form.body.data,
                category_id=form.category.data or None, tags=form.tags.data,
                publish=not form.save_draft.data,
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            flash(_("Your draft is saved. Only you can see it.") if post.is_draft
                  else _("Your article is published!"), "success")
            return redirect(permalink(post))
    return _editor(form)


@bp.route("/post/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    post = posts.get_post(post_id, current_user)
    posts.require_may_edit(current_user, post)  # a 403 page that says why
    if not post.is_article:
        return _edit_status(post)
    form = _article_form()
    if form.validate_on_submit():
        if form.preview.data:
            return _editor(form, post, preview_html=posts.preview(form.body.data))
        was_draft = post.is_draft
        try:
            posts.edit_post(current_user, post, title=form.title.data, body=form.body.data,
                            category_id=form.category.data or None, tags=form.tags.data)
            if form.publish.data and was_draft:
                posts.publish(current_user, post)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            flash(_("Your article is published!") if was_draft and not post.is_draft
                  else _("Your changes are saved."), "success")
            return redirect(permalink(post))
    elif request.method == "GET":
        form.title.data, form.body.data = post.title, post.body
        form.category.data = post.category_id or 0
        form.tags.data = ", ".join(tag.name for tag in post.tags)
    return _editor(form, post)


def _edit_status(post):
    form = StatusForm()
    if form.validate_on_submit():
        try:
            posts.edit_post(current_user, post, body=form.post.data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(permalink(post))
    elif request.method == "GET":
        form.post.data = post.body
    return render_template("blog/edit_status.html", title=_("Edit post"), form=form,
                           post=post), form_status(form)


@bp.post("/post/<int:post_id>/publish")
@login_required
def publish(post_id: int):
    post = posts.publish(current_user, posts.get_post(post_id, current_user))
    flash(_("Your article is published!"), "success")
    return redirect(permalink(post))


@bp.post("/post/<int:post_id>/feature")
@login_required
def feature(post_id: int):
    return _set_featured(post_id, True)


@bp.post("/post/<int:post_id>/unfeature")
@login_required
def unfeature(post_id: int):
    return _set_featured(post_id, False)


def _set_featured(post_id: int, featured: bool):
    post = posts.get_post(post_id, current_user)
    try:
        posts.set_featured(current_user, post, featured)
    except ValidationError as error:
        flash(error.message, "warning")
    else:
        flash(_("The article is featured on Explore.") if featured
              else _("The article is no longer featured."), "info")
    return redirect(permalink(post))


@bp.post("/post/<int:post_id>/delete")
@login_required
def delete(post_id: int):
    post = posts.get_post(post_id, current_user)
    own = post.user_id == current_user.id
    posts.delete_post(current_user, post)
    flash(_("The post is deleted."), "info")
    if own:
        return redirect(url_for("main.user", username=current_user.username))
    return redirect(url_for("main.explore"))


@bp.post("/preview")
@login_required
def preview():
    """The HTML an article body would be saved as; static/js/preview.js shows it as you type."""
    return posts.preview(request.form.get("body")), 200, {
        "Content-Type": "text/html; charset=utf-8"}


@bp.get("/drafts")
@login_required
def drafts():
    """The visitor's own unpublished articles."""
    page = timelines.drafts_of(current_user, *requested_page())
    return render_template("blog/drafts.html", page=page, title=_("Your drafts"))
