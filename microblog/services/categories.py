"""Categories: the admin-managed list articles are filed under.

Deleting a category never deletes posts: its articles move to another category,
or to none, in the same transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import _
from sqlalchemy.exc import IntegrityError

from microblog.caching import CATEGORIES, POSTS
from microblog.errors import Moved, NotFound, ValidationError
from microblog.extensions import db
from microblog.models.category import CATEGORY_NAME_MAX_LENGTH, Category
from microblog.models.post import Post
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.services import renames
from microblog.services.permissions import require
from microblog.services.posts import slugify
from microblog.services.transactions import commit


def all_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.name)))


def get_by_slug(slug: str) -> Category:
    """The category at ``/category/<slug>``; Moved for a slug it had before a rename."""
    category = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    if category is None:
        missing = _("There is no such category.")
        if (current := renames.current_slug(slug)) is not None:
            raise Moved(missing, old=slug, new=current)
        raise NotFound(missing)
    return category


def get(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_("There is no such category."))
    return category


def _name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Give the category a name."), field="name")
    if len(name) > CATEGORY_NAME_MAX_LENGTH:
        raise ValidationError(_("Names are at most %(max)d characters.",
                                max=CATEGORY_NAME_MAX_LENGTH), field="name")
    return name


def _save_named(category: Category, name: str) -> Category:
    """Commit ``category`` under ``name``; a name or slug already taken is a form error.

    A slug that only an old link still uses is free: the category takes it over.
    """
    slug = slugify(name)[:CATEGORY_NAME_MAX_LENGTH]
    others = Category.id != category.id if category.id is not None else sa.true()
    clash = db.session.scalar(
        sa.select(Category).where(
            sa.or_(sa.func.lower(Category.name) == name.lower(), Category.slug == slug), others
        )
    )
    if clash is not None:
        raise ValidationError(_("There is already a category called %(name)s.",
                                name=clash.name), field="name")
    category.name = name
    renames.give_slug(category, slug)  # the old slug keeps leading here
    db.session.add(category)
    try:
        commit(changes=[CATEGORIES, POSTS])
    except IntegrityError:  # created at the same moment by another request
        db.session.rollback()
        raise ValidationError(_("There is already a category called %(name)s.", name=name),
                              field="name") from None
    return category


def create(admin: User, name: str) -> Category:
    require(admin, Permission.ADMIN)
    return _save_named(Category(), _name(name))


def rename(admin: User, category: Category, name: str) -> Category:
    require(admin, Permission.ADMIN)
    return _save_named(category, _name(name))


def delete(admin: User, category: Category, move_to: Category | None) -> int:
    """Delete ``category``; its posts move to ``move_to`` (or none). Returns how many moved."""
    require(admin, Permission.ADMIN)
    if move_to is not None and move_to.id == category.id:
        raise ValidationError(_("Choose another category for its posts."), field="move_to")
    moved = db.session.execute(
        sa.update(Post).where(Post.category_id == category.id)
        .values(category_id=move_to.id if move_to else None)
    ).rowcount
    db.session.delete(category)
    commit(changes=[CATEGORIES, POSTS])
    return moved
