"""Reading the ``?page=`` query argument the same way on every paginated page."""

from flask import current_app, request


def requested_page(per_page_setting: str = "POSTS_PER_PAGE") -> tuple[int, int]:
    """``(page, per_page)`` for this request; a non-number page counts as page 1.

    ``per_page_setting`` names the config key holding the page size: posts by
    default, ``"USERS_PER_PAGE"`` for the accounts table.
    """
    return request.args.get("page", 1, type=int), current_app.config[per_page_setting]
