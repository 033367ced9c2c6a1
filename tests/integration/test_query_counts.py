"""Guards against N+1 queries: a page costs the same few statements however long it is."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from microblog.extensions import db, fragments
from microblog.models.base import utcnow
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.services import categories, comments, follows, likes, posts
from tests.conftest import words_query

AUTHORS = 10
PROFILE = "author3"  # writes 12 of the 30 posts, so a 25-post profile page shows all of them



@pytest.fixture
def timeline(make_user):
    """30 posts by 10 authors (12 by PROFILE, the rest spread over the others).

    author0 follows five of them, PROFILE included.
    """
    authors = [make_user(f"author{n}") for n in range(AUTHORS)]
    others = [a for a in authors if a.username != PROFILE]
    start = utcnow() - timedelta(hours=1)
    for n in range(30):
        author = authors[3] if n % 5 in (0, 3) else others[n % len(others)]
        post = posts.create_post(author, f"post {n}")
        post.published_at = start + timedelta(minutes=n)
    db.session.commit()
    for name in ("author1", "author2", "author3", "author4", "author5"):
        follows.follow(authors[0], name)
    return authors


def main_content(response) -> str:
    """The page's <main>: not the footer, whose language form holds a CSRF token signed
    with the second it was made (two renders a second apart differ there)."""
    return response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]


def posts_shown(response) -> int:
    return len(re.findall(r'class="[^"]*\bpost-body\b', main_content(response)))


def distinct_authors_shown(response) -> int:
    return len(set(re.findall(r'href="/user/([^"?]+)"', main_content(response))))


def statements_for(client, url: str, count_queries) -> tuple[list[str], object]:
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return statements, response


def cold_then_warm(app, client, url: str, count_queries) -> tuple[list[str], list[str], object]:
    """``url``'s statements with no post card rendered yet, then with every card in the
    worker's memory (the render cache, microblog/fragments/, when it is on), and the
    second response."""
    if app.config["FRAGMENT_CACHE"]:
        app.extensions["cache"][fragments].clear()
    cold, _ = statements_for(client, url, count_queries)
    warm, response = statements_for(client, url, count_queries)
    return cold, warm, response


# A page reads its posts as rows without their words, which is all it needs when their
# cards are in memory (microblog/services/listings.py). When any card is not, the words
# of the page's posts are read in one more query, however many they are: on every view
# with the render cache off.
CARDS = 1


# Logged in, each page first loads the visitor (Flask-Login's user loader, by primary
# key). ``last_seen`` is fresh (the account was just made and the warm-up request saw
# it), so no UPDATE follows. Then:
#   /index          2 queries: the ids of the people followed; the headers of their
#                   posts and the visitor's own (authors' names and categories joined in
#                   and, for each, whether the visitor liked it: an EXISTS in the same
#                   query; LIMIT per_page + 1)
#   /explore        1 query: everyone's posts, read the same way. Its featured articles
#                   and side lists come from the cache, warmed by the first visit: no
#                   query (see the cold and warm test below)
#   /user/<name>    2 queries: the profile's user (with both follow counts, stored on
#                   the row, and "does the visitor follow them?", an EXISTS), and their
#                   posts (joined the same way)
LOGGED_IN = {"/index": 3, "/explore": 2, f"/user/{PROFILE}": 3}
# Anonymous: no user to load, no likes to look up, nobody to ask "do you follow them?".
# The front door (/ signed out) is Explore under a welcome: the same one query.
ANONYMOUS = {"/explore": 1, "/": 1, f"/user/{PROFILE}": 2}


@pytest.mark.parametrize(("url", "expected"), LOGGED_IN.items())
def test_logged_in_pages_cost_the_same_few_queries_for_5_or_25_posts(
    app, client, timeline, count_queries, url, expected
):
    client.login("author0")
    client.get("/explore")  # warm up: any last_seen write happens here, not below

    app.config["POSTS_PER_PAGE"] = 5
    small_cold, small, small_page = cold_then_warm(app, client, url, count_queries)
    app.config["POSTS_PER_PAGE"] = 25
    large_cold, large, large_page = cold_then_warm(app, client, url, count_queries)

    assert posts_shown(small_page) == 5
    assert posts_shown(large_page) > 5  # 25 on explore and home, all 12 on the profile
    if url != f"/user/{PROFILE}":
        assert distinct_authors_shown(large_page) >= 5  # many authors, still no extra query
    assert len(small) == len(large) == expected + words_query(app), "\n".join(large)
    assert len(small_cold) == len(large_cold) == expected + CARDS, "\n".join(large_cold)
    assert all(s.lstrip().upper().startswith("SELECT") for s in large_cold)


@pytest.mark.parametrize(("url", "expected"), ANONYMOUS.items())
def test_anonymous_pages_cost_the_same_few_queries_for_5_or_25_posts(
    app, client, timeline, count_queries, url, expected
):
    client.get(url)  # warm up the shared cache (explore's side lists)
    app.config["POSTS_PER_PAGE"] = 5
    small_cold, small, small_page = cold_then_warm(app, client, url, count_queries)
    app.config["POSTS_PER_PAGE"] = 25
    large_cold, large, large_page = cold_then_warm(app, client, url, count_queries)

    assert posts_shown(small_page) == 5
    assert posts_shown(large_page) > 5
    assert len(small) == len(large) == expected + words_query(app), "\n".join(large)
    assert len(small_cold) == len(large_cold) == expected + CARDS, "\n".join(large_cold)


def test_the_home_timeline_costs_the_same_whatever_the_number_followed(
    app, client, timeline, count_queries
):
    client.login("author0")
    client.get("/explore")
    app.config["POSTS_PER_PAGE"] = 25
    client.get("/index")  # each page's cards rendered before it is counted
    before, _ = statements_for(client, "/index", count_queries)

    for name in ("author6", "author7", "author8", "author9"):
        follows.follow(timeline[0], name)
    client.get("/index")
    after, page = statements_for(client, "/index", count_queries)

    assert distinct_authors_shown(page) == AUTHORS
    assert len(before) == len(after) == LOGGED_IN["/index"] + words_query(app)


# Explore's featured articles and side lists, when the cache is cold, cost one query each,
# however many items they show (authors and categories are joined in, the cached values are
# plain data, so rendering them loads nothing):
#   featured articles      the newest featured ones, authors and categories joined
#   recent articles        the newest with a title, authors joined
#   popular                likes and comments of the last 7 days, counted per post, joined
#                          to the posts and their authors
#   categories             each category with its count of published posts (a subquery)
SIDE_LISTS = 4


@pytest.fixture
def side_lists(timeline):
    """Three categories, five featured articles by five authors, likes and comments on them."""
    admin = timeline[0]
    admin.role = Role.ADMIN
    db.session.commit()
    filed = [categories.create(admin, name).id for name in ("Flask", "Jinja", "Python")]
    for n, author in enumerate(timeline[1:6]):
        article = posts.create_article(author, f"Article {n}", "Text.",
                                       category_id=filed[n % 3])
        posts.set_featured(admin, article, True)
        for fan in timeline[:n + 1]:
            likes.like(fan, article.id)
        comments.add(timeline[9], article.id, "Nice.")
    return timeline


def test_explore_side_lists_cost_a_query_each_when_cold_and_none_when_warm(
    app, client, side_lists, count_queries
):
    cold, page = statements_for(client, "/explore", count_queries)
    warm, again = statements_for(client, "/explore", count_queries)

    html = main_content(page)
    assert html.count('class="card mb-3 featured-article"') == 3
    assert html.count("likes and comments") == 5
    assert len(cold) == ANONYMOUS["/explore"] + SIDE_LISTS + CARDS, "\n".join(cold)
    assert len(warm) == ANONYMOUS["/explore"] + words_query(app), "\n".join(warm)
    assert main_content(again) == html


def test_a_like_recomputes_only_the_list_it_changes(app, client, side_lists, count_queries):
    client.get("/explore")
    first_article = db.session.scalar(sa.select(Post.id).where(Post.title == "Article 0"))
    likes.like(side_lists[9], first_article)

    after_like, _ = statements_for(client, "/explore", count_queries)
    posts.create_post(side_lists[1], "a new status")
    after_post, _ = statements_for(client, "/explore", count_queries)

    # Popular only, and the liked post's card, which shows a new count.
    assert len(after_like) == ANONYMOUS["/explore"] + 1 + CARDS
    # Posts feed every list, and the new post has no card yet.
    assert len(after_post) == ANONYMOUS["/explore"] + SIDE_LISTS + CARDS


@pytest.mark.parametrize(("url", "expected"), LOGGED_IN.items())
def test_an_older_page_reached_by_its_link_costs_what_the_first_page_does(
    app, client, timeline, count_queries, url, expected
):
    """The Older link's cursor starts the next page where the last one stopped."""
    client.login("author0")
    client.get("/explore")
    app.config["POSTS_PER_PAGE"] = 4
    first = client.get(url).get_data(as_text=True)
    older = re.search(r'href="([^"]*before=[^"]*)" rel="next"', first).group(1)
    older = older.replace("&amp;", "&")
    client.get(older)  # its cards rendered, as the first page's were

    statements, page = statements_for(client, older, count_queries)

    assert posts_shown(page) == 4
    assert len(statements) == expected + words_query(app), "\n".join(statements)
    # Where the page starts is a range of the index, not rows skipped one by one.
    assert any("(posts.published_at, posts.id) <" in s for s in statements), \
        "\n".join(statements)


