"""Comments: writing, correcting and deleting them, and how a post's page shows them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa

from microblog.errors import NotFound, PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.comment import Comment
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.services import comments, posts
from tests.pages import Element, alerts, field_error, parse


@pytest.fixture
def people(make_user):
    """alice writes the post, bob comments, carol is anyone else, moe moderates."""
    found = {name: make_user(name) for name in ("alice", "bob", "carol", "moe")}
    found["moe"].role = Role.MODERATOR
    db.session.commit()
    return found


@pytest.fixture
def post(people) -> Post:
    return posts.create_article(people["alice"], "On gardens", "Grow *tomatoes*.")


def url_of(post: Post) -> str:
    return f"/post/{post.id}/{post.slug}"


def page_of(client, url: str) -> Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return parse(response)


def comments_shown(page: Element) -> list[str]:
    return [e.text for e in page.find_all(cls="comment-body")]


def comment_rows() -> list[str]:
    return list(db.session.scalars(sa.select(Comment.body).order_by(Comment.id)))


def comment_count_on(page: Element, post: Post) -> str:
    return page.find("article", id=f"post-{post.id}").find(cls="comment-count").text


def dated(comment: Comment, minutes_ago: float) -> Comment:
    comment.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return comment


# --- the service --------------------------------------------------------------------------


def test_a_comment_is_saved_rendered_and_counted(people, post):
    comment = comments.add(people["bob"], post.id, "  **Lovely** <script>alert(1)</script>  ")

    assert comment.body == "**Lovely** <script>alert(1)</script>"
    assert "<strong>Lovely</strong>" in comment.body_html
    assert "<script>" not in comment.body_html
    db.session.refresh(post)
    assert post.comment_count == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write a comment first."),
        (" \r\n ", "Write a comment first."),
        ("x" * 2001, "Comments are at most 2000 characters."),
    ],
)
def test_empty_and_overlong_comments_are_refused(people, post, text, message):
    with pytest.raises(ValidationError) as refused:
        comments.add(people["bob"], post.id, text)

    assert refused.value.errors == {"body": message}
    assert comment_rows() == []


def test_a_comment_of_exactly_2000_characters_is_accepted(people, post):
    comments.add(people["bob"], post.id, "x" * 2000)

    assert comment_rows() == ["x" * 2000]


def test_a_nul_character_is_dropped_not_a_crash(people, post):
    # PostgreSQL refuses NUL in text; a pasted one must not turn the comment into a 500.
    comments.add(people["bob"], post.id, "nu\x00ll")

    assert comment_rows() == ["null"]


def test_an_unconfirmed_user_may_not_comment_and_is_told_why(make_user, post):
    newcomer = make_user("newcomer", email_confirmed=False)

    with pytest.raises(PermissionDenied) as refused:
        comments.add(newcomer, post.id, "First!")

    assert refused.value.message == "Please confirm your email address first."
    assert comment_rows() == []


def test_drafts_and_deleted_posts_cannot_be_commented_on(people, post):
    draft = posts.create_article(people["alice"], "Not yet", "Soon.", publish=False)
    gone_id = post.id
    posts.delete_post(people["alice"], post)

    for post_id in (draft.id, gone_id):
        with pytest.raises(NotFound) as refused:
            comments.add(people["bob"], post_id, "Hello?")
        assert refused.value.message == "That post does not exist, or is not published."
    assert comment_rows() == []


# --- writing through the page -------------------------------------------------------------


def test_a_comment_is_published_and_shown_rendered_and_sanitised(client, people, post):
    client.login("bob")

    response = client.submit(f"/post/{post.id}/comment", {
        "body": "Try **basil** [here](https://example.com) <img src=x onerror=alert(1)>\n\n# Big",
    })

    comment_id = db.session.scalar(sa.select(Comment.id))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url_of(post)}#comment-{comment_id}"
    page = page_of(client, response.headers["Location"])
    assert "Your comment is published." in alerts(page)
    shown = page.find("article", id=f"comment-{comment_id}")
    assert shown.find("a", href="/user/bob").text == "bob"
    body = shown.find(cls="comment-body")
    assert body.find("strong").text == "basil"
    assert body.find("a", href="https://example.com").text == "here"
    assert not list(body.find_all("img"))  # no images, no handlers: written out as text
    assert "<img src=x onerror=alert(1)>" in body.text
    assert not list(body.find_all("h1"))  # no headings in a comment
    assert page.find(id="comments-heading").text == "1 comment"


def test_a_rejected_comment_is_shown_again_with_the_text_kept(client, people, post):
    client.login("bob")
    too_long = "word " * 401  # 2,004 characters once trimmed

    response = client.submit(f"/post/{post.id}/comment", {"body": too_long})

    assert response.status_code == 422
    page = parse(response)
    assert field_error(page, "body") == "Comments are at most 2000 characters."
    assert page.find("textarea", name="body").text == too_long.strip()
    assert page.find("h1").text == "On gardens"  # still the post's page
    assert comment_rows() == []


def test_an_empty_comment_is_refused_on_the_page(client, people, post):
    client.login("bob")

    response = client.submit(f"/post/{post.id}/comment", {"body": "   "})

    assert response.status_code == 422
    assert field_error(parse(response), "body") == "Write a comment first."
    assert comment_rows() == []


def test_commenting_needs_the_csrf_token(client, people, post):
    client.login("bob")

    assert client.post(f"/post/{post.id}/comment", data={"body": "sneaky"}).status_code == 400
    assert comment_rows() == []


def test_anonymous_visitors_are_invited_to_log_in_and_sent_there(client, post):
    page = page_of(client, url_of(post))

    invite = next(a for a in page.find("section", id="comments").find_all("a")
                  if a.text == "Log in to comment.")
    login, query = invite.attrs["href"].split("?")
    assert (login, parse_qs(query)) == ("/auth/login", {"next": [url_of(post)]})
    assert not list(page.find_all("textarea", name="body"))
    response = client.submit(f"/post/{post.id}/comment", {"body": "Hi"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert comment_rows() == []


def test_an_unconfirmed_user_sees_why_they_cannot_comment(client, make_user, post):
    make_user("newcomer", email_confirmed=False)
    client.login("newcomer")

    page = page_of(client, url_of(post))
    closed = page.find(cls="commenting-closed").text
    response = client.submit(f"/post/{post.id}/comment", {"body": "First!"})

    assert closed == "You cannot comment yet. Please confirm your email address first."
    assert not list(page.find_all("textarea", name="body"))
    assert response.status_code == 403
    assert "Please confirm your email address first." in parse(response).find(cls="lead").text
    assert comment_rows() == []


def test_commenting_on_a_draft_or_a_deleted_post_is_a_404_that_says_so(client, people, post):
    draft = posts.create_article(people["alice"], "Not yet", "Soon.", publish=False)
    gone_id = post.id
    posts.delete_post(people["alice"], post)
    client.login("alice")  # even the draft's own author

    for post_id in (draft.id, gone_id):
        response = client.submit(f"/post/{post_id}/comment", {"body": "Hello?"})
        assert response.status_code == 404
        assert parse(response).find(cls="lead").text == \
            "That post does not exist, or is not published."
    assert comment_rows() == []


# --- correcting ---------------------------------------------------------------------------


def test_the_author_corrects_a_comment_within_15_minutes_and_it_shows_edited(
    client, people, post
):
    comment = dated(comments.add(people["bob"], post.id, "Tomatos"), minutes_ago=14)
    client.login("bob")
    page = page_of(client, url_of(post))
    own = page.find("article", id=f"comment-{comment.id}")
    assert own.find("a", href=f"/comment/{comment.id}/edit").text == "Edit"
    assert not list(own.find_all(cls="edited"))

    form = page_of(client, f"/comment/{comment.id}/edit")
    response = client.submit(f"/comment/{comment.id}/edit", {"body": "Tomatoes"})

    assert form.find("textarea", name="body").text == "Tomatos"
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url_of(post)}#comment-{comment.id}"
    shown = page_of(client, response.headers["Location"]).find(id=f"comment-{comment.id}")
    assert shown.find(cls="comment-body").text == "Tomatoes"
    assert shown.find(cls="edited").text == "· edited"
    assert comment_rows() == ["Tomatoes"]


def test_after_15_minutes_a_comment_stands_as_written(client, people, post):
    comment = dated(comments.add(people["bob"], post.id, "Tomatos"), minutes_ago=16)
    client.login("bob")

    page = page_of(client, url_of(post))
    opened = client.get(f"/comment/{comment.id}/edit")
    sent = client.submit(f"/comment/{comment.id}/edit", {"body": "Tomatoes"})

    assert not list(page.find_all("a", href=f"/comment/{comment.id}/edit"))
    for response in (opened, sent):
        assert response.status_code == 403
        assert parse(response).find(cls="lead").text == \
            "Comments can be changed for 15 minutes after they are written."
    assert comment_rows() == ["Tomatos"]


@pytest.mark.parametrize("editor", ["alice", "moe", "carol"])
def test_nobody_else_corrects_a_comment(client, people, post, editor):
    comment = comments.add(people["bob"], post.id, "Mine")
    client.login(editor)

    response = client.submit(f"/comment/{comment.id}/edit", {"body": "Yours"})

    assert response.status_code == 403
    assert parse(response).find(cls="lead").text == "Only the comment's author may change it."
    assert comment_rows() == ["Mine"]


def test_an_empty_correction_is_refused_and_the_comment_kept(client, people, post):
    comment = comments.add(people["bob"], post.id, "Mine")
    client.login("bob")

    response = client.submit(f"/comment/{comment.id}/edit", {"body": ""})

    assert response.status_code == 422
    assert field_error(parse(response), "body") == "Write a comment first."
    assert comment_rows() == ["Mine"]


# --- deleting -----------------------------------------------------------------------------


@pytest.mark.parametrize("deleter", ["bob", "alice", "moe"])
def test_the_commenter_the_post_author_and_moderators_delete(client, people, post, deleter):
    comment = comments.add(people["bob"], post.id, "Regrettable")
    client.login(deleter)
    page = page_of(client, url_of(post))
    delete_url = f"/comment/{comment.id}/delete"
    assert page.find("form", action=delete_url).find("button").text == "Delete"

    response = client.submit(delete_url)

    assert response.status_code == 302
    assert response.headers["Location"] == f"{url_of(post)}#comments"
    page = page_of(client, response.headers["Location"])
    assert "The comment is deleted." in alerts(page)
    assert comments_shown(page) == []
    assert page.find(cls="no-comments").text == "No comments yet."
    assert page.find(id="comments-heading").text == "0 comments"


def test_anyone_else_is_refused_and_sees_no_delete_button(client, people, post):
    comment = comments.add(people["bob"], post.id, "Staying")
    client.login("carol")

    page = page_of(client, url_of(post))
    response = client.submit(f"/comment/{comment.id}/delete")

    assert not list(page.find_all("form", action=f"/comment/{comment.id}/delete"))
    assert response.status_code == 403
    assert parse(response).find(cls="lead").text == \
        "You may delete only your own comments, or comments on your posts."
    assert comment_rows() == ["Staying"]


def test_an_anonymous_delete_is_sent_to_log_in(client, people, post):
    comment = comments.add(people["bob"], post.id, "Staying")

    response = client.submit(f"/comment/{comment.id}/delete")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert comment_rows() == ["Staying"]


def test_deleting_a_missing_comment_is_a_404(client, people):
    client.login("bob")

    response = client.submit("/comment/999/delete")

    assert response.status_code == 404
    assert parse(response).find(cls="lead").text == "There is no such comment."


# --- pages of comments --------------------------------------------------------------------


def pager(page: Element) -> dict[str, tuple[str, str]]:
    """The pager's working links: {rel: (label, href)}."""
    return {
        a.attrs["rel"]: (a.text.strip("←→ "), a.attrs["href"])
        for a in page.find_all("a", cls="page-link")
        if "disabled" not in a.parent.attrs.get("class", "")
    }


