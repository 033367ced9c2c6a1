"""The timelines: contents, order, pagination edges."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from microblog import database
from microblog.errors import NotFound, ValidationError
from microblog.extensions import db
from microblog.models.post import Post
from microblog.services import follows, likes, posts, timelines

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def post_at(author, body, minutes):
    post = posts.create_post(author, body)
    post.published_at = T0 + timedelta(minutes=minutes)
    db.session.commit()
    return post


def bodies(page):
    """The words of the posts on ``page``, in its order (a page lists them as rows: their
    words are read from the posts themselves)."""
    return [db.session.get(Post, post.id).body for post in page.items]


def test_create_post_trims_and_enforces_length(make_user):
    susan = make_user("susan")
    assert posts.create_post(susan, "  hello  ").body == "hello"
    assert posts.create_post(susan, "x" * 280).body == "x" * 280
    for bad in ("", "   ", "x" * 281):
        with pytest.raises(ValidationError) as caught:
            posts.create_post(susan, bad)
        assert "post" in caught.value.errors
    assert len(timelines.posts_by(susan, 1, 10).items) == 2


def test_home_timeline_has_own_and_followed_posts_newest_first(make_user):
    susan, john, amy = make_user("susan"), make_user("john"), make_user("amy")
    follows.follow(susan, "john")
    post_at(susan, "susan 1", 1)
    post_at(john, "john 2", 2)
    post_at(amy, "amy 3", 3)
    post_at(susan, "susan 4", 4)
    assert bodies(timelines.home_timeline(susan, 1, 10)) == ["susan 4", "john 2", "susan 1"]
    assert bodies(timelines.home_timeline(amy, 1, 10)) == ["amy 3"]
    assert bodies(timelines.explore(1, 10)) == ["susan 4", "amy 3", "john 2", "susan 1"]
    assert bodies(timelines.posts_by(john, 1, 10)) == ["john 2"]


def test_postgresql_is_sent_one_home_statement_however_many_are_followed(make_user):
    """The people followed are one parameter, an array, on PostgreSQL: the statement's
    text is the same for everyone, so psycopg parses it once and may keep its plan. (An IN
    list has one parameter per person; SQLite, which has no arrays, still gets one.)"""
    susan, john, amy, bob = (make_user(name) for name in ("susan", "john", "amy", "bob"))
    follows.follow(susan, "john")
    for name in ("john", "susan", "bob"):
        follows.follow(amy, name)
    for minute, author in enumerate((john, susan, amy, bob)):
        post_at(author, author.username, minute)

    sent = []
    record = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        pages = [timelines.home_timeline(user, 1, 10) for user in (susan, amy)]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)

    assert [bodies(page) for page in pages] == [["susan", "john"], ["bob", "amy", "susan", "john"]]
    reading_posts = [statement for statement in sent if "FROM posts" in statement]
    assert len(reading_posts) == 2
    if db.engine.dialect.name == "postgresql":
        assert reading_posts[0] == reading_posts[1]


@pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)
def test_postgresql_plans_the_home_timeline_for_the_people_followed_every_time(make_user):
    """A plan kept for the home statement would be made without the ids, and for
    someone following prolific people it read all their posts where the plan for the
    ids walks the newest few: so the statement is never prepared. A profile's statement,
    whose best plan is the same for every author, still is (psycopg prepares one after
    5 runs on a connection)."""
    susan, john = make_user("susan"), make_user("john")
    follows.follow(susan, "john")
    post_at(john, "john 1", 1)

    # One transaction, so every call runs on the same connection.
    for _ in range(8):
        assert bodies(timelines.home_timeline(susan, 1, 10)) == ["john 1"]
        assert bodies(timelines.posts_by(john, 1, 10)) == ["john 1"]
    prepared = list(db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements")))

    # psycopg sends $1, $2… for the values.
    assert any("posts.user_id = $" in statement for statement in prepared), prepared
    assert not any("ANY (" in statement for statement in prepared), prepared


def test_unfollowing_removes_posts_from_the_timeline(make_user):
    susan, john = make_user("susan"), make_user("john")
    follows.follow(susan, "john")
    post_at(john, "john 1", 1)
    follows.unfollow(susan, "john")
    assert bodies(timelines.home_timeline(susan, 1, 10)) == []


def test_equal_times_are_ordered_by_id(make_user):
    susan = make_user("susan")
    for body in ("a", "b", "c"):
        post_at(susan, body, 0)
    assert bodies(timelines.explore(1, 10)) == ["c", "b", "a"]


def test_pagination_edges(make_user):
    susan = make_user("susan")
    for minute in range(5):
        post_at(susan, f"p{minute}", minute)
    first = timelines.explore(1, 2)
    assert bodies(first) == ["p4", "p3"]
    assert (first.has_prev, first.has_next, first.prev_num, first.next_num) == (
        False, True, None, 2)
    last = timelines.explore(3, 2)
    assert bodies(last) == ["p0"]
    assert (last.has_prev, last.has_next, last.prev_num, last.next_num) == (True, False, 2, None)
    exact = timelines.explore(1, 5)
    assert len(exact.items) == 5 and not exact.has_next
    for past_the_end in (0, -1, 4):
        with pytest.raises(NotFound):
            timelines.explore(past_the_end, 2)


def test_an_empty_first_page_is_not_an_error(make_user):
    susan = make_user("susan")
    page = timelines.home_timeline(susan, 1, 25)
    assert page.items == [] and not page.has_next and not page.has_prev


def test_each_view_of_a_list_binds_its_own_values_to_the_statement_built_once(make_user):
    """A list's page statement is built at its first view and kept; another author,
    visitor or page is a new set of values for it, not a new statement."""
    susan, john = make_user("susan"), make_user("john")
    newest = [post_at(susan, f"s{minute}", minute) for minute in range(3)][-1]
    post_at(john, "j", 10)
    likes.like(john, newest.id)
    timelines.posts_by(susan, 1, 2, viewer=susan)
    built = len(database._BUILT)

    johns = timelines.posts_by(john, 1, 2, viewer=susan)
    assert bodies(johns) == ["j"] and johns.items[0].liked_by_viewer is False
    seen_by_john = timelines.posts_by(susan, 1, 2, viewer=john)
    assert bodies(seen_by_john) == ["s2", "s1"]
    assert [post.liked_by_viewer for post in seen_by_john.items] == [True, False]
    assert bodies(timelines.posts_by(susan, 2, 2, viewer=john)) == ["s0"]
    assert len(database._BUILT) == built
