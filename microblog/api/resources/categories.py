"""Categories and tags: the categories there are, and the posts filed in one or tagged
with one (newest first, keyset-paged as every list of posts)."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import url_for

from microblog.api.auth import TOKEN_OPTIONAL, token_auth
from microblog.api.resources.posts import cursor_of, listing, page_of
from microblog.api.schemas import CategoryList, PostPage, PostsQuery
from microblog.services import categories, timelines

bp = APIBlueprint("categories", __name__, url_prefix="/api", tag="Categories and tags")


@bp.get("/categories")
@bp.output(CategoryList)
@bp.doc(summary="List the categories")
def get_categories():
    return {"items": [{"slug": category.slug, "name": category.name,
                       "posts": url_for("categories.get_category_posts", slug=category.slug)}
                      for category in categories.all_categories()]}


@bp.get("/categories/<slug>/posts")
@bp.auth_required(token_auth, optional=True)
@bp.input(PostsQuery, location="query")
@bp.output(PostPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List the posts in a category",
        responses={301: {"description": "A slug the category had before it was renamed",
                         "headers": {"Location": {
                             "description": "The list's address under the category's slug now",
                             "schema": {"type": "string"}}}},
                   404: "Not Found"})
def get_category_posts(slug: str, query_data: dict):
    """An old slug of a renamed category redirects to its new one, as its page does."""
    viewer = token_auth.current_user
    category = categories.get_by_slug(slug)
    return listing(timelines.in_category(category, *page_of(query_data), cursor_of(query_data),
                                         viewer=viewer), viewer)


@bp.get("/tags/<tag>/posts")
@bp.auth_required(token_auth, optional=True)
@bp.input(PostsQuery, location="query")
@bp.output(PostPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List the posts with a tag", responses=[404])
def get_tag_posts(tag: str, query_data: dict):
    """An unknown tag is an empty first page, as on the tag's page."""
    viewer = token_auth.current_user
    return listing(timelines.tagged(tag, *page_of(query_data), cursor_of(query_data),
                                    viewer=viewer), viewer)
