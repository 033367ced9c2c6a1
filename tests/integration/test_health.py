"""Health checks against real services: PostgreSQL or SQLite, Redis, an SMTP server.

A service that is down is a closed port on loopback (nothing listens on port
1), or a port that accepts connections and then never answers.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

import microblog

CLOSED_PORT = 1
DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=1"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections and then says nothing, like a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def ready(app):
    response = app.test_client().get("/health/ready")
    return response, response.get_json()


def failing(body) -> set[str]:
    return {name for name, check in body["checks"].items() if check["status"] == "fail"}


def test_liveness_answers_without_the_database(client, count_queries):
    with count_queries() as statements:
        response = client.get("/health")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": microblog.__version__}
    assert statements == []


def test_liveness_does_not_load_a_logged_in_visitor(client, make_user, count_queries):
    make_user("susan")
    client.login("susan")

    with count_queries() as statements:
        response = client.get("/health")

    assert response.status_code == 200
    assert statements == [], "no user lookup, no last_seen update"


def test_liveness_answers_while_the_database_is_down(sibling_app):
    response = sibling_app(SQLALCHEMY_DATABASE_URI=DEAD_DATABASE).test_client().get("/health")

    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_ready_checks_the_database(client):
    response = client.get("/health/ready")
    body = response.get_json()

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["version"] == microblog.__version__
    assert set(body["checks"]) == {"database"}, "Redis and mail are checked only when configured"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["ms"] >= 0


def test_ready_with_every_service_up(sibling_app, redis_url, smtp_server):
    response, body = ready(sibling_app(
        REDIS_URL=redis_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port
    ))

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "mail"}
    assert failing(body) == set()
    assert smtp_server.inbox.messages == [], "checking the mail server sends no mail"


def test_ready_names_the_database_when_it_is_down(sibling_app):
    response, body = ready(sibling_app(SQLALCHEMY_DATABASE_URI=DEAD_DATABASE))

    assert response.status_code == 503
    assert body["status"] == "fail"
    assert failing(body) == {"database"}
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert "127.0.0.1" not in response.get_data(as_text=True), "no addresses in a public answer"


def test_redis_down_leaves_the_app_ready_but_degraded(sibling_app):
    """Every instance shares the one Redis, and serves without it: a 503 would take
    them all out of the load balancer at once."""
    response, body = ready(sibling_app(REDIS_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0"))

    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert failing(body) == {"redis"}
    assert body["checks"]["redis"]["error"] == "ConnectionError"
    assert body["checks"]["redis"]["required"] is False
    assert body["checks"]["database"] == {**body["checks"]["database"], "status": "ok",
                                          "required": True}


def test_a_hung_redis_is_degraded_within_the_deadline(sibling_app, silent_server):
    probed = sibling_app(REDIS_URL=f"redis://127.0.0.1:{silent_server}/0",
                         HEALTH_CHECK_TIMEOUT=0.5)
    started = time.monotonic()
    response, body = ready(probed)

    assert (response.status_code, body["status"]) == (200, "degraded")
    assert failing(body) == {"redis"}
    assert time.monotonic() - started < 0.5 + 1


def test_the_database_stays_required_when_redis_is_down_too(sibling_app):
    response, body = ready(sibling_app(SQLALCHEMY_DATABASE_URI=DEAD_DATABASE,
                                       REDIS_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0"))

    assert response.status_code == 503
    assert body["status"] == "fail"
    assert failing(body) == {"database", "redis"}


def test_ready_names_the_mail_server_when_it_is_down(sibling_app):
    response, body = ready(sibling_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=CLOSED_PORT))

    assert response.status_code == 503
    assert failing(body) == {"mail"}


@pytest.mark.parametrize("service", ["database", "mail"])
def test_a_hung_service_fails_the_check_instead_of_hanging_the_probe(
    sibling_app, silent_server, service
):
    settings = {
        # No connect_timeout in the URL: only the check's own deadline stops the wait.
        "database": {"SQLALCHEMY_DATABASE_URI":
                     f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/x"},
        "mail": {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": silent_server},
    }[service]
    probed = sibling_app(HEALTH_CHECK_TIMEOUT=0.5, **settings)
    started = time.monotonic()
    response, body = ready(probed)
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert failing(body) == {service}
    # A load balancer gives up after a few seconds; the probe answers within its own deadline.
    assert elapsed < 0.5 + 1


@pytest.mark.parametrize("path", ["/health", "/health/ready"])
def test_health_checks_set_no_cookie(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_checks_only_answer_get(client, method):
    assert getattr(client, method)("/health/ready").status_code == 405
