"""A status sent twice (a double click, a form re-sent) is published once."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.post import Post
from microblog.services import posts


def statuses(body: str) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).where(Post.body == body))


def test_the_same_text_twice_in_a_row_is_one_post(make_user):
    susan = make_user("susan")
    first = posts.create_post(susan, "Tomatoes!")
    again = posts.create_post(susan, "Tomatoes!")
    assert again.id == first.id
    assert statuses("Tomatoes!") == 1


def test_a_new_text_another_author_or_a_later_time_is_a_new_post(make_user):
    susan, amy = make_user("susan"), make_user("amy")
    first = posts.create_post(susan, "Tomatoes!")
    posts.create_post(susan, "Tomatoes!!")
    posts.create_post(amy, "Tomatoes!")
    first.published_at -= posts.REPEAT_WINDOW + timedelta(seconds=1)
    db.session.commit()
    posts.create_post(susan, "Tomatoes!")
    assert statuses("Tomatoes!") == 3


def test_a_form_sent_twice_says_published_both_times_and_publishes_once(client, make_user):
    make_user("susan")
    client.login("susan")
    for _ in range(2):
        response = client.submit("/index", {"post": "Double click"})
        assert response.status_code == 302
    assert "Your post is now live!" in client.get("/index").get_data(as_text=True)
    assert statuses("Double click") == 1


def test_two_requests_in_the_same_instant_publish_once(app, make_user):
    """Two workers answer the two clicks at once: the second waits for the first."""
    make_user("susan")
    db.session.commit()
    ready = threading.Barrier(2)
    answers = []

    def click():
        client = app.test_client()
        client.login("susan")
        ready.wait(timeout=10)
        answers.append(client.submit("/index", {"post": "Same instant"}).status_code)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert answers == [302, 302]
    assert statuses("Same instant") == 1
