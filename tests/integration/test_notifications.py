"""Notifications: each kind made once by its action, in its transaction; grouped; not
for your own actions or from someone you blocked; read; polled; emailed by choice."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
import sqlalchemy as sa

from microblog import jobs
from microblog.extensions import db
from microblog.mailer import wait_for_pending
from microblog.models.base import utcnow
from microblog.models.notification import Notification
from microblog.models.user import User
from microblog.services import blocks, comments, follows, likes, messages, notifications, posts
from tests.jobs_tasks import owned
from tests.pages import parse

JSON = {"Accept": "application/json"}


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def rows(user: User | None = None) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return list(db.session.scalars(query))


def unread(user: User) -> int:
    return db.session.scalar(sa.select(User.unread_notification_count).where(User.id == user.id))


def shown(client) -> list[str]:
    response = client.get("/notifications")
    assert response.status_code == 200
    return [e.find(cls="text").text for e in parse(response).find_all(cls="notification")]


def outbox(app) -> list:
    wait_for_pending()
    return [message_from_bytes(path.read_bytes())
            for path in sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))]


@pytest.fixture
def empty_outbox(app):
    """The outbox is the backend's, shared by the tests before this one."""
    wait_for_pending()
    for path in Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"):
        path.unlink()


def text_of(email) -> str:
    return next(part for part in email.walk() if part.get_content_type() == "text/plain"
                ).get_payload(decode=True).decode()


# Each kind, once -------------------------------------------------------------------------

def test_a_follow_tells_the_followed_once_however_often_it_is_undone(alice, make_user):
    bob = make_user("bob")
    follows.follow(bob, "alice")
    follows.unfollow(bob, "alice")
    follows.follow(bob, "alice")

    [note] = rows(alice)
    assert (note.kind, note.actor_id, note.group_count) == ("follow", bob.id, 1)
    assert rows(bob) == []
    assert unread(alice) == 1


def test_likes_of_one_post_are_one_group_naming_the_latest_likers(client, alice, make_user):
    post = posts.create_post(alice, "Soil notes for the spring")
    for name in ("bob", "carol", "dave", "erin"):
        likes.like(make_user(name), post.id)
    likes.unlike(db.session.scalar(sa.select(User).where(User.username == "erin")), post.id)
    likes.like(db.session.scalar(sa.select(User).where(User.username == "erin")), post.id)
    likes.like(alice, post.id)  # your own like tells you nothing

    assert len(rows(alice)) == 4  # one event per person who liked it
    assert unread(alice) == 1  # one group
    client.login("alice")
    assert shown(client) == ["erin, dave, carol and 1 other liked “Soil notes for the spring”"]


def test_new_followers_are_grouped_and_a_group_read_is_not_joined_again(client, alice,
                                                                        make_user):
    follows.follow(make_user("bob"), "alice")
    follows.follow(make_user("carol"), "alice")
    client.login("alice")
    assert shown(client) == ["carol and bob followed you"]
    assert client.submit("/notifications/read").status_code == 302
    follows.follow(make_user("dave"), "alice")

    assert shown(client) == ["dave followed you", "carol and bob followed you"]
    assert unread(alice) == 1


def test_a_group_is_told_in_the_readers_language_with_the_verb_agreeing(client, alice,
                                                                        make_user):
    """Spanish and German verbs agree with how many people did it; English's do not."""
    alice.language = "de"
    db.session.commit()
    follows.follow(make_user("bob"), "alice")
    follows.follow(make_user("carol"), "alice")
    post = posts.create_post(alice, "Notizen über den Boden im Frühling")
    likes.like(make_user("dave"), post.id)
    client.login("alice")
    assert shown(client) == [
        "dave hat „Notizen über den Boden im Frühling“ mit „Gefällt mir“ markiert",
        "carol und bob folgen dir jetzt"]
    alice.language = "es"
    db.session.commit()
    assert shown(client) == ["A dave le ha gustado “Notizen über den Boden im Frühling”",
                             "carol y bob han empezado a seguirte"]


