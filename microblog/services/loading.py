"""Loading rows by id, in an order decided elsewhere; asking about the visitor.

A page often knows which rows it shows before it loads them: a search backend
answers with ids, best match first; a page of headers names the posts whose
cards must be rendered. :func:`in_order` loads them all in one statement and
hands them back in that order, rather than one ``session.get`` per id.

Statements built once ask about the visitor (did they like this post, do they
follow this user) through one bound parameter, :data:`VIEWER_ID`, which
:func:`bind_viewer` fills in for a member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from microblog.extensions import db

VIEWER_ID = sa.bindparam("viewer_id")


def in_order(query: sa.Select, ids: Sequence[int]) -> list[Any | None]:
    """The rows of ``query`` (a select of one model, with its loader options) whose ids
    are ``ids``, in one statement and in that order; None for an id that is gone."""
    if not ids:
        return []
    model = query.column_descriptions[0]["entity"]
    found = {row.id: row for row in db.session.scalars(query.where(model.id.in_(ids))).unique()}
    return [found.get(row_id) for row_id in ids]


def bind_viewer(viewer: Any, values: Mapping[str, object]) -> tuple[bool, dict[str, object]]:
    """Whether ``viewer`` is a logged-in member, and ``values`` with their id for
    :data:`VIEWER_ID` when they are (a visitor logged out is asked nothing)."""
    if getattr(viewer, "is_authenticated", False):
        return True, {**values, VIEWER_ID.key: viewer.id}
    return False, dict(values)
