"""What every caller sees alike of a post is built once and kept
(``microblog.api.representations:post``, through ``microblog.fragments:kept``): it must
change the moment the post, its author or its category does, and what is the caller's
own (the counts, whether they liked it) is never kept."""

from __future__ import annotations

from microblog.services import accounts, categories, comments, likes, posts, uploads
from tests.conftest import words_query
from tests.integration.test_uploads import png


def first_post(api) -> dict:
    return api.get("/api/posts").get_json()["items"][0]


def test_an_edited_post_is_shown_edited_at_once(api, make_user):
    susan = make_user("susan")
    post = posts.create_article(susan, "First title", "The first words.")
    before = first_post(api)  # kept now

    posts.edit_post(susan, post, title="Second title", body="The second words.")
    after = first_post(api)

    assert before["title"] == "First title" and before["edited_at"] is None
    assert after["title"] == "Second title"
    assert "The second words." in after["body_html"]
    assert after["edited_at"] is not None


def test_an_authors_new_name_and_picture_are_shown_at_once(api, make_user):
    susan = make_user("susan")
    posts.create_post(susan, "hello")
    before = first_post(api)["author"]

    accounts.update_profile(susan, "susanna", "")
    renamed = first_post(api)["author"]
    uploads.set_avatar(susan, png())
    pictured = first_post(api)["author"]

    assert (before["username"], renamed["username"]) == ("susan", "susanna")
    assert renamed["avatar"] == before["avatar"]
    assert pictured["avatar"] != renamed["avatar"]
    assert api.get(pictured["avatar"]).status_code == 200


def test_a_renamed_category_is_shown_at_once(api, make_user, admin):
    travel = categories.create(admin, "Travel")
    posts.create_article(make_user("susan"), "Away", "Far away.", category_id=travel.id)
    before = first_post(api)["category"]

    categories.rename(admin, travel, "Journeys")

    assert (before, first_post(api)["category"]) == ("travel", "journeys")


def test_the_counts_and_the_like_are_each_callers_own(api, other_api, make_user):
    susan, bob = make_user("susan"), make_user("bob")
    post = posts.create_post(susan, "like me")
    api.sign_in("bob")
    other_api.sign_in("susan")
    assert first_post(api)["liked"] is False  # kept now, for bob

    likes.like(bob, post.id)
    comments.add(susan, post.id, "thanks")
    anyone = api.application.test_client()  # an ApiClient holding no token
    bobs, susans, anonymous = first_post(api), first_post(other_api), first_post(anyone)

    assert (bobs["liked"], susans["liked"], anonymous["liked"]) == (True, False, None)
    assert bobs["like_count"] == susans["like_count"] == anonymous["like_count"] == 1
    assert bobs["comment_count"] == susans["comment_count"] == 1


def test_a_page_of_kept_posts_reads_no_words(app, api, make_user, count_queries):
    susan = make_user("susan")
    for number in range(5):
        posts.create_post(susan, f"post {number}")

    with count_queries() as first:
        assert len(api.get("/api/posts").get_json()["items"]) == 5
    with count_queries() as again:
        assert len(api.get("/api/posts").get_json()["items"]) == 5

    assert len(again) == len(first) - 1 + words_query(app)
