"""Posts: the rules for writing, editing, publishing, featuring and deleting them,
and for who may see a draft.

A post is a status (up to 280 characters, plain text with links, @mentions and
#tags) or, when it has a title, an article (Markdown up to 50,000 characters,
with a category and tags, which may be saved as a draft first). Both are
rendered to HTML here, when saved, through :mod:`microblog.markdown`. Reading
pages of posts is :mod:`microblog.services.timelines`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import _

from microblog.caching import ENGAGEMENT, POSTS
from microblog.errors import NotFound, PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.language_detection import detect as detect_language
from microblog.markdown import excerpt, render_article, render_status
from microblog.markdown import tags as status_tags
from microblog.models.base import utcnow
from microblog.models.category import Category
from microblog.models.post import (
    ARTICLE_MAX_LENGTH,
    EXCERPT_LENGTH,
    SLUG_MAX_LENGTH,
    STATUS_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Post,
)
from microblog.models.role import Permission
from microblog.models.tag import TAG_MAX_LENGTH
from microblog.models.user import User
from microblog.services import counts, notifications
from microblog.services import tags as tag_service
from microblog.services.loading import one_for_viewer
from microblog.services.permissions import can, is_member, require
from microblog.services.text import clean_text, required_text
from microblog.services.transactions import after_commit, commit

# Reading one post ------------------------------------------------------------

def get_post(post_id: int, viewer: User | None = None) -> Post:
    """The post, if ``viewer`` may see it: a draft exists only for its author.

    Anyone else gets NotFound, not PermissionDenied, so guessing URLs cannot
    even tell that a draft is there. Everything its page shows comes in the same
    query: the author, the category, the tags (a few per post, repeating the row a
    few times: cheaper than a second round trip), and whether ``viewer`` liked it.
    """
    post = one_for_viewer("post", lambda: sa.select(Post).where(
        Post.id == sa.bindparam("post_id")).options(
        so.joinedload(Post.author), so.joinedload(Post.category), so.joinedload(Post.tags),
    ), viewer, post_id=post_id)
    if post is None or (post.is_draft and not _is_author(viewer, post)):
        raise NotFound(_("There is no such post."))
    return post


def get_for_live_reader(post_id: int, reader: User | None) -> Post:
    """A published post whose page ``reader`` may follow live (its Socket.IO room: new
    comments as they come). Never a draft's, which takes no comments, not even for its
    author; never for a reader the author blocked, who is not to hear of each new
    comment on the author's posts. NotFound otherwise, saying no more."""
    from microblog.services import blocks

    post = get_published(post_id)
    if is_member(reader) and blocks.is_blocked(post.author, reader):
        raise NotFound(_("That post does not exist, or is not published."))
    return post


def get_published(post_id: int) -> Post:
    """A published post, for commenting and liking; drafts and deleted posts are refused."""
    post = db.session.get(Post, post_id)
    if post is None or post.is_draft:
        raise NotFound(_("That post does not exist, or is not published."))
    return post


def _is_author(user: User | None, post: Post) -> bool:
    return getattr(user, "is_authenticated", False) and user.id == post.user_id


def may_edit(user: User | None, post: Post) -> bool:
    """Only the author edits: a moderator may remove words, never put new ones in a mouth."""
    return _is_author(user, post) and can(user, Permission.WRITE)


def may_delete(user: User | None, post: Post) -> bool:
    return _is_author(user, post) or can(user, Permission.MODERATE)


def may_feature(user: User | None, post: Post) -> bool:
    return post.is_article and not post.is_draft and can(user, Permission.ADMIN)


# Writing ---------------------------------------------------------------------

def _just_posted(author: User, body: str) -> Post | None:
    """The author's status with this very ``body`` from the last few seconds, if any.

    Two clicks can reach two workers in the same instant, and each would look, find
    nothing and publish. So the look starts with a write that changes nothing, to the
    author's row: it takes that row's lock (PostgreSQL) or the database's write lock
    (SQLite) until this transaction ends, and the second request waits for the first
    one's commit and then finds its post.
    """
    db.session.execute(sa.update(User).where(User.id == author.id).values(id=User.id))
    return db.session.scalar(sa.select(Post).where(
        Post.user_id == author.id, Post.published_at >= utcnow() - REPEAT_WINDOW,
        Post.title.is_(None), Post.body == body,
    ).limit(1))


