"""Users, as chapter 23 has them: the representation, the collections, registering and
changing one's own profile through the accounts service."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.user import User
from microblog.services import follows, posts
from tests.integration.api.conftest import assert_problem

LINK_KEYS = {"self", "followers", "following", "avatar"}


def test_a_user_in_chapter_23s_shape(api, make_user):
    susan = make_user("susan", about_me="Birds.")
    bob = make_user("bob")
    follows.follow(bob, "susan")
    posts.create_post(susan, "one")
    posts.create_post(susan, "two")
    response = api.get(f"/api/users/{susan.id}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["id"] == susan.id and body["username"] == "susan"
    assert body["about_me"] == "Birds."
    assert (body["post_count"], body["follower_count"], body["following_count"]) == (2, 1, 0)
    assert datetime.fromisoformat(body["last_seen"]).utcoffset() == timedelta(0)
    assert set(body["_links"]) == LINK_KEYS
    assert body["_links"]["self"] == f"/api/users/{susan.id}"
    assert body["_links"]["followers"] == f"/api/users/{susan.id}/followers"
    assert "email" not in body


def test_the_email_is_shown_to_its_owner_alone(api, other_api, make_user):
    susan = make_user("susan")
    make_user("bob")
    posts.create_post(susan, "mine")
    api.sign_in("susan")
    other_api.sign_in("bob")
    own = api.get(f"/api/users/{susan.id}").get_json()
    assert own["email"] == "susan@example.com"
    assert own["post_count"] == 1  # her row came with her token, and still gets its count
    assert "email" not in other_api.get(f"/api/users/{susan.id}").get_json()


def test_an_unknown_user_is_a_404(api):
    assert_problem(api.get("/api/users/424242"), 404)
    assert_problem(api.get("/api/users/99999999999999999999999"), 404)


def test_the_collection_envelope_and_its_links(api, make_user):
    for name in ("ann", "bob", "cat", "dan", "eve"):
        make_user(name)
    body = api.get("/api/users?per_page=2&page=2").get_json()
    assert [user["username"] for user in body["items"]] == ["cat", "dan"]
    assert body["_meta"] == {"page": 2, "per_page": 2, "total_pages": 3, "total_items": 5}
    assert body["_links"]["self"].startswith("/api/users?")
    next_page = api.get(body["_links"]["next"]).get_json()
    assert [user["username"] for user in next_page["items"]] == ["eve"]
    assert next_page["_links"]["next"] is None
    assert api.get(body["_links"]["prev"]).get_json()["items"][0]["username"] == "ann"


def test_per_page_is_capped_at_100(api, make_user):
    make_user("ann")
    assert api.get("/api/users?per_page=5000").get_json()["_meta"]["per_page"] == 100


@pytest.mark.parametrize("query", ["page=0", "per_page=0", "page=x"])
def test_a_bad_page_is_a_422(api, query):
    assert_problem(api.get(f"/api/users?{query}"), 422)


def test_a_page_past_the_end_is_a_404(api, make_user):
    make_user("ann")
    assert_problem(api.get("/api/users?page=9"), 404)


def test_followers_and_following(api, make_user):
    susan = make_user("susan")
    for name in ("ann", "bob"):
        follows.follow(make_user(name), "susan")
    follows.follow(susan, "ann")
    body = api.get(f"/api/users/{susan.id}/followers").get_json()
    assert [user["username"] for user in body["items"]] == ["ann", "bob"]
    assert body["_meta"]["total_items"] == 2
    following = api.get(f"/api/users/{susan.id}/following").get_json()
    assert [user["username"] for user in following["items"]] == ["ann"]
    assert_problem(api.get("/api/users/424242/followers"), 404)


def test_listing_users_costs_the_same_queries_whatever_the_page_size(api, make_user,
                                                                     count_queries):
    for index in range(12):
        make_user(f"user{index:02}")
    with count_queries() as small:
        api.get("/api/users?per_page=2")
    with count_queries() as large:
        api.get("/api/users?per_page=12")
    assert len(small) == len(large) <= 3


def test_registering_sends_the_confirmation_email(api, app):
    from pathlib import Path

    response = api.post("/api/users", json={"username": "newbie", "email": "New@Example.com",
                                            "password": "long enough password"})
    assert response.status_code == 202
    user = db.session.scalar(sa.select(User).where(User.username == "newbie"))
    assert user.email == "new@example.com" and not user.email_confirmed
    from microblog.mailer import wait_for_pending

    wait_for_pending()
    mails = [path.read_text() for path in Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")]
    assert any("new@example.com" in mail and "confirm" in mail.lower() for mail in mails)


def test_registering_a_known_address_answers_the_same_and_creates_nothing(api, make_user):
    make_user("susan")
    response = api.post("/api/users", json={"username": "another", "email": "susan@example.com",
                                            "password": "long enough password"})
    assert response.status_code == 202
    assert db.session.scalar(sa.select(User).where(User.username == "another")) is None


def test_changing_ones_own_profile(api, make_user):
    susan = make_user("susan")
    api.sign_in("susan")
    response = api.put(f"/api/users/{susan.id}", json={"about_me": "Now with birds."})
    assert response.status_code == 200
    assert response.get_json()["about_me"] == "Now with birds."
    assert response.get_json()["username"] == "susan"
    renamed = api.put(f"/api/users/{susan.id}", json={"username": "susanna"}).get_json()
    assert renamed["username"] == "susanna" and renamed["about_me"] == "Now with birds."


def test_a_taken_username_is_a_422_and_changes_nothing(api, make_user):
    susan = make_user("susan", about_me="Old.")
    make_user("bob")
    api.sign_in("susan")
    body = assert_problem(api.put(f"/api/users/{susan.id}",
                                  json={"username": "Bob", "about_me": "New."}), 422)
    assert "username" in body["errors"]
    db.session.expire_all()
    assert db.session.get(User, susan.id).about_me == "Old."


def test_anonymous_cannot_change_a_profile(api, make_user):
    susan = make_user("susan")
    assert_problem(api.put(f"/api/users/{susan.id}", json={"about_me": "x"}), 401)


def test_the_web_session_does_not_authenticate_api_writes(client, make_user):
    susan = make_user("susan")
    client.login("susan")
    response = client.put(f"/api/users/{susan.id}", json={"about_me": "forged"})
    assert_problem(response, 401)


def test_an_api_token_opens_no_web_page(api, make_user):
    make_user("susan")
    api.sign_in("susan")
    response = api.get("/edit_profile", headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 302
    assert re.search(r"/auth/login", response.headers["Location"])


def test_a_single_user_has_an_etag_and_answers_304(api, make_user):
    susan = make_user("susan")
    first = api.get(f"/api/users/{susan.id}")
    etag = first.headers["ETag"]
    again = api.get(f"/api/users/{susan.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    follows.follow(make_user("bob"), "susan")
    changed = api.get(f"/api/users/{susan.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
