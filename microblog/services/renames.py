"""Renames that keep links working: old usernames and category slugs lead to the new ones.

A link to ``/user/<username>`` or ``/category/<slug>`` is copied into posts
(@mentions), emails, other sites and feed readers, none of which we can update.
So whatever gives a user or a category its name goes through :func:`give_username`
or :func:`give_slug`, in the caller's transaction: the name it had becomes a
former name (``microblog/models/former_name.py``) and the one it takes stops
being anyone else's.

Former names are read only when the current ones found nothing
(``services.accounts.get_user``, ``services.categories.get_by_slug``): a page
reached by its current name costs no query more, and whoever holds a name now
always wins over anyone who held it before.
"""

from __future__ import annotations

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.category import Category
from microblog.models.former_name import FormerCategorySlug, FormerUsername
from microblog.models.user import User


def give_username(user: User, username: str) -> None:
    """Call ``user`` ``username`` from now on: a new account, or a rename.

    Another user's old link to ``username`` stops leading to them (the name is
    ``user``'s now), and ``user``'s own name so far leads to ``user`` from now
    on, however often they rename again. A change of case only is no new name.
    """
    old = user.username
    _release_username(username)
    if old is not None and old.lower() != username.lower():
        # It is ``user``'s name until now, so any row for it is stale (a race lost
        # by the other side); it would only stop the insert.
        _release_username(old)
        db.session.add(FormerUsername(username=old, user_id=user.id))
    user.username = username


def _release_username(username: str) -> None:
    db.session.execute(sa.delete(FormerUsername).where(FormerUsername.matches(username))
                       .execution_options(synchronize_session=False))


def current_username(former: str) -> str | None:
    """The name of the user who was called ``former`` (any case), or None."""
    return db.session.scalar(
        sa.select(User.username).join(FormerUsername, FormerUsername.user_id == User.id)
        .where(FormerUsername.matches(former)))


def give_slug(category: Category, slug: str) -> None:
    """Give ``category`` the slug ``slug`` (new or renamed), as :func:`give_username` does."""
    old = category.slug
    _release_slug(slug)
    if old is not None and old != slug:
        _release_slug(old)
        db.session.add(FormerCategorySlug(slug=old, category_id=category.id))
    category.slug = slug


def _release_slug(slug: str) -> None:
    db.session.execute(sa.delete(FormerCategorySlug).where(FormerCategorySlug.slug == slug)
                       .execution_options(synchronize_session=False))


def current_slug(former: str) -> str | None:
    """The slug of the category that had the slug ``former``, or None."""
    return db.session.scalar(
        sa.select(Category.slug).join(FormerCategorySlug,
                                      FormerCategorySlug.category_id == Category.id)
        .where(FormerCategorySlug.slug == former))
