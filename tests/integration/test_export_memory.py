"""A 10,000-post account exports with memory that stays flat.

The export reads its rows ``BATCH_SIZE`` (500) at a time (keyset paging) and writes
each into the ZIP as it comes, so what it holds at once is a batch of rows, the JSON
writer's 64 KB buffer and the compressor's state, however many posts there are.

Here each post is about 1.1 KB of Markdown and HTML, 11 MB for the 10,000. Measured
(7 December 2026): the streaming export peaks at 2.4–3.0 MB on SQLite and PostgreSQL;
the same export reading each kind of row with one query (the ORM then buffers the
whole result) peaks at 19–23 MB, and ``json.dumps`` of the whole list at 34 MB. The bound,
6 MB, is twice the streaming figure (room for the drivers' and SQLAlchemy's caches to
differ) and well under either way of holding everything, which it fails. tracemalloc
counts what Python allocates (rows, strings, zlib's buffers), not the database server.

It runs with the rest of the suite, in about two seconds per database: the posts go
in with one ``executemany``. ``bench/export.py`` times the same export in a worker.
"""

from __future__ import annotations

import json
import tracemalloc
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.post import Post
from microblog.models.user import User
from microblog.services import exports

POSTS = 10_000
PEAK_BOUND = 6 * 1024 * 1024
BODY = "Notes from the garden: " + "the beans are climbing, the soil is warm. " * 12


def test_a_10000_post_export_stays_under_the_memory_bound(app, make_user, tmp_path):
    susan_id = make_user("susan").id
    start = utcnow() - timedelta(days=365)
    db.session.execute(sa.insert(Post), [
        {"user_id": susan_id, "body": f"{n} {BODY}", "body_html": f"<p>{n} {BODY}</p>",
         "published_at": start + timedelta(minutes=n), "created_at": start,
         "updated_at": start}
        for n in range(POSTS)])
    db.session.commit()
    db.session.expunge_all()  # nothing of the insert left in the session's memory
    susan = db.session.get(User, susan_id)
    target = tmp_path / "export.zip"

    tracemalloc.start()
    try:
        with target.open("wb") as file:
            exports.write_export(susan, file)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    with zipfile.ZipFile(target) as archive:
        exported = json.loads(archive.read("posts.json"))
    assert len(exported) == POSTS
    assert exported[-1]["body_markdown"] == f"{POSTS - 1} {BODY}"
    assert peak < PEAK_BOUND, f"peak {peak / 1e6:.1f} MB"

