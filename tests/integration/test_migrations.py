"""The migrations build exactly the schema the models describe, on both databases."""

import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from microblog.extensions import db


def test_migrated_schema_matches_the_models(app):
    # The fixture built this database with `flask db upgrade`.
    with db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_indexes_for_the_pages_exist(app):
    inspector = sa.inspect(db.engine)
    posts = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("posts")}
    assert posts["ix_posts_user_id_created_at"] == ["user_id", "created_at", "id"]
    assert posts["ix_posts_created_at"] == ["created_at", "id"]
    assert inspector.get_pk_constraint("followers")["constrained_columns"] == [
        "follower_id", "followed_id"]
    follower_ix = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("followers")}
    assert follower_ix["ix_followers_followed_id_follower_id"] == ["followed_id", "follower_id"]
    # The unique lower(username) index cannot be reflected on SQLite; test_models
    # proves it by inserting "SUSAN" next to "susan".
