"""Blocks: one row per (blocker, blocked) pair, so blocking twice is impossible.

The primary key ``(blocker_id, blocked_id)`` answers "did X block Y?" and lists the
accounts someone blocked (their settings page); the second index answers "who
blocked Y?", which a rule asks from the other side (may Y message X?).
"""

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.base import UTCDateTime, utcnow

blocks = sa.Table(
    "blocks",
    db.metadata,
    sa.Column("blocker_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("blocked_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.CheckConstraint("blocker_id <> blocked_id", name="not_oneself"),
    sa.Index("ix_blocks_blocked_id_blocker_id", "blocked_id", "blocker_id"),
)
