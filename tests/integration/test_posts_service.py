"""The posts service: statuses and articles, slugs, tags, drafts, editing, and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from microblog.errors import NotFound, PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.models.comment import Comment
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.models.tag import Tag, post_tags
from microblog.models.user import User
from microblog.services import categories, comments, posts, side_lists, tags, timelines
from microblog.services import likes as like_service

LONG_AGO = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def article(author, title="Hello, World", body="Some **words**.", **kwargs) -> Post:
    return posts.create_article(author, title, body, **kwargs)


def reload(post_id: int) -> Post | None:
    db.session.expire_all()
    return db.session.get(Post, post_id)


def tag_names(post: Post) -> list[str]:
    return [tag.name for tag in post.tags]


def post_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Post.id)))


# Writing an article ----------------------------------------------------------

def test_an_article_reports_every_problem_at_once_and_writes_nothing(make_user):
    susan = make_user("susan")
    with pytest.raises(ValidationError) as caught:
        posts.create_article(susan, "   ", "\r\n", category_id=999, tags="flask, c#")
    assert set(caught.value.errors) == {"title", "body", "category", "tags"}
    assert "“c#” is not a tag" in caught.value.errors["tags"]
    assert post_count() == 0


@pytest.mark.parametrize(("title", "body", "field"), [
    ("x" * 201, "fine", "title"),
    ("Fine", "x" * 50_001, "body"),
])
def test_an_article_over_a_limit_is_refused(make_user, title, body, field):
    with pytest.raises(ValidationError) as caught:
        article(make_user("susan"), title, body)
    assert set(caught.value.errors) == {field}
    assert "at most" in caught.value.errors[field]


def test_an_article_at_the_limits_is_saved_on_every_database(make_user):
    post = article(make_user("susan"), "x" * 200, "y" * 50_000)
    saved = reload(post.id)
    assert (len(saved.title), len(saved.body)) == (200, 50_000)
    assert len(saved.slug) <= 80 and len(saved.excerpt) <= 300


def test_an_article_is_stored_cleaned_rendered_and_excerpted(make_user):
    susan = make_user("susan")
    body = "# Start\r\n\r\nA **bold** claim. <script>alert(1)</script>\r\n\r\n" + "word " * 100
    post = article(susan, "  Hello, \n  World  ", body)
    saved = reload(post.id)
    assert saved.title == "Hello, World"
    assert saved.is_article and not saved.is_draft
    assert "\r" not in saved.body and saved.body.startswith("# Start\n\nA **bold** claim.")
    assert "<h2>Start</h2>" in saved.body_html  # the title is the page's h1
    assert "<strong>bold</strong>" in saved.body_html
    assert "<script" not in saved.body_html
    # Plain text, shown escaped: what was typed, never markup.
    assert saved.excerpt.startswith("Start A bold claim. <script>alert(1)</script> word word")
    assert len(saved.excerpt) <= 300 and saved.excerpt.endswith("…")


def test_an_article_is_filed_under_a_category(make_user):
    susan, ada = make_user("susan"), make_user("ada")
    ada.role = Role.ADMIN
    db.session.commit()
    web = categories.create(ada, "Web")
    post = article(susan, category_id=web.id)
    assert reload(post.id).category.name == "Web"
    assert [p.id for p in timelines.in_category(web, 1, 10).items] == [post.id]


# Slugs -----------------------------------------------------------------------

@pytest.mark.parametrize(("title", "slug"), [
    ("Hello, World", "hello-world"),
    ("Héllo, Wörld!", "hello-world"),
    ("Ça va? Très bien, naïve façade.", "ca-va-tres-bien-naive-facade"),
    ("  --Flask & SQLAlchemy 2.0: what's new?--  ", "flask-sqlalchemy-2-0-what-s-new"),
    ("edit", "edit-post"),
    ("Delete!", "delete-post"),
    ("Publish", "publish-post"),
    ("Editing", "editing"),
    ("", "post"),
    ("!!! ???", "post"),
    ("日本語のタイトル", "post"),
])
def test_slugify(title, slug):
    assert posts.slugify(title) == slug


def test_a_long_slug_is_cut_between_words():
    title = " ".join(f"word{n}" for n in range(40))
    slug = posts.slugify(title)
    assert len(slug) <= 80
    assert title.lower().replace(" ", "-").startswith(slug + "-")  # whole words only
    assert not slug.endswith("-")


def test_a_long_title_without_spaces_still_fits_the_slug_column():
    assert len(posts.slugify("a" * 200)) == 80


def test_an_article_keeps_its_slug_in_step_with_its_title(make_user):
    susan = make_user("susan")
    post = article(susan, "First title")
    assert post.slug == "first-title"
    posts.edit_post(susan, post, title="Edit", body=post.body)
    assert reload(post.id).slug == "edit-post"


# Statuses --------------------------------------------------------------------

def test_a_status_is_at_most_280_characters_with_line_breaks_counted_once(make_user):
    susan = make_user("susan")
    exact = "x" * 139 + "\r\n" + "y" * 140
    assert posts.create_post(susan, exact).body == "x" * 139 + "\n" + "y" * 140
    for bad in ("", " \r\n ", "x" * 281):
        with pytest.raises(ValidationError) as caught:
            posts.create_post(susan, bad)
        assert set(caught.value.errors) == {"post"}
    assert post_count() == 1


def test_a_status_is_escaped_and_linked_not_markdown(make_user):
    make_user("john")
    text = "**hi** <b>@john</b> see https://example.com #Flask"
    post = posts.create_post(make_user("susan"), text)
    assert "**hi** &lt;b&gt;" in post.body_html
    assert '<a href="/user/john" class="mention">@john</a>' in post.body_html
    assert 'href="https://example.com"' in post.body_html
    assert '<a href="/tag/flask" class="hashtag">#Flask</a>' in post.body_html
    assert post.title is None and not post.is_article


def test_a_status_files_its_hashtags_as_tags(make_user):
    susan = make_user("susan")
    post = posts.create_post(
        susan, "Learning #Flask and #python, #FLASK again. C# and page#top and #2024 are not "
               "tags; #" + "a" * 51 + " is too long.")
    assert tag_names(post) == ["flask", "python"]
    assert [p.id for p in timelines.tagged("Flask", 1, 10).items] == [post.id]

    posts.edit_post(susan, post, body="Only #python now")
    assert tag_names(reload(post.id)) == ["python"]
    assert timelines.tagged("flask", 1, 10).items == []
    assert db.session.scalar(sa.select(sa.func.count(Tag.id))) == 2  # tags outlive their posts


def test_nul_characters_are_dropped_so_every_database_stores_the_post(make_user):
    susan = make_user("susan")
    status = posts.create_post(susan, "a\x00b")
    entry = article(susan, "Ti\x00tle", "bo\x00dy")
    assert reload(status.id).body == "ab"
    assert (reload(entry.id).title, reload(entry.id).body) == ("Title", "body")


# Tags typed in the editor ----------------------------------------------------

@pytest.mark.parametrize(("typed", "names"), [
    ("Flask, #python web", ["flask", "python", "web"]),
    ("python,Python,#PYTHON,  python", ["python"]),
    ("python-3 snake_case café", ["python-3", "snake_case", "café"]),
    ("", []),
    (" , ,, # ", []),
    (", ".join(f"tag{n}" for n in range(10)), [f"tag{n}" for n in range(10)]),
])
def test_tags_are_read_from_what_the_author_typed(typed, names):
    assert tags.parse(typed) == names


@pytest.mark.parametrize("typed", [
    "c#", "hello!", "2024", "-", "_", "a.b", "<b>", "x" * 51,
    ", ".join(f"tag{n}" for n in range(11)),
])
def test_bad_tags_are_refused(typed):
    with pytest.raises(ValidationError) as caught:
        tags.parse(typed)
    assert set(caught.value.errors) == {"tags"}


def test_an_articles_tags_are_shared_rows_listed_by_name(make_user):
    susan = make_user("susan")
    first = article(susan, tags="web, Flask")
    second = article(susan, tags="flask")
    assert tag_names(first) == ["flask", "web"]
    assert db.session.scalar(sa.select(sa.func.count(Tag.id))) == 2
    assert [p.id for p in timelines.tagged("flask", 1, 10).items] == [second.id, first.id]


# Drafts and publishing -------------------------------------------------------

def test_a_draft_is_seen_by_its_author_alone(make_user):
    susan, john = make_user("susan"), make_user("john")
    john.role = Role.ADMIN
    db.session.commit()
    draft = article(susan, tags="secret", publish=False)
    assert draft.is_draft and draft.published_at is None
    assert posts.get_post(draft.id, susan) is draft
    for stranger in (john, None, AnonymousUserMixin()):
        with pytest.raises(NotFound):
            posts.get_post(draft.id, stranger)
    with pytest.raises(NotFound):
        posts.get_published(draft.id)
    assert [p.id for p in timelines.drafts_of(susan, 1, 10).items] == [draft.id]
    assert timelines.drafts_of(john, 1, 10).items == []
    for page in (timelines.explore(1, 10), timelines.posts_by(susan, 1, 10),
                 timelines.home_timeline(susan, 1, 10), timelines.tagged("secret", 1, 10)):
        assert page.items == []
    assert side_lists.recent_articles() == []


def test_publishing_dates_a_draft_once(make_user):
    susan = make_user("susan")
    draft = article(susan, publish=False)
    assert side_lists.recent_articles() == []  # cached now: publishing must refresh it
    posts.publish(susan, draft)
    assert draft.published_at is not None
    draft.published_at = LONG_AGO
    db.session.commit()

    posts.publish(susan, draft)
    posts.edit_post(susan, draft, title="New title", body="New body")
    saved = reload(draft.id)
    assert saved.published_at == LONG_AGO
    assert [p.id for p in timelines.explore(1, 10).items] == [draft.id]
    assert [link.title for link in side_lists.recent_articles()] == ["New title"]
    assert timelines.drafts_of(susan, 1, 10).items == []


def test_only_a_published_post_that_changes_is_marked_edited(make_user):
    susan = make_user("susan")
    draft = article(susan, publish=False)
    posts.edit_post(susan, draft, title="Still a draft", body="More words")
    assert reload(draft.id).edited_at is None
    posts.publish(susan, draft)
    assert reload(draft.id).edited_at is None

    status = posts.create_post(susan, "hello")
    posts.edit_post(susan, status, body="hello")  # saved unchanged
    posts.edit_post(susan, draft, title="Still a draft", body="More words")
    assert reload(status.id).edited_at is None and reload(draft.id).edited_at is None

    posts.edit_post(susan, status, body="hello, world")
    posts.edit_post(susan, draft, title="Still a draft", body="More words", tags="new")
    assert reload(status.id).edited_at is not None
    assert reload(draft.id).edited_at is not None


def test_a_post_keeps_its_shape_when_edited(make_user):
    susan = make_user("susan")
    status = posts.create_post(susan, "a status")
    posts.edit_post(susan, status, body="still a status", title="A title?")
    assert reload(status.id).title is None
    with pytest.raises(ValidationError) as caught:
        posts.edit_post(susan, status, body="x" * 281)
    assert set(caught.value.errors) == {"post"}

    entry = article(susan, "An article", "words")
    with pytest.raises(ValidationError) as caught:
        posts.edit_post(susan, entry, title="", body="")
    assert set(caught.value.errors) == {"title", "body"}
    saved = reload(entry.id)
    assert (saved.title, saved.body) == ("An article", "words")
    posts.edit_post(susan, entry, title="An article", body="x" * 1000)
    assert reload(entry.id).is_article


def test_an_edit_with_a_bad_tag_changes_nothing(make_user):
    susan = make_user("susan")
    entry = article(susan, "Title", "Body", tags="flask")
    with pytest.raises(ValidationError):
        posts.edit_post(susan, entry, title="Other", body="Other", tags="c#")
    saved = reload(entry.id)
    assert (saved.title, saved.body, tag_names(saved), saved.edited_at) == (
        "Title", "Body", ["flask"], None)


# Who may do what -------------------------------------------------------------

@pytest.fixture
def cast(make_user):
    """The author's published article and draft, and everyone who might touch them."""
    susan = make_user("susan")
    moe, ada = make_user("moe"), make_user("ada")
    moe.role, ada.role = Role.MODERATOR, Role.ADMIN
    db.session.commit()
    people = {
        "author": susan,
        "other user": make_user("john"),
        "moderator": moe,
        "admin": ada,
        "anonymous": AnonymousUserMixin(),
    }
    published = article(susan, "Published")
    draft = article(susan, "Draft", publish=False)
    return people, published, draft


