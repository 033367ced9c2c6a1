"""One page of a query's results, without counting the whole table.

Fetching ``per_page + 1`` rows tells whether an older page exists, so a page
view is one query and never a ``COUNT(*)`` over the table. The database still
walks past the ``OFFSET`` rows, so deep pages cost more than the first one. A
page past the end (or below 1) is a :class:`~microblog.services.errors.NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa
from flask_babel import _

from microblog.extensions import db
from microblog.services.errors import NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None


def paginate(query: sa.Select, page: int, per_page: int) -> Page:
    """Run ``query`` for page ``page`` (1-based); the query must already be ordered."""
    if page < 1 or per_page < 1:
        raise NotFound(_("There is no such page."))
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    if not rows and page > 1:
        raise NotFound(_("There is no such page."))
    return Page(items=list(rows[:per_page]), page=page, per_page=per_page,
                has_next=len(rows) > per_page)
