"""The uploads blueprint: sending pictures (for articles, for an avatar) and serving them."""

from flask import Blueprint

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

from microblog.blueprints.uploads import routes  # noqa: E402,F401  (registers the views)
