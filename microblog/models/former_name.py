"""Former names: the usernames a user had and the slugs a category had before a rename.

``/user/<username>`` and ``/category/<slug>`` name a thing by something its owner may
change. Each row here keeps one old name and the id of whoever carries it now, so an
old link answers 301 to the current name (``microblog.services.renames``). The row
points at the id, not at the next name: after a→b→c, "a" leads straight to c.

An old name is nobody's property. Whoever registers it, renames to it or (for a
category) is created with it takes it over, and its row goes. A user's rows go with
the account (``ON DELETE CASCADE``), a category's with the category: what was deleted
answers 404, as it did before it had ever been renamed.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
from microblog.models.category import CATEGORY_NAME_MAX_LENGTH
from microblog.models.user import USERNAME_MAX_LENGTH


class FormerUsername(db.Model):
    __tablename__ = "former_usernames"

    username: so.Mapped[str] = so.mapped_column(sa.String(USERNAME_MAX_LENGTH))
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)

    __table_args__ = (
        # Unique ignoring case, like users.username: /user/SUSAN is /user/susan.
        sa.Index("uq_former_usernames_username_lower", sa.func.lower(username), unique=True),
    )

    def __repr__(self) -> str:
        return f"<FormerUsername {self.username} -> {self.user_id}>"

    @staticmethod
    def matches(username: str) -> sa.ColumnElement[bool]:
        """SQL condition for a case-insensitive lookup (uses the unique index)."""
        return sa.func.lower(FormerUsername.username) == username.lower()


class FormerCategorySlug(db.Model):
    __tablename__ = "former_category_slugs"

    # Slugs are lower case already (services.posts.slugify): a plain unique index.
    slug: so.Mapped[str] = so.mapped_column(sa.String(CATEGORY_NAME_MAX_LENGTH), unique=True)
    category_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE"), index=True)

    def __repr__(self) -> str:
        return f"<FormerCategorySlug {self.slug} -> {self.category_id}>"
