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
    assert posts["ix_posts_user_id_published_at"] == ["user_id", "published_at", "id"]
    assert posts["ix_posts_published_at"] == ["published_at", "id"]
    assert posts["ix_posts_category_id_published_at"] == ["category_id", "published_at", "id"]
    assert inspector.get_pk_constraint("followers")["constrained_columns"] == [
        "follower_id", "followed_id"]
    follower_ix = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("followers")}
    assert follower_ix["ix_followers_followed_id_follower_id"] == ["followed_id", "follower_id"]
    # The unique lower(username) index cannot be reflected on SQLite; test_models
    # proves it by inserting "SUSAN" next to "susan".


def test_downgrading_and_upgrading_keeps_usernames_unique_ignoring_case(tmp_path):
    """SQLite rebuilds tables in batch migrations; the lower(username) index must survive."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy.exc import IntegrityError

    from microblog import create_app

    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})

    def twin_is_refused() -> bool:
        with warnings.catch_warnings():  # reflection cannot see the index we are testing
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            users = sa.Table("users", sa.MetaData(), autoload_with=db.engine)
        required = {"password_hash": "x", "session_token": "t"}
        now = {"last_seen": sa.func.now(), "created_at": sa.func.now(),
               "updated_at": sa.func.now()}
        defaults = {k: v for k, v in {**required, **now}.items() if k in users.c}
        insert = users.insert().values(username=sa.bindparam("name"),
                                       email=sa.bindparam("email"), **defaults)
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM users"))
            connection.execute(insert, {"name": "susan", "email": "a@example.com"})
        try:
            with db.engine.begin() as connection:
                connection.execute(insert, {"name": "SUSAN", "email": "b@example.com"})
        except IntegrityError:
            return True
        return False

    with fresh.app_context():
        upgrade()
        downgrade(revision="0001")
        assert twin_is_refused()
        upgrade()
        assert twin_is_refused()
        db.engine.dispose()