def _edit(actor, published, draft):
    posts.edit_post(actor, published, title="Rewritten", body="New words")
    return reload(published.id).title == "Rewritten"


def _delete(actor, published, draft):
    posts.delete_post(actor, published)
    return reload(published.id) is None


def _feature(actor, published, draft):
    posts.set_featured(actor, published, True)
    return reload(published.id).featured


def _publish(actor, published, draft):
    posts.publish(actor, draft)
    return not reload(draft.id).is_draft


ACTIONS = {"edit": _edit, "delete": _delete, "feature": _feature, "publish": _publish}
# Who may: author, other user, moderator, admin, anonymous, the author with an unconfirmed email.
MATRIX = {
    "edit": (True, False, False, False, False, False),
    "delete": (True, False, True, True, False, True),
    "feature": (False, False, False, True, False, False),
    "publish": (True, False, False, False, False, False),
}
ACTORS = ("author", "other user", "moderator", "admin", "anonymous", "unconfirmed author")


@pytest.mark.parametrize(("action", "actor", "allowed"), [
    (action, actor, allowed)
    for action, row in MATRIX.items() for actor, allowed in zip(ACTORS, row, strict=True)
])
def test_who_may_edit_delete_feature_and_publish(cast, action, actor, allowed):
    people, published, draft = cast
    if actor == "unconfirmed author":
        people["author"].email_confirmed_at = None
        db.session.commit()
        person = people["author"]
    else:
        person = people[actor]
    predicate = {"edit": posts.may_edit, "delete": posts.may_delete,
                 "feature": posts.may_feature, "publish": posts.may_edit}[action]
    assert bool(predicate(person, draft if action == "publish" else published)) == allowed

    if allowed:
        assert ACTIONS[action](person, published, draft)
        return
    with pytest.raises(PermissionDenied) as caught:
        ACTIONS[action](person, published, draft)
    if actor == "unconfirmed author" and action in ("edit", "publish"):
        assert caught.value.message == "Please confirm your email address first."
    unchanged_published, unchanged_draft = reload(published.id), reload(draft.id)
    assert unchanged_published.title == "Published" and not unchanged_published.featured
    assert unchanged_draft.is_draft


