"""The search page as a visitor uses it: the box in the navbar, the tabs, the People
section, the pager, the prompt for an empty search, and a fixed number of queries
however many results a page shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import flask_babel
import pytest

from microblog.models.base import utcnow
from microblog.services import comments, posts
from tests.pages import parse


def publish(user, body: str, *, minutes_ago: int = 0):
    post = posts.create_post(user, body)
    if minutes_ago:
        post.published_at = utcnow() - timedelta(minutes=minutes_ago)
    return post


@pytest.fixture
def susan(make_user):
    return make_user("susan", about_me="Gardener who writes Flask apps")


@pytest.mark.parametrize("url", ["/explore", "/auth/login", "/user/susan", "/search"])
def test_every_page_has_a_search_box_that_sends_a_get(client, susan, url):
    form = parse(client.get(url)).find("form", id="navbar-search")
    assert form.attrs["method"] == "get"
    assert form.attrs["action"] == "/search"
    assert form.attrs["role"] == "search"
    assert form.find("input", type="search").attrs["name"] == "q"


def test_the_box_shows_what_was_searched_for(client, susan):
    page = parse(client.get("/search?q=flask+gardens"))
    assert page.find("form", id="navbar-search").find("input").attrs["value"] == "flask gardens"
    # ...but not on other pages, where it would be stale.
    page = parse(client.get("/explore?q=flask"))
    assert page.find("form", id="navbar-search").find("input").attrs["value"] == ""


def test_search_works_logged_out_and_logged_in_without_a_csrf_token(client, susan):
    publish(susan, "Tomatoes are finally red")
    assert "Tomatoes" in parse(client.get("/search?q=tomato")).find(
        "section", cls="search-results").text
    client.login("susan")
    response = client.get("/search?q=tomato")
    assert response.status_code == 200
    assert "Tomatoes" in parse(response).find("section", cls="search-results").text


@pytest.mark.parametrize("q", ["", "   ", "-django", '""', "*", "🙂 🙂"])
def test_an_empty_search_gets_a_prompt_not_an_error(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    prompt = parse(response).find("div", cls="search-prompt")
    assert "type a word or two" in prompt.text.lower()
    assert '"app factory"' in prompt.text  # the syntax is explained


def test_results_mark_the_matched_words(client, susan):
    publish(susan, "Pruning the roses <b>today</b>")
    result = parse(client.get("/search?q=prune")).find("article", cls="search-result")
    assert result.find("mark").text == "Pruning"
    assert "<b>today</b>" in result.find("p", cls="snippet").text  # shown as text, not markup


def test_an_article_result_links_to_its_permalink_with_the_title_marked(client, susan):
    article = posts.create_article(susan, "Raised beds for beginners", "Start small.",
                                   publish=True)
    result = parse(client.get("/search?q=beds")).find("article", cls="search-result")
    title = result.find("h2", cls="post-title")
    assert title.find("mark").text == "beds"
    assert title.find("a").attrs["href"] == f"/post/{article.id}/raised-beds-for-beginners"


def test_people_section_on_the_first_page_and_all_of_them_on_their_tab(client, make_user):
    for n in range(5):
        make_user(f"gardener{n}", about_me="Gardener")
    page = parse(client.get("/search?q=gardener"))
    people = page.find("section", cls="search-people")
    assert len(list(people.find_all("div", cls="person-result"))) == 3
    more = people.find("a", cls="all-people")
    assert "All 5 people" in more.text
    page = parse(client.get(more.attrs["href"]))
    assert len(list(page.find("section", cls="search-results").find_all(
        "div", cls="person-result"))) == 5
    assert page.find("a", aria_current="page").text == "People"


def test_comments_tab_links_each_comment_to_its_place_on_the_post(client, susan, make_user):
    john = make_user("john")
    post = publish(susan, "My garden diary")
    comment = comments.add(john, post.id, "Your compost advice worked wonders")
    page = parse(client.get("/search?q=compost&type=comments"))
    result = page.find("article", cls="search-result")
    link = result.find("p", cls="snippet").find("a").attrs["href"]
    assert link == f"/comment/{comment.id}"
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/post/{post.id}#comment-{comment.id}"


def test_pager_keeps_the_query_and_the_tab(client, susan, app):
    app.config["POSTS_PER_PAGE"] = 2
    for n in range(5):
        publish(susan, f"Seedlings update number {n}", minutes_ago=n)
    page = parse(client.get("/search?q=seedlings"))
    assert "5 posts match" in page.find("p", cls="search-summary").text
    assert "page 1 of 3" in page.find("p", cls="search-summary").text
    older = page.find("a", rel="next").attrs["href"]
    assert older == "/search?page=2&q=seedlings"
    page = parse(client.get(older))
    assert len(list(page.find_all("article", cls="search-result"))) == 2
    assert client.get("/search?q=seedlings&page=4").status_code == 404


def test_a_tab_it_does_not_know_shows_posts(client, susan):
    publish(susan, "Mulch everywhere")
    page = parse(client.get("/search?q=mulch&type=<script>"))
    assert page.find("a", aria_current="page").text == "Posts"


def test_a_long_query_uses_its_first_words_and_says_so(client, susan):
    publish(susan, "Watering at dawn")
    response = client.get("/search", query_string={"q": "watering " + "dawn " * 5000})
    assert response.status_code == 200
    page = parse(response)
    assert "Only the first 16 words" in page.find("p", cls="alert-info").text
    assert "Watering" in page.find("section", cls="search-results").text


def for_two_results_then_twenty(author, measure: Callable[[], int]) -> tuple[int, int]:
    """``measure()`` of a search for "harvest" when two posts match, then twenty."""
    for n in range(2):
        publish(author, f"Harvest day {n}")
    few = measure()
    for n in range(18):
        publish(author, f"Harvest note {n}")
    return few, measure()


def test_the_page_costs_the_same_queries_for_two_results_or_twenty(
        client, susan, app, count_queries):
    app.config["POSTS_PER_PAGE"] = 20

    def statements() -> int:
        with count_queries() as sent:
            response = client.get("/search?q=harvest")
        assert response.status_code == 200
        return len(sent)

    client.login("susan")
    client.get("/explore")  # any last_seen write happens here
    few, many = for_two_results_then_twenty(susan, statements)
    assert many == few
    # The visitor, the ranked posts, their rows, the ranked people, their rows.
    assert few <= 5


def test_the_page_finds_its_translations_as_often_for_two_results_or_twenty(
        client, susan, app, monkeypatch):
    """Each result's plurals ("3 comments", "1 like") are translated with the request's
    catalogue, found once: not once per string on the page."""
    app.config["POSTS_PER_PAGE"] = 20
    found = []
    lookup = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations",
                        lambda domain: found.append(1) or lookup(domain))

    def lookups() -> int:
        found.clear()
        page = parse(client.get("/search?q=harvest"))
        assert "0 comments" in page.find("section", cls="search-results").text
        return len(found)

    few, many = for_two_results_then_twenty(susan, lookups)
    assert many == few


def test_a_database_that_cannot_search_gets_a_polite_503(sibling_app, tmp_path):
    """An app whose database has no search index (never migrated): the error is
    the database's, the visitor sees a message, not a 500 or the SQL."""
    broken = sibling_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    response = broken.test_client().get("/search?q=flask")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Search is not available right now" in body
    assert "posts_search" not in body and "no such table" not in body


def test_a_word_in_too_many_posts_says_there_are_more(client, susan, monkeypatch):
    from microblog.search import database

    monkeypatch.setattr(database, "MAX_RANKED", 2)
    for n in range(3):
        publish(susan, f"Weeding, round {n}")
    summary = parse(client.get("/search?q=weeding")).find("p", cls="search-summary").text
    assert "More than 2 match: these are the best of the newest 2" in summary
