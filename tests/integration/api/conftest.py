"""Fixtures for the REST API's tests: a client that speaks JSON and holds tokens."""

from __future__ import annotations

import base64

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD


class ApiClient(FlaskClient):
    """The test client, each request in its own app context (as ``tests.conftest.Client``),
    plus signing in for tokens and sending them."""

    token: str | None = None

    def open(self, *args, **kwargs):
        if self.token and "headers" not in kwargs:
            kwargs["headers"] = {"Authorization": f"Bearer {self.token}"}
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD) -> dict:
        """``POST /api/tokens`` with HTTP Basic; keeps the access token for later requests."""
        response = self.post("/api/tokens", headers=basic(username, password))
        assert response.status_code == 201, response.get_json()
        tokens = response.get_json()
        self.token = tokens["access_token"]
        return tokens


def basic(username: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(app: Flask) -> ApiClient:
    app.test_client_class = ApiClient
    return app.test_client()


@pytest.fixture
def other_api(app: Flask) -> ApiClient:
    """A second, separate client (another person's program)."""
    app.test_client_class = ApiClient
    return app.test_client()


def resolve_refs(spec: dict, schema):
    """``schema`` of the OpenAPI document ``spec`` with every $ref replaced by what it
    names (the components are small)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return resolve_refs(spec, spec["components"]["schemas"][name])
        return {key: resolve_refs(spec, value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolve_refs(spec, item) for item in schema]
    return schema


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with ``status``; its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body
