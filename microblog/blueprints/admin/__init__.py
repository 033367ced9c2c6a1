"""The admin blueprint: the accounts table, roles, disabling and enabling accounts;
the list of categories; the background jobs."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from microblog.blueprints.admin import (  # noqa: E402,F401  (register the views)
    categories,
    jobs,
    routes,
)
