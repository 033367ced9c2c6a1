"""The flask commands: db upgrade, seed (demo and bulk), shell."""

import sqlalchemy as sa

from microblog import create_app
from microblog.extensions import db
from microblog.models.follow import followers
from microblog.models.post import Post
from microblog.models.user import User
from microblog.seed import DEMO_PASSWORD, DEMO_USERNAME
from microblog.services import accounts
from tests.pages import parse


def count(table) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(table))


def test_seed_loads_the_demo_once_and_prints_the_login(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"Log in as {DEMO_USERNAME} / {DEMO_PASSWORD}" in result.output
    users, posts = count(User), count(Post)
    assert users >= 5 and posts >= 10 and count(followers) > 0
    assert accounts.authenticate(DEMO_USERNAME, DEMO_PASSWORD) is not None

    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0
    assert "already has users" in again.output
    assert (count(User), count(Post)) == (users, posts)


def article(title: str) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.title == title))


def test_the_demo_shows_articles_categories_comments_likes_and_a_draft(app, client):
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    indexes = article("Indexes that match your pages")

    page = parse(client.get(f"/post/{indexes.id}/{indexes.slug}"))
    body = page.find(cls="article-body")
    assert body.find("pre").find("code", cls="language-sql").text.startswith("CREATE INDEX")
    assert len(list(body.find("ol").find_all("li"))) == 3
    assert page.find("a", cls="category").text == "Databases"
    assert [a.text for a in page.find(cls="tags").find_all("a")] == ["#indexes", "#sql"]
    assert page.find(id="comments-heading").text == "3 comments"
    assert len(list(page.find_all("article", cls="comment"))) == 3
    assert page.find(cls="like-count-static").text.endswith("4 likes")

    featured = article("Why my routes got shorter")
    assert "Featured" in parse(client.get(f"/post/{featured.id}/{featured.slug}")).find(
        "header").text
    category = parse(client.get("/category/flask")).find("main")
    assert {"Blueprints in five minutes", "Why my routes got shorter"} <= {
        title.text for title in category.find_all(cls="post-title")}
    tagged = parse(client.get("/tag/flask")).find("main")
    assert len(list(tagged.find_all("article", cls="post"))) >= 3  # statuses and articles

    draft = article("Caching, a first draft")
    assert draft.is_draft
    assert client.get(f"/post/{draft.id}/{draft.slug}").status_code == 404
    client.login(DEMO_USERNAME, DEMO_PASSWORD)
    drafts = parse(client.get("/drafts")).find("main")
    assert [title.text for title in drafts.find_all(cls="post-title")] == [draft.title]


def test_bulk_seed_creates_skewed_follows_and_posts(app):
    result = app.test_cli_runner().invoke(
        args=["seed", "--users", "200", "--posts", "3000", "--follows", "10"]
    )
    assert result.exit_code == 0, result.output
    assert "Added 200 users" in result.output
    assert count(User) == 200
    assert count(Post) == 3000
    assert count(followers) == 200 * 10  # ten distinct accounts each, never themselves
    per_user = db.session.execute(
        sa.select(followers.c.followed_id, sa.func.count())
        .group_by(followers.c.followed_id)
        .order_by(sa.func.count().desc())
    ).all()
    most, median = per_user[0][1], per_user[len(per_user) // 2][1]
    assert most > 10 * median  # a few popular accounts, as in real networks
    # Each account's stored follow counts are the rows' (a profile shows them).
    stored = dict(db.session.execute(sa.select(User.id, User.follower_count)).all())
    assert {user_id: n for user_id, n in per_user} == {
        user_id: n for user_id, n in stored.items() if n}
    assert db.session.scalar(sa.select(sa.func.min(User.following_count))) == 10
    # Bulk accounts can log in with the documented password.
    assert accounts.authenticate("user1", "password") is not None


def test_bulk_posts_need_users(app):
    result = app.test_cli_runner().invoke(args=["seed", "--posts", "10"])
    assert result.exit_code == 1
    assert "no users to write the posts" in result.output
    assert count(Post) == 0


def test_db_upgrade_builds_an_empty_database(tmp_path):
    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/new.db"})
    result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert {"users", "posts", "followers", "alembic_version"} <= set(
            sa.inspect(db.engine).get_table_names()
        )
        db.engine.dispose()


def test_shell_has_the_usual_names(app):
    context = app.make_shell_context()
    assert {"db", "sa", "so", "User", "Post"} <= context.keys()
    assert context["User"] is User


def test_the_demo_account_has_a_conversation_and_notifications_waiting(app, client):
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    client.login(DEMO_USERNAME, DEMO_PASSWORD)

    nav = parse(client.get("/explore")).find("nav")
    badges = {b.attrs["data-unread"]: int(b.find(cls="count").text)
              for b in nav.find_all("span", cls="badge") if "data-unread" in b.attrs}
    assert badges["messages"] == 1 and badges["notifications"] > 0
    [conversation] = parse(client.get("/messages")).find_all(cls="conversation")
    assert conversation.find(cls="username").text == "susan"
    assert parse(client.get("/notifications")).find(cls="notification")
