"""The interface every search backend implements, and what it answers with.

A backend finds ids, best match first, and marks the matched words in a few
fields; the search service then loads those rows through the ORM, like every
other page does. Keeping the answer to ids and marked text is what lets a
backend live outside the database (Elasticsearch, OpenSearch, Meilisearch):
it would implement the same five methods and keep its index in step with
commits itself (chapter 26 of the guide shows how).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from microblog.search.query import SearchQuery

# Around each matched word in a highlight. Private-use characters: no keyboard
# types them, and microblog.search.highlight turns them into <mark> after escaping.
MARK_START = "\ue000"
MARK_END = "\ue001"
# Words of context in a body snippet.
SNIPPET_WORDS = 30

# ``progress(index_name, done, total)``, called as a rebuild goes.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Hit:
    """One match: the row's id, and fields with the matched words marked."""

    id: int
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hits:
    """One page of matches, and how many there are in all.

    ``more``: there are more than ``total`` matches; a backend may stop counting
    (and ranking) at a bound, to answer a very common word in bounded time.
    """

    total: int
    hits: list[Hit]
    more: bool = False


@dataclass(frozen=True)
class IndexStats:
    """What one index holds, for ``flask search stats``."""

    name: str
    documents: int  # rows in the index
    source_rows: int  # rows that should be in it
    size_bytes: int | None

    @property
    def in_sync(self) -> bool:
        return self.documents == self.source_rows


class SearchBackend(ABC):
    """Full-text search over published posts, comments on them, and people.

    Each search method takes a parsed query (never raw text), an offset and a
    limit, and returns :class:`Hits` ordered by relevance, newest first among
    equals. Drafts are never found. ``limit=0`` still gives the total.
    :class:`microblog.search.database.DatabaseBackend` implements the searches
    for the two backends that live in the app's database.
    """

    name: str

    @abstractmethod
    def posts(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        """Published posts; highlights ``title`` (articles) and ``body``."""

    @abstractmethod
    def comments(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        """Comments on published posts; highlights ``body``."""

    @abstractmethod
    def people(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        """Accounts in good standing, by username and about-me; highlights ``about_me``."""

    @abstractmethod
    def reindex(self, progress: Progress) -> None:
        """Throw the index away and build it again from the tables."""

    @abstractmethod
    def stats(self) -> list[IndexStats]:
        """How many rows each index holds, beside how many it should."""
