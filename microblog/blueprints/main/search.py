"""The search page: posts, people and comments matching what was typed in the navbar.

A read, so a GET with no CSRF token: a search can be bookmarked and shared.
"""

from flask import current_app, render_template, request
from flask_babel import _

from microblog.blueprints.main import bp
from microblog.blueprints.paging import requested_page
from microblog.search.query import MAX_QUERY_LENGTH, MAX_WORDS
from microblog.services import search as searching
from microblog.services.search import SearchFailed

KINDS = {"posts": searching.posts, "people": searching.people, "comments": searching.comments}
# People shown above the posts on the first page; the People tab has them all.
PEOPLE_PREVIEW = 3


@bp.get("/search")
def search():
    text = request.args.get("q", "")
    kind = request.args.get("type", "posts")
    if kind not in KINDS:
        kind = "posts"
    query = searching.parse(text)
    context = {"title": _("Search"), "q": text.strip(), "kind": kind, "query": query,
               "max_query_length": MAX_QUERY_LENGTH, "max_words": MAX_WORDS}
    if query.is_empty:
        return render_template("search.html", **context)
    page, per_page = requested_page()
    try:
        results = KINDS[kind](query, page, per_page)
        people = None
        if kind == "posts" and page == 1:
            people = searching.people(query, 1, PEOPLE_PREVIEW)
    except SearchFailed as error:
        current_app.logger.warning("search for %r failed", text[:100])
        return render_template("search.html", failure=error.message, **context), 503
    return render_template("search.html", results=results, people=people, **context)
