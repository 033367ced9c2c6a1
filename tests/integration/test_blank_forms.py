"""Blank forms kept by the render cache (microblog/fragments/keys.py: blank_form): the
home page's post form and a post's comment form are kept for everyone, yet each
visitor posts with their own token, each comment form posts to its own post, and a
rejected submission comes back with the visitor's words and the error."""

from __future__ import annotations

import pytest

from microblog.extensions import fragments
from microblog.models.post import STATUS_MAX_LENGTH
from microblog.services import posts
from tests.pages import parse


def forms_kept(app) -> list[tuple]:
    return [key for key in app.extensions["cache"][fragments] if key[0] == "blank_form"]


@pytest.mark.render_cache
def test_two_members_share_one_post_form_and_one_comment_form_for_every_post(
    app, client, make_user
):
    ann = make_user("ann")
    first, second = posts.create_post(ann, "first"), posts.create_post(ann, "second")
    make_user("bob")
    client.login("ann")
    other = app.test_client()
    other.login("bob")

    client.get("/index"), other.get("/index")
    assert len(forms_kept(app)) == 1
    other.get(f"/post/{first.id}"), client.get(f"/post/{first.id}")
    other.get(f"/post/{second.id}")
    assert len(forms_kept(app)) == 3  # the post form, and one comment form per post


def test_two_members_each_post_with_their_own_token(app, client, make_user):
    make_user("ann"), make_user("bob")
    client.login("ann")
    other = app.test_client()
    other.login("bob")

    anns, bobs = parse(client.get("/index")), parse(other.get("/index"))

    ann_token = anns.find("textarea", name="post").parent.parent \
        .find("input", name="csrf_token").attrs["value"]
    bob_form = bobs.find("textarea", name="post").parent.parent
    bob_token = bob_form.find("input", name="csrf_token").attrs["value"]
    assert ann_token != bob_token
    assert bob_form.attrs["action"] == ""  # posts to the page it is on
    answer = other.post("/index", data={"post": "bob was here", "csrf_token": bob_token})
    assert answer.status_code == 302
    assert "bob was here" in client.get("/explore").get_data(as_text=True)
    # One visitor's token is no good to another: the form really is filled per request.
    stolen = client.post("/index", data={"post": "ann as bob", "csrf_token": bob_token})
    assert stolen.status_code == 400


def test_a_rejected_post_comes_back_with_the_words_typed_and_the_error(client, make_user):
    make_user("ann")
    client.login("ann")
    client.get("/index")  # the blank form is kept

    too_long = "x" * (STATUS_MAX_LENGTH + 1)
    answer = client.submit("/index", {"post": too_long})

    assert answer.status_code == 422
    box = parse(answer).find("textarea", name="post")
    assert box.text.strip() == too_long
    assert "is-invalid" in box.attrs["class"]
    # ... and the next visit shows the blank form again, not this one.
    assert parse(client.get("/index")).find("textarea", name="post").text.strip() == ""


def test_each_posts_comment_form_posts_to_that_post(app, client, make_user):
    ann = make_user("ann")
    first, second = posts.create_post(ann, "first"), posts.create_post(ann, "second")
    make_user("bob")
    client.login("bob")
    forms = [parse(client.get(f"/post/{post.id}")).find("textarea", name="body").parent.parent
             for post in (first, second)]

    assert [form.attrs["action"] for form in forms] == [f"/post/{first.id}/comment",
                                                         f"/post/{second.id}/comment"]
    token = forms[1].find("input", name="csrf_token").attrs["value"]
    answer = client.post(forms[1].attrs["action"], data={"body": "nice", "csrf_token": token})
    assert answer.status_code == 302
    assert "nice" in client.get(f"/post/{second.id}").get_data(as_text=True)