def test_a_comment_tells_the_author_and_the_people_it_mentions(alice, make_user):
    bob, carol = make_user("bob"), make_user("carol")
    post = posts.create_article(alice, "Soil notes", "All about soil.")
    comment = comments.add(bob, post.id, "Great post @alice, what do you think @carol and @nobody?")

    [to_author] = rows(alice)  # told of the comment, not also of the mention
    assert to_author.kind == "comment"
    assert to_author.payload["comment_id"] == comment.id
    assert notifications.describe(to_author, [bob]) == "bob commented on “Soil notes”"
    [to_carol] = rows(carol)
    assert (to_carol.kind, to_carol.actor_id) == ("mention", bob.id)
    comments.add(alice, post.id, "Thanks!")  # on your own post: nobody is told
    assert len(rows()) == 2


def test_a_mention_in_a_post_tells_once_when_it_is_published(alice, make_user):
    bob = make_user("bob")
    posts.create_post(alice, "Lunch with @bob today")
    assert [n.kind for n in rows(bob)] == ["mention"]

    draft = posts.create_article(alice, "Plans", "With @bob, soon.", publish=False)
    assert len(rows(bob)) == 1  # a draft tells nobody
    posts.publish(alice, draft)
    posts.edit_post(alice, draft, title="Plans", body="With @bob, soon. Edited.")
    assert len(rows(bob)) == 2  # publishing told once; the edit did not


def test_a_message_tells_the_recipient_and_reading_the_conversation_clears_it(
        client, alice, make_user):
    bob = make_user("bob")
    messages.send(bob, "alice", "Hi")
    sent = messages.send(bob, "alice", "Are you there?")

    assert unread(alice) == 1
    client.login("alice")
    assert shown(client) == ["bob sent you 2 messages"]
    link = parse(client.get("/notifications")).find(cls="notification").find("a")
    assert link.attrs["href"] == f"/messages/{sent.conversation_id}"
    client.get(link.attrs["href"])
    assert unread(alice) == 0


def test_nobody_is_told_by_someone_they_blocked(alice, make_user):
    bob = make_user("bob")
    post = posts.create_post(alice, "Soil notes")
    blocks.block(alice, "bob")
    likes.like(bob, post.id)
    posts.create_post(bob, "Hey @alice")
    assert rows(alice) == []


def test_a_rolled_back_action_tells_nobody(alice, make_user):
    bob = make_user("bob")
    notifications.notify(alice, notifications.FOLLOW, actor=bob, group_key="follow")
    db.session.rollback()
    assert rows() == [] and unread(alice) == 0


def test_a_finished_or_failed_task_tells_its_owner_with_a_link(client, app, alice, tmp_path):
    jobs.enqueue(owned, str(tmp_path / "a"), False, user=alice, description="Counting sheep")
    jobs.enqueue(owned, str(tmp_path / "b"), True, user=alice, description="Counting goats")
    assert jobs.wait_until_idle(20)

    db.session.expire_all()
    assert sorted(n.kind for n in rows(alice)) == ["task_failed", "task_finished"]
    client.login("alice")
    assert sorted(shown(client)) == ["Failed: Counting goats", "Finished: Counting sheep"]
    notes = parse(client.get("/notifications")).find_all(cls="notification")
    assert {note.find("a").attrs["href"] for note in notes} == {"/settings"}


# The page, the badge, the polling ---------------------------------------------------------

def test_the_navbar_shows_both_unread_counts_on_every_page(client, alice, make_user):
    bob = make_user("bob")
    messages.send(bob, "alice", "Hi")
    follows.follow(bob, "alice")
    client.login("alice")

    for url in ("/explore", "/user/bob", "/settings"):
        nav = parse(client.get(url)).find("nav")
        badges = {b.attrs["data-unread"]: b.find(cls="count").text
                  for b in nav.find_all("span", cls="badge") if "data-unread" in b.attrs}
        assert badges == {"messages": "1", "notifications": "2"}, url