def test_only_published_articles_are_featured(make_user):
    ada = make_user("ada")
    ada.role = Role.ADMIN
    db.session.commit()
    status = posts.create_post(ada, "a status")
    draft = article(ada, "Draft", publish=False)
    for post in (status, draft):
        with pytest.raises(ValidationError):
            posts.set_featured(ada, post, True)
        assert not reload(post.id).featured

    entry = article(ada, "Worth reading")
    assert side_lists.featured() == []  # cached now: featuring must refresh it
    posts.set_featured(ada, entry, True)
    assert [card.title for card in side_lists.featured()] == ["Worth reading"]
    posts.set_featured(ada, entry, False)
    assert side_lists.featured() == []


# Deleting --------------------------------------------------------------------

def test_deleting_a_post_takes_its_comments_likes_and_tag_links_with_it(make_user):
    susan, john, amy = make_user("susan"), make_user("john"), make_user("amy")
    doomed = article(susan, "Doomed", tags="flask, web")
    kept = article(susan, "Kept", tags="flask")
    for post in (doomed, kept):
        comments.add(john, post.id, "Nice")
        comments.add(amy, post.id, "Agreed")
        like_service.like(john, post.id)
        like_service.like(amy, post.id)
    assert {link.id for link in side_lists.popular()} == {kept.id, doomed.id}

    posts.delete_post(susan, doomed)

    db.session.expire_all()
    assert reload(doomed.id) is None
    assert db.session.scalars(sa.select(Comment.post_id).distinct()).all() == [kept.id]
    assert db.session.scalars(sa.select(likes.c.post_id).distinct()).all() == [kept.id]
    assert db.session.scalars(sa.select(post_tags.c.post_id).distinct()).all() == [kept.id]
    assert sorted(db.session.scalars(sa.select(Tag.name))) == ["flask", "web"]
    assert [link.id for link in side_lists.popular()] == [kept.id]
    assert reload(kept.id).comment_count == 2 and reload(kept.id).like_count == 2
    with pytest.raises(NotFound):
        posts.get_post(doomed.id, susan)


def test_each_author_keeps_a_count_of_their_published_posts(make_user):
    """``users.post_count`` (the API's) follows publishing, drafts and deletion."""
    susan, moderator = make_user("susan"), make_user("moderator", role=Role.MODERATOR)

    def stored() -> int:
        return db.session.scalar(sa.select(User.post_count).where(User.id == susan.id))

    status = posts.create_post(susan, "First!")
    draft = article(susan, title="Later", publish=False)
    article(susan, title="Now")
    assert stored() == 2  # the draft is not counted
    posts.publish(susan, draft)
    assert stored() == 3
    posts.delete_post(susan, status)
    posts.delete_post(moderator, draft)
    assert stored() == 1
    posts.delete_post(susan, article(susan, title="Unsent", publish=False))
    assert stored() == 1
