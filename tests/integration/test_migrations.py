"""The migrations build exactly the schema the models describe, on both databases."""

import warnings
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from microblog import create_app
from microblog.extensions import db
from microblog.models.base import UTCDateTime, utcnow
from microblog.search import leave_search_index_alone
from tests.conftest import IN_CI, PG_URL, ensure_postgres_database


def test_migrated_schema_matches_the_models(app):
    # The fixture built this database with `flask db upgrade`.
    with db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": leave_search_index_alone})
        assert compare_metadata(context, db.metadata) == []


def test_indexes_for_the_pages_exist(app):
    inspector = sa.inspect(db.engine)
    posts = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("posts")}
    assert posts["ix_posts_user_id_published_at"] == ["user_id", "published_at", "id"]
    assert posts["ix_posts_published_at"] == ["published_at", "id"]
    assert posts["ix_posts_category_id_published_at"] == ["category_id", "published_at", "id"]
    assert posts["ix_posts_featured"] == ["published_at", "id"]  # WHERE featured
    for table in ("likes", "comments"):  # "popular this week", from the index alone
        indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes(table)}
        assert indexes[f"ix_{table}_created_at"] == ["created_at", "post_id"]
    assert inspector.get_pk_constraint("followers")["constrained_columns"] == [
        "follower_id", "followed_id"]
    follower_ix = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("followers")}
    assert follower_ix["ix_followers_followed_id_follower_id"] == ["followed_id", "follower_id"]
    # The unique lower(username) index cannot be reflected on SQLite; test_models
    # proves it by inserting "SUSAN" next to "susan".


