"""Pages of posts by category and by tag."""

from flask import render_template
from flask_babel import _
from flask_login import current_user

from microblog.blueprints.blog import bp
from microblog.blueprints.paging import requested_cursor, requested_page
from microblog.services import categories, timelines


@bp.get("/category/<slug>")
def category(slug: str):
    found = categories.get_by_slug(slug)
    page = timelines.in_category(found, *requested_page(), cursor=requested_cursor(),
                                 viewer=current_user)
    return render_template("blog/category.html", page=page, title=found.name, category=found)


@bp.get("/tag/<tag>")
def tag(tag: str):
    page = timelines.tagged(tag, *requested_page(), cursor=requested_cursor(),
                            viewer=current_user)
    return render_template("blog/tag.html", page=page, title=_("#%(tag)s", tag=tag.lower()),
                           tag=tag.lower())
