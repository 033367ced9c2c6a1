"""What the two database backends share: each search is one SQL statement.

The statement (1) takes the matches, newest first, at most ``MAX_RANKED + 1``
of them; (2) ranks those and counts them with a window (``count(*) OVER ()``);
(3) keeps one page; (4) marks the matched words in that page's rows only.
Each backend writes that SQL in its own dialect; running it and reading the
answer is the same, and lives here.

Why a bound: a page's best 25 are known only once every candidate has a score.
For a word in most posts ("flask", on a Flask blog) that is hundreds of
thousands of scores per page view: seconds, at a million posts. Past
``MAX_RANKED`` matches, the best among the newest ``MAX_RANKED`` are shown and
the page says "more than"; a second word usually brings the count back under.
(Precisely: the best ``MAX_RANKED`` of the newest ``MAX_RANKED + 1``.)
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import NamedTuple

import sqlalchemy as sa

from microblog.extensions import db
from microblog.search.backend import Hit, Hits, SearchBackend
from microblog.search.query import SearchQuery

MAX_RANKED = 10_000


class Statements(NamedTuple):
    """SQL for one kind of search. Both read ``:candidates``; ``page`` also reads
    ``:limit`` and ``:offset``, and answers ``id``, ``total`` and the marked fields."""

    page: str
    count: str
    parameters: dict[str, object]


class DatabaseBackend(SearchBackend):
    """A backend whose index lives in the app's own database."""

    def posts(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search(self._statements("posts", query), offset, limit)

    def comments(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search(self._statements("comments", query), offset, limit)

    def people(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search(self._statements("people", query), offset, limit)

    @abstractmethod
    def _statements(self, kind: str, query: SearchQuery) -> Statements:
        """The SQL that searches ``kind`` ("posts", "comments", "people") for ``query``."""

    def _marked(self, row: Mapping) -> dict[str, str]:
        """The marked fields of a result row, as text."""
        return {key: row[key] or "" for key in row if key not in ("id", "total")}

    def _search(self, statements: Statements, offset: int, limit: int) -> Hits:
        # One candidate more than the bound tells whether there are more; the
        # pages stop at the bound, so counts and pages agree.
        parameters = {**statements.parameters, "candidates": MAX_RANKED + 1}
        limit = max(0, min(limit, MAX_RANKED - offset))
        if limit > 0:
            rows = db.session.execute(
                sa.text(statements.page), {**parameters, "limit": limit, "offset": offset}
            ).mappings().all()
            if rows:
                return _hits(rows[0]["total"], [Hit(row["id"], self._marked(row))
                                                for row in rows])
            if offset == 0:
                return _hits(0, [])
        # No row to read the total from: a count alone, or a page past the last.
        return _hits(db.session.scalar(sa.text(statements.count), parameters), [])


def _hits(found: int, hits: list[Hit]) -> Hits:
    return Hits(total=min(found, MAX_RANKED), hits=hits, more=found > MAX_RANKED)