def _status_body(body: str | None) -> str:
    return required_text(
        body, field="post", max_length=STATUS_MAX_LENGTH, empty=_("Say something first."),
        too_long=_("Posts are at most %(max)d characters.", max=STATUS_MAX_LENGTH),
    )


def _article_fields(title: str | None, body: str | None,
                    category_id: int | None) -> tuple[str, str, Category | None]:
    """Check an article's title, body and category together, reporting every problem."""
    title, body = " ".join(clean_text(title).split()), clean_text(body)
    errors = []
    if not title:
        errors.append(ValidationError(_("Give your article a title."), field="title"))
    elif len(title) > TITLE_MAX_LENGTH:
        errors.append(ValidationError(
            _("Titles are at most %(max)d characters.", max=TITLE_MAX_LENGTH), field="title"))
    if not body:
        errors.append(ValidationError(_("Write something first."), field="body"))
    elif len(body) > ARTICLE_MAX_LENGTH:
        errors.append(ValidationError(
            _("Articles are at most %(max)d characters.", max=ARTICLE_MAX_LENGTH), field="body"))
    category = None
    if category_id:
        category = db.session.get(Category, category_id)
        if category is None:
            errors.append(ValidationError(_("Choose a category from the list."),
                                          field="category"))
    if errors:
        raise ValidationError.combine(errors)
    return title, body, category


# The actions at /post/<id>/<action>: a slug must never spell one.
RESERVED_SLUGS = {"edit", "delete", "publish", "feature", "unfeature", "like", "unlike",
                  "comment", "translate"}


def slugify(title: str) -> str:
    """``"Héllo, Wörld!"`` → ``"hello-world"``: the title as a readable URL piece.

    Only the id finds a post, so slugs need not be unique; a title with no
    letters or digits at all gets ``"post"``.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > SLUG_MAX_LENGTH:
        cut = slug[:SLUG_MAX_LENGTH + 1]
        # Between words when there is a break to cut at; one long word is cut where it must be.
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:SLUG_MAX_LENGTH]
    if slug in RESERVED_SLUGS:  # /post/7/edit must stay the editor
        slug = f"{slug}-post"
    return slug or "post"


def _file_status_tags(post: Post) -> None:
    post.tags = tag_service.find_or_create(
        [name for name in sorted(status_tags(post.body)) if len(name) <= TAG_MAX_LENGTH]
    )


# A second, identical status this soon after the first is a double click, not a new post.
REPEAT_WINDOW = timedelta(seconds=10)


def create_post(author: User, body: str) -> Post:
    """Publish the status ``body`` as ``author``, who needs WRITE (a confirmed email).

    The same text again within :data:`REPEAT_WINDOW` (a double click, a form sent twice)
    publishes nothing more: the post already made is returned, so the author sees it
    published once.
    """
    require(author, Permission.WRITE)
    body = _status_body(body)
    repeated = _just_posted(author, body)
    if repeated is not None:
        return repeated
    post = Post(body=body, body_html=render_status(body), published_at=utcnow())
    post.language = detect_language(post.body_html)
    _file_status_tags(post)
    post.author = author
    db.session.add(post)
    _first_published(post)
    commit(changes=[POSTS])
    return post


def create_article(author: User, title: str, body: str, *, category_id: int | None = None,
                   tags: str = "", publish: bool = True) -> Post:
    """Write an article, published now or kept as a draft for its author alone."""
    require(author, Permission.WRITE)
    post = Post()
    _fill_article(post, title, body, category_id, tags)
    post.author = author
    if publish:
        post.published_at = utcnow()
    db.session.add(post)
    if publish:
        _first_published(post)
    commit(changes=[POSTS] if publish else [])
    return post


def _first_published(post: Post) -> None:
    """What a post's first publication sets off, in its transaction: the mentions are
    told, the author's ``post_count`` is recounted, and once it has committed its
    readers' open timelines hear of it (:mod:`microblog.realtime`)."""
    from microblog.realtime import publish as announce

    _notify_mentions(post)  # flushes: the post has its id
    counts.recount_posts([post.user_id])
    post_id, author_id = post.id, post.user_id
    after_commit(lambda: announce("post_published", post_id=post_id, author_id=author_id))


