"""Atom feeds of the site, each user and each category, and the sitemap, read as a feed
reader and a search engine read them: parsed XML, absolute links, published posts only."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from microblog.extensions import db
from microblog.services import categories, posts
from tests.pages import parse

SITE = "https://blog.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def site_address(app):
    app.config["SITE_URL"] = SITE


def dated(post, minutes: int):
    """Publish ``post`` at START + ``minutes``, so the order is known."""
    post.published_at = START + timedelta(minutes=minutes)
    db.session.commit()
    return post


def read_feed(client, url: str, **headers) -> ET.Element:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert response.mimetype_params == {"charset": "utf-8"}
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(feed: ET.Element) -> list[dict[str, object]]:
    """Each entry as a reader shows it."""
    found = []
    for entry in feed.findall(f"{ATOM}entry"):
        category = entry.find(f"{ATOM}category")
        summary = entry.find(f"{ATOM}summary")
        found.append({
            "id": entry.findtext(f"{ATOM}id"),
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link[@rel='alternate']").get("href"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "author uri": entry.findtext(f"{ATOM}author/{ATOM}uri"),
            "published": datetime.fromisoformat(entry.findtext(f"{ATOM}published")),
            "updated": datetime.fromisoformat(entry.findtext(f"{ATOM}updated")),
            "category": category.attrib if category is not None else None,
            "summary": summary.text if summary is not None else None,
            "content type": entry.find(f"{ATOM}content").get("type"),
            "content": entry.findtext(f"{ATOM}content"),
        })
    return found


def titles(feed: ET.Element) -> list[str]:
    return [entry["title"] for entry in entries(feed)]


def to_the_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


# The site's feed -----------------------------------------------------------------------------

def test_the_site_feed_lists_published_posts_newest_first_with_absolute_links(
    client, make_user
):
    ann = make_user("ann")
    first = dated(posts.create_article(ann, "First article", "Some **bold** words."), 1)
    status = dated(posts.create_post(ann, "a short status"), 2)
    posts.create_article(ann, "Unfinished", "Not yet.", publish=False)

    feed = read_feed(client, "/feed.atom")

    assert feed.findtext(f"{ATOM}id") == f"{SITE}/feed.atom"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE}/feed.atom"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{SITE}/explore"
    assert datetime.fromisoformat(feed.findtext(f"{ATOM}updated")) == to_the_second(
        status.published_at)
    assert feed.get(XML_BASE) == f"{SITE}/"  # the posts' own /user/… links resolve here
    newest, oldest = entries(feed)
    assert newest == {
        "id": f"{SITE}/post/{status.id}",
        "title": "a short status",
        "link": f"{SITE}/post/{status.id}",
        "author": "ann",
        "author uri": f"{SITE}/user/ann",
        "published": to_the_second(status.published_at),
        "updated": to_the_second(status.published_at),
        "category": None,
        "summary": None,
        "content type": "html",
        "content": status.body_html,
    }
    assert oldest["id"] == f"{SITE}/post/{first.id}"
    assert oldest["link"] == f"{SITE}/post/{first.id}/first-article"
    assert oldest["title"] == "First article"
    assert oldest["summary"] == "Some bold words."
    assert oldest["content"] == "<p>Some <strong>bold</strong> words.</p>\n"


def test_links_never_come_from_the_host_header(client, make_user):
    dated(posts.create_post(make_user("ann"), "hello"), 1)

    response = client.get("/feed.atom", headers={"Host": "evil.example"})

    assert response.status_code == 200
    assert b"evil.example" not in response.data
    assert entries(ET.fromstring(response.data))[0]["link"].startswith(f"{SITE}/post/")


def test_a_reader_that_has_the_newest_feed_gets_304_until_a_post_changes(client, make_user):
    ann = make_user("ann")
    post = dated(posts.create_post(ann, "hello"), 1)
    first = client.get("/feed.atom")
    tag = first.headers["ETag"]

    unchanged = client.get("/feed.atom", headers={"If-None-Match": tag})
    posts.edit_post(ann, post, body="hello again")
    changed = client.get("/feed.atom", headers={"If-None-Match": tag})

    assert unchanged.status_code == 304 and unchanged.data == b""
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert client.get("/sitemap.xml", headers={
        "If-None-Match": client.get("/sitemap.xml").headers["ETag"]}).status_code == 304


def test_a_title_with_markup_characters_arrives_as_text_and_html_stays_escaped(
    client, make_user
):
    post = posts.create_article(make_user("ann"), "Tips & <tricks> for \"quotes\"",
                                "Use <b>bold</b> & <script>alert(1)</script> *carefully*.")

    response = client.get("/feed.atom")
    raw = response.get_data(as_text=True)
    [entry] = entries(ET.fromstring(response.data))

    assert entry["title"] == "Tips & <tricks> for \"quotes\""
    assert "Tips &amp; &lt;tricks&gt;" in raw
    # The content is the sanitised HTML, escaped once: a reader unescapes it and gets
    # exactly what the permalink shows, with the script gone.
    assert entry["content"] == post.body_html
    assert "<em>carefully</em>" in entry["content"]
    assert "<script" not in entry["content"] and "<script" not in raw
    assert "&lt;em&gt;carefully&lt;/em&gt;" in raw


def test_characters_xml_forbids_are_left_out_and_the_feed_still_parses(client, make_user):
    dated(posts.create_post(make_user("ann"), "ring \x07 the bell"), 1)

    [entry] = entries(read_feed(client, "/feed.atom"))

    assert entry["title"] == "ring  the bell"


def test_a_feed_holds_the_configured_number_of_newest_entries(app, client, make_user):
    ann = make_user("ann")
    for n in range(5):
        dated(posts.create_post(ann, f"status {n}"), n)
    app.config["FEED_ENTRIES"] = 3

    assert titles(read_feed(client, "/feed.atom")) == ["status 4", "status 3", "status 2"]


def test_an_empty_site_still_has_a_valid_feed(client):
    feed = read_feed(client, "/feed.atom")

    assert entries(feed) == []
    assert feed.findtext(f"{ATOM}title")
    assert datetime.fromisoformat(feed.findtext(f"{ATOM}updated")).tzinfo is not None


def test_an_edited_post_shows_when_it_changed(client, make_user):
    ann = make_user("ann")
    post = dated(posts.create_post(ann, "first words"), 1)
    posts.edit_post(ann, post, body="better words")

    [entry] = entries(read_feed(client, "/feed.atom"))

    assert entry["title"] == "better words"
    assert entry["published"] == to_the_second(post.published_at)
    assert entry["updated"] == to_the_second(post.edited_at) > entry["published"]


# A user's feed and a category's feed ---------------------------------------------------------

def test_a_users_feed_has_their_published_posts_only(client, make_user):
    ann, bob = make_user("ann"), make_user("bob")
    dated(posts.create_post(ann, "ann speaks"), 1)
    dated(posts.create_post(bob, "bob speaks"), 2)
    posts.create_article(ann, "Ann's draft", "Not yet.", publish=False)

    feed = read_feed(client, "/user/ANN/feed.atom")  # usernames ignore case, as on profiles

    assert titles(feed) == ["ann speaks"]
    assert feed.findtext(f"{ATOM}title") == "Posts by ann"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE}/user/ann/feed.atom"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{SITE}/user/ann"


def test_a_category_feed_has_the_published_articles_filed_there(client, make_user, admin):
    flask_category = categories.create(admin, "Flask & Friends")
    other = categories.create(admin, "Other")
    ann = make_user("ann")
    dated(posts.create_article(ann, "Blueprints", "Text.", category_id=flask_category.id), 1)
    dated(posts.create_article(ann, "Elsewhere", "Text.", category_id=other.id), 2)
    posts.create_article(ann, "Draft", "Text.", category_id=flask_category.id, publish=False)

    feed = read_feed(client, "/category/flask-friends/feed.atom")

    assert feed.findtext(f"{ATOM}title") == "Category: Flask & Friends"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == (
        f"{SITE}/category/flask-friends")
    [entry] = entries(feed)
    assert entry["title"] == "Blueprints"
    assert entry["category"] == {"term": "flask-friends", "label": "Flask & Friends"}


@pytest.mark.parametrize("url", ["/user/nobody/feed.atom", "/category/nothing/feed.atom"])
def test_a_feed_of_something_that_does_not_exist_is_404(client, url):
    assert client.get(url).status_code == 404


# Pages point to their feeds ------------------------------------------------------------------

def feed_links(page) -> list[str]:
    return [link.attrs["href"] for link in page.find("head").find_all(
        "link", rel="alternate", type="application/atom+xml")]


def test_pages_advertise_their_feeds_in_the_head(client, make_user, admin):
    make_user("ann")
    categories.create(admin, "Flask")
    client.login("ann")

    assert feed_links(parse(client.get("/explore"))) == ["/feed.atom"]
    assert feed_links(parse(client.get("/index"))) == ["/feed.atom"]
    assert feed_links(parse(client.get("/user/ann"))) == ["/user/ann/feed.atom"]
    assert feed_links(parse(client.get("/category/flask"))) == ["/category/flask/feed.atom"]


# The sitemap ---------------------------------------------------------------------------------

def sitemap(client) -> dict[str, datetime]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    return {url.findtext(f"{SITEMAP}loc"): datetime.fromisoformat(url.findtext(f"{SITEMAP}lastmod"))
            for url in root.findall(f"{SITEMAP}url")}


def test_the_sitemap_lists_every_published_permalink_with_its_last_change(client, make_user):
    ann = make_user("ann")
    article = dated(posts.create_article(ann, "An Article", "Text."), 1)
    status = dated(posts.create_post(ann, "a status"), 2)
    posts.edit_post(ann, article, title="An Article, Revised", body="More text.")
    draft = posts.create_article(ann, "A Draft", "Text.", publish=False)

    urls = sitemap(client)

    assert urls == {
        f"{SITE}/post/{status.id}": to_the_second(status.published_at),
        f"{SITE}/post/{article.id}/an-article-revised": to_the_second(article.edited_at),
    }
    assert not any(f"/post/{draft.id}" in url for url in urls)


def test_the_sitemap_stops_at_its_limit_keeping_the_newest(app, client, make_user):
    ann = make_user("ann")
    made = [dated(posts.create_post(ann, f"status {n}"), n) for n in range(4)]
    app.config["SITEMAP_MAX_URLS"] = 2

    assert set(sitemap(client)) == {f"{SITE}/post/{made[3].id}", f"{SITE}/post/{made[2].id}"}
