"""Posts and the feed over the API, through the posts and timelines services: the same
rules (drafts for their author alone, only the author edits, a moderator deletes)."""

from __future__ import annotations

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.services import follows, posts
from tests.integration.api.conftest import assert_problem


def test_writing_a_status(api, make_user):
    make_user("susan")
    api.sign_in("susan")
    response = api.post("/api/posts", json={"body": "Hello, #flask!"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "status" and body["draft"] is False
    assert body["tags"] == ["flask"] and "#flask" in body["body_html"]
    assert response.headers["Location"] == f"/api/posts/{body['id']}"
    assert api.get(response.headers["Location"]).get_json()["body"] == "Hello, #flask!"


def test_writing_an_article_kept_as_a_draft_then_published(api, other_api, make_user):
    make_user("susan")
    make_user("bob")
    api.sign_in("susan")
    other_api.sign_in("bob")
    draft = api.post("/api/posts", json={"title": "Birds", "body": "# Sparrows\n\nSmall.",
                                         "tags": "birds, nature", "draft": True}).get_json()
    assert draft["kind"] == "article" and draft["draft"] is True
    assert draft["published_at"] is None and sorted(draft["tags"]) == ["birds", "nature"]
    # A draft exists for its author alone.
    assert_problem(other_api.get(f"/api/posts/{draft['id']}"), 404)
    assert [p["id"] for p in api.get("/api/drafts").get_json()["items"]] == [draft["id"]]
    assert api.get("/api/posts").get_json()["items"] == []
    assert_problem(other_api.post(f"/api/posts/{draft['id']}/publish"), 404)
    published = api.post(f"/api/posts/{draft['id']}/publish").get_json()
    assert published["draft"] is False and published["published_at"]
    assert other_api.get(f"/api/posts/{draft['id']}").status_code == 200


def test_an_unconfirmed_account_cannot_post(api, make_user):
    make_user("susan", email_confirmed=False)
    api.sign_in("susan")
    body = assert_problem(api.post("/api/posts", json={"body": "hi"}), 403)
    assert "confirm" in body["detail"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_an_empty_post_is_a_422_and_writes_nothing(api, make_user):
    make_user("susan")
    api.sign_in("susan")
    body = assert_problem(api.post("/api/posts", json={"body": "   "}), 422)
    assert body["errors"]
    assert_problem(api.post("/api/posts", json={}), 422)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_anonymous_cannot_post(api):
    assert_problem(api.post("/api/posts", json={"body": "hi"}), 401)


def test_only_the_author_edits(api, other_api, make_user):
    susan = make_user("susan")
    make_user("bob")
    post = posts.create_post(susan, "first words")
    other_api.sign_in("bob")
    assert_problem(other_api.put(f"/api/posts/{post.id}", json={"body": "mine now"}), 403)
    api.sign_in("susan")
    edited = api.put(f"/api/posts/{post.id}", json={"body": "better words"}).get_json()
    assert edited["body"] == "better words" and edited["edited_at"]


def test_editing_an_article_keeps_what_was_left_out(api, make_user):
    susan = make_user("susan")
    article = posts.create_article(susan, "Birds", "Sparrows.", tags="birds")
    api.sign_in("susan")
    edited = api.put(f"/api/posts/{article.id}", json={"body": "Sparrows and finches."})
    assert edited.status_code == 200
    assert edited.get_json()["title"] == "Birds" and edited.get_json()["tags"] == ["birds"]


def test_deleting_own_post_or_as_a_moderator_but_not_someone_elses(api, other_api, make_user):
    susan = make_user("susan")
    make_user("bob")
    make_user("mod", role=Role.MODERATOR)
    one, two = posts.create_post(susan, "one"), posts.create_post(susan, "two")
    other_api.sign_in("bob")
    assert_problem(other_api.delete(f"/api/posts/{one.id}"), 403)
    api.sign_in("susan")
    assert api.delete(f"/api/posts/{one.id}").status_code == 204
    assert_problem(api.get(f"/api/posts/{one.id}"), 404)
    other_api.sign_in("mod")
    assert other_api.delete(f"/api/posts/{two.id}").status_code == 204
    assert_problem(api.delete(f"/api/posts/{two.id}"), 404)


def test_every_post_newest_first_with_cursor_links(api, make_user):
    susan = make_user("susan")
    made = [posts.create_post(susan, f"post {n}") for n in range(5)]
    first = api.get("/api/posts?per_page=2").get_json()
    assert [p["id"] for p in first["items"]] == [made[4].id, made[3].id]
    assert first["_meta"]["total_items"] is None
    assert "before=" in first["_links"]["next"]
    second = api.get(first["_links"]["next"]).get_json()
    assert [p["id"] for p in second["items"]] == [made[2].id, made[1].id]
    back = api.get(second["_links"]["prev"]).get_json()
    assert [p["id"] for p in back["items"]] == [made[4].id, made[3].id]


def test_a_users_posts_with_their_total(api, make_user):
    susan = make_user("susan")
    bob = make_user("bob")
    for n in range(3):
        posts.create_post(susan, f"post {n}")
    posts.create_post(bob, "bob's")
    body = api.get(f"/api/users/{susan.id}/posts?per_page=2").get_json()
    assert {p["author"]["username"] for p in body["items"]} == {"susan"}
    assert body["_meta"]["total_items"] == 3 and body["_meta"]["total_pages"] == 2


def test_the_feed_is_the_callers_home_timeline(api, make_user):
    susan = make_user("susan")
    bob = make_user("bob")
    cat = make_user("cat")
    follows.follow(susan, "bob")
    mine, bobs = posts.create_post(susan, "mine"), posts.create_post(bob, "bob's")
    posts.create_post(cat, "not followed")
    api.sign_in("susan")
    body = api.get("/api/feed").get_json()
    assert [p["id"] for p in body["items"]] == [bobs.id, mine.id]
    assert_problem(api.get("/api/feed", headers={}), 401)


def test_likes_are_idempotent_and_shown_to_the_liker(api, make_user):
    susan = make_user("susan")
    make_user("bob")
    post = posts.create_post(susan, "like me")
    api.sign_in("bob")
    assert api.put(f"/api/posts/{post.id}/like").status_code == 204
    assert api.put(f"/api/posts/{post.id}/like").status_code == 204
    shown = api.get(f"/api/posts/{post.id}").get_json()
    assert shown["like_count"] == 1 and shown["liked"] is True
    likers = api.get(f"/api/posts/{post.id}/likes").get_json()
    assert [user["username"] for user in likers["items"]] == ["bob"]
    assert api.delete(f"/api/posts/{post.id}/like").status_code == 204
    assert api.get(f"/api/posts/{post.id}").get_json()["like_count"] == 0
    assert api.get(f"/api/posts/{post.id}/likes").get_json()["items"] == []
    assert_problem(api.get("/api/posts/424242/likes"), 404)
    assert_problem(api.put("/api/posts/424242/like"), 404)


def test_following_and_unfollowing(api, make_user):
    susan = make_user("susan")
    bob = make_user("bob")
    api.sign_in("susan")
    assert api.post(f"/api/me/following/{bob.id}").status_code == 204
    assert api.post(f"/api/me/following/{bob.id}").status_code == 204
    assert api.get(f"/api/users/{bob.id}").get_json()["follower_count"] == 1
    assert_problem(api.post(f"/api/me/following/{susan.id}"), 422)
    assert api.delete(f"/api/me/following/{bob.id}").status_code == 204
    assert api.get(f"/api/users/{bob.id}").get_json()["follower_count"] == 0
    assert_problem(api.post("/api/me/following/424242"), 404)


def test_the_feed_costs_the_same_queries_whatever_the_page_size(api, make_user,
                                                                count_queries):
    susan = make_user("susan")
    bob = make_user("bob")
    follows.follow(susan, "bob")
    for n in range(12):
        posts.create_post(bob if n % 2 else susan, f"post {n}")
    api.sign_in("susan")
    with count_queries() as small:
        assert api.get("/api/feed?per_page=2").status_code == 200
    with count_queries() as large:
        assert api.get("/api/feed?per_page=12").status_code == 200
    assert len(small) == len(large)
    # The token (one query), who is followed, the page, its words.
    assert len(large) <= 4


def test_lists_of_posts_and_comments_cost_the_same_whatever_the_page_size(api, make_user,
                                                                         count_queries):
    from microblog.services import comments

    susan = make_user("susan")
    bob = make_user("bob")
    made = [posts.create_post(susan if n % 2 else bob, f"post {n}") for n in range(12)]
    for n in range(12):
        comments.add(bob, made[0].id, f"comment {n}")
    for path in ("/api/posts", f"/api/users/{susan.id}/posts",
                 f"/api/posts/{made[0].id}/comments"):
        with count_queries() as small:
            assert api.get(f"{path}?per_page=2").status_code == 200
        with count_queries() as large:
            assert api.get(f"{path}?per_page=12").status_code == 200
        assert len(small) == len(large) <= 4, path
