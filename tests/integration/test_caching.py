"""The cache of shared reads (explore's side lists, category counts, feeds, the sitemap):
every change made through a service shows on the very next read, in this process's
memory and in Redis; nothing one visitor sees is cached for another; and with Redis
down the pages still render.

Each test runs against the cache the app would use: ``memory`` (the embedded
default) and ``redis`` (an app built on the same database with ``REDIS_URL`` and a
key prefix of its own, deleted afterwards; other runs may share the server).
Changes are made inside that app's context, as its requests make them, so the
invalidation goes to that app's cache.
"""

from __future__ import annotations

import logging
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from flask import Flask

from microblog.caching import POSTS, cached, invalidate
from microblog.extensions import cache, db
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.services import accounts, categories, comments, posts
from microblog.services import likes as like_service
from tests.conftest import Client
from tests.pages import Element, parse
from tests.smtp import free_port

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def delete_keys(url: str, prefix: str) -> None:
    """Delete the keys under ``prefix`` (and only those) from the shared Redis."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def redis_keys(url: str, prefix: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return list(client.scan_iter(match=f"{prefix}*"))
    finally:
        client.close()


@pytest.fixture
def redis_prefix(redis_url) -> Iterator[str]:
    prefix = f"test-{uuid.uuid4().hex}:"
    yield prefix
    delete_keys(redis_url, prefix)


@pytest.fixture(params=["memory", "redis"])
def site(request, app, sibling_app) -> Flask:
    """The app whose cache is under test: ``app`` itself (memory) or one on Redis."""
    if request.param == "memory":
        app.test_client_class = Client
        return app
    url = request.getfixturevalue("redis_url")
    return sibling_app(REDIS_URL=url, CACHE_KEY_PREFIX=request.getfixturevalue("redis_prefix"))


@contextmanager
def inside(site: Flask):
    """Run service calls as ``site``'s own requests do: in its context, with its cache."""
    with site.app_context():
        yield
        db.session.remove()


def by_name(username: str):
    return accounts.get_user(username)


@pytest.fixture
def people(make_user):
    """ada (admin), and the members ann and bob."""
    users = {name: make_user(name) for name in ("ada", "ann", "bob")}
    users["ada"].role = Role.ADMIN
    db.session.commit()
    return users


@pytest.fixture
def flask_category(people) -> int:
    return categories.create(people["ada"], "Flask").id


# What a reader sees --------------------------------------------------------------------------

def explore(browser) -> Element:
    response = browser.get("/explore")
    assert response.status_code == 200
    return parse(response)


def recent(browser) -> list[str]:
    return [item.text for item in explore(browser).find("section", cls="recent-articles")
            .find_all("li") if next(item.find_all("a"), None)]


def popular(browser) -> list[str]:
    return [item.text for item in explore(browser).find("section", cls="popular-posts")
            .find_all("li") if next(item.find_all("a"), None)]


def category_counts(browser) -> dict[str, int]:
    section = explore(browser).find("section", cls="category-counts")
    return {item.find("a").text: int(item.find("span", cls="post-count").text)
            for item in section.find_all("li") if next(item.find_all("a"), None)}


def featured(browser) -> list[str]:
    section = next(explore(browser).find_all("section", cls="featured"), None)
    return [] if section is None else [h.text for h in section.find_all("h3")]


def feed(browser, url: str = "/feed.atom") -> list[tuple[str, str]]:
    """(title, author) of each entry."""
    response = browser.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    return [(entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}author/{ATOM}name"))
            for entry in root.findall(f"{ATOM}entry")]


def feed_title(browser, url: str) -> str:
    return ET.fromstring(browser.get(url).data).findtext(f"{ATOM}title")


def sitemap(browser) -> set[str]:
    root = ET.fromstring(browser.get("/sitemap.xml").data)
    return {loc.text.split("/post/", 1)[1] for loc in root.iter(f"{SITEMAP}loc")}


# Each change, and the very next read ---------------------------------------------------------

