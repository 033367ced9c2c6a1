"""Guards against N+1 queries on the blog's pages: a post page costs the same however
many comments it shows, and the category, tag and liked pages however many posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.like import likes
from microblog.services import categories, comments, posts
from microblog.services import likes as like_service
from tests.conftest import words_query
from tests.pages import parse

READERS = 8  # comments and likes come from this many people, so authors vary down a page


@pytest.fixture
def readers(make_user):
    return [make_user(f"reader{n}") for n in range(READERS)]


def statements_for(client, url: str, count_queries) -> tuple[list[str], object]:
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements, response


def shown(response, cls: str) -> int:
    return len(list(parse(response).find("main").find_all("article", cls=cls)))


def log_in(client, name: str) -> None:
    client.login(name)
    client.get("/explore")  # warm up: any last_seen write happens here, not below


def counted(app, client, url: str, count_queries, setting: str, sizes: tuple[int, int]):
    """The statements ``url`` costs with the page size ``setting`` at each of ``sizes``.

    The page is fetched once first, so anything cached for every visitor is
    already there, as it is for all but the first visitor of the day.
    """
    client.get(url)
    runs = []
    for size in sizes:
        app.config[setting] = size
        runs.append(statements_for(client, url, count_queries))
    return runs


# --- a post and its comments --------------------------------------------------------------


@pytest.fixture
def discussed(make_user, readers, admin):
    """Two articles by "writer", who does not comment: one with 5 comments, one with 40,
    written by the readers in turn; each in a category and with tags."""
    writer = make_user("writer")
    python = categories.create(admin, "Python")
    found = {}
    for count in (5, 40):
        article = posts.create_article(writer, f"With {count} comments", "Words.",
                                       category_id=python.id, tags="flask, web")
        for n in range(count):
            comments.add(readers[n % READERS], article.id, f"comment {n}")
        found[count] = article
    like_service.like(readers[1], found[40].id)
    return found


# The post page. Anonymous, 2 statements whatever the number of comments:
#   the post (by primary key) with its author, category and tags joined in; one page
#   of its comments, oldest first, with their authors joined in (LIMIT per_page + 1).
# Logged in, 1 more: the visitor (Flask-Login's user loader, first). Whether they
# liked the post is an EXISTS in the post's own query, and which comments they may
# edit or delete is worked out from rows already loaded.
POST_PAGE = {"anonymous": 2, "logged in": 3}


@pytest.mark.parametrize(("visitor", "expected"), POST_PAGE.items())
def test_a_post_page_costs_the_same_for_5_or_40_comments(
    app, client, discussed, count_queries, visitor, expected
):
    app.config["COMMENTS_PER_PAGE"] = 25
    if visitor == "logged in":
        log_in(client, "reader1")  # wrote some of the comments: edit and delete buttons show
    small_url, large_url = (f"/post/{discussed[n].id}/{discussed[n].slug}" for n in (5, 40))
    client.get(small_url)
    client.get(large_url)

    small, small_page = statements_for(client, small_url, count_queries)
    large, large_page = statements_for(client, large_url, count_queries)

    assert shown(small_page, "comment") == 5
    assert shown(large_page, "comment") == 25
    if visitor == "logged in":
        tools = list(parse(large_page).find_all(cls="comment-tools"))
        assert len(tools) == 3  # reader1 wrote every eighth comment: three of those shown
    assert len(small) == len(large) == expected + words_query(app), "\n".join(large)
    assert all(s.lstrip().upper().startswith("SELECT") for s in large)


# --- pages of posts -----------------------------------------------------------------------


@pytest.fixture
def library(make_user, readers, admin):
    """30 published articles by the readers in turn, all filed under Python and tagged
    #flask, every one liked by "fan" (a minute apart) and every third by reader1."""
    fan = make_user("fan")
    python = categories.create(admin, "Python")
    start = utcnow() - timedelta(hours=1)
    for n in range(30):
        article = posts.create_article(readers[n % READERS], f"Article {n}", "Words.",
                                       category_id=python.id, tags="flask, web")
        like_service.like(fan, article.id)
        db.session.execute(
            sa.update(likes).where(likes.c.user_id == fan.id, likes.c.post_id == article.id)
            .values(created_at=start + timedelta(minutes=n))
        )
        if n % 3 == 0:
            like_service.like(readers[1], article.id)
    db.session.commit()
    return python


# Anonymous, whatever the number of posts:
#   /category/python  2 statements: the category (by slug); its posts, newest first,
#                     authors and categories joined in (LIMIT per_page + 1)
#   /tag/flask        1 statement: the tagged posts, joined the same way
#   /user/fan/liked   2 statements: the profile's user (both follow counts are stored
#                     on its row); the posts they liked, most recently liked first,
#                     joined the same way
# Logged in, each page first loads the visitor (the user loader); which of the posts
# shown they liked is an EXISTS in the posts' query, no statement of its own, and on the
# liked tab, as on the profile, whether the visitor follows the profile is an EXISTS in
# the profile's.
PAGES = {
    "/category/python": {"anonymous": 2, "logged in": 3},
    "/tag/flask": {"anonymous": 1, "logged in": 2},
    "/user/fan/liked": {"anonymous": 2, "logged in": 3},
}
CASES = [(url, visitor, expected)
         for url, costs in PAGES.items() for visitor, expected in costs.items()]


@pytest.mark.parametrize(("url", "visitor", "expected"), CASES)
def test_post_lists_cost_the_same_for_5_or_25_posts(
    app, client, library, count_queries, url, visitor, expected
):
    if visitor == "logged in":
        log_in(client, "reader1")

    (small, small_page), (large, large_page) = counted(
        app, client, url, count_queries, "POSTS_PER_PAGE", (5, 25))

    assert shown(small_page, "post") == 5
    assert shown(large_page, "post") == 25
    authors = {a.attrs["href"] for a in parse(large_page).find("section", cls="posts")
               .find_all("a", cls="fw-semibold")}
    assert len(authors) == READERS  # many authors, still no query per post
    if visitor == "logged in":
        # reader1 liked every third article (0, 3, ... 27); the newest 25 are 5 to 29.
        pressed = parse(large_page).find("main").find_all("button", aria_pressed="true")
        assert len(list(pressed)) == 8  # reader1's own likes, from the page's own query
    assert len(small) == len(large) == expected + words_query(app), "\n".join(large)
    assert all(s.lstrip().upper().startswith("SELECT") for s in large)


def test_the_drafts_page_costs_the_same_for_5_or_25_drafts(app, client, make_user,
                                                          count_queries):
    """2 statements: the visitor (the user loader), and their drafts' headers. Whether
    they liked each draft (never: drafts cannot be liked) is answered in that query, so
    no statement of its own asks about the likes of the drafts."""
    writer = make_user("drafter")
    for n in range(30):
        posts.create_article(writer, f"Draft {n}", "Words.", publish=False)
    log_in(client, "drafter")

    (small, small_page), (large, large_page) = counted(
        app, client, "/drafts", count_queries, "POSTS_PER_PAGE", (5, 25))

    assert shown(small_page, "post") == 5
    assert shown(large_page, "post") == 25
    assert len(small) == len(large) == 2 + words_query(app), "\n".join(large)
