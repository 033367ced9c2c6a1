"""Private messages as conversations: sending, the list, a conversation's history,
unread counts, and who may read and write what."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog.errors import Blocked, NotFound, PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.models.message import Conversation, ConversationMember, Message
from microblog.models.user import User
from microblog.services import accounts, blocks, messages
from tests.pages import alerts, field_error, parse


@pytest.fixture
def pair(make_user):
    return make_user("alice"), make_user("bob")


def unread(user: User) -> int:
    return db.session.scalar(sa.select(User.unread_message_count).where(User.id == user.id))


def stored(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def conversation_page(client, conversation_id: int, **args):
    response = client.get(f"/messages/{conversation_id}", query_string=args)
    assert response.status_code == 200
    return parse(response)


def bodies(page) -> list[str]:
    return [e.text for e in page.find_all(cls="message-body")]


# The service --------------------------------------------------------------------------

def test_two_people_have_one_conversation_whoever_writes_first(pair):
    alice, bob = pair
    first = messages.send(alice, "bob", "Hello **Bob**")
    reply = messages.send(bob, "alice", "Hi Alice")

    assert first.conversation_id == reply.conversation_id
    assert stored(Conversation) == 1
    assert first.body_html.strip() == "<p>Hello <strong>Bob</strong></p>"
    assert (unread(alice), unread(bob)) == (1, 0)  # bob replied, so he has read it


def test_the_bodies_are_rendered_with_the_comment_subset_and_sanitised(pair):
    alice, _ = pair
    sent = messages.send(alice, "bob", "# Big\n<script>alert(1)</script> ![x](http://a/b.png)")
    assert "<h1" not in sent.body_html and "<script" not in sent.body_html
    assert "<img" not in sent.body_html


@pytest.mark.parametrize(("text", "error"), [
    ("", "Write a message first."),
    ("   \n ", "Write a message first."),
    ("x" * 2001, "Messages are at most 2000 characters."),
])
def test_an_empty_or_too_long_message_is_refused_and_nothing_is_stored(pair, text, error):
    alice, _ = pair
    with pytest.raises(ValidationError, match=error):
        messages.send(alice, "bob", text)
    assert stored(Message) == stored(Conversation) == 0


def test_2000_characters_is_allowed(pair):
    alice, _ = pair
    assert len(messages.send(alice, "bob", "x" * 2000).body) == 2000


def test_nobody_writes_to_themselves_nobody_or_an_account_that_cannot_receive(
        app, pair, make_user):
    alice, _ = pair
    with pytest.raises(ValidationError, match="You cannot send a message to yourself."):
        messages.send(alice, "alice", "Hi")
    with pytest.raises(NotFound, match="There is no user called nobody."):
        messages.send(alice, "nobody", "Hi")
    carol = make_user("carol")
    carol.disabled = True
    db.session.commit()
    with pytest.raises(PermissionDenied, match="carol's account is disabled"):
        messages.send(alice, "carol", "Hi")
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = True
    make_user("dave", email_confirmed=False)
    with pytest.raises(PermissionDenied, match="dave has not confirmed their email address"):
        messages.send(alice, "dave", "Hi")
    assert stored(Message) == 0


def test_an_unconfirmed_sender_is_asked_to_confirm_first(app, make_user, pair):
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = True
    eve = make_user("eve", email_confirmed=False)
    with pytest.raises(PermissionDenied, match="Please confirm your email address first."):
        messages.send(eve, "alice", "Hi")


def test_a_block_stops_messages_both_ways_and_says_who_blocked_whom(pair):
    alice, bob = pair
    messages.send(bob, "alice", "Hi")
    blocks.block(alice, "bob")

    with pytest.raises(Blocked, match="alice has blocked you, so you cannot send them messages."):
        messages.send(bob, "alice", "Hello?")
    with pytest.raises(Blocked, match="You have blocked bob. Unblock them to send them messages."):
        messages.send(alice, "bob", "Go away")
    blocks.unblock(alice, "bob")
    assert messages.send(bob, "alice", "Sorry")


def test_reading_the_newest_page_marks_the_conversation_read(pair):
    alice, bob = pair
    for n in range(3):
        sent = messages.send(alice, "bob", f"message {n}")
    assert unread(bob) == 3

    shown = messages.history(bob, sent.conversation_id, per_page=10)

    assert [m.body for m in shown.messages] == ["message 0", "message 1", "message 2"]
    assert shown.read_up_to == 0  # the page can still mark what was new
    assert unread(bob) == 0
    assert db.session.scalar(sa.select(ConversationMember.unread_count).where(
        ConversationMember.user_id == bob.id)) == 0


def test_an_older_page_does_not_mark_newer_messages_read(pair):
    alice, bob = pair
    for n in range(5):
        sent = messages.send(alice, "bob", f"message {n}")

    older = messages.history(bob, sent.conversation_id, per_page=2, before=sent.id - 1)

    assert [m.body for m in older.messages] == ["message 1", "message 2"]
    assert older.earlier == older.messages[0].id and older.later is None
    assert unread(bob) == 5


def test_unread_totals_add_up_over_conversations_and_follow_a_deleted_account(
        pair, make_user):
    alice, bob = pair
    carol = make_user("carol")
    messages.send(alice, "bob", "one")
    messages.send(carol, "bob", "two")
    messages.send(carol, "bob", "three")
    assert unread(bob) == 3

    accounts.delete_account(carol, "correct horse battery", understood=True)

    assert unread(bob) == 1
    assert [m.other_user.username for m in messages.conversations(bob, 1, 10).items] == ["alice"]


def test_nobody_else_can_read_a_conversation(pair, make_user):
    alice, _ = pair
    sent = messages.send(alice, "bob", "secret")
    with pytest.raises(NotFound):
        messages.history(make_user("mallory"), sent.conversation_id, per_page=10)


# The pages ------------------------------------------------------------------------------

def test_send_from_the_profile_then_read_and_reply_in_the_conversation(client, pair):
    alice, bob = pair
    client.login("alice")
    profile = parse(client.get("/user/bob"))
    link = profile.find("a", href="/send_message/bob")
    assert link.text == "Send private message"

    assert client.get("/send_message/bob").status_code == 200
    response = client.submit("/send_message/bob", {"message": "Lunch *today*?"})
    assert response.status_code == 302
    conversation_url = response.headers["Location"].split("#")[0]

    client.logout()
    client.login("bob")
    listing = parse(client.get("/messages"))
    [row] = listing.find_all(cls="conversation")
    assert row.find(cls="username").text == "alice"
    assert row.find(cls="excerpt").text == "Lunch today?"
    assert row.find(cls="unread-count").text.startswith("1")
    assert row.find("a").attrs["href"] == conversation_url

    page = parse(client.get(conversation_url))
    assert bodies(page) == ["Lunch today?"]
    assert page.find(cls="message-body").find("em").text == "today"
    assert page.find(cls="new")  # what was unread is marked, this once
    assert not list(parse(client.get("/messages")).find_all(cls="unread-count"))
    conversation_id = int(conversation_url.rsplit("/", 1)[1])
    reply = client.submit("/send_message/alice", {"message": "Yes!",
                                                  "conversation": str(conversation_id)})
    assert reply.status_code == 302
    assert bodies(conversation_page(client, conversation_id)) == ["Lunch today?", "Yes!"]
    assert not list(conversation_page(client, conversation_id).find_all(cls="new"))


def test_a_bad_reply_is_shown_again_in_the_conversation_with_the_words_kept(client, pair):
    alice, _ = pair
    sent = messages.send(alice, "bob", "Hi")
    client.login("bob")

    response = client.submit("/send_message/alice", {"message": "x" * 2001,
                                                     "conversation": str(sent.conversation_id)})

    assert response.status_code == 422
    page = parse(response)
    assert bodies(page) == ["Hi"]  # the conversation, not a bare form
    assert field_error(page, "message") == "Messages are at most 2000 characters."
    assert page.find("textarea", name="message").text == "x" * 2001
    assert stored(Message) == 1


def test_an_empty_message_from_the_send_page_is_a_form_error(client, pair):
    client.login("alice")
    response = client.submit("/send_message/bob", {"message": ""})
    assert response.status_code == 422
    assert field_error(parse(response), "message") == "Write a message first."
    assert stored(Message) == 0


def test_the_pages_refuse_yourself_nobody_and_a_blocked_person_clearly(client, pair):
    alice, _ = pair
    blocks.block(alice, "bob")
    client.login("bob")

    assert client.get("/send_message/nobody").status_code == 404
    yourself = client.get("/send_message/bob")
    assert yourself.status_code == 422
    assert "You cannot send a message to yourself." in yourself.get_data(as_text=True)
    blocked = client.get("/send_message/alice")
    assert blocked.status_code == 403
    assert "alice has blocked you, so you cannot send them messages." in blocked.get_data(
        as_text=True)
    posted = client.submit("/send_message/alice", {"message": "Please"})
    assert posted.status_code == 403
    page = parse(posted)
    assert "alice has blocked you, so you cannot send them messages." in alerts(page)
    assert page.find("textarea", name="message").text == "Please"  # nothing lost
    assert stored(Message) == 0


def test_a_conversation_across_a_block_has_no_reply_box_but_says_why(client, pair):
    alice, _ = pair
    sent = messages.send(alice, "bob", "Hi")
    blocks.block(alice, "bob")
    client.login("alice")

    page = conversation_page(client, sent.conversation_id)

    assert not list(page.find_all("form", id="reply"))
    assert page.find(id="cannot-reply").text.startswith(
        "You have blocked bob. Unblock them to send them messages.")
    assert page.find(id="cannot-reply").find("button").text == "Unblock"


def test_block_from_the_conversation_and_come_back_to_it(client, pair):
    alice, _ = pair
    sent = messages.send(alice, "bob", "Hi")
    client.login("bob")
    url = f"/messages/{sent.conversation_id}"

    response = client.submit("/block/alice", {"next": url})

    assert response.headers["Location"] == url
    assert blocks.is_blocked(db.session.get(User, 2), alice)
    assert conversation_page(client, sent.conversation_id).find(id="cannot-reply")


def test_only_the_two_members_can_open_a_conversation(client, pair, make_user):
    alice, _ = pair
    sent = messages.send(alice, "bob", "secret")
    make_user("mallory")
    client.login("mallory")

    response = client.get(f"/messages/{sent.conversation_id}")

    assert response.status_code == 404
    assert "secret" not in response.get_data(as_text=True)
    assert not list(parse(client.get("/messages")).find_all(cls="conversation"))
    client.logout()
    assert client.get(f"/messages/{sent.conversation_id}").status_code == 302  # to login


def test_sending_needs_the_csrf_token(client, pair):
    client.login("alice")
    assert client.post("/send_message/bob", data={"message": "Hi"}).status_code == 400
    assert stored(Message) == 0


def test_conversations_are_listed_by_their_newest_message(client, pair, make_user):
    alice, _ = pair
    make_user("carol")
    messages.send(alice, "bob", "to bob")
    messages.send(alice, "carol", "to carol")
    messages.send(alice, "bob", "to bob again")
    client.login("alice")

    rows = parse(client.get("/messages")).find_all(cls="conversation")

    assert [(r.find(cls="username").text, r.find(cls="excerpt").text) for r in rows] == [
        ("bob", "You: to bob again"), ("carol", "You: to carol")]


def test_a_long_history_pages_back_and_forth(app, client, pair):
    alice, _ = pair
    app.config["MESSAGES_PER_PAGE"] = 2
    for n in range(5):
        sent = messages.send(alice, "bob", f"m{n}")
    client.login("bob")

    newest = conversation_page(client, sent.conversation_id)
    assert bodies(newest) == ["m3", "m4"]
    earlier = newest.find("a", cls="earlier").attrs["href"]
    middle = parse(client.get(earlier))
    assert bodies(middle) == ["m1", "m2"]
    first = parse(client.get(middle.find("a", cls="earlier").attrs["href"]))
    assert bodies(first) == ["m0"] and not list(first.find_all("a", cls="earlier"))
    assert bodies(parse(client.get(first.find("a", cls="later").attrs["href"]))) == ["m1", "m2"]
    assert client.get(f"/messages/{sent.conversation_id}?before=1").status_code == 404


def test_sending_is_rate_limited_per_account(sibling_app, pair):
    limited = sibling_app(RATELIMIT_ENABLED=True, RATELIMIT_MESSAGE_PER_USER="2 per hour")
    client = limited.test_client()
    client.login("alice")
    statuses = [client.submit("/send_message/bob", {"message": f"m{n}"}).status_code
                for n in range(3)]
    assert statuses == [302, 302, 429]
    assert stored(Message) == 2


# Query counts ---------------------------------------------------------------------------

def test_the_list_and_a_conversation_cost_the_same_however_many_there_are(
        client, pair, make_user, count_queries):
    alice, bob = pair
    client.login("alice")

    def costs() -> tuple[int, int]:
        with count_queries() as listing:
            assert client.get("/messages").status_code == 200
        conversation_id = db.session.scalar(sa.select(Conversation.id))
        with count_queries() as history:
            assert client.get(f"/messages/{conversation_id}").status_code == 200
        return len(listing), len(history)

    messages.send(bob, "alice", "first")
    few = costs()
    for n in range(12):
        messages.send(make_user(f"user{n}"), "alice", f"hello {n}")
        messages.send(bob, "alice", f"again {n}")
    assert costs() == few
    assert few[0] <= 5
