"""The notifications blueprint: the list, "mark all read", and what the navbar polls."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from microblog.blueprints.notifications import routes  # noqa: E402,F401  (registers the views)
