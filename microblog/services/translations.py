"""Translating a post or a comment for the reader, by its id, and keeping the result.

**Who is offered it** (:func:`offers`): a member (translating costs the site a call to
another service, so it is for accounts, which the rate limit counts; see the guide),
when a translator is configured, for text whose language is known and is not the
reader's (``flask_babel.get_locale()``).

**By id, never by text.** The endpoint takes a post's or comment's id, not words: the
words come from the database, and only from what the reader may see (a draft only for
its author, a comment only where its post is visible). A service that translated any
text it was sent would be an open proxy to the translator, on the site's account.

**Kept** (:class:`~microblog.models.translation.Translation`): one row per (post or
comment, target language), with a digest of the words it was made from; the second
reader of a language costs one indexed read, and an edit (new words, a new digest)
is translated afresh.

**Rendered as the original is.** The translator is given the author's words (Markdown
for articles and comments, plain text for statuses) and its answer goes through the
very renderer and sanitiser the original went through (:mod:`microblog.markdown`):
what the page receives is never the translator's HTML.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import _, get_locale
from sqlalchemy.exc import IntegrityError

from microblog.errors import NotFound, ValidationError
from microblog.extensions import db
from microblog.language_detection import UNKNOWN
from microblog.markdown import render_article, render_comment, render_status
from microblog.models.comment import Comment
from microblog.models.post import Post
from microblog.models.translation import Translation
from microblog.models.user import User
from microblog.services import comments, posts
from microblog.services.permissions import is_member
from microblog.services.transactions import commit
from microblog.translate import translator


@dataclass(frozen=True)
class Translated:
    """What the page puts in place of the original: sanitised HTML, and an article's
    title (None otherwise)."""

    html: str
    title: str | None
    source: str
    target: str


def reader_language() -> str:
    """The language the page is shown in (``"es"``), as Flask-Babel chose it."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def offers(viewer: User | None, language: str | None) -> bool:
    """Whether ``viewer`` is offered a translation of text in ``language``."""
    return (translator() is not None and is_member(viewer)
            and language not in (None, UNKNOWN) and language != reader_language())


def translate_post(viewer: User, post_id: int) -> Translated:
    """The post ``post_id`` in the reader's language, if ``viewer`` may see it."""
    post = posts.get_post(post_id, viewer)  # NotFound for someone else's draft
    if post.is_article:
        render = lambda text: render_article(text, posts.image_hosts())  # noqa: E731
    else:
        render = render_status
    return _translate(viewer, post, Translation.post_id, post.body, post.title, render)


def translate_comment(viewer: User, comment_id: int) -> Translated:
    """The comment ``comment_id`` in the reader's language, if ``viewer`` may see its post."""
    comment = comments.get_comment(comment_id)
    posts.get_post(comment.post_id, viewer)  # a comment is seen where its post is
    return _translate(viewer, comment, Translation.comment_id, comment.body, None,
                      render_comment)


def _translate(viewer: User, item: Post | Comment, column, body: str, title: str | None,
               render) -> Translated:
    chosen = translator()
    if chosen is None:
        raise NotFound(_("Translation is not available on this site."))
    source, target = item.language, reader_language()
    if not offers(viewer, source):
        if source in (None, UNKNOWN):
            raise ValidationError(_("We could not tell which language this is written "
                                    "in, so it cannot be translated."))
        raise ValidationError(_("This is already in your language."))
    digest = hashlib.sha256(json.dumps([source, title, body]).encode()).hexdigest()
    kept = db.session.scalar(sa.select(Translation).where(
        column == item.id, Translation.target == target))
    if kept is not None and kept.source_digest == digest:
        return Translated(kept.html, kept.title, source, target)
    html = render(chosen.translate(body, source, target))
    translated_title = " ".join(chosen.translate(title, source, target).split()) \
        if title else None
    _keep(kept, column, item.id, target, digest, html, translated_title)
    return Translated(html, translated_title, source, target)


def _keep(kept: Translation | None, column, item_id: int, target: str, digest: str,
          html: str, title: str | None) -> None:
    """Store the translation, over the stale one when there is one. Two readers who
    asked at once both translated; the second insert finds the first's row and
    leaves it (the same words, the same translation)."""
    values = {"source_digest": digest, "html": html, "title": title}
    if kept is not None:
        for name, value in values.items():
            setattr(kept, name, value)
        commit()
        return
    try:
        with db.session.begin_nested():
            db.session.add(Translation(**{column.key: item_id}, target=target, **values))
    except IntegrityError:
        pass  # kept by the other request meanwhile
    commit()
