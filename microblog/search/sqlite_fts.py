"""Search in the embedded mode: SQLite's FTS5 full-text index.

Migration 0004 creates three FTS5 tables and the triggers that keep them equal
to the rows they index; their ``rowid`` is the id of the post, comment or user.
FTS5 ranks with BM25 (rarer words and shorter documents count more); a title
match weighs ten times a body match, a tag five times.
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

REINDEX_BATCH = 10_000
ELLIPSIS = "…"


def match_expression(query: SearchQuery) -> str:
    """The query in FTS5's syntax. Every word is quoted, so none is read as an operator."""

    def phrase(words: Phrase) -> str:
        return '"' + " ".join(words) + '"'  # words hold letters and digits only

    positive = [phrase(words) for words in query.required]
    if query.prefix:
        positive.append(phrase((query.prefix,)) + "*")
    expression = " AND ".join(positive)
    if query.excluded:
        expression = f"({expression}) NOT ({' OR '.join(map(phrase, query.excluded))})"
    return expression


def _snippet(table: str, column: int) -> str:
    return (f"snippet({table}, {column}, '{MARK_START}', '{MARK_END}', '{ELLIPSIS}', "
            f"{SNIPPET_WORDS})")


def _highlight(table: str, column: int) -> str:
    return f"highlight({table}, {column}, '{MARK_START}', '{MARK_END}')"


def _ranked(index: str, weights: str, joins: str, visible: str, recency: str) -> str:
    """The ranked page of ids, with the total (a window over every match).

    BM25 is computed in a first step of its own: FTS5 can only score rows while
    its own scan is running, not inside the window and sort that follow.
    """
    return f"""
WITH matches AS MATERIALIZED (
    SELECT rowid AS id, bm25({index}{weights}) AS score FROM {index} WHERE {index} MATCH :match
), ranked AS (
    SELECT matches.id, count(*) OVER () AS total,
           row_number() OVER (ORDER BY matches.score, {recency}) AS position
      FROM matches {joins}
     WHERE {visible}
     ORDER BY position
     LIMIT :limit OFFSET :offset
)"""


# Only the rows on the page get highlights, which cost far more than ranking.
POSTS_SQL = _ranked(
    "posts_search", ", 10.0, 1.0, 5.0", "JOIN posts ON posts.id = matches.id",
    "posts.published_at IS NOT NULL", "posts.published_at DESC, posts.id DESC",
) + f"""
SELECT ranked.id, ranked.total,
       {_highlight("posts_search", 0)} AS title, {_snippet("posts_search", 1)} AS body
  FROM ranked JOIN posts_search ON posts_search.rowid = ranked.id
 WHERE posts_search MATCH :match
 ORDER BY ranked.position
"""

COMMENTS_SQL = _ranked(
    "comments_search", "",
    "JOIN comments ON comments.id = matches.id JOIN posts ON posts.id = comments.post_id",
    "posts.published_at IS NOT NULL", "comments.created_at DESC, comments.id DESC",
) + f"""
SELECT ranked.id, ranked.total, {_snippet("comments_search", 0)} AS body
  FROM ranked JOIN comments_search ON comments_search.rowid = ranked.id
 WHERE comments_search MATCH :match
 ORDER BY ranked.position
"""

PEOPLE_SQL = _ranked(
    "users_search", ", 10.0, 1.0", "JOIN users ON users.id = matches.id",
    "NOT users.disabled", "users.last_seen DESC, users.id DESC",
) + f"""
SELECT ranked.id, ranked.total, {_highlight("users_search", 1)} AS about_me
  FROM ranked JOIN users_search ON users_search.rowid = ranked.id
 WHERE users_search MATCH :match
 ORDER BY ranked.position
"""

