"""The tag page's index: every ``post_tags`` row holds its post's ``published_at``.

The database keeps the copy (migration 0007's triggers), so these tests write posts
the ways the site does, through the services, a change behind their back (as the
demo seed dates its posts), a hand-typed INSERT and the bulk seed, and check that
each tag row carries its post's date, or NULL for a draft.
"""

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.post import Post
from microblog.models.tag import Tag, post_tags
from microblog.services import posts
from tests.integration.test_migrations import (  # noqa: F401 (a fixture)
    _write_tulips_at_0003,
    empty_database_app,
)


def tag_dates(post_id: int) -> dict[str, object]:
    """The published_at of each of the post's tag rows, by tag name."""
    return dict(db.session.execute(
        sa.select(Tag.name, post_tags.c.published_at)
        .join(post_tags, post_tags.c.tag_id == Tag.id).where(post_tags.c.post_id == post_id)
    ).all())


def test_the_index_holds_a_tags_posts_in_page_order(app):
    indexes = {ix["name"]: ix["column_names"]
               for ix in sa.inspect(db.engine).get_indexes("post_tags")}
    assert indexes == {"ix_post_tags_tag_id_published_at": ["tag_id", "published_at", "post_id"]}


def test_a_status_tags_carry_its_date(make_user):
    status = posts.create_post(make_user("susan"), "Green tests #flask #python")

    assert tag_dates(status.id) == {"flask": status.published_at, "python": status.published_at}


def test_a_drafts_tags_have_no_date_until_it_is_published(make_user):
    susan = make_user("susan")
    draft = posts.create_article(susan, "Indexes", "Body", tags="sql, indexes", publish=False)
    assert tag_dates(draft.id) == {"sql": None, "indexes": None}

    posts.publish(susan, draft)

    assert draft.published_at is not None
    assert tag_dates(draft.id) == {"sql": draft.published_at, "indexes": draft.published_at}


def test_tags_added_by_an_edit_carry_the_posts_date(make_user):
    susan = make_user("susan")
    status = posts.create_post(susan, "Morning #coffee")

    posts.edit_post(susan, status, body="Morning #coffee and #tea")

    assert tag_dates(status.id) == {"coffee": status.published_at, "tea": status.published_at}


def test_a_date_changed_behind_the_services_back_reaches_the_tags(make_user):
    """The demo seed dates its posts in the past by setting published_at itself."""
    status = posts.create_post(make_user("susan"), "Hello #flask")
    earlier = utcnow() - timedelta(days=3)

    status.published_at = earlier
    db.session.commit()

    assert tag_dates(status.id) == {"flask": earlier}


def test_a_hand_typed_insert_gets_the_date_too(make_user):
    status = posts.create_post(make_user("susan"), "No tags yet")
    tag = Tag(name="typed")
    db.session.add(tag)
    db.session.commit()

    db.session.execute(post_tags.insert().values(post_id=status.id, tag_id=tag.id))
    db.session.commit()

    assert tag_dates(status.id) == {"typed": status.published_at}


def test_the_bulk_seeds_tag_rows_carry_their_posts_dates(app):
    from microblog.seed import bulk_seed

    bulk_seed(30, 400, 3, rng=random.Random(7))

    rows = db.session.execute(
        sa.select(post_tags.c.published_at, Post.published_at)
        .join(Post, Post.id == post_tags.c.post_id)
    ).all()
    assert rows  # some articles were tagged
    assert all(copied == published for copied, published in rows)


@pytest.mark.usefixtures("empty_database_app")  # a database of its own, migrated step by step
def test_upgrading_to_0007_dates_the_tags_already_there():
    from flask_migrate import downgrade, upgrade

    upgrade(revision="0006")
    _write_tulips_at_0003()  # an article tagged tulips

    def dates() -> list[tuple]:
        with db.engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT post_tags.published_at, posts.published_at FROM post_tags "
                "JOIN posts ON posts.id = post_tags.post_id")).all()

    upgrade()
    [(copied, published)] = dates()
    assert copied is not None and copied == published

    downgrade(revision="0006")
    inspector = sa.inspect(db.engine)
    assert "published_at" not in {column["name"] for column in inspector.get_columns("post_tags")}
    assert {ix["name"] for ix in inspector.get_indexes("post_tags")} == {
        "ix_post_tags_tag_id_post_id"}
    upgrade()
    [(copied, published)] = dates()
    assert copied is not None and copied == published
