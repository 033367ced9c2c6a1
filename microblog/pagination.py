"""One page of a query's results, without counting the whole table.

Fetching ``per_page + 1`` rows tells whether an older page exists, so a page
view is one query and never a ``COUNT(*)`` over the table. A page past the end
(or below 1) is a :class:`~microblog.services.errors.NotFound`.

Two ways to say where a page starts:

- ``paginate``: ``OFFSET (page - 1) * per_page``. Simple, but the database
  walks past every skipped row, so page 50 costs fifty pages.
- ``paginate_newest``: a :class:`Cursor`, the (time, id) of the last post the
  reader saw. "Older than that" is a range the index starts reading at, so
  every page costs what the first one does (keyset pagination). The pager's
  links carry the cursor; a bare ``?page=N`` still works, by OFFSET.

The statement that reads a page is built once for each query and kept
(:func:`_statement`); the page, the cursor and the query's own values (whose
profile, who is looking) are bound parameters, given each time it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Generic, TypeVar

import sqlalchemy as sa
from flask_babel import _

from microblog.extensions import db
from microblog.services.errors import NotFound

T = TypeVar("T")
Shape = Callable[[sa.Select], sa.Select]
Key = tuple[sa.ColumnElement, sa.ColumnElement]


@dataclass(frozen=True)
class Cursor:
    """A place in a newest-first list: the page holds what is just older than the
    post at (``published_at``, ``id``), or just newer when ``newer`` is set."""

    published_at: datetime
    id: int
    newer: bool = False

    @property
    def token(self) -> str:
        """The cursor in a URL: microseconds since 1970, a dot, the id."""
        return f"{round(self.published_at.timestamp() * 1_000_000)}.{self.id}"

    @classmethod
    def parse(cls, token: str | None, *, newer: bool = False) -> Cursor | None:
        """The cursor a link carried; None for anything else (then the page number counts)."""
        micros, _, post_id = (token or "").partition(".")
        if not (micros.isdigit() and post_id.isdigit()) or len(micros) > 17:
            return None
        when = datetime.fromtimestamp(int(micros) / 1_000_000, UTC)
        return cls(when, int(post_id), newer)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    has_next: bool
    # Cursors for the pager's links, when the list is paged by keyset.
    next_cursor: str | None = None  # "before": just older than the last item
    prev_cursor: str | None = None  # "after": just newer than the first item
    more_newer: bool = False  # a keyset page that has newer items above it

    @property
    def has_prev(self) -> bool:
        return self.page > 1 or self.more_newer

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def prev_num(self) -> int | None:
        return max(1, self.page - 1) if self.has_prev else None


def paginate(query: sa.Select, page: int, per_page: int, *, shape: Shape | None = None,
             params: Mapping[str, object] | None = None) -> Page:
    """Run ``query`` for page ``page`` (1-based); the query must already be ordered.
    ``shape`` turns it into what is read for the rows on the page (see :func:`_fetch`);
    ``params`` are the values of the query's bound parameters."""
    if page < 1 or per_page < 1:
        raise NotFound(_("There is no such page."))
    rows = _fetch(_statement(query, shape, "offset"), params, per_page + 1,
                  offset=(page - 1) * per_page)
    if not rows and page > 1:
        raise NotFound(_("There is no such page."))
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page)


