"""The home timeline as JSON: your posts and those of everyone you follow, newest first."""

from __future__ import annotations

from apiflask import APIBlueprint

from microblog.api.auth import token_auth
from microblog.api.resources.posts import cursor_of, listing, page_of
from microblog.api.schemas import PostPage, PostsQuery
from microblog.services import timelines

bp = APIBlueprint("feed", __name__, url_prefix="/api", tag="Feed")


@bp.get("/feed")
@bp.auth_required(token_auth)
@bp.input(PostsQuery, location="query")
@bp.output(PostPage)
@bp.doc(summary="Your home timeline", responses=[401, 404])
def get_feed(query_data: dict):
    user = token_auth.current_user
    return listing(timelines.home_timeline(user, *page_of(query_data), cursor_of(query_data)),
                   user)
