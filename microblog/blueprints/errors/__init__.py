"""The errors blueprint: one page for every HTTP error, and the mapping of domain errors."""

from flask import Blueprint

bp = Blueprint("errors", __name__)

from microblog.blueprints.errors import handlers  # noqa: E402,F401  (registers the handlers)
