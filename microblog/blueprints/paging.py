"""Reading the ``?page=`` query argument the same way on every paginated page."""

from flask import current_app, request


def requested_page() -> tuple[int, int]:
    """``(page, per_page)`` for this request; a non-number page counts as page 1."""
    return request.args.get("page", 1, type=int), current_app.config["POSTS_PER_PAGE"]
