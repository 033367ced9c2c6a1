"""Every HTTP error gets the shared error page, or a problem+json body for JSON clients."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_login.utils import _create_identifier
from werkzeug.exceptions import Forbidden, ImATeapot, TooManyRequests

from microblog import create_app
from microblog.blueprints.errors.handlers import (
    handle_http_error,
    handle_permission_denied,
    handle_validation_error,
)
from microblog.errors import PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.user import User
from tests.pages import parse

JSON = {"Accept": "application/json"}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
OUR_FAULT = "Something went wrong on our side. It has been logged; please try again later."


def error_page(response) -> dict[str, str]:
    """What a reader sees on the shared error page: code, name, explanation, way back."""
    assert response.mimetype == "text/html"
    page = parse(response)
    error = page.find(cls="error-page")
    paragraphs = list(error.find_all("p"))
    return {
        "title": page.find("title").text,
        "code": paragraphs[0].text,
        "name": error.find("h1").text,
        "detail": error.find(cls="lead").text,
        "way back": error.find("a").text,
    }


def problem(response) -> dict:
    """A problem+json body (RFC 9457), checked for the members every one must have."""
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["status"] == response.status_code
    assert body["detail"]
    return body


# --- errors a visitor can cause ---------------------------------------------------------------


def test_404_for_an_unknown_url(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    page = error_page(response)
    assert page["title"] == "404 Not Found · Microblog"
    assert (page["code"], page["name"]) == ("404", "Not Found")
    assert page["detail"]
    assert page["way back"] == "Back to Microblog"


def test_404_keeps_the_navigation_of_a_logged_in_user(client, make_user):
    make_user("susan")
    client.login("susan")

    response = client.get("/no/such/page")

    assert response.status_code == 404
    nav = parse(response).find("nav")
    assert "Profile" in [a.text for a in nav.find_all("a", href="/user/susan")]


def test_405_names_the_allowed_methods(client):
    response = client.get("/auth/logout")

    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert "POST" in allowed
    assert "GET" not in allowed
    page = error_page(response)
    assert (page["code"], page["name"]) == ("405", "Method Not Allowed")


def test_400_when_the_csrf_token_is_missing(client, make_user):
    make_user("susan")

    response = client.post("/auth/login", data={"username": "susan", "password": "secret"})

    assert response.status_code == 400
    page = error_page(response)
    assert (page["code"], page["name"]) == ("400", "Bad Request")
    assert page["detail"]
    assert client.get("/edit_profile").status_code == 302  # and nobody was logged in


def test_413_when_the_body_is_too_large(app, client, make_user):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    make_user("susan")
    client.login("susan")

    response = client.submit("/index", {"post": "x" * 2000})

    assert response.status_code == 413
    page = error_page(response)
    assert (page["code"], page["name"]) == ("413", "Request Entity Too Large")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0
    # Below the limit the same request works.
    assert client.submit("/index", {"post": "x" * 200}).status_code == 302


# --- errors no route raises yet: the handler itself -----------------------------------------


def test_403_page(app):
    with app.test_request_context("/somewhere"):
        response = handle_http_error(Forbidden())

    assert response.status_code == 403
    page = error_page(response)
    assert (page["code"], page["name"]) == ("403", "Forbidden")
    assert page["detail"]


def test_a_permission_denied_service_error_is_a_403_with_its_message(app):
    with app.test_request_context("/somewhere"):
        response = handle_permission_denied(PermissionDenied("You may only edit your own posts."))

    assert response.status_code == 403
    assert error_page(response)["detail"] == "You may only edit your own posts."


def test_429_page_says_when_to_retry(app):
    with app.test_request_context("/auth/login"):
        response = handle_http_error(TooManyRequests(retry_after=30))

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    page = error_page(response)
    assert (page["code"], page["name"]) == ("429", "Too Many Requests")


def test_429_as_json_keeps_retry_after(app):
    with app.test_request_context("/api/users", headers=JSON):
        response = handle_http_error(TooManyRequests(retry_after=30))

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert problem(response)["title"] == "Too Many Requests"


def test_codes_without_a_page_of_ours_keep_werkzeugs_response(app):
    with app.test_request_context("/"):
        error = ImATeapot()
        assert handle_http_error(error) is error


# --- JSON clients -------------------------------------------------------------------------------


def test_json_clients_get_a_problem_body_for_404(client):
    response = client.get("/user/nobody", headers=JSON)

    assert response.status_code == 404
    assert problem(response) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is no user called nobody.",
    }


def test_json_clients_get_a_problem_body_for_405_with_allow(client):
    response = client.get("/auth/logout", headers=JSON)

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert problem(response)["title"] == "Method Not Allowed"


def test_json_clients_get_a_problem_body_for_400(client):
    response = client.post("/auth/logout", headers=JSON)

    assert response.status_code == 400
    assert problem(response)["title"] == "Bad Request"


@pytest.mark.parametrize("accept", ["*/*", BROWSER_ACCEPT, "text/html, application/json"])
def test_browsers_and_undecided_clients_get_html(client, accept):
    response = client.get("/no/such/page", headers={"Accept": accept})

    assert response.status_code == 404
    assert error_page(response)["code"] == "404"


# --- 500: a separate app, so the shared one gets no extra route --------------------------------


@pytest.fixture
def failing_app(sibling_app):
    """An app on the same database with a route that fails after a half-written change."""
    other = sibling_app(
        PROPAGATE_EXCEPTIONS=False,
        WTF_CSRF_ENABLED=False,  # the test route has no form to take a token from
    )

    @other.post("/half-written")
    def half_written():
        db.session.add(User(username="halfway", email="halfway@example.com", password_hash="x"))
        db.session.flush()  # the row is in the database's open transaction now
        raise RuntimeError("the second half of the change failed")

    return other


@pytest.fixture
def failing_client(failing_app):
    return failing_app.test_client()


def users_called_halfway() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.username == "halfway")
    )


def test_500_rolls_back_the_half_written_change_and_shows_the_error_page(failing_client):
    response = failing_client.post("/half-written")

    assert response.status_code == 500
    page = error_page(response)
    assert (page["code"], page["name"]) == ("500", "Internal Server Error")
    assert page["detail"] == OUR_FAULT
    assert "RuntimeError" not in response.get_data(as_text=True)  # no traceback leaks
    assert users_called_halfway() == 0


def test_500_for_a_json_client(failing_client):
    response = failing_client.post("/half-written", headers=JSON)

    assert response.status_code == 500
    assert problem(response) == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": OUR_FAULT,
    }
    assert users_called_halfway() == 0


def test_the_app_still_works_after_a_500(failing_client, make_user):
    make_user("susan")
    failing_client.post("/half-written")

    page = failing_client.get("/user/susan")

    assert page.status_code == 200
    assert parse(page).find("h1").text == "susan"
    assert users_called_halfway() == 0


def test_a_500_whose_page_cannot_load_the_visitor_still_answers_with_an_apology(
    make_user, tmp_path
):
    """The error page's navbar needs the current user; a database without its tables
    (a bug, not an outage, so a 500) cannot load one."""
    susan = make_user("susan")
    down = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'no-tables.db'}",
        "PROPAGATE_EXCEPTIONS": False,
    })
    browser = down.test_client()
    # A logged-in visitor's session, as Flask-Login wrote it: under strong session
    # protection one without the browser's identifier (``_id``) would be emptied, and
    # an anonymous visitor's error page needs no database.
    with down.test_request_context(environ_base=browser.environ_base):
        identifier = _create_identifier()
    with browser.session_transaction() as session:
        session["_user_id"] = susan.get_id()
        session["_id"] = identifier
        session["_fresh"] = True

    response = browser.get("/explore")

    assert response.status_code == 500
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert body.startswith("<!doctype html><title>500"), "the bare fallback, not the template"
    assert OUR_FAULT in body
    with down.app_context():
        db.engine.dispose()


def test_an_uncaught_validation_error_is_a_422_not_a_500(app):
    with app.test_request_context(headers=JSON):
        response = handle_validation_error(ValidationError("Posts are at most 280 characters."))
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Posts are at most 280 characters."