COUNT_SQL = {
    "posts": "SELECT count(*) FROM posts_search JOIN posts ON posts.id = posts_search.rowid "
             "WHERE posts_search MATCH :match AND posts.published_at IS NOT NULL",
    "comments": "SELECT count(*) FROM comments_search "
                "JOIN comments ON comments.id = comments_search.rowid "
                "JOIN posts ON posts.id = comments.post_id "
                "WHERE comments_search MATCH :match AND posts.published_at IS NOT NULL",
    "people": "SELECT count(*) FROM users_search JOIN users ON users.id = users_search.rowid "
              "WHERE users_search MATCH :match AND NOT users.disabled",
}

# What each index is rebuilt from (the same rows the migration's triggers keep).
SOURCES = {
    "posts_search": (
        "posts", "published_at IS NOT NULL",
        """INSERT INTO posts_search (rowid, title, body, tags)
           SELECT id, title, body,
                  (SELECT group_concat(tags.name, ' ') FROM post_tags
                     JOIN tags ON tags.id = post_tags.tag_id WHERE post_tags.post_id = posts.id)
             FROM posts WHERE published_at IS NOT NULL AND id > :after AND id <= :upto""",
    ),
    "comments_search": (
        "comments", "1 = 1",
        """INSERT INTO comments_search (rowid, body)
           SELECT id, body FROM comments WHERE id > :after AND id <= :upto""",
    ),
    "users_search": (
        "users", "1 = 1",
        """INSERT INTO users_search (rowid, username, about_me)
           SELECT id, username, about_me FROM users WHERE id > :after AND id <= :upto""",
    ),
}


class SQLiteFTSBackend(SearchBackend):
    name = "sqlite-fts5"

    def posts(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search("posts", POSTS_SQL, query, offset, limit)

    def comments(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search("comments", COMMENTS_SQL, query, offset, limit)

    def people(self, query: SearchQuery, offset: int, limit: int) -> Hits:
        return self._search("people", PEOPLE_SQL, query, offset, limit)

    def _search(self, kind: str, sql: str, query: SearchQuery, offset: int,
                limit: int) -> Hits:
        match = match_expression(query)
        if limit == 0:
            total = db.session.scalar(sa.text(COUNT_SQL[kind]), {"match": match})
            return Hits(total=total, hits=[])
        rows = db.session.execute(
            sa.text(sql), {"match": match, "limit": limit, "offset": offset}
        ).mappings().all()
        if not rows:
            # Past the last page the window has no row to report the total on.
            total = 0 if offset == 0 else self._search(kind, sql, query, 0, 0).total
            return Hits(total=total, hits=[])
        hits = [Hit(row["id"], {key: row[key] or "" for key in row
                                if key not in ("id", "total")}) for row in rows]
        return Hits(total=rows[0]["total"], hits=hits)

    def reindex(self, progress: Progress) -> None:
        """Empty each index and fill it again from its table, ten thousand rows a commit."""
        for index, (table, condition, insert) in SOURCES.items():
            total = db.session.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE {condition}"))
            last_id = db.session.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0
            db.session.execute(sa.text(f"DELETE FROM {index}"))
            progress(index, 0, total)
            after = done = 0
            while after < last_id:
                upto = after + REINDEX_BATCH
                done += db.session.execute(
                    sa.text(insert), {"after": after, "upto": upto}).rowcount
                progress(index, done, total)
                after = upto
            # Merge the index's segments into one: fewer pages to read per search.
            db.session.execute(sa.text(f"INSERT INTO {index} ({index}) VALUES ('optimize')"))
            db.session.commit()

    def stats(self) -> list[IndexStats]:
        found = []
        for index, (table, condition, _insert) in SOURCES.items():
            found.append(IndexStats(
                name=index,
                documents=db.session.scalar(sa.text(f"SELECT count(*) FROM {index}")),
                source_rows=db.session.scalar(
                    sa.text(f"SELECT count(*) FROM {table} WHERE {condition}")),
                size_bytes=db.session.scalar(
                    sa.text(f"SELECT sum(length(block)) FROM {index}_data")),
            ))
        return found
