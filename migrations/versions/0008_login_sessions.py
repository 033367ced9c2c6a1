"""Sign-in sessions: one row per signed-in browser, so logging out can be enforced.

Until now the session and remember-me cookies held ``"<user id>:<session_token>"``,
one token per account: logging out only asked the browser to forget its cookies,
and a copy made before kept working until the password changed. Now each sign-in
gets a ``login_sessions`` row whose random token (stored as its SHA-256 hash) is
all the cookies hold; a cookie counts while its row is live (not ended, seen within
the remember-me duration). ``users.session_token`` has no use left and goes.

Every cookie issued before this migration names no row, so everyone signs in
once more after it. Downgrading gives every account a fresh ``session_token``,
which likewise signs everyone out.

Plain ADD/DROP COLUMN (SQLite has both since 3.35), no ``batch_alter_table``: a
batch rebuild of ``users`` would drop its search triggers (see 0004). SQLite cannot
make an added column NOT NULL without a default, so the downgrade's column keeps an
empty-string default there; PostgreSQL drops it once every row has its token.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_sessions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_login_sessions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    op.create_index("ix_login_sessions_user_id_last_seen_at", "login_sessions",
                    ["user_id", "last_seen_at"])
    op.drop_column("users", "session_token")


def random_token_sql() -> str:
    """32 random hex characters, in the dialect we are migrating (as 0002 made them)."""
    if op.get_bind().dialect.name == "postgresql":
        return "md5(random()::text || clock_timestamp()::text || id::text)"
    return "lower(hex(randomblob(16)))"


def downgrade():
    op.add_column("users", sa.Column("session_token", sa.String(length=32), nullable=False,
                                     server_default=""))
    op.execute(f"UPDATE users SET session_token = {random_token_sql()}")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("users", "session_token", server_default=None)
    op.drop_index("ix_login_sessions_user_id_last_seen_at", table_name="login_sessions")
    op.drop_table("login_sessions")
