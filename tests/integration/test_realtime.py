"""Real time in one process (the embedded shape, ``make run``): the app served on
loopback, python-socketio clients on real WebSockets, signed in by the session cookie.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from microblog.extensions import db, limiter
from microblog.models.comment import Comment
from microblog.services import blocks, comments, messages, posts
from tests.realtime import Visitor, serving


class Site:
    """An app served on loopback; ``visitor(name)`` is a browser signed in as ``name``
    (or nobody)."""

    def __init__(self, url: str) -> None:
        self.url, self.visitors = url, []

    def visitor(self, username: str | None = None) -> Visitor:
        made = Visitor(self.url)
        self.visitors.append(made)
        return made.login(username) if username else made

    def close(self) -> None:
        for visitor in self.visitors:
            visitor.close()


@contextmanager
def served(app):
    with serving(app) as url:
        site = Site(url)
        try:
            yield site
        finally:
            site.close()


@pytest.fixture
def site(app):
    with served(app) as found:
        yield found


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


def test_a_comment_written_through_the_form_reaches_the_posts_readers(site, people):
    post = posts.create_post(people["alice"], "Live comments, anyone?")
    reader = site.visitor("bob").socket()
    assert reader.call("join_post", {"post_id": post.id}) == {"ok": True, "post_id": post.id}

    writer = site.visitor("carol")
    assert writer.submit(f"/post/{post.id}/comment", {"body": "Here I am"}).ok

    pushed = reader.wait_for("comment")
    comment = db.session.scalars(db.select(Comment)).one()
    assert pushed == {"post_id": post.id, "id": comment.id, "action": "added"}
    # What the page then asks for: the card, rendered for the reader, and the count.
    answer = site.visitors[0].get(f"/post/{post.id}/comments/live?after=0").json()
    assert answer["heading"] == "1 comment"
    assert [c["id"] for c in answer["comments"]] == [comment.id]
    assert "Here I am" in answer["comments"][0]["html"]


def test_a_comment_sent_as_a_socket_event_is_written_by_the_same_service(site, people):
    post = posts.create_post(people["alice"], "Say it over the socket")
    socket = site.visitor("bob").socket()
    socket.call("join_post", {"post_id": post.id})

    answer = socket.call("new_comment", {"post_id": post.id, "body": "**Hello** socket"})

    assert answer["ok"] is True
    saved = db.session.get(Comment, answer["id"])
    assert saved.author.username == "bob"
    assert saved.body_html == "<p><strong>Hello</strong> socket</p>\n"
    assert socket.wait_for("comment")["id"] == saved.id  # and its readers hear of it


def test_edits_and_deletions_reach_the_readers(site, people):
    post = posts.create_post(people["alice"], "Changes")
    comment = comments.add(people["bob"], post.id, "frist")
    reader = site.visitor("carol").socket()
    reader.call("join_post", {"post_id": post.id})

    comments.edit(people["bob"], db.session.get(Comment, comment.id), "first")
    assert reader.wait_for("comment", lambda c: c["action"] == "edited")["id"] == comment.id
    comments.delete(people["alice"], db.session.get(Comment, comment.id))  # the post's author
    assert reader.wait_for("comment", lambda c: c["action"] == "deleted")["id"] == comment.id


MALFORMED_JOINS = [None, "7", [], {}, {"post_id": "seven"}, {"post_id": -1},
                   {"post_id": 2**40}, {"post_id": True}]
BAD_COMMENTS = [{"post_id": 1}, {"body": "no post"}, {"post_id": 1, "body": 42},
                {"post_id": 1, "body": ""}, {"post_id": 1, "body": "x" * 5000}]


def test_malformed_joins_are_refused_with_an_error_event(site, people):
    socket = site.visitor("bob").socket()
    for payload in MALFORMED_JOINS:
        answer = socket.call("join_post", payload)
        assert answer == {"ok": False, "status": 400,
                          "error": "That request was not understood."}, payload
    errors = socket.wait_for("error", lambda _: len(socket.received("error")) == 8)
    assert errors["event"] == "join_post"


def test_bad_comments_are_refused_and_change_nothing(site, people):
    posts.create_post(people["alice"], "Post 1")
    socket = site.visitor("bob").socket()
    for payload in BAD_COMMENTS:
        answer = socket.call("new_comment", payload)
        assert answer["ok"] is False and answer["status"] in (400, 422), payload
    socket.wait_for("error", lambda _: len(socket.received("error")) == len(BAD_COMMENTS))
    assert [e["status"] for e in socket.received("error")] == [400, 400, 400, 422, 422]
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0


def test_a_drafts_room_and_a_blocked_readers_are_refused(site, people):
    draft = posts.create_article(people["alice"], "Secret", "Not yet", publish=False)
    public = posts.create_post(people["alice"], "Everyone but Bob")
    blocks.block(people["alice"], "bob")

    author = site.visitor("alice").socket()
    assert author.call("join_post", {"post_id": draft.id})["status"] == 404  # not even hers
    bob = site.visitor("bob").socket()
    assert bob.call("join_post", {"post_id": public.id})["status"] == 404
    carol = site.visitor("carol").socket()
    assert carol.call("join_post", {"post_id": public.id})["ok"] is True

    comments.add(people["carol"], public.id, "Only Carol hears this")
    carol.wait_for("comment")
    assert bob.received("comment") == []  # delivered to the room at once, and not to him


def test_an_anonymous_socket_cannot_comment(site, people):
    post = posts.create_post(people["alice"], "Sign in first")
    socket = site.visitor().socket()
    assert socket.call("join_post", {"post_id": post.id})["ok"] is True  # reading is open
    assert socket.call("new_comment", {"post_id": post.id, "body": "hi"})["status"] == 401


def test_socket_comments_share_the_forms_rate_limit(sibling_app, people):
    limiter._storage_dead = False  # a verdict of an earlier test's Redis
    limited = sibling_app(RATELIMIT_ENABLED=True, RATELIMIT_COMMENT_PER_USER="2 per minute")
    post = posts.create_post(people["alice"], "Rate me")
    with served(limited) as site:
        _two_comments_and_no_more(site, post)


def _two_comments_and_no_more(site, post):
    bob = site.visitor("bob")
    assert bob.submit(f"/post/{post.id}/comment", {"body": "one"}).ok
    socket = bob.socket()
    assert socket.call("new_comment", {"post_id": post.id, "body": "two"})["ok"] is True

    refused = socket.call("new_comment", {"post_id": post.id, "body": "three"})
    assert refused["status"] == 429
    assert bob.submit(f"/post/{post.id}/comment", {"body": "four"}).status_code == 429
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 2


def test_a_person_hears_only_their_own_notifications(site, people):
    bob = site.visitor("bob").socket()
    carol = site.visitor("carol").socket()

    messages.send(people["alice"], "bob", "For Bob only")
    bob.wait_for("notification")
    messages.send(people["alice"], "carol", "Now for Carol")
    carol.wait_for("notification")
    # Both went out in order; Carol's socket got hers, and never Bob's.
    assert len(carol.received("notification")) == 1
    assert len(bob.received("notification")) == 1


def test_reading_a_conversation_clears_the_badge_in_every_tab(site, people):
    message = messages.send(people["alice"], "bob", "Read me")
    bob = site.visitor("bob")
    tabs = [bob.socket(), bob.socket()]

    assert bob.get(f"/messages/{message.conversation_id}").ok

    for tab in tabs:
        assert tab.wait_for("unread") == {"messages": 0, "notifications": 0}


def test_a_page_that_reconnects_catches_up_once(site, people):
    post = posts.create_post(people["alice"], "Catch up")
    first = comments.add(people["carol"], post.id, "before")
    bob = site.visitor("bob")
    socket = bob.socket()
    socket.call("join_post", {"post_id": post.id})
    socket.close()  # offline

    missed = [comments.add(people["carol"], post.id, text).id for text in ("one", "two")]

    again = bob.socket()
    again.call("join_post", {"post_id": post.id})
    caught_up = bob.get(f"/post/{post.id}/comments/live?after={first.id}").json()
    assert [c["id"] for c in caught_up["comments"]] == missed
    assert caught_up["heading"] == "3 comments"
    assert again.received("comment") == []  # they arrive by the question, not twice


def test_a_drafts_comments_are_not_served_live(site, people):
    draft = posts.create_article(people["alice"], "Secret", "Not yet", publish=False)
    response = site.visitor("bob").get(f"/post/{draft.id}/comments/live")
    assert response.status_code == 404


def test_the_live_comments_cost_the_same_statements_however_many_there_are(
        client, people, count_queries):
    post = posts.create_post(people["alice"], "Counted")
    client.login("bob")
    counts = []
    for total in (2, 8):
        while db.session.scalar(db.select(db.func.count(Comment.id))) < total:
            comments.add(people["carol"], post.id, "another")
        with count_queries() as statements:
            answer = client.get(f"/post/{post.id}/comments/live?after=0").get_json()
        assert len(answer["comments"]) == total
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_a_socket_offering_a_token_that_is_not_good_gets_none(site, people):
    import socketio

    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(site.url, auth={"token": "not-a-token"}, transports=["polling"],
                       wait_timeout=5)


def test_an_api_client_signs_its_socket_in_with_its_access_token(site, people):
    """No cookie: the REST API's access token says who the socket is, at connection
    and at each event, so a revoked token stops writing at once."""
    from microblog.services import api_tokens

    pair = api_tokens.issue(people["bob"])
    socket = site.visitor().socket(auth={"token": pair.access_token})  # signed in nowhere
    post = posts.create_post(people["alice"], "Written to over the API's socket")
    assert socket.call("join_post", {"post_id": post.id})["ok"] is True

    answer = socket.call("new_comment", {"post_id": post.id, "body": "by token"})
    assert answer["ok"] is True
    assert db.session.get(Comment, answer["id"]).author.username == "bob"
    messages.send(people["carol"], "bob", "for bob's own room")
    socket.wait_for("notification")  # fails unless it joined bob's own room

    api_tokens.revoke_all(people["bob"])  # as signing out everywhere does
    db.session.commit()
    refused = socket.call("new_comment", {"post_id": post.id, "body": "after sign-out"})
    assert refused == {"ok": False, "status": 401, "error": "Please log in to access this page."}
    assert db.session.scalars(db.select(Comment)).all() == [db.session.get(Comment, answer["id"])]


def test_a_new_post_reaches_explore_and_its_authors_followers_only(site, people, make_user):
    from microblog.services import follows

    follows.follow(people["bob"], "alice")
    bob = site.visitor("bob").socket()
    carol = site.visitor("carol").socket()  # follows nobody
    explorer = site.visitor().socket()
    assert explorer.call("join_explore")["ok"] is True

    post = posts.create_post(people["alice"], "For my followers and Explore")
    assert bob.wait_for("new_post") == {"id": post.id}
    assert explorer.wait_for("new_post") == {"id": post.id}
    own = posts.create_post(people["carol"], "Carol's own")
    assert carol.wait_for("new_post") == {"id": own.id}  # her own home timeline
    assert carol.received("new_post") == [{"id": own.id}]  # and never alice's


def test_a_comment_is_saved_when_the_message_queue_does_not_answer(sibling_app, people):
    """Redis gone: the comment is written all the same; its readers catch up later."""
    down = sibling_app(SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:1/0")
    post = posts.create_post(people["alice"], "Redis is down")
    with down.app_context():
        comment = comments.add(db.session.get(type(people["bob"]), people["bob"].id),
                               post.id, "Still here")
        assert db.session.get(Comment, comment.id).body == "Still here"


def test_pages_are_told_where_the_socketio_processes_are(sibling_app):
    elsewhere = sibling_app(SOCKETIO_URL=["http://localhost:8001", "https://rt.example.org"])
    response = elsewhere.test_client().get("/explore")
    page = response.get_data(as_text=True)
    assert 'data-urls="http://localhost:8001 https://rt.example.org"' in page
    policy = response.headers["Content-Security-Policy"]
    assert ("connect-src 'self' http://localhost:8001 ws://localhost:8001 "
            "https://rt.example.org wss://rt.example.org;") in policy


def test_another_sites_page_cannot_open_a_socket(site):
    import requests

    refused = requests.get(site.url + "/socket.io/?EIO=4&transport=polling",
                           headers={"Origin": "https://evil.example"}, timeout=5)
    assert refused.status_code == 400
    own = requests.get(site.url + "/socket.io/?EIO=4&transport=polling",
                       headers={"Origin": site.url}, timeout=5)
    assert own.ok and own.headers["Access-Control-Allow-Origin"] == site.url
