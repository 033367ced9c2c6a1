"""Posts over HTTP: the permalink, the article editor and its preview, drafts, editing,
deleting and featuring, as a browser sees them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.services import categories, posts
from tests.pages import alerts, field_error, parse

LONG_BODY = "## Why\n\nBecause **Flask** is small.\n\n" + "More words here. " * 40 + "THE END."


@pytest.fixture
def susan(make_user):
    return make_user("susan")


def promote(user, role: Role):
    user.role = role
    db.session.commit()
    return user


def write(author, title="Hello, World", body=LONG_BODY, **kwargs) -> Post:
    return posts.create_article(author, title, body, **kwargs)


def post_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Post.id)))


def only_post() -> Post:
    db.session.expire_all()
    return db.session.scalars(sa.select(Post)).one()


def editor_form(**fields) -> dict:
    return {"title": "Hello, World", "body": LONG_BODY, "category": "0", "tags": "", **fields}


# The permalink ---------------------------------------------------------------

def test_an_articles_permalink_shows_the_whole_body(client, susan, make_user):
    ada = promote(make_user("ada"), Role.ADMIN)
    web = categories.create(ada, "Web Dev")
    entry = write(susan, category_id=web.id, tags="flask, python")

    page = parse(client.get(f"/post/{entry.id}/hello-world"))

    assert page.find("h1", "post-title").text == "Hello, World"
    body = page.find("div", "article-body")
    assert body.find("h3").text == "Why"  # "##" sits below the title's h1 and the page's h2
    assert body.find("strong").text == "Flask"
    assert body.text.endswith("THE END.")
    assert page.find("a", "category").attrs["href"] == "/category/web-dev"
    assert [a.text for a in page.find("ul", "tags").find_all("a")] == ["#flask", "#python"]
    assert page.find("title").text == "Hello, World · Microblog"


def test_an_article_in_a_timeline_is_its_title_an_excerpt_and_read_more(client, susan):
    entry = write(susan, tags="flask")
    link = f"/post/{entry.id}/hello-world"
    for url in ("/explore", "/user/susan", "/tag/flask"):
        shown = parse(client.get(url)).find("article", "post", id=f"post-{entry.id}")
        assert shown.find("h2", "post-title").find("a").attrs["href"] == link
        excerpt = shown.find("p", "post-excerpt").text
        assert excerpt.startswith("Why Because Flask is small.") and excerpt.endswith("…")
        assert "THE END." not in shown.text
        assert shown.find("a", "read-more").attrs["href"] == link


def test_a_short_article_shown_whole_in_a_list_offers_no_read_more(client, susan, admin):
    whole = posts.create_article(susan, "Short", "All of it, *in one line*. #flask", tags="flask")
    linked = posts.create_article(susan, "Linked", "Short, with [a link](https://example.com).",
                                  tags="flask")
    posts.set_featured(admin, whole, True)
    for url in ("/user/susan", "/tag/flask"):
        page = parse(client.get(url))
        shown = page.find("article", "post", id=f"post-{whole.id}")
        assert shown.find("p", "post-excerpt").text == "All of it, in one line. #flask"
        assert next(shown.find_all("a", "read-more"), None) is None
        other = page.find("article", "post", id=f"post-{linked.id}")
        assert other.find("a", "read-more").attrs["href"] == f"/post/{linked.id}/linked"
    card = parse(client.get("/explore")).find("article", "featured-article")
    assert next(card.find_all("a", "read-more"), None) is None


def test_a_status_has_a_permalink_without_a_slug(client, susan):
    status = posts.create_post(susan, "Just a status #flask")
    response = client.get(f"/post/{status.id}")
    assert response.status_code == 200
    assert parse(response).find("div", "post-body").find("a", "hashtag").text == "#flask"
    moved = client.get(f"/post/{status.id}/some-slug")
    assert (moved.status_code, moved.location) == (301, f"/post/{status.id}")


@pytest.mark.parametrize("asked", ["", "/hello", "/Hello-World", "/hello-world-2", "/edit-post"])
def test_a_wrong_or_missing_slug_redirects_permanently_to_the_right_one(client, susan, asked):
    entry = write(susan)
    response = client.get(f"/post/{entry.id}{asked}")
    assert (response.status_code, response.location) == (301, f"/post/{entry.id}/hello-world")
    assert client.get(response.location).status_code == 200


def test_an_old_slug_keeps_the_page_of_comments_it_asked_for(client, susan):
    entry = write(susan, "Old title")
    posts.edit_post(susan, entry, title="New title", body=entry.body)
    response = client.get(f"/post/{entry.id}/old-title?page=2")
    assert (response.status_code, response.location) == (
        301, f"/post/{entry.id}/new-title?page=2")


def test_an_unknown_post_is_a_404_page(client):
    response = client.get("/post/999")
    assert response.status_code == 404
    assert "There is no such post." in parse(response).find("main").text


# Drafts are private ----------------------------------------------------------

DRAFT_URLS = [
    ("GET", "/post/{id}"),
    ("GET", "/post/{id}/secret-plans"),
    ("GET", "/post/{id}/edit"),
    ("POST", "/post/{id}/edit"),
    ("POST", "/post/{id}/publish"),
    ("POST", "/post/{id}/feature"),
    ("POST", "/post/{id}/unfeature"),
    ("POST", "/post/{id}/delete"),
    ("POST", "/post/{id}/comment"),
    ("POST", "/post/{id}/like"),
    ("POST", "/post/{id}/unlike"),
]


def _visit(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.submit(url, {"body": "Found it!", **editor_form(title="Hijacked")})


@pytest.mark.parametrize("stranger", ["john", "moe", "ada"])
@pytest.mark.parametrize(("method", "url"), DRAFT_URLS)
def test_a_draft_is_404_for_every_other_member(client, susan, make_user, stranger, method, url):
    make_user("john")
    promote(make_user("moe"), Role.MODERATOR)
    promote(make_user("ada"), Role.ADMIN)
    draft = write(susan, "Secret plans", publish=False)
    client.login(stranger)

    response = _visit(client, method, url.format(id=draft.id))

    assert response.status_code == 404
    assert "Secret plans" not in response.get_data(as_text=True)
    saved = only_post()
    assert (saved.title, saved.is_draft, saved.featured, saved.comment_count,
            saved.like_count) == ("Secret plans", True, False, 0, 0)


@pytest.mark.parametrize(("method", "url"), DRAFT_URLS)
def test_anonymous_visitors_learn_nothing_of_a_draft(client, susan, method, url):
    """Pages are 404, as for a post that does not exist; actions ask for a login first,
    as they do for a post that does not exist."""
    draft = write(susan, "Secret plans", publish=False)

    response = _visit(client, method, url.format(id=draft.id))
    missing = _visit(client, method, url.format(id=draft.id + 1))

    assert response.status_code == missing.status_code
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response.location.startswith("/auth/login?next=")
    assert "Secret plans" not in response.get_data(as_text=True)
    assert only_post().is_draft


def test_the_author_reads_the_draft_with_a_publish_button_and_no_comments(client, susan):
    draft = write(susan, "Secret plans", publish=False)
    client.login("susan")

    page = parse(client.get(f"/post/{draft.id}/secret-plans"))

    assert page.find("main").find("span", "badge").text == "Draft: only you can see it"
    tools = page.find("div", "post-tools")
    assert [b.text for b in tools.find_all("button")] == ["Publish", "Delete"]
    assert not list(page.find_all("section", "comments"))
    assert not list(page.find_all("form", "like-form"))

    drafts = parse(client.get("/drafts"))
    assert drafts.find("h2", "post-title").text == "Secret plans"
    assert "Secret plans" not in client.get("/explore").get_data(as_text=True)
    assert "Secret plans" not in client.get("/user/susan").get_data(as_text=True)

    published = client.submit(f"/post/{draft.id}/publish")
    assert published.location == f"/post/{draft.id}/secret-plans"
    assert "Your article is published!" in alerts(parse(client.get(published.location)))
    assert not only_post().is_draft
    client.logout()
    assert client.get(f"/post/{draft.id}/secret-plans").status_code == 200


# The editor ------------------------------------------------------------------

def test_the_editor_has_title_body_category_tags_and_three_buttons(client, susan, make_user):
    ada = promote(make_user("ada"), Role.ADMIN)
    categories.create(ada, "Web")
    categories.create(ada, "Databases")
    client.login("susan")

    page = parse(client.get("/write"))

    form = page.find("form", "editor")
    assert form.find("input", name="title")
    assert form.find("textarea", name="body").attrs["data-preview"] == "article-preview"
    assert [o.text for o in form.find("select", name="category").find_all("option")] == [
        "No category", "Databases", "Web"]
    assert form.find("input", name="tags")
    assert [b.attrs["value"] for b in form.find_all("input", type="submit")] == [
        "Publish", "Save draft", "Preview"]
    assert page.find("div", id="article-preview").attrs["data-preview-url"] == "/preview"
    assert page.find("script", src="/static/js/preview.js")
    ids = [e.attrs["id"] for e in page.find_all() if "id" in e.attrs]
    assert len(ids) == len(set(ids))  # preview.js finds the preview by its id


def test_the_editor_asks_anonymous_visitors_to_log_in_and_unconfirmed_ones_to_confirm(
        client, make_user):
    response = client.get("/write")
    assert response.status_code == 302 and response.location.startswith("/auth/login")
    make_user("una", email_confirmed=False)
    client.login("una")
    refused = client.get("/write")
    assert refused.status_code == 403
    assert "Please confirm your email address first." in parse(refused).find("main").text
    assert client.submit("/write", editor_form(publish="Publish")).status_code == 403
    assert post_count() == 0


def test_publishing_from_the_editor(client, susan, make_user):
    web = categories.create(promote(make_user("ada"), Role.ADMIN), "Web")
    client.login("susan")

    response = client.submit("/write", editor_form(category=str(web.id), tags="Flask, #web",
                                                   publish="Publish"))

    entry = only_post()
    assert response.status_code == 302
    assert response.location == f"/post/{entry.id}/hello-world"
    assert (entry.is_draft, entry.category.name, [t.name for t in entry.tags]) == (
        False, "Web", ["flask", "web"])
    page = parse(client.get(response.location))
    assert "Your article is published!" in alerts(page)
    assert page.find("div", "article-body").find("strong").text == "Flask"
    assert parse(client.get("/explore")).find("h2", "post-title").text == "Hello, World"


def test_saving_a_draft_from_the_editor(client, susan):
    client.login("susan")

    response = client.submit("/write", editor_form(save_draft="Save draft"))

    entry = only_post()
    assert entry.is_draft
    page = parse(client.get(response.location))
    assert "Your draft is saved. Only you can see it." in alerts(page)
    assert parse(client.get("/drafts")).find("h2", "post-title").text == "Hello, World"
    assert "Hello, World" not in client.get("/explore").get_data(as_text=True)


def test_the_preview_button_works_without_javascript_and_keeps_the_text(client, susan):
    client.login("susan")
    body = "# Big\n\nSome **bold** text.\n\n<script>alert(1)</script>"

    response = client.submit("/write", editor_form(title="Mine", body=body, tags="a, b",
                                                   preview="Preview"))

    assert response.status_code == 200
    page = parse(response)
    preview = page.find("div", id="article-preview")
    assert preview.find("h2").text == "Big"
    assert preview.find("strong").text == "bold"
    assert not list(preview.find_all("script"))
    assert page.find("input", name="title").attrs["value"] == "Mine"
    assert page.find("input", name="tags").attrs["value"] == "a, b"
    assert page.find("textarea", name="body").raw_text.strip() == body
    assert post_count() == 0


def test_every_problem_is_shown_beside_its_field_and_the_text_is_kept(client, susan):
    client.login("susan")
    body = "Words I must not lose.\n\nReally."

    response = client.submit("/write", editor_form(title="  ", body=body, category="42",
                                                   tags="good, c#", publish="Publish"))

    assert response.status_code == 422
    page = parse(response)
    assert field_error(page, "title") == "Give your article a title."
    assert field_error(page, "category") == "Choose a category from the list."
    assert field_error(page, "tags").startswith("“c#” is not a tag")
    assert field_error(page, "body") == ""
    assert page.find("input", name="title", aria_invalid="true")
    assert page.find("textarea", name="body").raw_text.strip() == body
    assert page.find("input", name="tags").attrs["value"] == "good, c#"
    assert post_count() == 0

    empty = parse(client.submit("/write", editor_form(title="Fine", body=" ",
                                                      save_draft="Save draft")))
    assert field_error(empty, "body") == "Write something first."
    assert post_count() == 0


# The live preview endpoint ---------------------------------------------------

def test_the_preview_endpoint_renders_through_the_sanitiser(client, susan):
    client.login("susan")
    body = ("# Title\n\n**bold** [bad](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
            "![pic](javascript:alert(2)) [good](https://example.com)")

    response = client.post("/preview", data={"body": body},
                           headers={"X-CSRFToken": client.csrf_token()})

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    fragment = parse(response)
    assert fragment.find("h2").text == "Title"
    assert fragment.find("strong").text == "bold"
    assert [(a.text, a.attrs) for a in fragment.find_all("a")] == [
        ("good", {"href": "https://example.com", "rel": "nofollow noopener ugc"})]
    assert not list(fragment.find_all("img"))
    assert "<img src=x onerror=alert(1)>" in fragment.text  # shown as the text typed
    assert_inert(fragment, "/preview")
    assert post_count() == 0


def test_the_preview_endpoint_needs_a_csrf_token_and_a_login(client, susan):
    assert client.post("/preview", data={"body": "hi"}).status_code == 400
    anonymous = client.submit("/preview", {"body": "hi"})
    assert anonymous.status_code == 302 and anonymous.location.startswith("/auth/login")
    client.login("susan")
    assert client.post("/preview", data={"body": "hi"}).status_code == 400
    assert client.get("/preview").status_code == 405
    assert client.submit("/preview", {"body": "*hi*"}).get_data(as_text=True).strip() == (
        "<p><em>hi</em></p>")


# Editing ---------------------------------------------------------------------

def test_editing_a_status(client, susan):
    status = posts.create_post(susan, "Frist post")
    client.login("susan")

    form = parse(client.get(f"/post/{status.id}/edit"))
    assert form.find("textarea", name="post").raw_text.strip() == "Frist post"

    too_long = client.submit(f"/post/{status.id}/edit", {"post": "x" * 281})
    assert too_long.status_code == 422
    assert field_error(parse(too_long), "post") == "Posts are at most 280 characters."
    assert parse(too_long).find("textarea", name="post").raw_text.strip() == "x" * 281

    saved = client.submit(f"/post/{status.id}/edit", {"post": "First post"})
    assert saved.location == f"/post/{status.id}"
    page = parse(client.get(saved.location))
    assert "Your changes are saved." in alerts(page)
    assert page.find("div", "post-body").text == "First post"
    assert page.find("span", "edited").text.startswith("· edited")
    shown = parse(client.get("/user/susan")).find("article", id=f"post-{status.id}")
    assert shown.find("span", "edited").text == "· edited"


def test_editing_an_article_shows_it_filled_in_and_moves_its_slug(client, susan, make_user):
    web = categories.create(promote(make_user("ada"), Role.ADMIN), "Web")
    entry = write(susan, category_id=web.id, tags="flask, web")
    client.login("susan")

    page = parse(client.get(f"/post/{entry.id}/edit"))
    assert page.find("input", name="title").attrs["value"] == "Hello, World"
    assert page.find("textarea", name="body").raw_text.strip() == LONG_BODY.strip()
    assert page.find("option", selected="").text == "Web"
    assert page.find("input", name="tags").attrs["value"] == "flask, web"
    assert [b.attrs["value"] for b in page.find("form", "editor").find_all(
        "input", type="submit")] == ["Save changes", "Preview"]

    response = client.submit(f"/post/{entry.id}/edit", editor_form(
        title="Hello again", body="New *words*", category="0", tags="flask", publish="x"))

    assert response.location == f"/post/{entry.id}/hello-again"
    page = parse(client.get(response.location))
    assert page.find("h1", "post-title").text == "Hello again"
    assert page.find("div", "article-body").find("em").text == "words"
    assert page.find("span", "edited")
    assert not list(page.find_all("a", "category"))
    assert client.get(f"/post/{entry.id}/hello-world").location == (
        f"/post/{entry.id}/hello-again")


def test_a_rejected_edit_shows_the_errors_and_changes_nothing(client, susan):
    entry = write(susan)
    client.login("susan")
    response = client.submit(f"/post/{entry.id}/edit", editor_form(
        title="", body="Kept text", publish="Save changes"))
    assert response.status_code == 422
    page = parse(response)
    assert field_error(page, "title") == "Give your article a title."
    assert page.find("textarea", name="body").raw_text.strip() == "Kept text"
    assert (only_post().title, only_post().edited_at) == ("Hello, World", None)


def test_saving_unchanged_does_not_mark_a_post_edited(client, susan):
    entry = write(susan, tags="flask")
    client.login("susan")
    client.submit(f"/post/{entry.id}/edit", editor_form(tags="flask", publish="Save changes"))
    assert not list(parse(client.get(f"/post/{entry.id}/hello-world")).find_all(
        "span", "edited"))


def test_a_draft_is_edited_then_published_from_the_editor_without_an_edited_mark(
        client, susan):
    draft = write(susan, publish=False)
    client.login("susan")
    page = parse(client.get(f"/post/{draft.id}/edit"))
    assert [b.attrs["value"] for b in page.find("form", "editor").find_all(
        "input", type="submit")] == ["Publish", "Save draft", "Preview"]

    client.submit(f"/post/{draft.id}/edit", editor_form(body="Draft two", save_draft="x"))
    assert only_post().is_draft and only_post().body == "Draft two"

    response = client.submit(f"/post/{draft.id}/edit", editor_form(body="Final", publish="x"))
    page = parse(client.get(response.location))
    assert "Your article is published!" in alerts(page)
    assert not list(page.find_all("span", "edited"))
    assert not only_post().is_draft


@pytest.mark.parametrize(("who", "role"), [("john", Role.USER), ("moe", Role.MODERATOR),
                                           ("ada", Role.ADMIN)])
def test_only_the_author_edits(client, susan, make_user, who, role):
    entry = write(susan)
    status = posts.create_post(susan, "a status")
    promote(make_user(who), role)
    client.login(who)
    for post in (entry, status):
        assert not list(parse(client.get(f"/post/{post.id}")).find_all(
            "a", href=f"/post/{post.id}/edit"))
        assert client.get(f"/post/{post.id}/edit").status_code == 403
        refused = client.submit(f"/post/{post.id}/edit", {"post": "mine", **editor_form(
            title="Mine", publish="x")})
        assert refused.status_code == 403
    assert only_post_titles() == ["Hello, World", None]


def only_post_titles() -> list[str | None]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Post.title).order_by(Post.id)))


def test_editing_asks_anonymous_visitors_to_log_in(client, susan):
    entry = write(susan)
    response = client.get(f"/post/{entry.id}/edit")
    assert response.status_code == 302
    assert response.location == f"/auth/login?next=%2Fpost%2F{entry.id}%2Fedit"


def test_an_unconfirmed_author_is_told_why_editing_is_refused(client, susan):
    entry = write(susan)
    susan.email_confirmed_at = None
    db.session.commit()
    client.login("susan")
    response = client.get(f"/post/{entry.id}/edit")
    assert response.status_code == 403
    assert "Please confirm your email address first." in parse(response).find("main").text


# Deleting --------------------------------------------------------------------

def test_the_delete_button_asks_for_confirmation_and_needs_the_csrf_token(client, susan):
    entry = write(susan)
    client.login("susan")

    form = parse(client.get(f"/post/{entry.id}/hello-world")).find(
        "form", action=f"/post/{entry.id}/delete")
    assert form.attrs["method"] == "post"
    assert form.attrs["data-confirm"] == "Delete this post and its comments for good?"
    assert form.find("input", name="csrf_token")

    forged = client.post(f"/post/{entry.id}/delete")
    assert forged.status_code == 400
    assert post_count() == 1
    assert client.get(f"/post/{entry.id}/delete").status_code == 301  # read as a slug
    assert post_count() == 1


def test_the_author_deletes_and_lands_on_the_profile(client, susan):
    entry = write(susan)
    client.login("susan")
    response = client.submit(f"/post/{entry.id}/delete")
    assert response.location == "/user/susan"
    assert "The post is deleted." in alerts(parse(client.get(response.location)))
    assert client.get(f"/post/{entry.id}/hello-world").status_code == 404
    assert post_count() == 0


def test_a_moderator_deletes_anyones_post_and_lands_on_explore(client, susan, make_user):
    entry = write(susan)
    promote(make_user("moe"), Role.MODERATOR)
    client.login("moe")
    assert parse(client.get(f"/post/{entry.id}/hello-world")).find(
        "form", action=f"/post/{entry.id}/delete")
    response = client.submit(f"/post/{entry.id}/delete")
    assert response.location == "/explore"
    assert post_count() == 0


def test_another_member_may_not_delete(client, susan, make_user):
    entry = write(susan)
    make_user("john")
    client.login("john")
    assert not list(parse(client.get(f"/post/{entry.id}/hello-world")).find_all(
        "form", action=f"/post/{entry.id}/delete"))
    assert client.submit(f"/post/{entry.id}/delete").status_code == 403
    client.logout()
    anonymous = client.submit(f"/post/{entry.id}/delete")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/auth/login")
    assert post_count() == 1


# Featuring -------------------------------------------------------------------

def test_an_admin_features_and_unfeatures_an_article(client, susan, make_user):
    entry = write(susan)
    promote(make_user("ada"), Role.ADMIN)
    client.login("ada")
    url = f"/post/{entry.id}/hello-world"

    assert parse(client.get(url)).find("form", action=f"/post/{entry.id}/feature")
    response = client.submit(f"/post/{entry.id}/feature")
    assert response.location == url
    page = parse(client.get(url))
    assert "The article is featured on Explore." in alerts(page)
    assert page.find("main").find("span", "badge").text == "Featured"
    assert only_post().featured

    client.submit(f"/post/{entry.id}/unfeature")
    page = parse(client.get(url))
    assert "The article is no longer featured." in alerts(page)
    assert not only_post().featured
    assert page.find("form", action=f"/post/{entry.id}/feature")


def test_a_status_cannot_be_featured(client, susan, make_user):
    status = posts.create_post(susan, "a status")
    promote(make_user("ada"), Role.ADMIN)
    client.login("ada")
    assert not list(parse(client.get(f"/post/{status.id}")).find_all(
        "form", action=f"/post/{status.id}/feature"))
    response = client.submit(f"/post/{status.id}/feature")
    page = parse(client.get(response.location))
    assert "Only published articles can be featured." in alerts(page)
    assert not only_post().featured


@pytest.mark.parametrize(("who", "role"), [("susan", None), ("john", Role.USER),
                                           ("moe", Role.MODERATOR)])
def test_only_admins_feature(client, susan, make_user, who, role):
    entry = write(susan)
    if role:
        promote(make_user(who), role)
    client.login(who)
    assert not list(parse(client.get(f"/post/{entry.id}/hello-world")).find_all(
        "form", action=f"/post/{entry.id}/feature"))
    assert client.submit(f"/post/{entry.id}/feature").status_code == 403
    assert client.submit(f"/post/{entry.id}/unfeature").status_code == 403
    assert not only_post().featured


# The navigation bar ----------------------------------------------------------

def nav_links(client, url="/explore") -> dict[str, dict]:
    nav = parse(client.get(url)).find("nav")
    return {a.text: a.attrs for a in nav.find_all("a", "nav-link")}


def test_members_who_may_write_see_write_and_drafts(client, susan, make_user):
    assert "Write" not in nav_links(client)
    client.login("susan")
    links = nav_links(client, "/write")
    assert links["Write"]["href"] == "/write" and links["Write"]["aria-current"] == "page"
    assert links["Drafts"]["href"] == "/drafts" and "aria-current" not in links["Drafts"]
    client.logout()
    make_user("una", email_confirmed=False)
    client.login("una")
    links = nav_links(client)
    assert "Write" not in links and "Drafts" not in links


# Cross-site scripting ---------------------------------------------------------

XSS_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)>'
XSS_BODY = "\n\n".join([
    "<script>alert('body')</script>",
    '<img src="x" onerror="alert(2)">',
    "[click](javascript:alert(3)) [also](JaVaScRiPt:alert(4)) [tab](java\tscript:alert(5))",
    "![img](javascript:alert(6))",
    '<a href="javascript:alert(7)" onclick="alert(8)">raw</a>',
    "<svg onload=alert(9)></svg> <iframe src=javascript:alert(10)></iframe>",
    "**still bold**",
])
XSS_STATUS = "<script>alert('s')</script> <b onmouseover=alert(1)>hi</b> javascript:alert(2) #xss"


def assert_inert(page, url):
    """No script but our own files, no event handler attribute, no javascript: URL."""
    for element in page.find_all():
        if element.tag == "script":
            assert element.attrs.get("src", "").startswith("/static/"), url
            assert not element.raw_text.strip(), url
        for name, value in element.attrs.items():
            assert not name.startswith("on"), f"{url}: <{element.tag} {name}>"
            if name in ("href", "src", "action", "formaction"):
                squeezed = re.sub(r"[\s\x00-\x20]", "", value).lower()
                assert not squeezed.startswith(("javascript:", "data:", "vbscript:")), url


def test_script_typed_into_the_editor_is_stored_and_shown_inert(client, susan, make_user):
    client.login("susan")
    client.submit("/write", editor_form(title=XSS_TITLE, body=XSS_BODY, tags="xss",
                                        publish="Publish"))
    client.submit("/index", {"post": XSS_STATUS})
    entry = db.session.scalar(sa.select(Post).where(Post.title.is_not(None)))
    assert entry.body == XSS_BODY.replace("\r\n", "\n")  # what was typed is kept as typed
    make_user("john")
    client.logout()
    client.login("john")

    for url in (f"/post/{entry.id}/{entry.slug}", "/explore", "/user/susan", "/tag/xss"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = parse(response)
        assert_inert(page, url)
        assert XSS_TITLE in page.find("main").text, url  # shown as the words typed
    article_page = parse(client.get(f"/post/{entry.id}/{entry.slug}"))
    assert article_page.find("h1", "post-title").text == XSS_TITLE
    assert article_page.find("div", "article-body").find("strong").text == "still bold"
    assert "<script>alert('body')</script>" in article_page.find("div", "article-body").text
    status_text = parse(client.get("/user/susan")).find("div", "post-body").text
    assert status_text.startswith("<script>alert('s')</script> <b onmouseover=alert(1)>hi</b>")
