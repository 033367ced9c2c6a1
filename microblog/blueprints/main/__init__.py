"""The main blueprint: timelines, profiles, following."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from microblog.blueprints.main import (  # noqa: E402,F401  (the views)
    avatars,
    blocks,
    follow_lists,
    hover_cards,
    language,
    routes,
    search,
)
