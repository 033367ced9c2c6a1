"""The API's rate limits: per token and per address on every request, with RateLimit-*
headers; the HTTP Basic sign-in per address and per username; over a limit, a 429
problem with Retry-After."""

from __future__ import annotations

import uuid

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from microblog.extensions import db, limiter
from tests.conftest import PASSWORD
from tests.integration.api.conftest import ApiClient, assert_problem, basic, bearer


@pytest.fixture
def limited(sibling_app):
    """An app with rate limiting on (the limiter counts in the app built last)."""

    def build(**settings) -> Flask:
        limiter._storage_dead = False
        made = sibling_app(RATELIMIT_ENABLED=True, **settings)
        made.test_client_class = ApiClient
        return made

    return build


def test_guessing_one_accounts_password_is_stopped_even_with_the_right_one(limited, make_user):
    make_user("susan")
    client = limited(RATELIMIT_API_TOKENS_PER_USERNAME="3 per hour").test_client()
    for _ in range(3):
        assert client.post("/api/tokens", headers=basic("Susan", "wrong")).status_code == 401
    response = client.post("/api/tokens", headers=basic("susan", PASSWORD))
    body = assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert "minute" in body["detail"]


def test_sign_ins_are_limited_per_address(limited, make_user):
    make_user("susan")
    make_user("bob")
    client = limited(RATELIMIT_API_TOKENS_PER_IP="2 per hour").test_client()
    client.post("/api/tokens", headers=basic("susan", "wrong"))
    client.post("/api/tokens", headers=basic("bob", "wrong"))
    assert_problem(client.post("/api/tokens", headers=basic("bob", PASSWORD)), 429)


def test_requests_without_a_token_are_limited_per_address_with_headers(limited, make_user):
    susan = make_user("susan")
    client = limited(RATELIMIT_API_PER_IP="3 per minute").test_client()
    first = client.get(f"/api/users/{susan.id}")
    assert first.headers["RateLimit-Limit"] == "3"
    assert first.headers["RateLimit-Remaining"] == "2"
    assert 0 <= int(first.headers["RateLimit-Reset"]) <= 60
    client.get(f"/api/users/{susan.id}")
    client.get(f"/api/users/{susan.id}")
    response = client.get(f"/api/users/{susan.id}")
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_each_token_has_its_own_count(limited, make_user):
    susan = make_user("susan")
    make_user("bob")
    app = limited(RATELIMIT_API_PER_TOKEN="2 per minute", RATELIMIT_API_PER_IP="2 per minute")
    client = app.test_client()
    susans = client.post("/api/tokens", headers=basic("susan", PASSWORD)).get_json()
    bobs = client.post("/api/tokens", headers=basic("bob", PASSWORD)).get_json()
    for _ in range(2):
        assert client.get(f"/api/users/{susan.id}",
                          headers=bearer(susans["access_token"])).status_code == 200
    assert_problem(client.get(f"/api/users/{susan.id}",
                              headers=bearer(susans["access_token"])), 429)
    # Bob, from the same address, is not held back by Susan's use, nor the anonymous.
    assert client.get(f"/api/users/{susan.id}",
                      headers=bearer(bobs["access_token"])).status_code == 200
    assert client.get(f"/api/users/{susan.id}").status_code == 200


def test_made_up_tokens_count_against_their_address(limited, make_user):
    """Each new made-up token string must not start a count of its own: guessing tokens
    is slowed down like any request from the address."""
    susan = make_user("susan")
    client = limited(RATELIMIT_API_PER_TOKEN="100 per minute",
                     RATELIMIT_API_PER_IP="3 per minute").test_client()
    for number in range(3):
        response = client.get(f"/api/users/{susan.id}", headers=bearer(f"guess-{number}"))
        assert_problem(response, 401)
        assert response.headers["RateLimit-Limit"] == "3"
    assert_problem(client.get(f"/api/users/{susan.id}", headers=bearer("guess-3")), 429)
    assert_problem(client.get(f"/api/users/{susan.id}"), 429)  # the address's count