def paginate_newest(query: sa.Select, page: int, per_page: int, cursor: Cursor | None,
                    key: Key, *, shape: Shape | None = None,
                    params: Mapping[str, object] | None = None) -> Page:
    """A page of ``query`` (ordered by ``key`` descending: time, then id), started at
    ``cursor`` when there is one, else at ``page`` by OFFSET.

    ``key`` must be what the rows are ordered by, and the items must have
    ``published_at`` and ``id``: the cursors in the links are made from them.
    """
    if cursor is None:
        found = paginate(query, page, per_page, shape=shape, params=params)
        return _with_cursors(found.items, page, per_page, found.has_next, more_newer=False)
    if page < 1 or per_page < 1:
        raise NotFound(_("There is no such page."))
    at = {"cursor_at": cursor.published_at, "cursor_id": cursor.id}
    if cursor.newer:
        # The page just newer than the cursor: read upwards, then put it newest first.
        rows = _fetch(_statement(query, shape, "newer", key), params, per_page + 1, at=at)
        items = list(reversed(rows[:per_page]))
        if not items:
            raise NotFound(_("There is no such page."))
        at_top = len(rows) <= per_page
        return _with_cursors(items, 1 if at_top else page, per_page, has_next=True,
                             more_newer=not at_top)
    rows = _fetch(_statement(query, shape, "older", key), params, per_page + 1, at=at)
    if not rows:
        raise NotFound(_("There is no such page."))
    return _with_cursors(rows[:per_page], max(page, 2), per_page, len(rows) > per_page,
                         more_newer=True)


@dataclass(frozen=True)
class _Statement:
    select: sa.Select
    objects: bool  # a query for one entity (``select(Post)``) gives objects; else rows


@lru_cache(maxsize=256)
def _statement(query: sa.Select, shape: Shape | None, start: str,
               key: Key | None = None) -> _Statement:
    """The statement that reads a page of ``query``, built once for each query object.

    Building a statement is Python work: each ``.where()`` or ``.limit()`` copies it,
    and a page's statement takes a dozen. It is the same for every view of the same
    list, so it is built the first time and kept: the limit, the offset, the cursor
    (``start``: "offset", or "older" or "newer" than it by ``key``) and the query's own values are
    bound parameters, given when it runs. A caller that keeps its query (and its
    ``shape``) in a constant builds it once; one that builds a new query each time
    still gets the right page, built each time.

    The statement reads in two steps. First the ids alone, which an index on
    (filter, order, id) holds: nothing is read from the table and nothing wide is
    sorted, however many rows match. Then just those rows, with what ``shape``
    joins to them (authors, say), which choosing the ids does not need. Without
    this, SQLite sorted every post of the people someone follows, whole, to keep 26.
    """
    id_column = query.column_descriptions[0]["entity"].id
    limit = sa.bindparam("page_limit")
    if start != "offset":
        position = sa.tuple_(*key)
        mark = sa.tuple_(sa.bindparam("cursor_at", type_=key[0].type),
                         sa.bindparam("cursor_id"))
        if start == "newer":
            query = query.where(position > mark).order_by(None) \
                .order_by(key[0].asc(), key[1].asc())
        else:
            query = query.where(position < mark)
    ids = query.with_only_columns(id_column).limit(limit)
    if start == "offset":
        ids = ids.offset(sa.bindparam("page_offset"))
    wanted = query if shape is None else shape(query)
    return _Statement(wanted.where(id_column.in_(ids)).limit(limit),
                      objects=len(wanted.column_descriptions) == 1)


def _fetch(statement: _Statement, params: Mapping[str, object] | None, limit: int,
           offset: int = 0, at: Mapping[str, object] | None = None) -> list:
    """At most ``limit`` rows of ``statement`` from ``offset`` (or after the cursor ``at``).

    Objects need the session (identity map, relationships); plain rows of columns (the
    pages' headers) need none of its work on the way back, so they are read through
    its connection, in its transaction: a twentieth of a page of 25 posts less."""
    values = {**(params or {}), **(at or {}), "page_limit": limit}
    if not at:
        values["page_offset"] = offset
    if statement.objects:
        return list(db.session.execute(statement.select, values).scalars())
    return list(db.session.connection().execute(statement.select, values))


def _with_cursors(items: list, page: int, per_page: int, has_next: bool, *,
                  more_newer: bool) -> Page:
    return Page(
        items=items, page=page, per_page=per_page, has_next=has_next,
        next_cursor=Cursor(items[-1].published_at, items[-1].id).token if items else None,
        prev_cursor=Cursor(items[0].published_at, items[0].id).token if items else None,
        more_newer=more_newer,
    )
