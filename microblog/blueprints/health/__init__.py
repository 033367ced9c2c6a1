"""The health blueprint: is the process alive (/health), can it serve (/health/ready)."""

from flask import Blueprint

bp = Blueprint("health", __name__, url_prefix="/health")

from microblog.blueprints.health import routes  # noqa: E402,F401  (registers the views)
