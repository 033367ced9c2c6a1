"""Reading ``?page=`` (and the pager's cursors) the same way on every paginated page."""

from flask import current_app, request

from microblog.pagination import Cursor, page_number


def requested_page(per_page_setting: str = "POSTS_PER_PAGE") -> tuple[int, int]:
    """``(page, per_page)`` for this request; a non-number page counts as page 1, and
    one past any list is a 404 (:func:`~microblog.pagination.page_number`).

    ``per_page_setting`` names the config key holding the page size: posts by
    default, ``"USERS_PER_PAGE"`` for the accounts table.
    """
    return page_number(request.args.get("page")), current_app.config[per_page_setting]


def requested_cursor() -> Cursor | None:
    """The keyset cursor the pager's link carried (``?before=`` or ``?after=``), if any.

    A cursor that does not parse is ignored: the page number alone still works.
    """
    if "after" in request.args:
        return Cursor.parse(request.args["after"], newer=True)
    return Cursor.parse(request.args.get("before"))


def requested_number(name: str) -> int:
    """``?<name>=`` as an id-sized whole number (an id the page holds); 0 when it is
    missing, and a 400 when it is not a number."""
    from werkzeug.exceptions import BadRequest

    from microblog.integers import whole_number

    try:
        return whole_number(request.args.get(name, "0"))
    except ValueError:
        raise BadRequest() from None
