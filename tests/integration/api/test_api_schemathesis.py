"""schemathesis against the served OpenAPI document, on a live server on loopback.

Every operation of ``/api/openapi.json`` is sent examples hypothesis generates from its
schemas, authenticated with a real access token: no answer may be a server error,
and every answer must be what the document says (its status is listed, its media
type and body match). Bounded: a few examples per operation, so it adds seconds to
``make test``, on one database (the schema and the code are the same on the others).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from microblog import create_app
from microblog.extensions import db
from microblog.services import accounts, follows, posts
from tests.conftest import PASSWORD, reset_schema
from tests.integration.api.conftest import basic

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Signing out would revoke the token every other operation is sent with.
LEFT_OUT = {("DELETE", "/api/tokens")}


@pytest.fixture(scope="module")
def live_api(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """A seeded app served on 127.0.0.1: (its base URL, an access token)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'api.db'}",
        "MAIL_OUTBOX_DIR": str(folder / "outbox"), "UPLOAD_DIR": str(folder / "uploads"),
        "EXPORT_DIR": str(folder / "exports"),
    })
    reset_schema(app)
    with app.app_context():
        susan = accounts.register("susan", "susan@example.com", PASSWORD, email_confirmed=True)
        accounts.register("bob", "bob@example.com", PASSWORD, email_confirmed=True)
        follows.follow(susan, "bob")
        posts.create_post(susan, "Hello, #flask!")
        posts.create_article(susan, "Birds", "Sparrows.", tags="birds", publish=False)
        token = app.test_client().post("/api/tokens", headers=basic("susan", PASSWORD)) \
            .get_json()["access_token"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", token
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def test_every_operation_answers_as_documented(live_api):
    base_url, token = live_api
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    tested = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in LEFT_OUT:
            continue

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  derandomize=True, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(base_url=base_url, headers=headers, timeout=10)
            case.validate_response(response, checks=CHECKS)

        check()
        tested += 1
    assert tested >= 15
