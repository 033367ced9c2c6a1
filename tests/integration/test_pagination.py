"""``paginate`` keeps one statement per list, never one per request."""

import pytest
import sqlalchemy as sa

from microblog import database
from microblog.models.user import User
from microblog.pagination import paginate


def test_a_query_built_fresh_at_each_call_is_refused(app):
    """Its page statement would be kept under each new object: memory growing with
    every request."""
    with pytest.raises(TypeError, match="built_once"):
        paginate(sa.select(User).order_by(User.id), 1, 10)


def test_a_query_built_once_keeps_one_statement_however_often_it_is_paged(app, make_user):
    make_user("susan")
    query = database.built_once("test_users_by_id", lambda: sa.select(User).order_by(User.id))
    paginate(query, 1, 10)
    kept = len(database._BUILT)
    for _ in range(3):
        assert [user.username for user in paginate(query, 1, 10).items] == ["susan"]
    assert len(database._BUILT) == kept