def test_publishing_a_draft_shows_at_once_everywhere(site, people, flask_category):
    draft = posts.create_article(people["ann"], "Fresh Ideas", "Text.",
                                 category_id=flask_category, publish=False)
    browser = site.test_client()
    assert recent(browser) == [] and feed(browser) == [] and sitemap(browser) == set()
    assert category_counts(browser) == {"Flask": 0}
    assert feed(browser, "/category/flask/feed.atom") == []

    with inside(site):
        posts.publish(by_name("ann"), db.session.get(Post, draft.id))

    assert recent(browser) == ["Fresh Ideas by ann"]
    assert category_counts(browser) == {"Flask": 1}
    assert feed(browser) == [("Fresh Ideas", "ann")]
    assert feed(browser, "/category/flask/feed.atom") == [("Fresh Ideas", "ann")]
    assert feed(browser, "/user/ann/feed.atom") == [("Fresh Ideas", "ann")]
    assert sitemap(browser) == {f"{draft.id}/fresh-ideas"}


def test_editing_a_post_shows_the_new_words_at_once(site, people):
    article = posts.create_article(people["ann"], "First Title", "Text.")
    browser = site.test_client()
    assert recent(browser) == ["First Title by ann"]
    assert feed(browser) == [("First Title", "ann")]
    assert sitemap(browser) == {f"{article.id}/first-title"}

    with inside(site):
        posts.edit_post(by_name("ann"), db.session.get(Post, article.id),
                        title="Second Title", body="Text.")

    assert recent(browser) == ["Second Title by ann"]
    assert feed(browser) == [("Second Title", "ann")]
    assert sitemap(browser) == {f"{article.id}/second-title"}


def test_deleting_a_post_removes_it_at_once_everywhere(site, people, flask_category):
    article = posts.create_article(people["ann"], "Short-lived", "Text.",
                                   category_id=flask_category)
    like_service.like(people["bob"], article.id)
    browser = site.test_client()
    assert recent(browser) == ["Short-lived by ann"]
    assert popular(browser) == ["Short-lived by ann · 1 like or comment"]
    assert category_counts(browser) == {"Flask": 1}
    assert len(feed(browser)) == len(sitemap(browser)) == 1

    with inside(site):
        posts.delete_post(by_name("ann"), db.session.get(Post, article.id))

    assert recent(browser) == [] and popular(browser) == []
    assert category_counts(browser) == {"Flask": 0}
    assert feed(browser) == [] and sitemap(browser) == set()


def test_a_comment_and_a_like_move_a_post_up_popular_at_once(site, people):
    post = posts.create_post(people["ann"], "talk to me")
    browser = site.test_client()
    assert popular(browser) == []

    with inside(site):
        comments.add(by_name("bob"), post.id, "Hello!")
    assert popular(browser) == ["talk to me by ann · 1 like or comment"]

    with inside(site):
        like_service.like(by_name("bob"), post.id)
    assert popular(browser) == ["talk to me by ann · 2 likes and comments"]

    with inside(site):
        like_service.unlike(by_name("bob"), post.id)
    assert popular(browser) == ["talk to me by ann · 1 like or comment"]


def test_featuring_an_article_puts_it_on_top_at_once(site, people):
    article = posts.create_article(people["ann"], "Star Turn", "Text.")
    browser = site.test_client()
    assert featured(browser) == []

    with inside(site):
        posts.set_featured(by_name("ada"), db.session.get(Post, article.id), True)
    assert featured(browser) == ["Star Turn"]

    with inside(site):
        posts.set_featured(by_name("ada"), db.session.get(Post, article.id), False)
    assert featured(browser) == []


def test_renaming_or_deleting_a_category_shows_at_once(site, people, flask_category):
    posts.create_article(people["ann"], "Blueprints", "Text.", category_id=flask_category)
    browser = site.test_client()
    assert category_counts(browser) == {"Flask": 1}
    assert feed_title(browser, "/category/flask/feed.atom") == "Category: Flask"

    with inside(site):
        categories.rename(by_name("ada"), categories.get(flask_category), "Flask & Jinja")
    assert category_counts(browser) == {"Flask & Jinja": 1}
    assert feed_title(browser, "/category/flask-jinja/feed.atom") == "Category: Flask & Jinja"
    # Not the old cached feed: the old address leads to the new one.
    assert browser.get("/category/flask/feed.atom").headers["Location"] == (
        "/category/flask-jinja/feed.atom")

    with inside(site):
        python = categories.create(by_name("ada"), "Python")
        categories.delete(by_name("ada"), categories.get(flask_category), python)
    assert category_counts(browser) == {"Python": 1}