def test_downgrading_and_upgrading_keeps_usernames_unique_ignoring_case(tmp_path):
    """SQLite rebuilds tables in batch migrations; the lower(username) index must survive."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy.exc import IntegrityError

    from microblog import create_app

    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})

    def twin_is_refused() -> bool:
        with warnings.catch_warnings():  # reflection cannot see the index we are testing
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            users = sa.Table("users", sa.MetaData(), autoload_with=db.engine)
        required = {"password_hash": "x", "session_token": "t"}
        now = {"last_seen": sa.func.now(), "created_at": sa.func.now(),
               "updated_at": sa.func.now()}
        defaults = {k: v for k, v in {**required, **now}.items() if k in users.c}
        insert = users.insert().values(username=sa.bindparam("name"),
                                       email=sa.bindparam("email"), **defaults)
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM users"))
            connection.execute(insert, {"name": "susan", "email": "a@example.com"})
        try:
            with db.engine.begin() as connection:
                connection.execute(insert, {"name": "SUSAN", "email": "b@example.com"})
        except IntegrityError:
            return True
        return False

    with fresh.app_context():
        upgrade()
        downgrade(revision="0001")
        assert twin_is_refused()
        upgrade()
        assert twin_is_refused()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_app(request, tmp_path) -> Iterator[Flask]:
    """An app on a database of its own with no tables at all, to migrate step by step.

    PostgreSQL gets a separate database next to the suite's (``<name>_migrations``),
    created here and dropped afterwards, so the shared test schema stays at head.
    """
    pg_url, engine_options = None, {}
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/steps.db"
    else:
        target = sa.make_url(PG_URL)
        pg_url = target.set(database=f"{target.database}_migrations")
        _drop_database(pg_url)
        if problem := ensure_postgres_database(pg_url.render_as_string(hide_password=False)):
            if IN_CI:
                pytest.fail(f"{problem} (CI=true: the PostgreSQL pass is required)")
            pytest.skip(problem)
        url = pg_url.render_as_string(hide_password=False)
        # A migration waiting on a lock the test itself holds fails instead of hanging.
        engine_options = {"connect_args": {"options": "-c lock_timeout=10s"}}
    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url,
                                   "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
    with fresh.app_context():
        yield fresh
        db.session.remove()
        db.engine.dispose()
    if pg_url is not None:
        _drop_database(pg_url)


def _drop_database(url: sa.URL) -> None:
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    except sa.exc.OperationalError:
        pass  # no server: the fixture skips (or fails in CI) with the reason
    finally:
        admin.dispose()


def _write_statuses_at_0002() -> dict[str, int]:
    """A user and three statuses, written as the 0002 schema stores them; their ids by body."""
    users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("email"),
                     sa.column("password_hash"), sa.column("session_token"),
                     sa.column("last_seen", UTCDateTime()),
                     sa.column("email_confirmed_at", UTCDateTime()),
                     sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))
    posts = sa.table("posts", sa.column("id"), sa.column("body"), sa.column("user_id"),
                     sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))
    start = utcnow() - timedelta(days=3)
    with db.engine.begin() as connection:
        user_id = connection.execute(
            users.insert().values(username="susan", email="susan@example.com",
                                  password_hash="x", session_token="t" * 32, last_seen=start,
                                  email_confirmed_at=start, created_at=start, updated_at=start)
            .returning(users.c.id)
        ).scalar_one()
        ids = {}
        for hours, body in enumerate(OLD_STATUSES):
            written = start + timedelta(hours=hours)
            ids[body] = connection.execute(
                posts.insert().values(body=body, user_id=user_id, created_at=written,
                                      updated_at=written).returning(posts.c.id)
            ).scalar_one()
    return ids


OLD_STATUSES = [
    "Learning #Flask and #SQLAlchemy this week",
    "No tags in this one, but <b>markup</b> stays text",
    "More #flask: migrations are code too",
]


def _post_bodies() -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.scalars(sa.text("SELECT body FROM posts ORDER BY id")))


def test_upgrading_from_0002_publishes_old_statuses_and_files_their_tags(empty_database_app):
    from flask_migrate import downgrade, upgrade

    from microblog.models.post import Post
    from microblog.models.user import User
    from microblog.services import comments, likes, posts, timelines

    upgrade(revision="0002")
    ids = _write_statuses_at_0002()

    upgrade()
    assert _bodies(timelines.explore(1, 10)) == OLD_STATUSES[::-1]  # newest first, none a draft
    first = db.session.get(Post, ids[OLD_STATUSES[0]])
    assert first.published_at == first.created_at
    assert not first.is_article
    assert '<a href="/tag/flask"' in first.body_html
    assert [tag.name for tag in first.tags] == ["flask", "sqlalchemy"]
    assert "&lt;b&gt;markup&lt;/b&gt;" in db.session.get(Post, ids[OLD_STATUSES[1]]).body_html
    assert _bodies(timelines.tagged("Flask", 1, 10)) == [
        OLD_STATUSES[2], OLD_STATUSES[0]]

    # The new schema in use: an article, a comment and a like on an old status.
    susan = db.session.scalar(sa.select(User))
    posts.create_article(susan, "A title", "An *article* the old schema cannot hold")
    comments.add(susan, ids[OLD_STATUSES[0]], "Still here after the upgrade")
    likes.like(susan, ids[OLD_STATUSES[0]])
    db.session.remove()

    downgrade(revision="0002")
    assert _post_bodies() == OLD_STATUSES  # the statuses stay, the article is gone
    tables = set(sa.inspect(db.engine).get_table_names())
    assert not tables & {"categories", "tags", "post_tags", "comments", "likes"}
    assert "title" not in {column["name"] for column in sa.inspect(db.engine).get_columns("posts")}

    upgrade()
    assert _bodies(timelines.explore(1, 10)) == \
        OLD_STATUSES[::-1]
    assert _bodies(timelines.tagged("flask", 1, 10)) == [
        OLD_STATUSES[2], OLD_STATUSES[0]]
    assert db.session.get(Post, ids[OLD_STATUSES[0]]).comment_count == 0


def _bodies(page) -> list[str]:
    """The words of the posts on ``page`` (a page lists them as rows: read from the posts)."""
    from microblog.models.post import Post

    return [db.session.get(Post, post.id).body for post in page.items]


def _write_tulips_at_0003() -> None:
    """A user who grows tulips, a status, an article tagged tulips, a draft and a comment,
    written as the 0003 schema stores them (the models describe a later schema)."""
    def stamps() -> list[sa.ColumnClause]:
        return [sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime())]

    users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("email"),
                     sa.column("password_hash"), sa.column("session_token"),
                     sa.column("about_me"), sa.column("last_seen", UTCDateTime()),
                     sa.column("email_confirmed_at", UTCDateTime()), *stamps())
    posts = sa.table("posts", sa.column("id"), sa.column("title"), sa.column("slug"),
                     sa.column("body"), sa.column("body_html"), sa.column("excerpt"),
                     sa.column("user_id"), sa.column("published_at", UTCDateTime()), *stamps())
    tags = sa.table("tags", sa.column("id"), sa.column("name"), *stamps())
    post_tags = sa.table("post_tags", sa.column("post_id"), sa.column("tag_id"))
    comments = sa.table("comments", sa.column("body"), sa.column("body_html"),
                        sa.column("post_id"), sa.column("user_id"), *stamps())
    now = utcnow()
    times = {"created_at": now, "updated_at": now}

    def post(connection, body: str, title: str | None = None, published: bool = True) -> int:
        return connection.execute(posts.insert().values(
            title=title, slug=title and title.lower().replace(" ", "-"), body=body,
            body_html=f"<p>{body}</p>", excerpt=title and body, user_id=susan,
            published_at=now if published else None, **times).returning(posts.c.id)
        ).scalar_one()

    with db.engine.begin() as connection:
        susan = connection.execute(users.insert().values(
            username="susan", email="susan@example.com", password_hash="x",
            session_token="t" * 32, about_me="Grows tulips", last_seen=now,
            email_confirmed_at=now, **times).returning(users.c.id)).scalar_one()
        status = post(connection, "Planting tulips today")
        article = post(connection, "Daffodils first.", title="Spring bulbs")
        post(connection, "Not yet.", title="Tulips, a draft", published=False)
        tag = connection.execute(tags.insert().values(name="tulips", **times)
                                 .returning(tags.c.id)).scalar_one()
        connection.execute(post_tags.insert().values(post_id=article, tag_id=tag))
        connection.execute(comments.insert().values(
            body="More tulips next year", body_html="<p>More tulips next year</p>",
            post_id=status, user_id=susan, **times))


def test_upgrading_to_0006_counts_the_follows_already_there(empty_database_app):
    from flask_migrate import downgrade, upgrade

    from microblog.models.user import User

    upgrade(revision="0005")
    _write_tulips_at_0003()  # susan
    users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("email"),
                     sa.column("password_hash"), sa.column("session_token"),
                     sa.column("last_seen", UTCDateTime()),
                     sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))
    follows = sa.table("followers", sa.column("follower_id"), sa.column("followed_id"))
    now = utcnow()
    with db.engine.begin() as connection:
        ids = {name: connection.execute(users.insert().values(
            username=name, email=f"{name}@example.com", password_hash="x",
            session_token=name[0] * 32, last_seen=now, created_at=now, updated_at=now)
            .returning(users.c.id)).scalar_one() for name in ("ann", "bob")}
        ids["susan"] = connection.scalar(sa.text("SELECT id FROM users WHERE username = 'susan'"))
        for follower, followed in (("ann", "susan"), ("bob", "susan"), ("susan", "ann")):
            connection.execute(follows.insert().values(follower_id=ids[follower],
                                                       followed_id=ids[followed]))

    upgrade()

    counted = {user.username: (user.follower_count, user.following_count)
               for user in db.session.scalars(sa.select(User))}
    assert counted == {"susan": (2, 1), "ann": (1, 1), "bob": (0, 1)}
    db.session.remove()
    downgrade(revision="0005")
    assert "follower_count" not in {column["name"] for column in
                                    sa.inspect(db.engine).get_columns("users")}


def test_upgrading_to_0019_counts_each_users_published_posts(empty_database_app):
    from flask_migrate import downgrade, upgrade

    from microblog.models.user import User

    upgrade(revision="0018")
    def stamps() -> list[sa.ColumnClause]:
        return [sa.column(name, UTCDateTime()) for name in ("created_at", "updated_at")]

    users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("email"),
                     sa.column("password_hash"), sa.column("last_seen", UTCDateTime()), *stamps())
    posts = sa.table("posts", sa.column("body"), sa.column("body_html"), sa.column("user_id"),
                     sa.column("published_at", UTCDateTime()), *stamps())
    now = utcnow()
    with db.engine.begin() as connection:
        for name, published in (("susan", [now, now, None]), ("bob", [None])):
            author = connection.execute(users.insert().values(
                username=name, email=f"{name}@example.com", password_hash="x",
                last_seen=now, created_at=now, updated_at=now).returning(users.c.id)).scalar_one()
            for when in published:  # a draft has no published_at
                connection.execute(posts.insert().values(
                    body="Hello", body_html="<p>Hello</p>", user_id=author, published_at=when,
                    created_at=now, updated_at=now))

    upgrade()

    counted = dict(db.session.execute(sa.select(User.username, User.post_count)).all())
    assert counted == {"susan": 2, "bob": 0}
    db.session.remove()
    downgrade(revision="0018")
    assert "post_count" not in {column["name"] for column in
                                sa.inspect(db.engine).get_columns("users")}


def test_upgrading_to_0004_indexes_what_was_written_before_it(empty_database_app):
    """The search index is built from the rows already there, and survives a round trip."""
    from flask_migrate import downgrade, upgrade

    from microblog.services import search as searching

    def found() -> dict[str, list[str]]:
        query = searching.parse("tulips")
        return {
            "posts": [result.post.body for result in searching.posts(query, 1, 10).items],
            "comments": [result.comment.body
                         for result in searching.comments(query, 1, 10).items],
            "people": [result.user.username for result in searching.people(query, 1, 10).items],
        }

    upgrade(revision="0003")
    _write_tulips_at_0003()

    upgrade()
    expected = {"posts": ["Daffodils first.", "Planting tulips today"],
                "comments": ["More tulips next year"], "people": ["susan"]}
    assert found() == expected
    db.session.remove()

    downgrade(revision="0003")
    assert not {"posts_search", "comments_search", "users_search"} & set(
        sa.inspect(db.engine).get_table_names())
    assert "search_vector" not in {column["name"] for column in
                                   sa.inspect(db.engine).get_columns("posts")}
    upgrade()
    assert found() == expected


def test_upgrading_to_0008_moves_sign_ins_to_their_own_table_and_back(empty_database_app):
    """0008 adds login_sessions and drops users.session_token; the downgrade gives every
    account a fresh token of its own (everyone signs in again), and the accounts stay."""
    from flask_migrate import downgrade, upgrade

    from microblog.models.user import User
    from microblog.services import sessions

    def user_columns() -> set[str]:
        return {column["name"] for column in sa.inspect(db.engine).get_columns("users")}

    upgrade(revision="0007")
    _write_tulips_at_0003()  # susan, with session_token "ttt…"

    upgrade()
    assert "login_sessions" in sa.inspect(db.engine).get_table_names()
    assert "session_token" not in user_columns()
    susan = db.session.scalar(sa.select(User))
    assert susan.username == "susan"
    started = sessions.start(susan, "127.0.0.1", "Firefox/140.0")
    assert sessions.load_user(started.token) == susan
    db.session.remove()

    downgrade(revision="0007")
    assert "login_sessions" not in sa.inspect(db.engine).get_table_names()
    with db.engine.connect() as connection:
        tokens = connection.execute(sa.text("SELECT username, session_token FROM users")).all()
    [(username, token)] = tokens
    assert username == "susan"
    assert len(token) == 32 and token != "t" * 32

    upgrade()
    assert "session_token" not in user_columns()
    assert db.session.scalar(sa.select(User.username)) == "susan"


# The tables 0009 rebuilt on SQLite (each has an id of its own), and what points at them.
ID_TABLES = ("users", "categories", "tags", "posts", "comments", "login_sessions")


def _schema_objects() -> dict[str, object]:
    """Triggers and indexes by name with the SQL that made them, and every foreign key:
    what a table rebuild could lose."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            triggers = dict(connection.execute(sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all())
            indexes = dict(connection.execute(sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'")).all())
        else:
            triggers = dict(connection.execute(sa.text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal")).all())
            indexes = dict(connection.execute(sa.text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")).all())
    inspector = sa.inspect(db.engine)
    foreign_keys = {
        table: sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                       tuple(fk["referred_columns"]), fk["options"].get("ondelete"))
                      for fk in inspector.get_foreign_keys(table))
        for table in (*ID_TABLES, "post_tags", "likes", "followers")}
    return {"triggers": triggers, "indexes": indexes, "foreign keys": foreign_keys}


def _table_sql() -> dict[str, str]:
    with db.engine.connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())


def _largest_ids_kept() -> dict[str, int]:
    with db.engine.connect() as connection:
        return dict(connection.execute(sa.text("SELECT name, seq FROM sqlite_sequence")).all())


def _bodies_found(words: str) -> list[str]:
    """The bodies of the posts the search index finds, read without the models: after a
    downgrade the models describe a newer schema than the database has (a column added
    to users since, say)."""
    from microblog import search
    from microblog.services import search as searching

    ids = [hit.id for hit in search.backend().posts(searching.parse(words), 0, 10).hits]
    query = sa.text("SELECT body FROM posts WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True))
    with db.engine.connect() as connection:
        return sorted(connection.execute(query, {"ids": ids}).scalars())


def test_upgrading_to_0009_keeps_ids_for_good_and_the_database_keeps_its_indexes(
        empty_database_app):
    """0009 rebuilds SQLite's tables with AUTOINCREMENT and loses nothing on the way: rows,
    indexes, foreign keys, and the triggers that keep search and the tag pages right,
    which work on what is written after it. On PostgreSQL it changes nothing."""
    from flask_migrate import downgrade, upgrade

    from microblog.models.post import Post
    from microblog.models.user import User
    from microblog.services import accounts, comments, posts, timelines
    from microblog.services import search as searching

    sqlite = db.engine.dialect.name == "sqlite"

    def found(words: str) -> dict[str, list[str]]:
        query = searching.parse(words)
        return {
            "posts": sorted(result.post.body for result in searching.posts(query, 1, 10).items),
            "comments": [result.comment.body for result in searching.comments(query, 1, 10).items],
            "people": sorted(result.user.username
                             for result in searching.people(query, 1, 10).items),
        }

    upgrade(revision="0007")
    _write_tulips_at_0003()  # susan; a status, an article tagged tulips, a draft (post 3)
    upgrade(revision="0008")
    before = _schema_objects()
    with db.engine.connect() as connection:
        rows_before = {table: connection.execute(sa.text(
            f"SELECT * FROM {table} ORDER BY id")).all() for table in ID_TABLES}

    upgrade(revision="0009")

    assert _schema_objects() == before
    with db.engine.connect() as connection:
        assert {table: connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
                for table in ID_TABLES} == rows_before
    if sqlite:
        with db.engine.connect() as connection:  # every row still points at a row there is
            assert connection.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        tables = _table_sql()
        assert [t for t in ID_TABLES if "PRIMARY KEY AUTOINCREMENT" not in tables[t]] == []
        assert _largest_ids_kept() == {"users": 1, "tags": 1, "posts": 3, "comments": 1}

    upgrade()  # the models describe the newest schema
    susan = db.session.scalar(sa.select(User))
    draft = db.session.get(Post, 3)
    posts.delete_post(susan, draft)  # the newest post, gone
    comments.delete(susan, comments.get_comment(1))  # and the newest comment
    bulbs = posts.create_article(susan, "Tulip bulbs", "Plant them in autumn.", tags="tulips")
    later = posts.create_article(susan, "Tulips in pots", "On the balcony.", tags="tulips",
                                 publish=False)
    posts.publish(susan, later)
    remark = comments.add(susan, bulbs.id, "Tulips again next spring")
    ann = accounts.register("ann", "ann@example.com", "correct horse battery",
                            email_confirmed=True)
    accounts.update_profile(ann, "ann", "Tulips on every windowsill")

    assert (bulbs.id, later.id, remark.id) == (4, 5, 2)  # never 3 or 1 again
    assert found("tulips") == {
        "posts": ["Daffodils first.", "On the balcony.", "Plant them in autumn.",
                  "Planting tulips today"],
        "comments": ["Tulips again next spring"], "people": ["ann", "susan"]}
    assert [page_post.id for page_post in timelines.tagged("tulips", 1, 10).items] == [5, 4, 2]
    db.session.remove()

    downgrade(revision="0008")
    if sqlite:
        assert [t for t in ID_TABLES if "AUTOINCREMENT" in _table_sql()[t]] == []
    assert _schema_objects() == before
    assert _bodies_found("tulips") == ["Daffodils first.", "On the balcony.",
                                       "Plant them in autumn.", "Planting tulips today"]
    db.session.remove()

    upgrade()
    if sqlite:
        assert _largest_ids_kept() == {"users": 2, "tags": 1, "posts": 5, "comments": 2}
    assert found("windowsill")["people"] == ["ann"]
