"""The REST API under ``/api`` (Mega-Tutorial chapter 23, and the guide's API).

Built with APIFlask: the app is an ``APIFlask`` (a Flask subclass that also writes
the OpenAPI document from each view's schemas), and each resource is an
``APIBlueprint`` in ``resources/``. A resource function parses its input (a
schema in ``schemas.py``), calls the same service the HTML pages call, and
serialises what it got back: no rule is written here. ``auth.py`` knows the
tokens, ``errors.py`` the problem bodies, ``docs.py`` the interactive docs.
"""

from __future__ import annotations

from flask import Flask

from microblog.api.errors import is_api_request

__all__ = ["init_app", "is_api_request"]


def init_app(app: Flask) -> None:
    from microblog.api import clients, docs, errors, openapi
    from microblog.api.resources import blueprints
    from microblog.extensions import csrf

    openapi.init_app(app)
    for blueprint in blueprints():
        csrf.exempt(blueprint)  # tokens, not cookies, authenticate the API: nothing to forge
        app.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    clients.init_app(app)
    # The pages' blueprints are plain Flask ones: not part of the API's document (APIFlask
    # asks each blueprint, and only its own have the attribute).
    for blueprint in app.blueprints.values():
        if not hasattr(blueprint, "enable_openapi"):
            blueprint.enable_openapi = False

    def input_problem(error):
        """APIFlask's own errors: a body or query that breaks its schema (422), and
        what ``apiflask.abort`` raises. Set as the attribute, not with
        ``@app.error_processor``, which would also take over every HTTP error of the
        pages (the errors blueprint keeps those)."""
        detail = error.detail if isinstance(error.detail, str) else None
        fields = errors.input_errors(error.detail) if error.status_code == 422 else None
        return errors.problem(error.status_code, detail, errors=fields, headers=error.headers)

    app.error_callback = input_problem
