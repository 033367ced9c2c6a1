"""The settings blueprint: a logged-in person's own account (password, email, deletion)."""

from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/settings")

from microblog.blueprints.settings import (  # noqa: E402,F401  (registers the views)
    export,
    language,
    notifications,
    routes,
)
