"""The accounts service: every rule about usernames, emails and passwords."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from microblog.errors import NotFound, ValidationError
from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.user import User
from microblog.services import accounts


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_register_normalises_email_and_keeps_username_case(app):
    user = accounts.register("Susan", " Susan@Example.COM ", "long enough")
    assert user.username == "Susan"
    assert user.email == "susan@example.com"
    assert accounts.authenticate("susan", "long enough") == user


@pytest.mark.parametrize(
    ("username", "email", "password", "fields"),
    [
        ("ab", "a@example.com", "long enough", {"username"}),
        ("has space", "a@example.com", "long enough", {"username"}),
        ("x" * 65, "a@example.com", "long enough", {"username"}),
        ("alice", "not-an-email", "long enough", {"email"}),
        ("alice", "a@example.com", "short", {"password"}),
        ("alice", "a@example.com", "x" * 257, {"password"}),
        ("a b", "nope", "short", {"username", "email", "password"}),
    ],
)
def test_register_reports_every_broken_rule_and_creates_nothing(
    app, username, email, password, fields
):
    with pytest.raises(ValidationError) as caught:
        accounts.register(username, email, password)
    assert set(caught.value.errors) == fields
    assert user_count() == 0


def test_register_refuses_a_taken_username_in_any_case_but_not_a_taken_email(make_user):
    make_user("susan", email="susan@example.com")
    with pytest.raises(ValidationError) as caught:
        accounts.register("SUSAN", "SUSAN@example.com", "long enough")
    assert set(caught.value.errors) == {"username"}  # usernames are public; addresses are not

    assert accounts.register("alice", "SUSAN@example.com", "long enough") is None
    assert user_count() == 1


def test_authenticate_is_none_for_wrong_password_or_unknown_user(make_user):
    make_user("susan", password="right password")
    assert accounts.authenticate("susan", "wrong password") is None
    assert accounts.authenticate("nobody", "right password") is None
    assert accounts.authenticate("SuSaN", "right password").username == "susan"


def test_get_user_ignores_case_and_raises_not_found(make_user):
    make_user("Susan")
    assert accounts.get_user("susan").username == "Susan"
    with pytest.raises(NotFound):
        accounts.get_user("nobody")


def test_update_profile_keeps_own_name_and_rejects_a_taken_one(make_user):
    susan = make_user("susan")
    make_user("john")
    accounts.update_profile(susan, "Susan", "gardener")
    assert (susan.username, susan.about_me) == ("Susan", "gardener")
    with pytest.raises(ValidationError) as caught:
        accounts.update_profile(susan, "JOHN", "still gardener")
    assert "username" in caught.value.errors
    db.session.expire_all()
    assert db.session.get(User, susan.id).username == "Susan"


def test_about_me_is_limited_to_140_characters(make_user):
    susan = make_user("susan")
    accounts.update_profile(susan, "susan", "x" * 140)
    with pytest.raises(ValidationError) as caught:
        accounts.update_profile(susan, "susan", "x" * 141)
    assert "about_me" in caught.value.errors


def test_last_seen_is_written_at_most_once_a_minute(make_user):
    susan = make_user("susan")
    first = susan.last_seen
    assert not accounts.touch_last_seen(susan, now=first + timedelta(seconds=59))
    assert susan.last_seen == first
    assert accounts.touch_last_seen(susan, now=first + timedelta(seconds=61))
    assert susan.last_seen == first + timedelta(seconds=61)


def test_password_length_messages_say_which_limit(app):
    with pytest.raises(ValidationError, match="at least 8"):
        accounts.register("alice", "a@example.com", "short")
    with pytest.raises(ValidationError, match="at most 256"):
        accounts.register("alice", "a@example.com", "x" * 257)


def test_a_wrong_confirmation_is_reported_with_the_other_problems(app):
    with pytest.raises(ValidationError) as caught:
        accounts.register("a b", "a@example.com", "long enough", "long enougH")
    assert set(caught.value.errors) == {"username", "password2"}
    assert user_count() == 0


def test_line_breaks_count_once_whatever_the_client_sends(make_user):
    from microblog.services import posts

    susan = make_user("susan")
    accounts.update_profile(susan, "susan", "a\r\nb")
    assert susan.about_me == "a\nb"
    assert posts.create_post(susan, "x\r\n" * 140).body == ("x\n" * 140).strip()


def test_deleting_without_understood_deletes_nothing_and_says_both_problems(make_user):
    from microblog.services import posts

    susan = make_user("susan", password="right password")
    posts.create_post(susan, "still here")

    with pytest.raises(ValidationError) as caught:
        accounts.delete_account(susan, "right password", understood=False)
    assert set(caught.value.errors) == {"understood"}
    with pytest.raises(ValidationError) as caught:
        accounts.delete_account(susan, "wrong password", understood=False)
    assert caught.value.errors == {
        "understood": "Tick this box to confirm that you want to delete your account.",
        "password": "That is not your password.",
    }
    with pytest.raises(ValidationError) as caught:
        accounts.delete_account(susan, "", understood=True)
    assert caught.value.errors == {"password": "Enter your password."}

    db.session.expire_all()
    assert user_count() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1
    accounts.delete_account(susan, "right password", understood=True)
    assert user_count() == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" Susan@Example.COM ", "susan@example.com"),
        ("susan@EXAMPLE.com", "susan@example.com"),
        (" Not An Address ", "not an address"),  # found by no lookup, never an error
        (None, ""),
    ],
)
def test_normalise_email_is_how_addresses_are_stored(app, typed, stored):
    assert accounts.normalise_email(typed) == stored
