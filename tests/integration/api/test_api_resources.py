"""The rest of the platform over the API: comments, categories and tags, search, blocks,
messages, notifications, the data export, and what moderators and administrators do.
Each through the service the pages use, so the pages' rules hold here too."""

from __future__ import annotations

from datetime import timedelta

from microblog import jobs
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.comment import Comment
from microblog.models.role import Role
from microblog.services import blocks, categories, comments, follows, likes, messages, posts
from tests.integration.api.conftest import assert_problem

# --- comments -------------------------------------------------------------------------------


def test_commenting_reading_and_the_envelope(api, make_user):
    susan = make_user("susan")
    make_user("bob")
    post = posts.create_post(susan, "say something")
    api.sign_in("bob")
    made = api.post(f"/api/posts/{post.id}/comments", json={"body": "Nice **one**"})
    assert made.status_code == 201
    body = made.get_json()
    assert "<strong>one</strong>" in body["body_html"] and body["author"]["username"] == "bob"
    assert made.headers["Location"] == f"/api/comments/{body['id']}"
    listed = api.get(f"/api/posts/{post.id}/comments").get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    assert listed["_meta"]["total_items"] == 1
    assert api.get(f"/api/posts/{post.id}").get_json()["comment_count"] == 1


def test_editing_a_comment_is_its_authors_within_the_window(api, other_api, make_user):
    susan = make_user("susan")
    bob = make_user("bob")
    post = posts.create_post(susan, "post")
    comment = comments.add(bob, post.id, "first")
    other_api.sign_in("susan")
    assert_problem(other_api.put(f"/api/comments/{comment.id}", json={"body": "x"}), 403)
    api.sign_in("bob")
    assert api.put(f"/api/comments/{comment.id}", json={"body": "second"}) \
        .get_json()["body"] == "second"
    db.session.get(Comment, comment.id).created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    body = assert_problem(api.put(f"/api/comments/{comment.id}", json={"body": "third"}), 403)
    assert "minutes" in body["detail"]


def test_deleting_a_comment_author_post_author_or_moderator(api, other_api, make_user):
    susan = make_user("susan")
    bob = make_user("bob")
    make_user("cat")
    post = posts.create_post(susan, "post")
    one, two = comments.add(bob, post.id, "one"), comments.add(bob, post.id, "two")
    other_api.sign_in("cat")
    assert_problem(other_api.delete(f"/api/comments/{one.id}"), 403)
    api.sign_in("susan")  # the post's author
    assert api.delete(f"/api/comments/{one.id}").status_code == 204
    make_user("mod", role=Role.MODERATOR)
    other_api.sign_in("mod")
    assert other_api.delete(f"/api/comments/{two.id}").status_code == 204
    assert_problem(api.get(f"/api/comments/{two.id}"), 404)


def test_a_blocked_person_cannot_comment(api, make_user):
    susan = make_user("susan")
    make_user("bob")
    blocks.block(susan, "bob")
    post = posts.create_post(susan, "post")
    api.sign_in("bob")
    assert_problem(api.post(f"/api/posts/{post.id}/comments", json={"body": "hi"}), 403)


# --- categories, tags, search ---------------------------------------------------------------


def test_categories_and_their_posts_and_tags(api, make_user, admin):
    susan = make_user("susan")
    python = categories.create(admin, "Python")
    article = posts.create_article(susan, "Typing", "Hints.", category_id=python.id,
                                   tags="types")
    posts.create_post(susan, "unfiled #types")
    listed = api.get("/api/categories").get_json()["items"]
    assert listed == [{"slug": "python", "name": "Python",
                       "posts": "/api/categories/python/posts"}]
    in_python = api.get("/api/categories/python/posts").get_json()["items"]
    assert [p["id"] for p in in_python] == [article.id]
    assert in_python[0]["category"] == "python"
    assert len(api.get("/api/tags/types/posts").get_json()["items"]) == 2
    assert_problem(api.get("/api/categories/nothing/posts"), 404)


