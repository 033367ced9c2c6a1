"""The main blueprint: timelines, profiles, following."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from microblog.blueprints.main import avatars, routes  # noqa: E402,F401  (register the views)