def test_renaming_a_user_renames_them_in_lists_and_feeds_at_once(site, people):
    posts.create_article(people["ann"], "My Story", "Text.")
    browser = site.test_client()
    assert recent(browser) == ["My Story by ann"]
    assert feed(browser) == [("My Story", "ann")]
    assert feed(browser, "/user/ann/feed.atom") == [("My Story", "ann")]

    with inside(site):
        accounts.update_profile(by_name("ann"), "annie", "")

    assert recent(browser) == ["My Story by annie"]
    assert feed(browser) == [("My Story", "annie")]
    assert feed(browser, "/user/annie/feed.atom") == [("My Story", "annie")]
    assert browser.get("/user/ann/feed.atom").headers["Location"] == "/user/annie/feed.atom"


# Nothing per visitor -------------------------------------------------------------------------

def like_buttons(browser) -> dict[str, tuple[str, str]]:
    """Each post's text, and its like button as this visitor sees it (pressed?, count)."""
    page = explore(browser)
    return {
        article.find("div", cls="post-body").text: (
            article.find("button", cls="like-button").attrs["aria-pressed"],
            article.find("span", cls="like-count").text,
        )
        for article in page.find("section", cls="posts").find_all("article", cls="post")
    }


def test_each_visitor_sees_their_own_likes_on_explore(site, people):
    mine = posts.create_post(people["ann"], "ann's post")
    posts.create_post(people["bob"], "bob's post")
    like_service.like(people["ann"], mine.id)
    ann, bob = site.test_client(), site.test_client()
    ann.login("ann")
    bob.login("bob")

    assert like_buttons(ann) == {"ann's post": ("true", "1"), "bob's post": ("false", "0")}
    assert like_buttons(bob) == {"ann's post": ("false", "1"), "bob's post": ("false", "0")}

    assert bob.submit(f"/post/{mine.id}/like").status_code == 302
    assert like_buttons(bob) == {"ann's post": ("true", "2"), "bob's post": ("false", "0")}
    assert like_buttons(ann) == {"ann's post": ("true", "2"), "bob's post": ("false", "0")}
    anonymous = parse(site.test_client().get("/explore"))
    assert not list(anonymous.find_all("button", cls="like-button"))


# Where the cache lives -----------------------------------------------------------------------

def test_a_warm_feed_and_sitemap_cost_no_query_until_a_post_changes(
    app, client, people, count_queries
):
    post = posts.create_post(people["ann"], "hello")
    client.get("/feed.atom")
    client.get("/sitemap.xml")

    with count_queries() as warm:
        assert feed(client) == [("hello", "ann")]
        assert len(sitemap(client)) == 1
    posts.edit_post(people["ann"], post, body="hello again")
    with count_queries() as cold:
        assert feed(client) == [("hello again", "ann")]

    assert warm == []
    assert len(cold) == 1  # the newest posts, authors and categories joined in


def test_with_redis_the_cached_reads_are_kept_there(sibling_app, redis_url, redis_prefix, people):
    posts.create_article(people["ann"], "Kept", "Text.")
    browser = sibling_app(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix).test_client()

    assert redis_keys(redis_url, redis_prefix) == []
    recent(browser)
    feed(browser)

    keys = {key.decode() for key in redis_keys(redis_url, redis_prefix)}
    assert {f"{redis_prefix}version:posts", f"{redis_prefix}version:categories"} <= keys
    assert any(key.startswith(f"{redis_prefix}recent_articles:") for key in keys)
    assert any(key.startswith(f"{redis_prefix}feed:site:") for key in keys)


def test_a_warm_explore_page_asks_redis_once(sibling_app, redis_url, redis_prefix,
                                            people, monkeypatch):
    posts.create_article(people["ann"], "Kept", "Text.")
    site = sibling_app(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix)
    browser = site.test_client()
    explore(browser)  # warm: every list is stored, in Redis and in this worker's memory
    sent: list[str] = []
    client = site.extensions["cache"][cache]._read_client  # the backend's redis.Redis
    send = client.execute_command
    monkeypatch.setattr(client, "execute_command",
                        lambda *args, **options: sent.append(args[0]) or send(*args, **options))

    assert recent(browser) == ["Kept by ann"]

    # The three namespaces' tokens at once; featured, recent, popular and the categories
    # are this worker's copies of the answers stored under those tokens.
    assert sent == ["MGET"]


