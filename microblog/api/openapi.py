"""The OpenAPI document at ``/api/openapi.json``, written by APIFlask from the views'
schemas, with what APIFlask cannot know: the problem bodies of errors, and their
media type."""

from __future__ import annotations

from flask import Flask

from microblog.api.clients import BODY_METHODS
from microblog.api.errors import PROBLEM_MIMETYPE
from microblog.api.schemas import PROBLEM_SCHEMA
from microblog.integers import MAX_ID
from microblog.middleware.control_characters import FORM_METHODS

DESCRIPTION = """Every capability of Microblog over JSON.

Get a pair of tokens with `POST /api/tokens` (HTTP Basic: your username and password),
send the access token as `Authorization: Bearer <token>`, and exchange the refresh token
for a new pair with `PUT /api/tokens` before the access token's 15 minutes are up.
Every error is an RFC 9457 problem (`application/problem+json`).
"""


# What any request may meet, whatever the operation: a query with control characters
# (400, ``middleware/control_characters.py``), a rate limit (429), a database that
# cannot be reached (503, ``blueprints/errors/handlers.py``).
ANY_REQUEST = ((400, "Bad request"), (429, "Too many requests (see Retry-After)"),
               (503, "The database cannot be reached just now (see Retry-After)"))
# A body is read before any view runs, whether the operation takes one or not: for the
# methods whose form is read, one too large is a 413; for those that may carry JSON
# (``api/clients.py``), one that is not JSON is a 415.
TOO_LARGE = (413, "Body too large")
NOT_JSON = (415, "Body not application/json")
NOT_MODIFIED = "Not modified: the ETag sent in If-None-Match still matches (no body)"


def init_app(app: Flask) -> None:
    app.config.setdefault("DESCRIPTION", DESCRIPTION)
    app.config["HTTP_ERROR_SCHEMA"] = PROBLEM_SCHEMA
    app.config["VALIDATION_ERROR_SCHEMA"] = PROBLEM_SCHEMA

    @app.spec_processor
    def problems_are_problem_json(spec: dict) -> dict:
        """APIFlask documents error bodies as ``application/json``; ours are problems. It
        cannot know the answers every request may meet before its view runs (see
        ``ANY_REQUEST``, ``TOO_LARGE``, ``NOT_JSON``), nor the ``304`` of a GET whose
        ETag still matches (``api/clients.py``)."""
        for operations in spec.get("paths", {}).values():
            for method, operation in operations.items():
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
                    if str(status)[0] == "3":  # a redirect's body is nobody's to read
                        response.pop("content", None)
                if method.upper() == "GET" and \
                        "application/json" in responses.get("200", {}).get("content", {}):
                    responses.setdefault("304", {"description": NOT_MODIFIED})
                always = ANY_REQUEST + ((TOO_LARGE,) if method.upper() in FORM_METHODS else ()) \
                    + ((NOT_JSON,) if method.upper() in BODY_METHODS else ())
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
