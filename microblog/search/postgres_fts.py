"""Search in production: PostgreSQL's own full-text search.

Migration 0004 gives ``posts``, ``comments`` and ``users`` a ``search_vector``
column (a ``tsvector``: the stemmed words of the row and where they occur)
with a GIN index, an inverted index from each word to the rows holding it.
A query becomes a ``tsquery``; ``@@`` asks the index which rows match it,
``ts_rank_cd`` scores them (weights: title A, tags B, body D) and
``ts_headline`` marks the matched words in the rows on the page.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from microblog.extensions import db
from microblog.search.backend import MARK_END, MARK_START, SNIPPET_WORDS, IndexStats, Progress
from microblog.search.database import DatabaseBackend, Statements
from microblog.search.query import Phrase, SearchQuery

CONFIG = "microblog"  # English stemming after unaccent (migration 0004)
REINDEX_BATCH = 10_000
TITLE_OPTIONS = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
# One passage around the best match (fragment mode would trim a short status's
# closing punctuation).
BODY_OPTIONS = (f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, "
                f"StartSel={MARK_START}, StopSel={MARK_END}")


# ts_headline reads "<...>" as HTML markup and drops it, so a status that quotes
# "<b>" would lose those characters. It sees this stand-in instead; put back after.
LESS_THAN = "\ue002"


def _headline(column: str, q: str, options: str) -> str:
    return f"ts_headline('{CONFIG}', replace({column}, '<', '{LESS_THAN}'), {q}, '{options}')"


def websearch_text(query: SearchQuery) -> str:
    """The required and excluded phrases in ``websearch_to_tsquery``'s syntax.

    Every phrase is quoted (its words are letters and digits only), so a word
    such as "or" is looked for, never read as an operator.
    """

    def phrase(words: Phrase) -> str:
        return '"' + " ".join(words) + '"'

    return " ".join([*map(phrase, query.required),
                     *("-" + phrase(words) for words in query.excluded)])


def tsquery_sql(query: SearchQuery) -> str:
    """SQL for the query's ``tsquery``, reading the parameters ``:terms`` and ``:prefix``.

    ``websearch_to_tsquery`` never fails on its input; the prefix is quoted
    with ``quote_literal`` and marked ``:*`` (any word starting with it).
    """
    parts = []
    if query.required or query.excluded:
        parts.append(f"websearch_to_tsquery('{CONFIG}', :terms)")
    if query.prefix:
        parts.append(f"to_tsquery('{CONFIG}', quote_literal(:prefix) || ':*')")
    return "(" + " && ".join(parts) + ")"


def _statements(q: str, candidates: str, source: str, order: str,
                marked: str) -> tuple[str, str]:
    """The page and count SQL (see microblog.search.database) for a tsquery ``q``.

    ``candidates`` selects the newest matches: ``id``, ``search_vector`` and the
    columns ``order`` reads to put equal ranks newest first. For a rare word
    PostgreSQL asks the GIN index and sorts the few rows; for a common one it
    walks the primary key backwards and stops once it has enough. Only the
    page's rows are read again from ``source`` to mark the matched words.
    """
    candidates = candidates.format(q=q)
    page = f"""
WITH candidates AS ({candidates}
), ranked AS (
    SELECT *, ts_rank_cd(search_vector, {q}) AS rank, count(*) OVER () AS total
      FROM candidates
     ORDER BY rank DESC, {order.format(t="")}
     LIMIT :limit OFFSET :offset
)
SELECT ranked.id, ranked.total, {marked.format(q=q)}
  FROM ranked JOIN {source} ON {source}.id = ranked.id
 ORDER BY ranked.rank DESC, {order.format(t="ranked.")}
"""
    return page, f"SELECT count(*) FROM ({candidates}) AS candidates"


# Per kind: the candidates, the table they come from, the order among equal
# ranks, and the marked fields.
KINDS = {
    "posts": (
        """
    SELECT id, published_at, search_vector FROM posts
     WHERE search_vector @@ {q} AND published_at IS NOT NULL
     ORDER BY id DESC LIMIT :candidates""",
        "posts", "{t}published_at DESC, {t}id DESC",
        _headline("coalesce(posts.title, '')", "{q}", TITLE_OPTIONS) + " AS title, "
        + _headline("posts.body", "{q}", BODY_OPTIONS) + " AS body",
    ),
    "comments": (
        """
    SELECT comments.id, comments.created_at, comments.search_vector
      FROM comments JOIN posts ON posts.id = comments.post_id
     WHERE comments.search_vector @@ {q} AND posts.published_at IS NOT NULL
     ORDER BY comments.id DESC LIMIT :candidates""",
        "comments", "{t}created_at DESC, {t}id DESC",
        _headline("comments.body", "{q}", BODY_OPTIONS) + " AS body",
    ),
    "people": (
        """
    SELECT id, last_seen, search_vector FROM users
     WHERE search_vector @@ {q} AND NOT disabled
     ORDER BY id DESC LIMIT :candidates""",
        "users", "{t}last_seen DESC, {t}id DESC",
        _headline("coalesce(users.about_me, '')", "{q}", TITLE_OPTIONS) + " AS about_me",
    ),
}

# How each table's vectors are computed again. A generated column is recomputed
# whenever its row is written, so writing a column to itself rebuilds it.
REBUILDS = {
    "posts": ("published_at IS NOT NULL",
              "UPDATE posts SET search_vector = CASE WHEN published_at IS NULL THEN NULL "
              "ELSE posts_search_document(id, title, body) END "
              "WHERE id > :after AND id <= :upto"),
    "comments": ("true", "UPDATE comments SET body = body WHERE id > :after AND id <= :upto"),
    "users": ("true", "UPDATE users SET about_me = about_me WHERE id > :after AND id <= :upto"),
}


class PostgresFTSBackend(DatabaseBackend):
    name = "postgresql-tsvector"

    def _statements(self, kind: str, query: SearchQuery) -> Statements:
        page, count = _statements(tsquery_sql(query), *KINDS[kind])
        return Statements(page, count, {"terms": websearch_text(query), "prefix": query.prefix})

    def _marked(self, row: Mapping) -> dict[str, str]:
        return {key: value.replace(LESS_THAN, "<") for key, value in super()._marked(row).items()}

    def reindex(self, progress: Progress) -> None:
        """Compute every vector again, ten thousand rows a commit."""
        for table, (condition, rebuild) in REBUILDS.items():
            total = db.session.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE {condition}"))
            last_id = db.session.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0
            progress(table, 0, total)
            after = 0
            while after < last_id:
                upto = after + REINDEX_BATCH
                db.session.execute(sa.text(rebuild), {"after": after, "upto": upto})
                db.session.commit()
                done = db.session.scalar(sa.text(
                    f"SELECT count(*) FROM {table} WHERE {condition} AND id <= :upto"),
                    {"upto": upto})
                progress(table, done, total)
                after = upto

    def stats(self) -> list[IndexStats]:
        found = []
        for table, (condition, _rebuild) in REBUILDS.items():
            found.append(IndexStats(
                name=f"{table}.search_vector",
                documents=db.session.scalar(sa.text(
                    f"SELECT count(*) FROM {table} WHERE search_vector IS NOT NULL")),
                source_rows=db.session.scalar(
                    sa.text(f"SELECT count(*) FROM {table} WHERE {condition}")),
                size_bytes=db.session.scalar(sa.text(
                    f"SELECT pg_relation_size('ix_{table}_search_vector')")),
            ))
        return found
