"""The OpenAPI document and the interactive docs: every endpoint documented with its
security and errors, every documented example valid against its own schema, the docs
page served from the app's own files under the site's Content-Security-Policy."""

from __future__ import annotations

import re

import jsonschema_rs

from tests.integration.api.conftest import resolve_refs

PAGE_ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"')


def spec_of(api) -> dict:
    response = api.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_every_api_route_is_documented(api, app):
    paths = spec_of(api)["paths"]
    documented = {(method.upper(), path) for path, operations in paths.items()
                  for method in operations}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint.startswith(("openapi.",
                                                                          "api_docs.")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in documented, f"{method} {path} is not in the document"
    assert spec_of(api)["openapi"].startswith("3.")


def test_security_schemes_and_who_needs_a_token(api):
    spec = spec_of(api)
    schemes = spec["components"]["securitySchemes"]
    assert schemes["BearerAuth"] == {**schemes["BearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["BasicAuth"]["scheme"] == "basic"
    assert spec["paths"]["/api/tokens"]["post"]["security"] == [{"BasicAuth": []}]
    assert spec["paths"]["/api/feed"]["get"]["security"] == [{"BearerAuth": []}]
    assert {} in spec["paths"]["/api/users/{user_id}"]["get"]["security"]


def test_errors_are_documented_as_problems(api):
    spec = spec_of(api)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], \
                        f"{method} {path} {status}"
            assert {"400", "429"} <= set(operation["responses"])
    problem = spec["components"]["schemas"]["HTTPError"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}


def _example_of(schema: dict):
    """The object the field examples of ``schema`` make together."""
    if "example" in schema:
        return schema["example"]
    if "anyOf" in schema:  # a nullable nested object: the object's example
        return _example_of(next(option for option in schema["anyOf"]
                                if option.get("type") != "null"))
    if schema.get("type") == "object" or "properties" in schema:
        return {name: _example_of(field) for name, field in schema.get("properties", {}).items()}
    if schema.get("type") == "array":
        return [_example_of(schema.get("items", {}))]
    raise AssertionError(f"no example for {schema}")


def test_every_documented_example_is_valid_against_its_schema(api):
    spec = spec_of(api)
    checked = 0
    for name, schema in spec["components"]["schemas"].items():
        resolved = resolve_refs(spec, schema)
        # Each field's example, and the whole object they make, are valid.
        for field, field_schema in resolved.get("properties", {}).items():
            if "example" in field_schema:
                assert jsonschema_rs.is_valid(field_schema, field_schema["example"]), \
                    f"{name}.{field}: {field_schema['example']!r}"
                checked += 1
        assert jsonschema_rs.is_valid(resolved, _example_of(resolved)), name
    assert checked > 50


def test_the_docs_page_is_served_from_local_files_under_the_csp(api):
    response = api.get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "style=" not in page
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assets = PAGE_ASSET.findall(page)
    assert any("swagger-ui-bundle.js" in url for url in assets)
    for url in assets:
        assert url.startswith("/static/"), url
        assert api.get(url).status_code == 200, f"{url} is missing; run `make assets`"
    assert 'data-spec-url="/api/openapi.json"' in page
    assert "fonts.googleapis" not in page and "apiflask.com" not in page


def test_each_schema_has_one_name(api):
    """APIFlask names an output schema again (``UserOut1``) when it met it nested first;
    clients generating code from the document would get two types for one thing."""
    names = spec_of(api)["components"]["schemas"]
    assert {"UserOut", "PostOut", "UserPage"} <= set(names)
    assert not [name for name in names if name[-1].isdigit()]


def test_the_document_names_no_server(api):
    """The document is made once and kept: a server address in it would be the first
    reader's (here the test client's ``localhost``) for everyone after."""
    api.get("/api/openapi.json", base_url="http://first.example")
    assert "servers" not in spec_of(api)
