"""The main blueprint: timelines, profiles, following."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from microblog.blueprints.main import avatars, routes, search  # noqa: E402,F401  (the views)
