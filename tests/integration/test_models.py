"""Models: password hashes, avatars, timestamps."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.user import User


def test_password_is_hashed_and_checked(make_user):
    user = make_user("susan", password="a good password")
    assert "a good password" not in user.password_hash
    assert user.check_password("a good password")
    assert not user.check_password("a good passwor")


def test_scrypt_is_used_outside_tests(app, make_user):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    user = make_user("susan")
    assert user.password_hash.startswith("scrypt:")


def test_avatar_is_a_gravatar_identicon_of_the_lowercased_email_when_chosen(app, make_user):
    app.config["AVATAR_PROVIDER"] = "gravatar"  # the default draws its own
    user = make_user("john", email="John@Example.com")
    # md5("john@example.com")
    assert user.avatar(128) == (
        "https://www.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?d=identicon&s=128"
    )
    assert user.avatar(36).endswith("s=36")


def test_timestamps_are_timezone_aware_utc(make_user):
    user = make_user("susan")
    db.session.add(Post(body="hi", body_html="hi", author=user))
    db.session.commit()
    db.session.expire_all()
    post = db.session.scalar(sa.select(Post))
    for value in (post.created_at, post.updated_at, post.author.last_seen):
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - value) < timedelta(minutes=1)


def test_updated_at_moves_on_change_and_created_at_does_not(make_user):
    user = make_user("susan")
    created, updated = user.created_at, user.updated_at
    user.about_me = "changed"
    db.session.commit()
    assert user.created_at == created
    assert user.updated_at > updated


@pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)
def test_postgresql_sessions_speak_utc_by_name(app, make_user):
    """Named "UTC", the session's zone lets psycopg read times with timezone.utc rather
    than through the tz database (the server's own default may be "Etc/UTC")."""
    make_user("susan")
    assert db.session.scalar(sa.text("SHOW timezone")) == "UTC"
    seen = db.session.scalar(sa.select(User.created_at))
    assert seen.tzinfo is UTC


def test_naive_datetimes_are_refused(make_user):
    user = make_user("susan")
    user.last_seen = datetime(2026, 1, 1)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_usernames_are_unique_ignoring_case_in_the_database(make_user):
    make_user("susan")
    db.session.add(User(username="SUSAN", email="other@example.com", password_hash="x"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
