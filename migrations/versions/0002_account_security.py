"""Account security: email confirmation and changes, roles, disabled accounts, session tokens.

Accounts that existed before confirmation was introduced count as confirmed
(at the time they joined): they were never sent a link to click.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def random_token_sql() -> str:
    """32 random hex characters, in the dialect we are migrating."""
    if op.get_bind().dialect.name == "postgresql":
        return "md5(random()::text || clock_timestamp()::text || id::text)"
    return "lower(hex(randomblob(16)))"


@contextmanager
def username_index_set_aside():
    """On SQLite, altering columns rebuilds the table from its reflection, which
    cannot see the expression index on lower(username): drop it and build it again."""
    op.drop_index("uq_users_username_lower", table_name="users")
    yield
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")],
                    unique=True)


def upgrade():
    with username_index_set_aside():
        add_columns()


def add_columns():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("role", sa.String(length=16), server_default="user",
                                   nullable=False))
        batch.add_column(sa.Column("disabled", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.add_column(sa.Column("session_token", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("pending_email", sa.String(length=254), nullable=True))
    op.execute(f"UPDATE users SET session_token = {random_token_sql()}, "
               "email_confirmed_at = created_at")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_token", existing_type=sa.String(length=32),
                           nullable=False)


def downgrade():
    with username_index_set_aside(), op.batch_alter_table("users") as batch:
        batch.drop_column("pending_email")
        batch.drop_column("session_token")
        batch.drop_column("disabled")
        batch.drop_column("role")
        batch.drop_column("email_confirmed_at")
