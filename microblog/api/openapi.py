"""The OpenAPI document at ``/api/openapi.json``, written by APIFlask from the views'
schemas, with what APIFlask cannot know: the problem bodies of errors, and their
media type."""

from __future__ import annotations

from flask import Flask

from microblog.api.errors import PROBLEM_MIMETYPE
from microblog.api.schemas import PROBLEM_SCHEMA

DESCRIPTION = """Every capability of Microblog over JSON.

Get a pair of tokens with `POST /api/tokens` (HTTP Basic: your username and password),
send the access token as `Authorization: Bearer <token>`, and exchange the refresh token
for a new pair with `PUT /api/tokens` before the access token's 15 minutes are up.
Every error is an RFC 9457 problem (`application/problem+json`).
"""


def init_app(app: Flask) -> None:
    app.config.setdefault("DESCRIPTION", DESCRIPTION)
    app.config["HTTP_ERROR_SCHEMA"] = PROBLEM_SCHEMA
    app.config["VALIDATION_ERROR_SCHEMA"] = PROBLEM_SCHEMA

    @app.spec_processor
    def problems_are_problem_json(spec: dict) -> dict:
        """APIFlask documents error bodies as ``application/json``; ours are problems."""
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict):
                    continue
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status)[0] in "45" and "application/json" in content:
                        content[PROBLEM_MIMETYPE] = content.pop("application/json")
        return spec