def test_the_query_count_header_is_sent_only_when_asked(client, sibling_app, timeline):
    """bench/run.py reads X-Query-Count; an ordinary server neither counts nor sends it."""
    assert "X-Query-Count" not in client.get("/explore").headers
    counted = sibling_app(SQL_QUERY_COUNT_HEADER=True).test_client()
    counted.get("/explore")  # warm up its cache of the side lists, and its cards
    counted.get(f"/user/{PROFILE}")

    extra = words_query(counted.application)
    assert counted.get("/explore").headers["X-Query-Count"] == str(ANONYMOUS["/explore"] + extra)
    assert counted.get(f"/user/{PROFILE}").headers["X-Query-Count"] == str(
        ANONYMOUS[f"/user/{PROFILE}"] + extra)


@pytest.mark.parametrize("url", ["/index", "/explore", f"/user/{PROFILE}"])
def test_a_timeline_finds_its_page_by_ids_before_it_reads_whole_rows(
        client, timeline, count_queries, url):
    """The page's ids come from an index alone; only those 26 rows are read whole. (Sorting
    every post of 50 followed people, whole, took SQLite 84 ms at 100,000 posts; 1.5 ms so.)"""
    client.login("author0")
    statements, _ = statements_for(client, url, count_queries)
    page_query = next(s for s in statements if "AS author_name" in s)
    # The ids from posts alone: the authors' names are joined to the 26 rows, not to all.
    assert re.search(r"posts\.id IN \(SELECT posts\.id\s+FROM posts\s+WHERE", page_query), \
        page_query
