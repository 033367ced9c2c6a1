"""Search in production: PostgreSQL's own full-text search.

Migration 0004 gives ``posts``, ``comments`` and ``users`` a ``search_vector``
column (a ``tsvector``: the stemmed words of the row and where they occur)
with a GIN index, an inverted index from each word to the rows holding it.
A query becomes a ``tsquery``; ``@@`` asks the index which rows match it,
``ts_rank_cd`` scores them (weights: title A, tags B, body D) and
``ts_headline`` marks the matched words in the rows on the page.
"""

from __future__ import annotations

import sqlalchemy as sa

from microblog.extensions import db
from microblog.search.backend import (
    MARK_END,
    MARK_START,
    SNIPPET_WORDS,
    Hit,
    Hits,
    IndexStats,
    Progress,
    SearchBackend,
)
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


def _parameters(query: SearchQuery) -> dict[str, str | None]:
    return {"terms": websearch_text(query), "prefix": query.prefix}


def _posts_sql(q: str) -> str:
    return f"""
WITH ranked AS (
    SELECT id, published_at, ts_rank_cd(search_vector, {q}) AS rank, count(*) OVER () AS total
      FROM posts
     WHERE search_vector @@ {q} AND published_at IS NOT NULL
     ORDER BY rank DESC, published_at DESC, id DESC
     LIMIT :limit OFFSET :offset
)
SELECT ranked.id, ranked.total,
       {_headline("coalesce(posts.title, '')", q, TITLE_OPTIONS)} AS title,
       {_headline("posts.body", q, BODY_OPTIONS)} AS body
  FROM ranked JOIN posts ON posts.id = ranked.id
 ORDER BY ranked.rank DESC, ranked.published_at DESC, ranked.id DESC
"""


def _comments_sql(q: str) -> str:
    return f"""
WITH ranked AS (
    SELECT comments.id, comments.created_at, comments.body,
           ts_rank_cd(comments.search_vector, {q}) AS rank, count(*) OVER () AS total
      FROM comments JOIN posts ON posts.id = comments.post_id
     WHERE comments.search_vector @@ {q} AND posts.published_at IS NOT NULL
     ORDER BY rank DESC, comments.created_at DESC, comments.id DESC
     LIMIT :limit OFFSET :offset
)
SELECT id, total, {_headline("body", q, BODY_OPTIONS)} AS body
  FROM ranked
 ORDER BY rank DESC, created_at DESC, id DESC
"""


def _people_sql(q: str) -> str:
    return f"""
WITH ranked AS (
    SELECT id, last_seen, about_me, ts_rank_cd(search_vector, {q}) AS rank,
           count(*) OVER () AS total
      FROM users
     WHERE search_vector @@ {q} AND NOT disabled
     ORDER BY rank DESC, last_seen DESC, id DESC
     LIMIT :limit OFFSET :offset
)
SELECT id, total,
       {_headline("coalesce(about_me, '')", q, TITLE_OPTIONS)} AS about_me
  FROM ranked
 ORDER BY rank DESC, last_seen DESC, id DESC
"""


COUNT_SQL = {
    "posts": "SELECT count(*) FROM posts WHERE search_vector @@ {q} "
             "AND published_at IS NOT NULL",
    "comments": "SELECT count(*) FROM comments JOIN posts ON posts.id = comments.post_id "
                "WHERE comments.search_vector @@ {q} AND posts.published_at IS NOT NULL",
    "people": "SELECT count(*) FROM users WHERE search_vector @@ {q} AND NOT disabled",
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


class PostgresFTSBackend(SearchBackend):
    name = "postgresql-tsvector"

    def posts(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search("posts", _posts_sql, query, offset, limit)

    def comments(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search("comments", _comments_sql, query, offset, limit)

    def people(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search("people", _people_sql, query, offset, limit)

    def _search(self, kind: str, build, query: SearchQuery, offset: int, limit: int) -> Hits:
        q = tsquery_sql(query)
        parameters = _parameters(query)
        if limit == 0:
            total = db.session.scalar(sa.text(COUNT_SQL[kind].format(q=q)), parameters)
            return Hits(total=total, hits=[])
        rows = db.session.execute(
            sa.text(build(q)), {**parameters, "limit": limit, "offset": offset}
        ).mappings().all()
        if not rows:
            # Past the last page the window has no row to report the total on.
            total = 0 if offset == 0 else self._search(kind, build, query, 0, 0).total
            return Hits(total=total, hits=[])
        hits = [Hit(row["id"], {key: (row[key] or "").replace(LESS_THAN, "<")
                                for key in row if key not in ("id", "total")})
                for row in rows]
        return Hits(total=rows[0]["total"], hits=hits)

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