def test_comments_are_paged_oldest_first(app, client, people, post):
    app.config["COMMENTS_PER_PAGE"] = 2
    # Written in one order, dated in another: the page must follow the dates.
    for text, minutes_ago in [("third", 30), ("first", 50), ("fifth", 10), ("second", 40),
                              ("fourth", 20)]:
        dated(comments.add(people["bob"], post.id, text), minutes_ago)
    base = url_of(post)

    first, second, third = (page_of(client, f"{base}?page={n}") for n in (1, 2, 3))

    assert comments_shown(first) == ["first", "second"]
    assert comments_shown(second) == ["third", "fourth"]
    assert comments_shown(third) == ["fifth"]
    assert pager(first) == {"next": ("Later comments", f"{base}?page=2#comments")}
    assert pager(second) == {"prev": ("Earlier comments", f"{base}?page=1#comments"),
                             "next": ("Later comments", f"{base}?page=3#comments")}
    assert pager(third) == {"prev": ("Earlier comments", f"{base}?page=2#comments")}
    assert first.find(id="comments-heading").text == "5 comments"
    assert client.get(f"{base}?page=4").status_code == 404


def test_a_new_comment_lands_on_its_page_at_its_anchor(app, client, people, post):
    app.config["COMMENTS_PER_PAGE"] = 2
    for n in range(4):
        dated(comments.add(people["carol"], post.id, f"earlier {n}"), minutes_ago=10 - n)
    client.login("bob")

    response = client.submit(f"/post/{post.id}/comment", {"body": "the fifth"})

    newest = db.session.scalar(sa.select(sa.func.max(Comment.id)))
    assert response.headers["Location"] == f"{url_of(post)}?page=3#comment-{newest}"
    page = page_of(client, response.headers["Location"])
    assert comments_shown(page) == ["the fifth"]
    assert list(page.find_all("article", id=f"comment-{newest}"))


def test_timelines_show_each_posts_comment_count_as_it_changes(client, people, post):
    status = posts.create_post(people["carol"], "Just a status")

    assert comment_count_on(page_of(client, "/explore"), post) == "0 comments"
    first = comments.add(people["bob"], post.id, "One")
    comments.add(people["carol"], post.id, "Two")
    comments.add(people["bob"], status.id, "On the status")
    explore = page_of(client, "/explore")
    assert comment_count_on(explore, post) == "2 comments"
    assert comment_count_on(explore, status) == "1 comment"
    assert comment_count_on(page_of(client, "/user/alice"), post) == "2 comments"

    comments.delete(people["moe"], first)

    assert comment_count_on(page_of(client, "/explore"), post) == "1 comment"
    assert comment_count_on(page_of(client, "/user/alice"), post) == "1 comment"
