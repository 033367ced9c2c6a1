"""Search: posts and people, with the site's search (``microblog/services/search.py``):
the same query language as the box on every page."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app
from flask_babel import _
from werkzeug.exceptions import ServiceUnavailable

from microblog.api import representations as shown
from microblog.api.auth import TOKEN_OPTIONAL, token_auth
from microblog.api.schemas import PostPage, SearchQueryIn, UserPage
from microblog.blueprints.errors.handlers import DATABASE_RETRY_AFTER
from microblog.errors import ValidationError
from microblog.search.query import SearchQuery, parse
from microblog.services import search as searching

bp = APIBlueprint("search", __name__, url_prefix="/api", tag="Search")


def _limits(query: dict, setting: str) -> tuple[SearchQuery, int, int]:
    parsed = parse(query["q"])
    if parsed.is_empty:
        raise ValidationError(_("Type a word to search for."), field="q")
    return parsed, query["page"], shown.per_page(
        query.get("per_page"), current_app.config[setting], current_app.config["API_MAX_PER_PAGE"])


def _find(kind, *args):
    """The search, or a 503 when the database cannot run it (as the search page says),
    with the Retry-After of every 503 the database causes."""
    try:
        return kind(*args)
    except searching.SearchFailed as error:
        raise ServiceUnavailable(error.message, retry_after=DATABASE_RETRY_AFTER) from None


@bp.get("/search/posts")
@bp.auth_required(token_auth, optional=True)
@bp.input(SearchQueryIn, location="query")
@bp.output(PostPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="Search published posts", responses=[404, 503])
def search_posts(query_data: dict):
    query, page, per_page = _limits(query_data, "POSTS_PER_PAGE")
    found = _find(searching.posts, query, page, per_page)
    return shown.collection(found, [shown.post(result.post, None) for result in found.items],
                            total_items=None if found.more else found.total)


@bp.get("/search/users")
@bp.auth_required(token_auth, optional=True)
@bp.input(SearchQueryIn, location="query")
@bp.output(UserPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="Search people", responses=[404, 503])
def search_users(query_data: dict):
    query, page, per_page = _limits(query_data, "USERS_PER_PAGE")
    found = _find(searching.people, query, page, per_page)
    return shown.people(found, [result.user for result in found.items],
                        token_auth.current_user,
                        total_items=None if found.more else found.total)