def test_mark_all_read_needs_the_token_and_empties_the_badge(client, alice, make_user):
    follows.follow(make_user("bob"), "alice")
    client.login("alice")
    assert client.post("/notifications/read").status_code == 400
    assert unread(alice) == 1

    client.submit("/notifications/read")

    assert unread(alice) == 0
    assert "unread" not in parse(client.get("/notifications")).find(cls="notification").attrs[
        "class"]


def test_since_answers_json_with_the_counts_and_what_is_new(client, alice, make_user):
    bob = make_user("bob")
    follows.follow(bob, "alice")
    client.login("alice")
    first = client.get("/notifications?since=0").json
    assert first["unread"] == {"messages": 0, "notifications": 1}
    assert [(n["name"], n["text"]) for n in first["notifications"]] == [
        ("follow", "bob followed you")]

    messages.send(bob, "alice", "Hi")
    later = client.get(f"/notifications?since={first['timestamp']}").json

    assert later["unread"] == {"messages": 1, "notifications": 2}
    assert [n["name"] for n in later["notifications"]] == ["message"]
    assert later["notifications"][0]["url"].startswith("/messages/")
    assert client.get("/notifications?since=nonsense").status_code == 200


def test_the_page_costs_the_same_with_ten_or_two_hundred(client, alice, make_user,
                                                         count_queries):
    post = posts.create_post(alice, "Soil notes")
    people = [make_user(f"user{n}") for n in range(40)]

    def cost() -> int:
        with count_queries() as statements:
            assert client.get("/notifications").status_code == 200
        return len(statements)

    for person in people[:5]:
        follows.follow(person, "alice")
        likes.like(person, post.id)
    client.login("alice")
    few = cost()
    for person in people[5:]:
        follows.follow(person, "alice")
        likes.like(person, post.id)
        messages.send(person, "alice", "Hello")
    assert len(rows(alice)) > 100
    assert cost() == few <= 5


def test_the_notifications_page_needs_a_login(client):
    assert client.get("/notifications").status_code == 302
    assert client.get("/notifications?since=0", headers=JSON).status_code == 401


# Email ---------------------------------------------------------------------------------

def test_a_message_is_emailed_only_to_someone_away_for_a_day(app, empty_outbox, alice,
                                                              make_user):
    bob = make_user("bob")
    messages.send(bob, "alice", "Are you around?")
    assert outbox(app) == []

    alice.last_seen = utcnow() - timedelta(days=2)
    db.session.commit()
    messages.send(bob, "alice", "Hello?")

    [email] = outbox(app)
    assert email["To"] == "alice@example.com"
    assert email["Subject"] == "bob sent you 2 messages"
    text = text_of(email)
    assert "/messages/" in text and "Hello?" in text


def test_other_kinds_are_emailed_once_chosen_in_settings(client, app, empty_outbox, alice,
                                                         make_user):
    follows.follow(make_user("bob"), "alice")
    assert outbox(app) == []
    client.login("alice")
    page = parse(client.get("/settings/notifications"))
    assert {i.attrs["value"]: "checked" in i.attrs
            for i in page.find_all("input", type="checkbox")} == {
        "message": True, "follow": False, "comment": False, "mention": False, "like": False}

    response = client.submit("/settings/notifications", {"email": ["follow", "bogus"]})

    assert response.status_code == 302
    assert notifications.email_choices(db.session.get(User, alice.id)) == {
        "message": False, "follow": True, "comment": False, "mention": False, "like": False}
    follows.follow(make_user("carol"), "alice")
    [email] = outbox(app)
    assert email["Subject"] == "carol followed you"


def test_a_finished_export_is_announced_with_a_link_to_its_page(client, alice):
    from microblog.services import exports

    exports.start_export(alice)
    assert jobs.wait_until_idle(30)

    client.login("alice")
    [note] = parse(client.get("/notifications")).find_all(cls="notification")
    assert note.find(cls="text").text == "Finished: Exporting your data"
    assert note.find("a").attrs["href"] == "/settings/export"
