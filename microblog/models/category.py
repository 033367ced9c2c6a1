"""A category: one of a short, admin-managed list an article can be filed under."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db

if TYPE_CHECKING:
    from microblog.models.post import Post

CATEGORY_NAME_MAX_LENGTH = 50


class Category(db.Model):
    __tablename__ = "categories"

    name: so.Mapped[str] = so.mapped_column(sa.String(CATEGORY_NAME_MAX_LENGTH), unique=True)
    # /category/<slug>: kept unique so the URL names exactly one category.
    slug: so.Mapped[str] = so.mapped_column(sa.String(CATEGORY_NAME_MAX_LENGTH), unique=True)

    posts: so.WriteOnlyMapped[Post] = so.relationship(back_populates="category",
                                                      passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"