def test_searching_posts_and_people(api, make_user):
    susan = make_user("susan", about_me="I keep bees")
    posts.create_post(susan, "Honey harvest today")
    posts.create_post(susan, "Something else")
    found = api.get("/api/search/posts?q=honey").get_json()
    assert [p["body_html"] for p in found["items"]] == ["Honey harvest today"]
    assert found["_meta"]["total_items"] == 1
    people = api.get("/api/search/users?q=bees").get_json()
    assert [u["username"] for u in people["items"]] == ["susan"]
    body = assert_problem(api.get("/api/search/posts?q=%20%21"), 422)
    assert "q" in body["errors"]


# --- blocks, follows ------------------------------------------------------------------------


def test_blocking_ends_follows_and_lists_the_blocked(api, make_user):
    susan = make_user("susan")
    bob = make_user("bob")
    follows.follow(bob, "susan")
    api.sign_in("susan")
    assert api.post(f"/api/me/blocked/{bob.id}").status_code == 204
    assert [u["username"] for u in api.get("/api/me/blocked").get_json()["items"]] == ["bob"]
    assert api.get(f"/api/users/{susan.id}").get_json()["follower_count"] == 0
    assert api.delete(f"/api/me/blocked/{bob.id}").status_code == 204
    assert api.get("/api/me/blocked").get_json()["items"] == []
    assert_problem(api.get("/api/me/blocked", headers={}), 401)


# --- messages and notifications --------------------------------------------------------------


def test_sending_and_reading_messages(api, other_api, make_user):
    make_user("susan")
    bob = make_user("bob")
    api.sign_in("susan")
    sent = api.post("/api/messages", json={"recipient_id": bob.id, "body": "Hi Bob"})
    assert sent.status_code == 201
    other_api.sign_in("bob")
    conversations = other_api.get("/api/conversations").get_json()["items"]
    assert conversations[0]["other"]["username"] == "susan"
    assert conversations[0]["unread_count"] == 1
    history = other_api.get(conversations[0]["messages"]).get_json()
    assert [m["body_html"] for m in history["items"]] == ["<p>Hi Bob</p>\n"]
    assert other_api.get("/api/conversations").get_json()["items"][0]["unread_count"] == 0
    make_user("cat")
    api.sign_in("cat")
    assert_problem(api.get(conversations[0]["messages"]), 404)


def test_messages_to_someone_who_blocked_you_are_refused(api, make_user):
    make_user("susan")
    bob = make_user("bob")
    blocks.block(bob, "susan")
    api.sign_in("susan")
    assert_problem(api.post("/api/messages", json={"recipient_id": bob.id, "body": "hi"}), 403)
    assert_problem(api.post("/api/messages", json={"recipient_id": 424242, "body": "hi"}), 404)


def test_notifications_listed_since_and_marked_read(api, make_user):
    susan = make_user("susan")
    bob = make_user("bob")
    post = posts.create_post(susan, "like me")
    before = utcnow()
    likes.like(bob, post.id)
    follows.follow(bob, "susan")
    api.sign_in("susan")
    page = api.get("/api/notifications").get_json()
    assert page["unread"] == 2
    assert {n["kind"] for n in page["items"]} == {"like", "follow"}
    assert all("bob" in n["text"] for n in page["items"])
    since = api.get("/api/notifications", query_string={"since": before.isoformat()}) \
        .get_json()["items"]
    assert [n["kind"] for n in since] == ["like", "follow"]  # oldest first
    assert api.post("/api/notifications/read").status_code == 204
    assert api.get("/api/notifications").get_json()["unread"] == 0


def test_private_messages_and_notifications_need_a_token(api):
    assert_problem(api.get("/api/conversations"), 401)
    assert_problem(api.get("/api/notifications"), 401)


# --- the data export ----------------------------------------------------------------------


