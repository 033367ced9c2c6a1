"""Blocking: the blocked person cannot follow, message or comment on the blocker, and
is told why; blocking ends the follows both ways; unblocking from settings."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog.errors import Blocked, ValidationError
from microblog.extensions import db
from microblog.models.block import blocks as block_rows
from microblog.models.comment import Comment
from microblog.services import blocks, comments, follows, posts
from tests.pages import alerts, parse

JSON = {"Accept": "application/json"}


@pytest.fixture
def pair(make_user):
    """alice and bob follow each other; alice writes a post."""
    alice, bob = make_user("alice"), make_user("bob")
    follows.follow(alice, "bob")
    follows.follow(bob, "alice")
    post = posts.create_post(alice, "Soil notes")
    return alice, bob, post


def test_blocking_ends_the_follows_both_ways_and_stops_following_again(pair):
    alice, bob, _ = pair

    assert blocks.block(alice, "bob") == bob

    assert blocks.is_blocked(alice, bob) and not blocks.is_blocked(bob, alice)
    assert blocks.blocks_between(bob, alice) == {alice.id}
    assert not follows.is_following(alice, bob) and not follows.is_following(bob, alice)
    assert (alice.follower_count, alice.following_count) == (0, 0)
    assert (bob.follower_count, bob.following_count) == (0, 0)
    with pytest.raises(Blocked, match="alice has blocked you, so you cannot follow them."):
        follows.follow(bob, "alice")
    with pytest.raises(Blocked, match="You have blocked bob. Unblock them to follow them."):
        follows.follow(alice, "bob")
    blocks.block(alice, "bob")  # twice changes nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(block_rows)) == 1


def test_unblocking_lets_them_follow_again_but_does_not_restore_the_follows(pair):
    alice, bob, _ = pair
    blocks.block(alice, "bob")

    blocks.unblock(alice, "bob")

    assert not follows.is_following(bob, alice)
    follows.follow(bob, "alice")
    assert follows.is_following(bob, alice)


def test_nobody_blocks_themselves(pair):
    alice, _, _ = pair
    with pytest.raises(ValidationError, match="You cannot block yourself."):
        blocks.block(alice, "alice")


def test_a_blocked_person_cannot_comment_and_the_blocker_cannot_either(pair, make_user):
    alice, bob, post = pair
    bobs_post = posts.create_post(bob, "Bob's notes")
    blocks.block(alice, "bob")

    with pytest.raises(Blocked, match="alice has blocked you, so you cannot comment"):
        comments.add(bob, post.id, "Nice")
    with pytest.raises(Blocked, match="You have blocked bob. Unblock them to comment"):
        comments.add(alice, bobs_post.id, "Nice")
    assert comments.add(make_user("carol"), post.id, "Nice")  # others still may


def test_the_post_page_says_why_instead_of_showing_a_comment_form(client, pair, make_user):
    """A form that would only be refused is not offered: its page says why instead."""
    alice, bob, post = pair
    bobs_post = posts.create_post(bob, "Bob's notes")
    blocks.block(alice, "bob")

    def comment_box(post_id: int):
        page = parse(client.get(f"/post/{post_id}"))
        closed = next(page.find_all(cls="commenting-closed"), None)
        return next(page.find_all("textarea", name="body"), None), closed and closed.text

    client.login("bob")
    assert comment_box(post.id) == (
        None, "alice has blocked you, so you cannot comment on their posts.")
    client.logout()
    client.login("alice")
    form, why = comment_box(bobs_post.id)
    assert form is None and why.startswith("You have blocked bob. Unblock them to comment")
    client.logout()
    client.login(make_user("carol").username)
    form, why = comment_box(post.id)
    assert form is not None and why is None  # everyone else comments as before


def test_block_and_unblock_from_the_profile(client, pair):
    client.login("alice")
    profile = parse(client.get("/user/bob"))
    assert [b.text for b in profile.find_all("button") if b.text in ("Block", "Unblock")] == [
        "Block"]

    response = client.submit("/block/bob", follow_redirects=True)

    assert response.request.path == "/user/bob"
    page = parse(response)
    assert "You have blocked bob." in " ".join(alerts(page))
    assert "Unblock" in [b.text for b in page.find_all("button")]
    assert "0 followers" in page.text

    client.submit("/unblock/bob")
    assert "Block" in [b.text for b in parse(client.get("/user/bob")).find_all("button")]


def test_blocking_needs_a_post_with_the_forms_token(client, pair):
    client.login("alice")
    assert client.get("/block/bob").status_code == 405
    assert client.post("/block/bob").status_code == 400
    assert not blocks.blocks_between(*pair[:2])


def test_the_blocked_person_is_told_on_the_profile_the_hover_card_and_the_post(client, pair):
    alice, bob, post = pair
    blocks.block(alice, "bob")
    client.login("bob")

    followed = client.submit("/follow/alice")
    assert followed.status_code == 403
    assert "alice has blocked you, so you cannot follow them." in alerts(parse(followed))

    token = client.csrf_token()
    from_card = client.post("/follow/alice", data={"csrf_token": token}, headers=JSON)
    assert from_card.status_code == 403
    assert from_card.mimetype == "application/problem+json"
    assert from_card.json["detail"] == "alice has blocked you, so you cannot follow them."

    commented = client.submit(f"/post/{post.id}/comment", {"body": "Hello there"})
    assert commented.status_code == 403
    page = parse(commented)
    assert "alice has blocked you, so you cannot comment on their posts." in alerts(page)
    assert page.find("textarea", name="body").text == "Hello there"  # the words are kept
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
    assert not follows.is_following(bob, alice)


def test_settings_list_the_blocked_accounts_with_unblock(client, pair, make_user):
    alice, _, _ = pair
    make_user("carol")
    client.login("alice")
    assert "You have not blocked anyone." in client.get("/settings/blocked").get_data(
        as_text=True)
    blocks.block(alice, "bob")
    blocks.block(alice, "carol")

    page = parse(client.get("/settings/blocked"))
    names = [e.text for e in page.find_all(cls="username")]
    assert names == ["carol", "bob"]  # the latest block first

    response = client.submit("/unblock/carol", {"next": "/settings/blocked"},
                             follow_redirects=True)
    assert response.request.path == "/settings/blocked"
    assert [e.text for e in parse(response).find_all(cls="username")] == ["bob"]
    assert "You have unblocked carol." in alerts(parse(response))
