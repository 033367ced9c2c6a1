"""One page of a query's results, without counting the whole table.

Fetching ``per_page + 1`` rows tells whether an older page exists, so a page
view is one query and never a ``COUNT(*)`` over the table. A page past the end
(or below 1) is a :class:`~microblog.errors.NotFound`.

Two ways to say where a page starts:

- ``paginate``: ``OFFSET (page - 1) * per_page``. Simple, but the database
  walks past every skipped row, so page 50 costs fifty pages.
- ``paginate_newest``: a :class:`Cursor`, the (time, id) of the last post the
  reader saw. "Older than that" is a range the index starts reading at, so
  every page costs what the first one does (keyset pagination). The pager's
  links carry the cursor; a bare ``?page=N`` still works, by OFFSET.

Either way a page is read ids first (:func:`_page_statement`), a lesson about
indexes that chapter 9 of the guide walks through, by a statement built once for
each list (:func:`~microblog.database.built_once`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

import sqlalchemy as sa
from flask_babel import _

from microblog.database import built_once, is_built_once
from microblog.errors import NotFound
from microblog.extensions import db
from microblog.integers import MAX_ID, whole_number

T = TypeVar("T")
Read = Callable[[sa.Select], sa.Select]  # what is read of the rows on the page
Key = tuple[sa.ColumnElement, sa.ColumnElement]
# A cursor's time: 17 digits of microseconds reach the year 5138.
MAX_MICROS = 10**17 - 1
# No list has more pages than the rows it can hold: past that, ``?page=`` is a 404
# before OFFSET (page - 1) * per_page overflows the database's integers.
LAST_PAGE = MAX_ID


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
        """The cursor a link carried; None for anything else (then the page number counts).

        Both halves are ASCII digits, bounded: ``str.isdigit`` alone passes ``"²"``,
        which ``int()`` refuses, and an id past :data:`~microblog.integers.MAX_ID`
        would overflow the column it is compared with.
        """
        micros, _, post_id = (token or "").partition(".")
        try:
            when = datetime.fromtimestamp(whole_number(micros, MAX_MICROS) / 1_000_000, UTC)
            return cls(when, whole_number(post_id), newer)
        except ValueError:
            return None


def page_number(text: str | None) -> int:
    """The page ``?page=`` asks for: 1 when it is not a number (a mistyped or stale
    link); a NotFound when it is negative or past any list."""
    digits = (text or "").removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        return 1
    try:
        return whole_number(text, LAST_PAGE)  # page 0 is paginate's to refuse
    except ValueError:
        raise NotFound(_("There is no such page.")) from None


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


def paginate(query: sa.Select, page: int, per_page: int, *, read: Read | None = None,
             values: Mapping[str, object] | None = None) -> Page:
    """Run ``query`` for page ``page`` (1-based); the query must already be ordered.
    ``read`` turns it into what is read of the rows on the page (see :func:`_read_page`);
    ``values`` are the values of its bound parameters."""
    if page < 1 or per_page < 1:
        raise NotFound(_("There is no such page."))
    rows = _read_page(query, "offset", per_page + 1, read,
                      {**(values or {}), "page_offset": (page - 1) * per_page})
    if not rows and page > 1:
        raise NotFound(_("There is no such page."))
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page)


def paginate_newest(query: sa.Select, page: int, per_page: int, cursor: Cursor | None,
                    key: Key, *, read: Read | None = None,
                    values: Mapping[str, object] | None = None) -> Page:
    """A page of ``query`` (ordered by ``key`` descending: time, then id), started at
    ``cursor`` when there is one, else at ``page`` by OFFSET.

    ``key`` must be what the rows are ordered by, and the items must have
    ``published_at`` and ``id``: the cursors in the links are made from them.
    """
    if cursor is None:
        found = paginate(query, page, per_page, read=read, values=values)
        return _with_cursors(found.items, page, per_page, found.has_next, more_newer=False)
    if page < 1 or per_page < 1:
        raise NotFound(_("There is no such page."))
    at = {**(values or {}), "cursor_at": cursor.published_at, "cursor_id": cursor.id}
    if cursor.newer:
        # The page just newer than the cursor: read upwards, then put it newest first.
        rows = _read_page(query, "newer", per_page + 1, read, at, key)
        items = list(reversed(rows[:per_page]))
        if not items:
            raise NotFound(_("There is no such page."))
        at_top = len(rows) <= per_page
        return _with_cursors(items, 1 if at_top else page, per_page, has_next=True,
                             more_newer=not at_top)
    rows = _read_page(query, "older", per_page + 1, read, at, key)
    if not rows:
        raise NotFound(_("There is no such page."))
    return _with_cursors(rows[:per_page], max(page, 2), per_page, len(rows) > per_page,
                         more_newer=True)


def _read_page(query: sa.Select, start: str, limit: int, read: Read | None,
               values: Mapping[str, object], key: Key | None = None) -> list:
    """At most ``limit`` rows of ``query`` from where the page starts (``start``: by
    "offset", or "older" or "newer" than the cursor by ``key``).

    The statement that reads a page is built once for each query, start and ``read``
    (:func:`~microblog.database.built_once`): the limit, the offset, the cursor and the
    query's own values are bound parameters. So ``query`` and ``read`` must be built
    once themselves: a new query object at every call would be a new statement kept
    at every call. A query of one model gives objects,
    through the session; a query of columns gives plain rows, which need none of the
    session's work, so they are read through its connection, in its transaction.
    """
    if not is_built_once(query):
        # Kept under a fresh object's identity, the page's statement would be built and
        # kept again at every call: memory that grows with every request.
        raise TypeError("paginate needs a query made by database.built_once")
    statement, of_objects = built_once((_read_page, query, start, read, key),
                                       lambda: _page_statement(query, start, read, key))
    params = {**values, "page_limit": limit}
    if of_objects:
        return list(db.session.scalars(statement, params))
    return list(db.session.connection().execute(statement, params))


def _page_statement(query: sa.Select, start: str, read: Read | None,
                    key: Key | None) -> tuple[sa.Select, bool]:
    """The statement that reads a page of ``query``, in two steps, and whether it reads
    objects of one model (else plain rows: asking the statement costs a tenth of a
    millisecond, so it is asked once, here).

    First the ids alone, which an index on (filter, order, id) holds: nothing is read
    from the table and nothing wide is sorted, however many rows match. Then just
    those rows, as ``read`` reads them (with their authors joined, say), which
    choosing the ids does not need. Without this, SQLite sorted every post of the
    people someone follows, whole, to keep 26.
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
    rows = query if read is None else read(query)
    statement = rows.where(id_column.in_(ids)).limit(limit)
    return statement, len(statement.column_descriptions) == 1


def _with_cursors(items: list, page: int, per_page: int, has_next: bool, *,
                  more_newer: bool) -> Page:
    return Page(
        items=items, page=page, per_page=per_page, has_next=has_next,
        next_cursor=Cursor(items[-1].published_at, items[-1].id).token if items else None,
        prev_cursor=Cursor(items[0].published_at, items[0].id).token if items else None,
        more_newer=more_newer,
    )
