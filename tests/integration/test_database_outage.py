"""While the database cannot be reached, pages say so: 503 with ``Retry-After``, the app's page.

The outage is real: an app pointed at PostgreSQL on a loopback port where nothing
listens, so every connection is refused, as when the server is stopped. A database
that answers but has no tables is a bug, not an outage: that stays a logged 500.
"""

from __future__ import annotations

import logging

import pytest

from microblog.blueprints.errors.handlers import DATABASE_RETRY_AFTER
from tests.conftest import PASSWORD
from tests.integration.test_error_pages import OUR_FAULT, error_page, problem

# The outage does not depend on the suite's backend; the production one is enough.
pytestmark = pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)

DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/microblog?connect_timeout=1"
UNREACHABLE = "We cannot reach our database just now. Please try again in a minute."


@pytest.fixture
def outage(sibling_app):
    """An app whose database is down (this test's own database stays up for the others)."""
    return sibling_app(SQLALCHEMY_DATABASE_URI=DEAD_DATABASE)


@pytest.mark.parametrize("url", ["/explore", "/user/ann", "/post/1", "/feed.atom"])
def test_pages_answer_503_with_retry_after_while_the_database_is_down(outage, url):
    response = outage.test_client().get(url)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(DATABASE_RETRY_AFTER)
    page = error_page(response)
    assert (page["code"], page["name"], page["detail"]) == (
        "503", "Service Unavailable", UNREACHABLE)


def test_a_json_client_gets_a_problem_body(outage):
    response = outage.test_client().get("/explore", headers={"Accept": "application/json"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(DATABASE_RETRY_AFTER)
    assert problem(response)["detail"] == UNREACHABLE


def test_a_signed_in_visitor_gets_the_page_and_stays_signed_in(client, make_user, outage):
    make_user("ann")
    client.login("ann")
    during = outage.test_client()
    during.set_cookie("session", client.get_cookie("session").value)

    response = during.get("/edit_profile")

    assert response.status_code == 503
    assert error_page(response)["detail"] == UNREACHABLE
    # The same browser once the database is back, with whatever cookie the 503 left it.
    client.set_cookie("session", during.get_cookie("session").value)
    assert client.get("/edit_profile").status_code == 200, "still signed in"


def test_a_form_sent_during_the_outage_gets_503(outage):
    browser = outage.test_client()

    response = browser.submit("/auth/login", {"username": "ann", "password": PASSWORD})

    assert response.status_code == 503
    assert error_page(response)["detail"] == UNREACHABLE


def test_a_database_without_its_tables_is_a_logged_500_not_an_outage(
    production_app, tmp_path, caplog
):
    """SQLite calls a missing table an OperationalError too; it is a deployment bug."""
    empty = production_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")

    with caplog.at_level(logging.ERROR, logger="microblog"):
        response = empty.test_client().get("/explore")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert error_page(response)["detail"] == OUR_FAULT
    assert "no such table" in caplog.text
