"""Avatars drawn by the app: pages need no other server to show a picture per person."""

from __future__ import annotations

import re

from microblog.avatars import identicon_svg, seed_for
from tests.pages import parse


def squares(svg: str) -> set[tuple[int, int]]:
    return {(int(x), int(y)) for x, y in re.findall(r'<rect x="(\d)" y="(\d)"', svg)}


def test_each_account_has_its_own_stable_picture(app, make_user):
    ann, bob = make_user("ann"), make_user("bob")

    with app.test_request_context():
        assert ann.avatar(48) == f"/avatar/{seed_for(ann.id)}.svg"
        assert ann.avatar(48) == ann.avatar(128)  # an SVG scales to any size
        assert ann.avatar() != bob.avatar()
    assert identicon_svg(seed_for(ann.id)) == identicon_svg(seed_for(ann.id))
    assert identicon_svg(seed_for(ann.id)) != identicon_svg(seed_for(bob.id))


def test_the_picture_is_mirrored_left_to_right():
    for user_id in range(1, 50):
        cells = squares(identicon_svg(seed_for(user_id)))
        assert cells, "every picture has something drawn"
        assert {(4 - x, y) for x, y in cells} == cells


def test_pages_show_the_local_avatars(client, make_user):
    ann = make_user("ann")
    page = parse(client.get("/user/ann"))
    assert page.find("img", cls="avatar").attrs["src"] == f"/avatar/{seed_for(ann.id)}.svg"


def test_the_picture_is_served_as_cacheable_svg_without_database_queries(
    client, make_user, count_queries
):
    ann = make_user("ann")
    client.login("ann")  # a logged-in visitor: nothing about them is needed either
    with count_queries() as statements:
        response = client.get(f"/avatar/{seed_for(ann.id)}.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "immutable" in response.headers["Cache-Control"]
    assert response.get_data(as_text=True).startswith("<svg ")
    assert statements == []


def test_a_malformed_seed_is_not_found(client):
    assert client.get("/avatar/not-a-seed.svg").status_code == 404
    assert client.get("/avatar/" + "A" * 16 + ".svg").status_code == 404