def test_a_worker_reads_an_answer_from_redis_once_and_then_from_its_memory(
    sibling_app, redis_url, redis_prefix
):
    one = sibling_app(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix)
    other = sibling_app(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix)
    computed: list[str] = []

    def ask(site: Flask) -> str:
        with site.test_request_context("/"):
            return cached("answer", lambda: computed.append("x") or "42", depends_on=[POSTS])

    assert ask(one) == ask(other) == "42"
    assert computed == ["x"]  # the other worker found it in Redis
    delete_keys(redis_url, redis_prefix + "answer")  # gone from Redis (evicted, say)
    assert ask(other) == "42"  # still in that worker's memory, under the same versions
    assert computed == ["x"]


def test_a_cache_that_stops_answering_mid_request_is_asked_once_and_copies_nothing(
    app, monkeypatch, caplog
):
    tried: list[str] = []

    def down(*args, **kwargs):
        tried.append("asked")
        raise ConnectionError("Redis went away")

    with app.test_request_context("/"):
        cached("warm", lambda: "tokens read", depends_on=[POSTS])  # the versions are known
        monkeypatch.setattr(cache, "get", down)
        monkeypatch.setattr(cache, "set", down)
        with caplog.at_level(logging.WARNING, logger="microblog.caching"):
            assert cached("answer", lambda: "computed", depends_on=[POSTS]) == "computed"
        monkeypatch.undo()
        assert cached("answer", lambda: "again", depends_on=[POSTS]) == "again"  # no copy

    assert tried == ["asked"]  # one timeout's worth, not a second one to store
    assert "computing answer afresh" in caplog.text


def test_every_workers_copy_expires_when_the_shared_answer_does(
    sibling_app, redis_url, redis_prefix, monkeypatch
):
    one = sibling_app(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix)
    other = sibling_app(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix)
    now = [1_000_000.0]
    monkeypatch.setattr("microblog.caching.time.time", lambda: now[0])

    def ask(site: Flask, answer: str) -> str:
        with site.test_request_context("/"):
            return cached("popular-ish", lambda: answer, depends_on=[POSTS], timeout=60)

    assert ask(one, "first") == "first"  # computed at 1,000,000: good until 1,000,060
    now[0] += 50
    assert ask(other, "second") == "first"  # the other worker copies it, 50 s old
    now[0] += 11
    assert ask(other, "third") == "third"  # 61 s: expired for everyone, not 60 s after the copy
    assert ask(one, "fourth") == "third"


def test_a_request_that_changes_something_reads_the_change_itself(site):
    with site.test_request_context("/"):
        assert cached("answer", lambda: "before", depends_on=[POSTS]) == "before"
        invalidate(POSTS)
        assert cached("answer", lambda: "after", depends_on=[POSTS]) == "after"


def test_workers_sharing_redis_see_each_others_changes_at_once(
    sibling_app, redis_url, redis_prefix, people
):
    article = posts.create_article(people["ann"], "Before", "Text.")
    one = sibling_app(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix)
    other = sibling_app(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix)
    reader = one.test_client()
    assert recent(reader) == ["Before by ann"] and feed(reader) == [("Before", "ann")]

    with inside(other):  # another worker's request changes it
        posts.edit_post(by_name("ann"), db.session.get(Post, article.id),
                        title="After", body="Text.")

    assert recent(reader) == ["After by ann"] and feed(reader) == [("After", "ann")]


@pytest.mark.parametrize(("url", "shows"), [
    ("/explore", "Still Here"), ("/feed.atom", "Still Here"),
    ("/user/ann/feed.atom", "Still Here"), ("/category/flask/feed.atom", "Still Here"),
    ("/sitemap.xml", "/still-here"), ("/category/flask", "Still Here"),
])
def test_with_redis_down_every_page_still_renders(sibling_app, people, flask_category,
                                                  caplog, url, shows):
    posts.create_article(people["ann"], "Still Here", "Text.", category_id=flask_category)
    down = sibling_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens

    with caplog.at_level(logging.WARNING, logger="microblog.caching"):
        response = down.test_client().get(url)

    assert response.status_code == 200
    assert shows in response.get_data(as_text=True)
    if url != "/category/flask":  # that page caches nothing
        assert "Redis (the cache) is not answering" in caplog.text


def test_with_redis_down_changes_still_show_and_admins_still_work(
    sibling_app, people, flask_category
):
    down = sibling_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    admin = down.test_client()
    admin.login("ada")

    response = admin.submit(f"/admin/categories/{flask_category}/rename", {"name": "Jinja"})

    assert response.status_code == 302
    assert category_counts(down.test_client()) == {"Jinja": 0}
    assert admin.get("/admin/categories").status_code == 200
