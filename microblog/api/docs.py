"""``/api/docs``: Swagger UI on the OpenAPI document, from the app's own static files.

APIFlask has a docs page of its own, but it starts Swagger UI with an inline
``<script>``, which the Content-Security-Policy forbids (``script-src 'self'``,
``microblog/middleware/security_headers.py``). This page loads the same files,
named by APIFlask's own settings (``SWAGGER_UI_CSS``, ``SWAGGER_UI_BUNDLE_JS``,
``SWAGGER_UI_STANDALONE_PRESET_JS``, ``DOCS_FAVICON``, all under
``/static/vendor/``, installed from the npm registry by ``make assets``), and
starts it from ``static/js/api-docs.js``, which reads the document's address
from a data attribute.
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
def docs():
    return render_template("api/docs.html")
