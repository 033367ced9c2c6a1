"""The feeds blueprint: Atom feeds of the site, each user and each category, the sitemap,
and the files crawlers ask for (robots.txt, favicon.ico)."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

from microblog.blueprints.feeds import routes  # noqa: E402,F401  (registers the views)
