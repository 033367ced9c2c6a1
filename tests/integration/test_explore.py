"""Explore: featured articles on top, everyone's posts, and beside them the recent
articles, this week's popular posts and the categories with their post counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from microblog.extensions import db, fragments
from microblog.models.base import utcnow
from microblog.models.comment import Comment
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.services import categories, comments, posts
from microblog.services import likes as like_service
from tests.pages import Element, parse


def explore(client, url: str = "/explore") -> Element:
    response = client.get(url)
    assert response.status_code == 200
    return parse(response)


def aged(post, minutes_ago: int):
    """Date ``post`` a known time ago, so the order on the page is known."""
    post.published_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return post


def featured_titles(page: Element) -> list[str]:
    section = next(page.find_all("section", cls="featured"), None)
    if section is None:
        return []
    return [article.find("h3").text for article in section.find_all("article")]


def side_list(page: Element, cls: str) -> list[str]:
    return [item.find("a").text for item in page.find("section", cls=cls).find_all("li")
            if next(item.find_all("a"), None)]


def popular(page: Element) -> list[tuple[str, str]]:
    return [(item.find("a").text, item.find("span", cls="score").text)
            for item in page.find("section", cls="popular-posts").find_all("li")
            if next(item.find_all("a"), None)]


def category_counts(page: Element) -> dict[str, int]:
    return {item.find("a").text: int(item.find("span", cls="post-count").text)
            for item in page.find("section", cls="category-counts").find_all("li")
            if next(item.find_all("a"), None)}


# Featured ------------------------------------------------------------------------------------

def test_featured_articles_come_first_newest_first_at_most_three(client, make_user, admin):
    ann = make_user("ann")
    made = [aged(posts.create_article(ann, f"Article {n}", f"Words of {n}."), 60 - n)
            for n in range(5)]
    for post in made:
        posts.set_featured(admin, post, True)
    posts.set_featured(admin, made[4], False)
    aged(posts.create_post(ann, "a newer status"), 1)

    page = explore(client)

    assert featured_titles(page) == ["Article 3", "Article 2", "Article 1"]
    card = page.find("article", cls="featured-article")
    assert card.find("a", href=f"/post/{made[3].id}/article-3")
    assert "Words of 3." in card.text
    assert "ann" in card.text
    # Featured sits above the stream of everyone's posts, which still has them all.
    html = client.get("/explore").get_data(as_text=True)
    assert html.index('class="featured') < html.index('class="posts"')
    assert "a newer status" in page.find("section", cls="posts").text


def test_featured_articles_show_their_category_and_only_on_the_first_page(
    app, client, make_user, admin
):
    ann = make_user("ann")
    flask = categories.create(admin, "Flask")
    star = posts.create_article(ann, "Star", "Text.", category_id=flask.id)
    posts.set_featured(admin, star, True)
    for n in range(3):
        posts.create_post(ann, f"status {n}")
    app.config["POSTS_PER_PAGE"] = 2

    first = explore(client)
    card = first.find("article", cls="featured-article")
    assert card.find("a", cls="category", href="/category/flask").text == "Flask"
    assert featured_titles(explore(client, "/explore?page=2")) == []


def test_a_featured_article_is_shown_once_on_explore_on_every_page(
    app, client, make_user, admin
):
    ann = make_user("ann")
    star = posts.create_article(ann, "Star", "Text.")
    posts.set_featured(admin, star, True)
    other = posts.create_article(ann, "Other", "Text.")
    aged(other, 5)
    for n in range(3):
        aged(posts.create_post(ann, f"status {n}"), 10 + n)
    app.config["POSTS_PER_PAGE"] = 2

    pages = [explore(client), explore(client, "/explore?page=2")]

    assert featured_titles(pages[0]) == ["Star"]  # in page 1's featured box, nowhere else
    assert side_list(pages[0], "recent-articles") == side_list(pages[1], "recent-articles") \
        == ["Other"]
    listed = [a.attrs["id"] for page in pages
              for a in page.find("section", cls="posts").find_all("article")]
    assert listed == [f"post-{other.id}"] + [
        f"post-{p.id}" for p in db.session.scalars(
            sa.select(Post).where(Post.title.is_(None)).order_by(Post.published_at.desc()))]


def test_without_featured_articles_there_is_no_featured_section(client, make_user):
    posts.create_article(make_user("ann"), "Plain", "Text.")
    assert featured_titles(explore(client)) == []


# Recent articles -----------------------------------------------------------------------------

def test_recent_articles_are_the_five_newest_published_articles(client, make_user):
    ann = make_user("ann")
    for n in range(7):
        aged(posts.create_article(ann, f"Article {n}", "Text."), 100 - n)
    aged(posts.create_post(ann, "a status is not an article"), 1)
    posts.create_article(ann, "A draft", "Text.", publish=False)

    page = explore(client)

    assert side_list(page, "recent-articles") == [f"Article {n}" for n in (6, 5, 4, 3, 2)]
    assert "by ann" in page.find("section", cls="recent-articles").text


# Popular -------------------------------------------------------------------------------------

def test_popular_ranks_posts_by_likes_and_comments_of_the_last_seven_days(client, make_user):
    ann, bob, cat, dan = (make_user(name) for name in ("ann", "bob", "cat", "dan"))
    quiet = posts.create_post(ann, "nobody noticed")
    liked = posts.create_post(ann, "liked twice")
    busy = posts.create_article(bob, "Much discussed", "Text.")
    old_news = posts.create_post(bob, "liked long ago")
    for fan in (bob, cat):
        like_service.like(fan, liked.id)
    like_service.like(cat, busy.id)
    comments.add(cat, busy.id, "First!")
    comments.add(dan, busy.id, "Indeed.")
    for fan in (ann, cat, dan):
        like_service.like(fan, old_news.id)
    # Those likes were eight days ago: outside the week.
    db.session.execute(sa.update(likes).where(likes.c.post_id == old_news.id)
                       .values(created_at=utcnow() - timedelta(days=8)))
    db.session.commit()

    page = explore(client)

    assert popular(page) == [("Much discussed", "3 likes and comments"),
                             ("liked twice", "2 likes and comments")]
    assert quiet.body not in page.find("section", cls="popular-posts").text


def test_comments_older_than_a_week_no_longer_count(client, make_user):
    ann, bob = make_user("ann"), make_user("bob")
    post = posts.create_post(ann, "yesterday's talk")
    comments.add(bob, post.id, "old remark")
    db.session.execute(sa.update(Comment).values(created_at=utcnow() - timedelta(days=8)))
    db.session.commit()

    page = explore(client)

    assert popular(page) == []
    assert "Nothing liked or discussed this week yet." in page.find(
        "section", cls="popular-posts").text


def test_a_popular_post_with_one_like_says_so_in_the_singular(client, make_user):
    post = posts.create_post(make_user("ann"), "one fan")
    like_service.like(make_user("bob"), post.id)

    assert popular(explore(client)) == [("one fan", "1 like or comment")]


# Categories ----------------------------------------------------------------------------------

def test_categories_are_listed_by_name_with_their_published_posts(client, make_user, admin):
    ann = make_user("ann")
    python = categories.create(admin, "Python")
    flask = categories.create(admin, "Flask")
    categories.create(admin, "Empty")
    for title in ("One", "Two"):
        posts.create_article(ann, title, "Text.", category_id=flask.id)
    posts.create_article(ann, "Three", "Text.", category_id=python.id)
    posts.create_article(ann, "Draft", "Text.", category_id=python.id, publish=False)

    page = explore(client)

    assert category_counts(page) == {"Empty": 0, "Flask": 2, "Python": 1}
    assert list(category_counts(page)) == ["Empty", "Flask", "Python"]
    section = page.find("section", cls="category-counts")
    assert section.find("a", href="/category/flask").text == "Flask"


def test_an_empty_site_shows_every_list_empty_with_a_word_why(client):
    page = explore(client)

    assert "No posts yet." in page.find("section", cls="posts").text
    assert "No articles yet." in page.find("section", cls="recent-articles").text
    assert "No categories yet." in page.find("section", cls="category-counts").text
    assert page.find("a", href="/feed.atom")


# Rendered once for everyone ------------------------------------------------------------------

def side_lists_kept(app) -> int:
    return sum(1 for key in app.extensions["cache"][fragments]
               if key[0] in ("featured", "side_lists"))


@pytest.mark.render_cache
def test_the_featured_and_side_lists_are_rendered_once_for_every_visitor_until_they_change(
    app, client, make_user, admin
):
    ann, bob = make_user("ann"), make_user("bob")
    posts.create_article(ann, "Plain", "Text.")
    posts.set_featured(admin, posts.create_article(ann, "First", "Text."), True)

    client.login("ann")
    anns = explore(client)
    other = app.test_client()
    other.login("bob")
    bobs = explore(other)
    assert side_lists_kept(app) == 2  # for ann; bob got hers
    assert side_list(bobs, "recent-articles") == side_list(anns, "recent-articles") == ["Plain"]
    assert featured_titles(bobs) == ["First"]

    posts.create_article(bob, "Second", "Text.")
    page = explore(other)

    assert side_lists_kept(app) == 3  # a new version of what it shows
    assert side_list(page, "recent-articles") == ["Second", "Plain"]


def test_when_every_article_is_featured_the_recent_list_says_there_is_no_other(
    client, make_user, admin
):
    posts.set_featured(admin, posts.create_article(make_user("ann"), "Star", "Text."), True)
    page = explore(client)

    assert featured_titles(page) == ["Star"]
    assert "No other articles yet." in page.find("section", cls="recent-articles").text
