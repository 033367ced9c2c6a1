"""The OpenAPI document at ``/api/openapi.json``, written by APIFlask from the views'
schemas, with what APIFlask cannot know: the problem bodies of errors, and their
media type."""

from __future__ import annotations

from flask import Flask

from microblog.api.errors import PROBLEM_MIMETYPE
from microblog.api.schemas import PROBLEM_SCHEMA
from microblog.integers import MAX_ID

DESCRIPTION = """Every capability of Microblog over JSON.

Get a pair of tokens with `POST /api/tokens` (HTTP Basic: your username and password),
send the access token as `Authorization: Bearer <token>`, and exchange the refresh token
for a new pair with `PUT /api/tokens` before the access token's 15 minutes are up.
Every error is an RFC 9457 problem (`application/problem+json`).
"""


ANY_REQUEST = ((400, "Bad request"), (429, "Too many requests (see Retry-After)"))
WITH_BODY = ((413, "Body too large"), (415, "Body not application/json"))


def init_app(app: Flask) -> None:
    app.config.setdefault("DESCRIPTION", DESCRIPTION)
    app.config["HTTP_ERROR_SCHEMA"] = PROBLEM_SCHEMA
    app.config["VALIDATION_ERROR_SCHEMA"] = PROBLEM_SCHEMA

    @app.spec_processor
    def problems_are_problem_json(spec: dict) -> dict:
        """APIFlask documents error bodies as ``application/json``; ours are problems. And
        it cannot know the errors every request may meet before its view runs: a query
        or body with control characters (400, ``middleware/control_characters.py``), a
        rate limit (429); with a body, one too large (413) or not JSON (415). And it
        documents a 401 for every view with a token, but where the token is optional one
        that does not work counts as none: the caller is anonymous, never refused."""
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict):
                    continue
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "path" and \
                            parameter.get("schema", {}).get("type") == "integer":
                        # The <int:…> converter's bounds (microblog/integers.py): a larger
                        # number names nothing, and no route answers it.
                        parameter["schema"].update(minimum=0, maximum=MAX_ID)
                responses = operation.setdefault("responses", {})
                for status, response in responses.items():
                    content = response.get("content", {})
                    if str(status)[0] in "45" and "application/json" in content:
                        content[PROBLEM_MIMETYPE] = content.pop("application/json")
                if {} in operation.get("security", []):
                    responses.pop("401", None)
                always = ANY_REQUEST + (WITH_BODY if "requestBody" in operation else ())
                for status, description in always:
                    responses.setdefault(str(status), {
                        "description": description,
                        "content": {PROBLEM_MIMETYPE: {
                            "schema": {"$ref": "#/components/schemas/HTTPError"}}},
                    })
        return _without_copies(spec)


def _without_copies(spec: dict) -> dict:
    """One name per schema. APIFlask registers a view's output schema again under a new
    name (``UserOut1``) when apispec met it first nested in another (``UserPage``); the
    copy is dropped and its references point at the original."""
    schemas = spec.get("components", {}).get("schemas", {})
    renamed = {}
    for name in list(schemas):
        base = name.rstrip("0123456789")
        if base != name and schemas.get(base) == schemas[name]:
            renamed[f"#/components/schemas/{name}"] = f"#/components/schemas/{base}"
            del schemas[name]

    def point(value):
        if isinstance(value, dict):
            return {key: renamed.get(item, item) if key == "$ref" else point(item)
                    for key, item in value.items()}
        if isinstance(value, list):
            return [point(item) for item in value]
        return value

    return point(spec) if renamed else spec