def test_an_accounts_own_limits_count_its_requests_not_its_address_or_token(limited, make_user):
    """The message limit is per account over the API as on the pages: two people behind
    one address each have their own, and a refreshed token does not start it again."""
    susan, bob = make_user("susan"), make_user("bob")
    client = limited(RATELIMIT_MESSAGE_PER_USER="2 per hour").test_client()
    susans = client.post("/api/tokens", headers=basic("susan", PASSWORD)).get_json()
    bobs = client.post("/api/tokens", headers=basic("bob", PASSWORD)).get_json()

    def send(tokens: dict, recipient) -> int:
        return client.post("/api/messages", headers=bearer(tokens["access_token"]),
                           json={"recipient_id": recipient.id, "body": "Hello"}).status_code

    assert [send(susans, bob), send(susans, bob)] == [201, 201]
    assert_problem(client.post("/api/messages", headers=bearer(susans["access_token"]),
                               json={"recipient_id": bob.id, "body": "Hello"}), 429)
    assert send(bobs, susan) == 201  # same address, his own count
    refreshed = client.put("/api/tokens", json={"refresh_token": susans["refresh_token"]})
    assert send(refreshed.get_json(), bob) == 429


# --- counted in Redis, as in production -------------------------------------------------


@pytest.fixture
def in_redis(limited, redis_url):
    """An app whose limits count in Redis under this test's own key prefix."""
    prefix = f"microblog-test-api-limits-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(redis_url)

    def build(**settings) -> Flask:
        return limited(REDIS_URL=redis_url, RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix},
                       **settings)

    yield build
    if keys := list(client.scan_iter(match=f"{prefix}:*")):
        client.delete(*keys)
    client.close()


@pytest.fixture
def trips_to_the_limiter(monkeypatch):
    """How many times requests wrote to the limiter's Redis (one write per round trip:
    a pipeline sends all its commands at once)."""
    sent: list[redis.connection.AbstractConnection] = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counted(connection, *args, **kwargs):
        sent.append(connection)
        return send(connection, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)

    def count() -> int:
        pool = limiter.limiter.storage.get_connection().connection_pool
        mine = {*pool._available_connections, *pool._in_use_connections}
        return sum(connection in mine for connection in sent)

    count.reset = sent.clear
    return count


def test_in_redis_each_request_is_counted_and_described_in_one_round_trip(
        in_redis, make_user, trips_to_the_limiter):
    """The RateLimit-* headers come from the same trip to Redis as the count: Flask-Limiter
    alone asks again for them, a second round trip on every API request."""
    susan = make_user("susan")
    client = in_redis(RATELIMIT_API_PER_IP="3 per minute").test_client()
    client.get(f"/api/users/{susan.id}")  # limits loads its scripts on first use
    trips_to_the_limiter.reset()

    second = client.get(f"/api/users/{susan.id}")

    assert second.status_code == 200
    assert trips_to_the_limiter() == 1
    assert second.headers["RateLimit-Limit"] == "3"
    assert second.headers["RateLimit-Remaining"] == "1"
    assert 0 < int(second.headers["RateLimit-Reset"]) <= 60
    assert client.get(f"/api/users/{susan.id}").headers["RateLimit-Remaining"] == "0"
    response = client.get(f"/api/users/{susan.id}")
    assert_problem(response, 429)
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_in_redis_that_forgot_its_scripts_each_request_still_counts_once(
        in_redis, make_user, redis_url):
    """A restarted Redis has lost the scripts the pipeline runs by hash; the request runs
    them again, counting itself once, not twice or not at all."""
    susan = make_user("susan")
    client = in_redis(RATELIMIT_API_PER_IP="5 per minute").test_client()
    assert client.get(f"/api/users/{susan.id}").headers["RateLimit-Remaining"] == "4"

    redis.Redis.from_url(redis_url).script_flush()

    assert client.get(f"/api/users/{susan.id}").headers["RateLimit-Remaining"] == "3"
    assert client.get(f"/api/users/{susan.id}").headers["RateLimit-Remaining"] == "2"


def test_a_write_with_a_per_account_limit_checks_its_token_once(limited, make_user):
    """The message limit finds the token's account before the view checks the token;
    the second check is answered from the first, not read again."""
    make_user("susan")
    bob = make_user("bob")
    app = limited(RATELIMIT_MESSAGE_PER_USER="5 per hour")
    client = app.test_client()
    tokens = client.post("/api/tokens", headers=basic("susan", PASSWORD)).get_json()
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.post("/api/messages", headers=bearer(tokens["access_token"]),
                               json={"recipient_id": bob.id, "body": "Hello"})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert sum("FROM api_tokens JOIN users" in statement for statement in statements) == 1


def test_a_token_revoked_in_a_request_is_checked_again(app, make_user):
    """Within one request, revoking forgets the token's check: asked again, it is refused."""
    from microblog.services import api_tokens

    susan = make_user("susan")
    with app.test_request_context():
        pair = api_tokens.issue(susan)
        assert api_tokens.user_for_token(pair.access_token).id == susan.id
        api_tokens.revoke(pair)
        assert api_tokens.user_for_token(pair.access_token) is None
