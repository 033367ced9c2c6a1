"""The admin blueprint: the accounts table, roles, disabling and enabling accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from microblog.blueprints.admin import routes  # noqa: E402,F401  (registers the views)
