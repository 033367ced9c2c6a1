"""The messages blueprint: private messages between two people (Mega-Tutorial ch. 21)."""

from flask import Blueprint

bp = Blueprint("messages", __name__)

from microblog.blueprints.messages import routes  # noqa: E402,F401  (registers the views)
