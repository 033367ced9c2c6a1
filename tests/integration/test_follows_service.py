"""Following: idempotent, never yourself, counted in both directions."""

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from microblog.errors import NotFound, ValidationError
from microblog.extensions import db
from microblog.models.follow import followers
from microblog.services import accounts, follows
from tests.conftest import PASSWORD


def follow_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(followers))


def test_follow_and_unfollow(make_user):
    susan, john = make_user("susan"), make_user("john")
    assert follows.follow(susan, "john") == john
    assert follows.is_following(susan, john)
    assert not follows.is_following(john, susan)
    assert follows.counts(john) == follows.FollowCounts(followers=1, following=0)
    assert follows.counts(susan) == follows.FollowCounts(followers=0, following=1)
    follows.unfollow(susan, "JOHN")
    assert not follows.is_following(susan, john)
    assert follows.counts(john) == follows.FollowCounts(followers=0, following=0)


def test_counts_also_say_whether_the_viewer_follows(make_user):
    susan, john, amy = make_user("susan"), make_user("john"), make_user("amy")
    follows.follow(susan, "john")
    assert follows.counts(john, susan) == follows.FollowCounts(1, 0, followed_by_viewer=True)
    assert follows.counts(john, amy).followed_by_viewer is False
    assert follows.counts(susan, susan).followed_by_viewer is False  # one's own profile
    assert follows.counts(john, AnonymousUserMixin()).followed_by_viewer is False  # logged out


@pytest.mark.parametrize(("viewer", "follows_john"), [("susan", True), ("amy", False)])
def test_a_profile_loaded_for_a_viewer_says_whether_they_follow_it_in_the_same_query(
    make_user, count_queries, viewer, follows_john
):
    for name in ("susan", "john", "amy"):
        make_user(name)
    follows.follow(accounts.get_user("susan"), "john")
    db.session.expunge_all()  # loaded afresh, as a request loads them
    looking = accounts.get_user(viewer)

    with count_queries() as statements:
        john = accounts.get_user("John", viewer=looking)
        answer = follows.counts(john, looking)

    assert answer == follows.FollowCounts(1, 0, followed_by_viewer=follows_john)
    assert len(statements) == 1 and "EXISTS" in statements[0].upper()


def test_repeating_follow_or_unfollow_is_harmless(make_user):
    susan, _ = make_user("susan"), make_user("john")
    follows.follow(susan, "john")
    follows.follow(susan, "john")
    assert follow_rows() == 1
    follows.unfollow(susan, "john")
    follows.unfollow(susan, "john")
    assert follow_rows() == 0


def test_cannot_follow_yourself_or_nobody(make_user):
    susan = make_user("susan")
    with pytest.raises(ValidationError, match="yourself"):
        follows.follow(susan, "Susan")
    with pytest.raises(NotFound):
        follows.follow(susan, "nobody")
    assert follow_rows() == 0


def test_a_follow_that_loses_a_race_is_still_a_follow(make_user, monkeypatch):
    """Two requests both saw "not following"; the second insert hits the primary key."""
    susan, john = make_user("susan"), make_user("john")
    follows.follow(susan, "john")
    # Replay the losing request: its check ran before the winner committed.
    monkeypatch.setattr(follows, "is_following", lambda user, other: False)

    assert follows.follow(susan, "john") == john
    assert follow_rows() == 1
    monkeypatch.undo()
    assert follows.is_following(susan, john)
    assert follows.counts(john).followers == 1  # the losing request counted nothing twice


def stored(*users) -> list[tuple[int, int]]:
    """(followers, following) as stored on each user's row, read afresh."""
    db.session.expire_all()
    return [(user.follower_count, user.following_count) for user in users]


def test_the_stored_counts_follow_every_follow_and_unfollow(make_user):
    ann, bob, cat = make_user("ann"), make_user("bob"), make_user("cat")
    follows.follow(ann, "bob")
    follows.follow(cat, "bob")
    follows.follow(bob, "ann")
    assert stored(ann, bob, cat) == [(1, 1), (2, 1), (0, 1)]

    follows.unfollow(cat, "bob")

    assert stored(ann, bob, cat) == [(1, 1), (1, 1), (0, 0)]


def test_deleting_an_account_recounts_everyone_it_followed_or_was_followed_by(make_user):
    ann, bob, cat = make_user("ann"), make_user("bob"), make_user("cat")
    follows.follow(ann, "bob")  # ann follows bob and cat, and bob follows ann
    follows.follow(ann, "cat")
    follows.follow(bob, "ann")

    accounts.delete_account(ann, PASSWORD, understood=True)

    assert stored(bob, cat) == [(0, 0), (0, 0)]
