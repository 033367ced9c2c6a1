"""Avatars drawn by the app itself, so pages need no other server.

Each account gets an identicon: a 5×5 pattern, mirrored left to right, in a
colour, all derived from a hash of the account's id. The same account always
gets the same picture, and the picture is a few hundred bytes of SVG that the
browser may cache for ever. ``AVATAR_PROVIDER=gravatar`` uses Gravatar instead
(people's own pictures, at the cost of a request to another site per avatar).
Whoever uploads a picture of their own in Settings gets that instead, whatever the
provider (``User.avatar_file``, ``microblog/services/uploads.py``).
"""

from __future__ import annotations

import re
from hashlib import md5, sha256
from urllib.parse import urlencode

from flask import current_app, url_for

SEED_PATTERN = re.compile(r"^[0-9a-f]{16}$")
GRID = 5


def avatar_url(user_id: int, email: str, size: int = 80, avatar_file: str | None = None) -> str:
    """The URL of an account's picture: the one they uploaded (``avatar_file``, served
    by the uploads blueprint), else our own identicon, or Gravatar when configured."""
    if avatar_file:
        return url_for("uploads.image", name=avatar_file)
    if current_app.config["AVATAR_PROVIDER"] == "gravatar":
        digest = md5(email.encode("utf-8"), usedforsecurity=False)
        query = urlencode({"d": "identicon", "s": size})
        return f"{current_app.config['GRAVATAR_URL']}/{digest.hexdigest()}?{query}"
    return url_for("main.avatar", seed=seed_for(user_id))


def seed_for(user_id: int) -> str:
    """The public name of an account's identicon: reveals nothing but the id it comes from."""
    return sha256(f"microblog-avatar:{user_id}".encode()).hexdigest()[:16]


def identicon_svg(seed: str) -> str:
    """The SVG picture for ``seed``: the same seed always draws the same picture."""
    digest = sha256(seed.encode()).digest()
    hue = digest[0] * 360 // 256
    colour = f"hsl({hue}, 55%, 45%)"
    half = (GRID + 1) // 2
    cells = []
    for row in range(GRID):
        for column in range(half):
            if digest[1 + row * half + column] % 2 == 0:
                cells.extend({(column, row), (GRID - 1 - column, row)})
    squares = "".join(f'<rect x="{x}" y="{y}" width="1" height="1"/>' for x, y in sorted(cells))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 {GRID + 1} {GRID + 1}" '
        f'shape-rendering="crispEdges"><rect x="-0.5" y="-0.5" width="{GRID + 1}" '
        f'height="{GRID + 1}" fill="#f0f0f0"/><g fill="{colour}">{squares}</g></svg>'
    )
