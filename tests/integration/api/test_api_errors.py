"""Every error under /api is an RFC 9457 problem; the HTML site's error pages stay HTML."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import assert_problem


def test_an_unknown_address_under_api_is_a_problem_not_a_page(api):
    body = assert_problem(api.get("/api/no/such/thing"), 404)
    assert body["title"] == "Not Found"


def test_a_page_that_is_not_there_is_still_the_html_page(api):
    response = api.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_method_the_address_does_not_take_is_a_405_with_allow(api):
    response = api.patch("/api/users")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_a_400(api, make_user):
    make_user("susan")
    api.sign_in("susan")
    response = api.post("/api/posts", data="{not json",
                        headers={"Content-Type": "application/json",
                                 "Authorization": f"Bearer {api.token}"})
    body = assert_problem(response, 400)
    assert body["detail"] == "The body is not valid JSON."


def test_a_body_that_is_not_json_is_a_415(api, make_user):
    make_user("susan")
    api.sign_in("susan")
    response = api.post("/api/posts", data={"body": "hello"},
                        headers={"Authorization": f"Bearer {api.token}"})
    assert_problem(response, 415)


def test_a_body_too_large_is_a_413(api, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api.post("/api/users", data='{"username": "' + "x" * 5000 + '"}',
                        headers={"Content-Type": "application/json"})
    assert_problem(response, 413)


def test_a_wrong_type_is_a_422_naming_the_field(api):
    response = api.post("/api/users", json={"username": 5, "email": "a@example.com"})
    body = assert_problem(response, 422)
    assert set(body["errors"]) >= {"username", "password"}


def test_the_services_rules_are_a_422_naming_each_field(api, make_user):
    make_user("susan")
    response = api.post("/api/users", json={"username": "susan", "email": "not an address",
                                            "password": "short"})
    body = assert_problem(response, 422)
    assert body["errors"]["username"] == ["That username is taken. Please choose another."]
    assert set(body["errors"]) == {"username", "email", "password"}


def test_a_permission_refused_is_a_403(api, make_user):
    make_user("susan")
    bob = make_user("bob")
    api.sign_in("susan")
    body = assert_problem(api.put(f"/api/users/{bob.id}", json={"about_me": "hacked"}), 403)
    assert body["detail"] == "You can only change your own profile."


def test_a_server_error_under_api_is_a_problem(api, app, monkeypatch):
    from microblog.services import accounts

    def broken(user_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(accounts, "get_user_by_id", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert_problem(api.get("/api/users/1"), 500)


@pytest.mark.parametrize("accept", ["text/html", "application/json", "*/*"])
def test_problems_whatever_the_client_accepts(api, accept):
    response = api.get("/api/users/999999", headers={"Accept": accept})
    assert_problem(response, 404)


def test_a_post_to_an_unknown_api_address_is_a_404_not_a_csrf_error(api):
    assert_problem(api.post("/api/no/such/thing", json={}), 404)


def test_no_cors_unless_origins_are_configured(api, sibling_app, make_user):
    from tests.integration.api.conftest import ApiClient

    susan = make_user("susan")
    headers = {"Origin": "https://client.example"}
    assert "Access-Control-Allow-Origin" not in api.get(f"/api/users/{susan.id}",
                                                        headers=headers).headers
    allowed = sibling_app(API_CORS_ORIGINS=["https://client.example"])
    allowed.test_client_class = ApiClient
    client = allowed.test_client()
    response = client.get(f"/api/users/{susan.id}", headers=headers)
    assert response.headers["Access-Control-Allow-Origin"] == "https://client.example"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    other = client.get(f"/api/users/{susan.id}", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    # The pages never answer another origin's scripts.
    assert "Access-Control-Allow-Origin" not in client.get("/explore", headers=headers).headers


def test_api_requests_are_logged_with_the_tokens_user(api, make_user, caplog):
    import logging

    susan = make_user("susan")
    api.sign_in("susan")
    with caplog.at_level(logging.INFO, logger="microblog.request"):
        api.get("/api/feed")
    line = next(r for r in caplog.records
                if r.name == "microblog.request" and r.path == "/api/feed")
    assert line.status == 200 and line.user_id == susan.id
    assert api.token not in caplog.text  # no secret in the logs
