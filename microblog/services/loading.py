"""Loading rows by id, in an order decided elsewhere.

A page often knows which rows it shows before it loads them: a search backend
answers with ids, best match first; a page of headers names the posts whose
cards must be rendered. :func:`in_order` loads them all in one statement and
hands them back in that order, rather than one ``session.get`` per id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from microblog.extensions import db


def in_order(query: sa.Select, ids: Sequence[int]) -> list[Any | None]:
    """The rows of ``query`` (a select of one model, with its loader options) whose ids
    are ``ids``, in one statement and in that order; None for an id that is gone."""
    if not ids:
        return []
    model = query.column_descriptions[0]["entity"]
    found = {row.id: row for row in db.session.scalars(query.where(model.id.in_(ids))).unique()}
    return [found.get(row_id) for row_id in ids]
