"""Each account's language for the interface and its emails.

``users.language`` holds a code of ``LANGUAGES`` ("es"), or NULL for "follow my
browser" (microblog/languages.py), which every existing account keeps. Plain ADD
COLUMN on ``users`` (see 0011).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("language", sa.String(length=16), nullable=True))


def downgrade():
    op.drop_column("users", "language")
