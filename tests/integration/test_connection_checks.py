"""A pooled PostgreSQL connection that the server has closed is replaced before a request
uses it, and a healthy one is used without asking the server first
(microblog/database.py:_closed_by_the_server)."""

from __future__ import annotations

import time

import psycopg
import pytest
import sqlalchemy as sa

from microblog.extensions import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)


@pytest.fixture
def pid_app(sibling_app):
    """An app with a view that says which server process its connection talks to."""
    made = sibling_app()

    @made.get("/test/backend")
    def backend():
        return str(db.session.connection().connection.dbapi_connection.info.backend_pid)

    return made


def end_session(pid: int) -> None:
    """End server process ``pid`` as a restart would, and wait until it is gone."""
    dsn = sa.make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, f"server process {pid} did not end"
            time.sleep(0.05)


def test_a_connection_the_server_ended_is_replaced_before_a_request_uses_it(pid_app):
    client = pid_app.test_client()
    first = int(client.get("/test/backend").get_data(as_text=True))

    end_session(first)  # the connection waits in the pool, closed at the other end
    response = client.get("/test/backend")

    assert response.status_code == 200
    assert int(response.get_data(as_text=True)) != first


def test_a_healthy_connection_is_used_without_a_round_trip_first(pid_app, monkeypatch):
    client = pid_app.test_client()
    client.get("/test/backend")  # the pool holds a connection now
    with pid_app.app_context():
        dialect = db.engine.dialect
    pings = []
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping",
                        lambda connection: pings.append(connection) or real_ping(connection))

    first, second = (client.get("/test/backend").get_data(as_text=True) for _ in range(2))

    assert first == second  # the same connection, reused
    assert pings == []  # and no SELECT 1 sent before either request's own statements


def test_a_page_after_every_connection_was_ended_answers(pid_app, make_user):
    """A real page, after the server ended the pool's connection (as a restart ends them all)."""
    make_user("ann")
    client = pid_app.test_client()
    end_session(int(client.get("/test/backend").get_data(as_text=True)))

    response = client.get("/user/ann")

    assert response.status_code == 200
    assert "ann" in response.get_data(as_text=True)
