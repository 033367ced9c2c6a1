"""A request that only read ends its transaction with COMMIT, so psycopg keeps the plans
it prepared (microblog/database.py); a request that wrote anything
and did not commit it is still rolled back, whatever way it wrote."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from microblog.database import commit_if_read_only
from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.user import User
from microblog.services import posts


@contextmanager
def transaction_ends(app) -> Iterator[list[str]]:
    """'commit' or 'rollback' for each transaction the app's engine ends meanwhile."""
    ends: list[str] = []
    with app.app_context():
        engine = db.engine

    def commit(connection):
        ends.append("commit")

    def rollback(connection):
        ends.append("rollback")

    sa.event.listen(engine, "commit", commit)
    sa.event.listen(engine, "rollback", rollback)
    try:
        yield ends
    finally:
        sa.event.remove(engine, "commit", commit)
        sa.event.remove(engine, "rollback", rollback)


def test_a_page_that_only_read_ends_with_commit(app, client, make_user):
    posts.create_post(make_user("ann"), "Reading is free")
    client.get("/explore")  # the side lists are cached: later visits only read

    with transaction_ends(app) as ends:
        assert client.get("/explore").status_code == 200
        assert client.get("/user/ann").status_code == 200

    assert ends == ["commit", "commit"]


def test_the_commit_keeps_what_was_read_and_later_commits_expire_as_usual(app, make_user):
    make_user("ann")
    db.session.remove()
    ann = db.session.scalar(sa.select(User).where(User.username == "ann"))

    commit_if_read_only(None)
    assert "username" in ann.__dict__  # still loaded: the session is closed next anyway

    ann.about_me = "written later in the same session"
    db.session.commit()
    assert "about_me" not in ann.__dict__  # expired: the next read sees the database


@pytest.fixture
def writer_app(sibling_app):
    """An app with views that write and return without committing, as a buggy view or
    one that swallowed a service's error would."""
    made = sibling_app()

    @made.get("/test/update-without-commit")
    def update_without_commit():
        db.session.execute(sa.update(User).values(about_me="changed by SQL"))
        return "ok"

    @made.get("/test/flush-without-commit")
    def flush_without_commit():
        ann = db.session.scalar(sa.select(User))
        db.session.add(Post(body="half-written", body_html="<p>half-written</p>", author=ann))
        db.session.flush()
        return "ok"

    @made.get("/test/pending-without-commit")
    def pending_without_commit():
        db.session.scalar(sa.select(User)).about_me = "changed, not flushed"
        return "ok"

    @made.get("/test/read-then-fail")
    def read_then_fail():
        db.session.scalar(sa.select(User))
        raise RuntimeError("the view failed after reading")

    @made.get("/test/read-then-lose-the-connection")
    def read_then_lose_the_connection():
        """The database restarts between the page's read and its COMMIT."""
        db.session.scalar(sa.select(User))
        pid = db.session.connection().connection.dbapi_connection.info.backend_pid
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "read"

    @made.get("/test/lose-the-connection-and-carry-on")
    def lose_the_connection_and_carry_on():
        """A read fails on a connection the database ended, and the view answers anyway,
        as ``realtime.publish`` does when a live update cannot be sent."""
        db.session.scalar(sa.select(User))
        pid = db.session.connection().connection.dbapi_connection.info.backend_pid
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        try:
            db.session.scalar(sa.select(User))
        except sa.exc.OperationalError:
            return "answered anyway"
        return "the connection survived"

    return made


@pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)
def test_a_read_that_lost_its_connection_and_was_caught_still_answers(writer_app, make_user):
    """The view's answer stands (not a 500 from the teardown's COMMIT), and the next
    request in the worker gets a working session."""
    make_user("ann")
    client = writer_app.test_client()

    response = client.get("/test/lose-the-connection-and-carry-on")

    assert (response.status_code, response.get_data(as_text=True)) == (200, "answered anyway")
    with writer_app.app_context():
        assert db.session.scalar(sa.select(User.username)) == "ann"


@pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)
def test_a_commit_that_loses_its_connection_leaves_a_clean_session(writer_app, make_user):
    """The COMMIT fails; the reader already has the page, and the next request in the same
    worker must get a fresh session (not one stuck half-committed, a 500 for someone else)."""
    make_user("ann")
    client = writer_app.test_client()

    assert client.get("/test/read-then-lose-the-connection").get_data(as_text=True) == "read"

    with writer_app.app_context():
        assert db.session.scalar(sa.select(User.username)) == "ann"


def test_a_request_that_failed_is_rolled_back_even_if_it_only_read(writer_app, make_user):
    make_user("ann")

    with transaction_ends(writer_app) as ends, pytest.raises(RuntimeError):
        writer_app.test_client().get("/test/read-then-fail")

    assert ends == ["rollback"]


@pytest.mark.parametrize("url", ["/test/update-without-commit", "/test/flush-without-commit",
                                 "/test/pending-without-commit"])
def test_a_request_that_wrote_without_committing_is_rolled_back(writer_app, make_user, url):
    make_user("ann")

    with transaction_ends(writer_app) as ends:
        assert writer_app.test_client().get(url).status_code == 200

    assert ends == ["rollback"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.about_me)) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


# Prepared statements are PostgreSQL's (SQLite's driver keeps its own, rollback or not).
@pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)
def test_postgresql_keeps_the_plans_of_a_page_read_again_and_again(app, client, make_user):
    posts.create_post(make_user("ann"), "Planned once")
    # psycopg prepares a statement once it has run it 5 times on one connection, and the
    # pool hands out the connections earlier tests left in it in turn (first in, first out).
    for _ in range(6 * max(db.engine.pool.checkedin(), 1)):
        client.get("/user/ann")

    # The plans live on the pooled connections the requests used: ask each of them.
    db.session.remove()
    connections = [db.engine.connect() for _ in range(max(db.engine.pool.checkedin(), 1))]
    try:
        prepared = {statement for connection in connections for statement in
                    connection.scalars(sa.text("SELECT statement FROM pg_prepared_statements"))}
    finally:
        for connection in connections:
            connection.close()
    assert any("FROM posts" in statement for statement in prepared), prepared
