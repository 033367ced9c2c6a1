"""Former names: old usernames and category slugs, so links to them keep working.

Renaming a user or a category changed ``/user/<name>`` or ``/category/<slug>``, and
every link to the old one answered 404. Each rename now writes a row here naming the
old value and the id of whoever carries it now (``microblog/models/former_name.py``);
the pages answer an old name with a 301 to the current one. Renames made before
this migration left no trace, so there is nothing to fill in.

A user's rows go with the account and a category's with the category
(``ON DELETE CASCADE``). New tables only: no existing table is rebuilt.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def timestamps() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade():
    op.create_table(
        "former_usernames",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_former_usernames_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_former_usernames")),
        sqlite_autoincrement=True,
    )
    op.create_index("uq_former_usernames_username_lower", "former_usernames",
                    [sa.text("lower(username)")], unique=True)
    op.create_index(op.f("ix_former_usernames_user_id"), "former_usernames", ["user_id"])
    op.create_table(
        "former_category_slugs",
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"],
                                name=op.f("fk_former_category_slugs_category_id_categories"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_former_category_slugs")),
        sa.UniqueConstraint("slug", name=op.f("uq_former_category_slugs_slug")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_former_category_slugs_category_id"), "former_category_slugs",
                    ["category_id"])


def downgrade():
    op.drop_table("former_category_slugs")
    op.drop_table("former_usernames")