def _notify_mentions(post: Post) -> None:
    """Tell the people a post names (@susan) that it does, when it is first published:
    an edit does not tell them again, a draft not until it is public."""
    db.session.flush()
    notifications.notify_mentions(
        post.body, actor=post.author, group_key=f"mention:post:{post.id}",
        payload={"actor": post.author.username, "post_id": post.id, "title": post.headline,
                 "excerpt": excerpt(post.body_html, 140)})


def _fill_article(post: Post, title, body, category_id, tags) -> None:
    errors = []
    try:
        title, body, category = _article_fields(title, body, category_id)
    except ValidationError as error:
        errors.append(error)
    try:
        tag_names = tag_service.parse(tags)
    except ValidationError as error:
        errors.append(error)
    if errors:
        raise ValidationError.combine(errors)
    html = render_article(body, image_hosts())
    post.title, post.slug, post.body, post.body_html = title, slugify(title), body, html
    post.excerpt = excerpt(html, EXCERPT_LENGTH)
    post.language = detect_language(title, html)
    with db.session.no_autoflush:  # a new post joins the session once it is complete
        post.tags = tag_service.find_or_create(tag_names)
    post.category = category


def edit_post(editor: User, post: Post, *, body: str, title: str | None = None,
              category_id: int | None = None, tags: str = "") -> Post:
    """Change a post's words (and, for an article, its title, category and tags).

    A published post that changes is marked edited, so readers know the words
    they are reading are not the ones first published; saving it unchanged
    marks nothing. A post keeps its shape: a status stays a status, an article
    an article.
    """
    require_may_edit(editor, post)
    before = _content(post)
    if post.is_article:
        _fill_article(post, title, body, category_id, tags)
    else:
        post.body = _status_body(body)
        post.body_html = render_status(post.body)
        post.language = detect_language(post.body_html)
        _file_status_tags(post)
    changed = _content(post) != before
    if changed and not post.is_draft:
        post.edited_at = utcnow()
    commit(changes=[POSTS] if changed and not post.is_draft else [])
    return post


def _content(post: Post) -> tuple:
    """What readers see of a post, to tell an edit from a save with no change."""
    return post.title, post.body, post.category, [tag.name for tag in post.tags]


def require_may_edit(editor: User | None, post: Post) -> None:
    """PermissionDenied unless ``editor`` may change ``post``, saying why."""
    if not may_edit(editor, post):
        require(editor, Permission.WRITE)  # "confirm your email first", when that is why
        raise PermissionDenied(_("Only the author may do that."))


def publish(editor: User, post: Post) -> Post:
    """Make a draft public, dated now. Publishing twice changes nothing."""
    require_may_edit(editor, post)
    if post.is_draft:
        post.published_at = utcnow()
        _first_published(post)
        commit(changes=[POSTS])
    return post


def set_featured(admin: User, post: Post, featured: bool) -> Post:
    """Pin a published article to the top of Explore (admins only)."""
    require(admin, Permission.ADMIN)
    if featured and not may_feature(admin, post):
        raise ValidationError(_("Only published articles can be featured."))
    post.featured = featured
    commit(changes=[POSTS])
    return post


def delete_post(user: User, post: Post) -> None:
    """Delete for good, with its comments, likes and tags (the database cascades)."""
    if not may_delete(user, post):
        require(user, Permission.MODERATE)
    was_public, author_id = not post.is_draft, post.user_id
    db.session.delete(post)
    if was_public:
        db.session.flush()
        counts.recount_posts([author_id])
    commit(changes=[POSTS, ENGAGEMENT] if was_public else [])


def preview(body: str | None) -> str:
    """The article HTML ``body`` would be saved as: same renderer, same sanitiser."""
    return render_article(clean_text(body)[:ARTICLE_MAX_LENGTH], image_hosts())


def image_hosts() -> list[str]:
    """The hosts whose images an article may show (``MARKDOWN_IMAGE_HOSTS``)."""
    return current_app.config["MARKDOWN_IMAGE_HOSTS"]
