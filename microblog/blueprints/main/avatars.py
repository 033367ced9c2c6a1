"""The identicon pictures (``microblog/avatars.py``), served without touching the database."""

from flask import abort

from microblog import avatars
from microblog.blueprints.main import bp

A_YEAR = 60 * 60 * 24 * 365


@bp.get("/avatar/<seed>.svg")
def avatar(seed):
    if not avatars.SEED_PATTERN.match(seed):
        abort(404)
    # The picture for a seed never changes: browsers and proxies may keep it.
    return avatars.identicon_svg(seed), 200, {
        "Content-Type": "image/svg+xml",
        "Cache-Control": f"public, max-age={A_YEAR}, immutable",
    }