def test_exporting_ones_data_progress_and_download(api, other_api, make_user):
    susan = make_user("susan")
    make_user("bob")
    posts.create_post(susan, "in the export")
    api.sign_in("susan")
    started = api.post("/api/me/export")
    assert started.status_code == 202
    task = started.get_json()
    assert started.headers["Location"] == f"/api/tasks/{task['id']}"
    assert jobs.wait_until_idle(30)
    done = api.get(f"/api/tasks/{task['id']}").get_json()
    assert done["state"] == "finished" and done["progress"] == 100
    download = api.get(done["download"])
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert download.mimetype == "application/zip"
    other_api.sign_in("bob")
    assert_problem(other_api.get(f"/api/tasks/{task['id']}"), 404)
    assert_problem(other_api.get(done["download"]), 404)


# --- moderation ----------------------------------------------------------------------------


def test_a_moderator_disables_and_enables_an_account(api, other_api, make_user):
    susan = make_user("susan")
    make_user("mod", role=Role.MODERATOR)
    other_api.sign_in("susan")
    api.sign_in("mod")
    disabled = api.post(f"/api/users/{susan.id}/disable")
    assert disabled.status_code == 200 and disabled.get_json()["disabled"] is True
    assert_problem(other_api.get("/api/feed"), 401)  # her token was revoked with the ban
    assert api.post(f"/api/users/{susan.id}/enable").get_json()["disabled"] is False


def test_only_moderators_disable_and_only_admins_change_roles(api, make_user, admin):
    susan = make_user("susan")
    make_user("bob")
    make_user("mod", role=Role.MODERATOR)
    api.sign_in("bob")
    assert_problem(api.post(f"/api/users/{susan.id}/disable"), 403)
    api.sign_in("mod")
    assert_problem(api.put(f"/api/users/{susan.id}/role", json={"role": "admin"}), 403)
    api.sign_in("ada")
    changed = api.put(f"/api/users/{susan.id}/role", json={"role": "moderator"})
    assert changed.get_json()["role"] == "moderator"
    body = assert_problem(api.put(f"/api/users/{susan.id}/role", json={"role": "king"}), 422)
    assert "role" in body["errors"]


def test_messages_service_rules_hold(api, make_user):
    """Writing to yourself is refused by the service, with its words."""
    susan = make_user("susan")
    api.sign_in("susan")
    response = api.post("/api/messages", json={"recipient_id": susan.id, "body": "me"})
    assert response.status_code in (403, 422)
    assert messages.conversations(susan, 1, 10).items == []


def test_a_second_export_while_one_waits_is_a_409(app, api, make_user):
    make_user("susan")
    api.sign_in("susan")
    queue = jobs.queue_of(app)
    paused = []
    original = queue.hand_over
    queue.hand_over = lambda task_id, *args: paused.append(task_id)  # the worker is busy
    try:
        first = api.post("/api/me/export").get_json()["id"]
        body = assert_problem(api.post("/api/me/export"), 409)
        assert "already in progress" in body["detail"]
    finally:
        queue.hand_over = original
    queue.hand_over(first, 0)
    assert jobs.wait_until_idle(30)


def test_only_an_admin_features_a_published_article(api, make_user, admin):
    susan = make_user("susan")
    article = posts.create_article(susan, "Birds", "Sparrows.")
    status = posts.create_post(susan, "a status")
    api.sign_in("susan")
    assert_problem(api.put(f"/api/posts/{article.id}/feature"), 403)
    api.sign_in("ada")
    assert api.put(f"/api/posts/{article.id}/feature").status_code == 204
    db.session.expire_all()
    assert db.session.get(type(article), article.id).featured is True
    assert_problem(api.put(f"/api/posts/{status.id}/feature"), 422)
    assert api.delete(f"/api/posts/{article.id}/feature").status_code == 204
    db.session.expire_all()
    assert db.session.get(type(article), article.id).featured is False
