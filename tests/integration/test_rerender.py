"""Stored HTML follows today's rules: articles and comments rendered again from Markdown."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.comment import Comment
from microblog.models.post import Post
from microblog.services import comments, posts
from tests.pages import parse

TABLE = "| a | b |\n|---|---|\n| 1 | 2 |"
# What the renderer stored before tables had a class and comment images became links.
OLD_TABLE_HTML = "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n</table>\n"
OLD_COMMENT_HTML = '<p>!<a href="https://example.com/x.png" rel="nofollow noopener ugc">x</a></p>\n'


def test_an_article_with_an_allowed_host_keeps_its_image_and_others_become_links(
    app, client, make_user
):
    author = make_user("susan")
    app.config["MARKDOWN_IMAGE_HOSTS"] = ["pics.example.org"]
    article = posts.create_article(
        author, "Pictures",
        "![ok](https://pics.example.org/a.png) ![no](https://else.example/b.png)")

    page = parse(client.get(f"/post/{article.id}/{article.slug}"))
    body = page.find(cls="article-body")
    assert [img.attrs["src"] for img in body.find_all("img")] == [
        "https://pics.example.org/a.png"]
    assert body.find("a", href="https://else.example/b.png").text == "no"


def test_flask_markdown_rerender_brings_old_html_up_to_date(app, make_user):
    author = make_user("susan")
    article = posts.create_article(author, "Numbers", TABLE)
    status = posts.create_post(author, "just a status ![x](https://example.com/x.png)")
    comment = comments.add(author, article.id, "![x](https://example.com/x.png)")
    long_ago = article.updated_at - timedelta(days=1)
    db.session.execute(sa.update(Post).where(Post.id == article.id).values(
        body_html=OLD_TABLE_HTML, updated_at=long_ago))
    db.session.execute(sa.update(Comment).where(Comment.id == comment.id).values(
        body_html=OLD_COMMENT_HTML, updated_at=long_ago))
    status_html = status.body_html
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["markdown", "rerender"])

    assert result.exit_code == 0, result.output
    assert "1 articles and 1 comments changed" in result.output
    db.session.expire_all()
    article, comment = db.session.get(Post, article.id), db.session.get(Comment, comment.id)
    assert '<table class="table">' in article.body_html
    assert article.updated_at > long_ago  # a new key for every card that showed it
    assert "!" not in comment.body_html and comment.updated_at > long_ago
    assert db.session.get(Post, status.id).body_html == status_html

    again = app.test_cli_runner().invoke(args=["markdown", "rerender"])
    assert "0 articles and 0 comments changed" in again.output
