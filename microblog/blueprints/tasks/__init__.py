"""The tasks blueprint: a person reads how their background task is doing."""

from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

from microblog.blueprints.tasks import routes  # noqa: E402,F401  (registers the views)
