"""Search in the embedded mode: SQLite's FTS5 full-text index.

Migration 0004 creates three FTS5 tables and the triggers that keep them equal
to the rows they index; their ``rowid`` is the id of the post, comment or user.
FTS5 ranks with BM25 (rarer words and shorter documents count more); a title
match weighs ten times a body match, a tag five times.
"""

from __future__ import annotations

import sqlalchemy as sa

from microblog.extensions import db
from microblog.search.backend import MARK_END, MARK_START, SNIPPET_WORDS, IndexStats, Progress
from microblog.search.database import DatabaseBackend, Statements
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


def _statements(index: str, weights: str, rows: str, visible: str, order: str,
                marked: str) -> tuple[str, str]:
    """The page and count SQL for one FTS5 table (see microblog.search.database).

    ``rows`` joins the indexed table to ``{id}``, the match's rowid. FTS5 reads
    its matches in rowid order, so taking the newest candidates costs no sort.
    BM25 is scored in that first step: FTS5 can score a row only while its own
    scan is on it, not in the window and sort that follow.
    """
    matches = f"""
    SELECT {index}.rowid AS id, bm25({index}{weights}) AS score
      FROM {index} JOIN {rows.format(id=f"{index}.rowid")}
     WHERE {index} MATCH :match AND {visible}
     ORDER BY {index}.rowid DESC
     LIMIT :candidates"""
    page = f"""
WITH matches AS MATERIALIZED ({matches}
), ranked AS (
    SELECT matches.id, count(*) OVER () AS total,
           row_number() OVER (ORDER BY matches.score, {order}) AS position
      FROM matches JOIN {rows.format(id="matches.id")}
     ORDER BY position
     LIMIT :limit OFFSET :offset
)
SELECT ranked.id, ranked.total, {marked}
  FROM {index} CROSS JOIN ranked
 WHERE {index} MATCH :match
   AND {index}.rowid BETWEEN (SELECT min(id) FROM ranked) AND (SELECT max(id) FROM ranked)
   AND ranked.id = {index}.rowid
 ORDER BY ranked.position
"""
    return page, f"SELECT count(*) FROM ({matches})"


# Per kind: the page and count SQL. Only the page's rows get highlights, which
# cost far more than ranking.
STATEMENTS = {
    "posts": _statements(
        "posts_search", ", 10.0, 1.0, 5.0", "posts ON posts.id = {id}",
        "posts.published_at IS NOT NULL", "posts.published_at DESC, posts.id DESC",
        f"{_highlight('posts_search', 0)} AS title, {_snippet('posts_search', 1)} AS body",
    ),
    "comments": _statements(
        "comments_search", "",
        "comments ON comments.id = {id} JOIN posts ON posts.id = comments.post_id",
        "posts.published_at IS NOT NULL", "comments.created_at DESC, comments.id DESC",
        f"{_snippet('comments_search', 0)} AS body",
    ),
    "people": _statements(
        "users_search", ", 10.0, 1.0", "users ON users.id = {id}",
        "NOT users.disabled", "users.last_seen DESC, users.id DESC",
        f"{_highlight('users_search', 1)} AS about_me",
    ),
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


class SQLiteFTSBackend(DatabaseBackend):
    name = "sqlite-fts5"

    def _statements(self, kind: str, query: SearchQuery) -> Statements:
        page, count = STATEMENTS[kind]
        return Statements(page, count, {"match": match_expression(query)})

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
