"""Who follows whom: a pure association table, one row per (follower, followed) pair.

The primary key ``(follower_id, followed_id)`` answers "whom does X follow?" and
makes a repeated follow impossible; the second index answers "who follows Y?".
"""

import sqlalchemy as sa

from microblog.extensions import db

followers = sa.Table(
    "followers",
    db.metadata,
    sa.Column("follower_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("followed_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_followers_followed_id_follower_id", "followed_id", "follower_id"),
)
