"""Hover cards: the card fragment at /user/<username>/popup, and following from it.

The card is what static/js/hover-cards.js shows over a username; its Follow button is
sent with fetch asking for JSON, so /follow and /unfollow answer such a request with
the new state (or a problem body), and a plain form with the redirect it always had.
The browser's side is tests/e2e/test_hover_cards.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.follow import followers
from microblog.models.login_session import LoginSession
from microblog.models.role import ROLE_PERMISSIONS, Permission, Role
from microblog.services import comments, follows, posts
from microblog.services.permissions import NOT_ALLOWED
from tests.pages import parse

JSON = {"Accept": "application/json"}


def card(response) -> dict:
    """The card as a reader sees it: name, about me, counts, last seen and the button."""
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = parse(response)
    about = next(page.find_all("p", cls="about-me"), None)
    form = next(page.find_all("form", cls="follow-form"), None)
    links = [a for a in page.find_all("a", cls="btn")]
    return {
        "name": page.find("a", cls="username").text,
        "profile": page.find("a", cls="username").attrs["href"],
        "avatar": page.find("img", cls="avatar").attrs["src"],
        "about": about.text if about else None,
        "followers": page.find("a", cls="follower-count").text,
        "following": page.find("a", cls="following-count").text,
        "last seen": page.find("p", cls="last-seen").find("time").attrs["datetime"],
        "button": (form.find("button").text, form.attrs["action"]) if form else None,
        "link": (links[0].text, links[0].attrs["href"]) if links else None,
    }


def follow_rows() -> list[tuple[int, int]]:
    return list(db.session.execute(sa.select(followers.c.follower_id, followers.c.followed_id)))


def test_the_card_shows_the_person_without_the_page_around_it(app, client, make_user):
    susan = make_user("susan", about_me="I grow tomatoes.")
    for name in ("amy", "bob"):
        follows.follow(make_user(name), "susan")
    follows.follow(susan, "amy")

    response = client.get("/user/susan/popup")

    shown = card(response)
    assert shown["name"] == "susan" and shown["profile"] == "/user/susan"
    with app.test_request_context():
        assert shown["avatar"] == susan.avatar(64)
    assert shown["about"] == "I grow tomatoes."
    assert (shown["followers"], shown["following"]) == ("2 followers", "1 following")
    assert shown["last seen"] == susan.last_seen.isoformat()
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<nav" not in html and "<script" not in html


def test_the_button_is_the_viewers(client, make_user):
    susan = make_user("susan")
    make_user("bob")
    follows.follow(susan, "bob")

    visitor = card(client.get("/user/bob/popup"))
    assert visitor["button"] is None
    assert visitor["link"] == ("Log in to follow", "/auth/login?next=/user/bob")

    client.login("susan")
    assert card(client.get("/user/bob/popup"))["button"] == ("Unfollow", "/unfollow/bob")
    make_user("tom")
    assert card(client.get("/user/tom/popup"))["button"] == ("Follow", "/follow/tom")
    own = card(client.get("/user/susan/popup"))
    assert own["button"] is None and own["link"] is None


def marked(response) -> list[tuple[str, str]]:
    """The names and avatars the script opens a card for: (tag, whose card)."""
    assert response.status_code == 200
    return [(element.tag, element.attrs["data-user-card"])
            for element in parse(response).find_all() if "data-user-card" in element.attrs]


def test_names_and_avatars_open_cards_wherever_people_are_shown(client, make_user):
    susan, amy = make_user("susan", about_me="Gardener"), make_user("amy")
    article = posts.create_article(susan, "Soil notes", "All about the gardener's soil.")
    comments.add(amy, article.id, "Thanks, gardener!")
    follows.follow(amy, "susan")

    for _ in range(2):  # the second time from the render cache, where it is on
        assert marked(client.get("/explore")) == [("a", "susan"), ("a", "susan")]  # avatar, name
    post_page = marked(client.get(f"/post/{article.id}/soil-notes"))
    assert {("img", "susan"), ("a", "susan"), ("img", "amy"), ("a", "amy")} <= set(post_page)
    people = marked(client.get("/search?q=gardener&type=people"))
    assert people == [("img", "susan"), ("a", "susan")]
    found = marked(client.get("/search?q=gardener&type=comments"))
    assert found == [("img", "amy"), ("a", "amy")]
    assert marked(client.get("/user/susan/followers")) == [("a", "amy"), ("a", "amy")]


def test_an_unknown_name_is_a_404(client, make_user):
    make_user("susan")
    assert client.get("/user/nobody/popup").status_code == 404
    assert card(client.get("/user/SUSAN/popup"))["name"] == "susan"  # any case, as the profile


def test_a_card_costs_the_same_queries_whatever_the_counts(client, make_user, count_queries):
    make_user("quiet")
    busy = make_user("busy")
    viewer = make_user("viewer")
    for number in range(30):
        follower = make_user(f"fan{number:02}")
        follows.follow(follower, "busy")
        follows.follow(busy, follower.username)
    follows.follow(viewer, "busy")
    client.login("viewer")
    client.get("/explore")  # any last_seen write happens here

    with count_queries() as quiet:
        assert card(client.get("/user/quiet/popup"))["followers"] == "0 followers"
    with count_queries() as loud:
        shown = card(client.get("/user/busy/popup"))

    assert shown["followers"] == "31 followers" and shown["button"][0] == "Unfollow"
    assert len(loud) == len(quiet)
    # The visitor's sign-in session and the user with whether they follow them.
    assert len([s for s in loud if s.lstrip().upper().startswith("SELECT")]) == 2


# --- following from a card: JSON for a script ---------------------------------------------


def test_a_script_follows_and_unfollows_and_is_told_the_new_state(client, make_user):
    make_user("susan")
    make_user("bob")
    follows.follow(make_user("amy"), "bob")
    client.login("susan")
    token = client.csrf_token()

    response = client.post("/follow/bob", data={"csrf_token": token}, headers=JSON)

    assert response.status_code == 200
    assert response.json == {"following": True, "followers": 2,
                             "followers_text": "2 followers"}
    assert card(client.get("/user/bob/popup"))["button"] == ("Unfollow", "/unfollow/bob")

    response = client.post("/unfollow/bob", data={"csrf_token": token}, headers=JSON)

    assert response.json == {"following": False, "followers": 1,
                             "followers_text": "1 follower"}
    assert card(client.get("/user/bob/popup"))["followers"] == "1 follower"


def test_a_plain_form_is_still_sent_back_to_the_profile(client, make_user):
    make_user("susan")
    make_user("bob")
    client.login("susan")

    response = client.submit("/follow/bob", headers={"Accept": "text/html,*/*"})

    assert response.status_code == 302 and response.headers["Location"] == "/user/bob"


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_a_script_needs_the_csrf_token(client, make_user, action):
    susan = make_user("susan")
    make_user("bob")
    if action == "unfollow":
        follows.follow(susan, "bob")
    before = follow_rows()
    client.login("susan")

    response = client.post(f"/{action}/bob", headers=JSON)

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "expired" in response.json["detail"]
    assert follow_rows() == before


def test_a_script_whose_session_ended_is_told_to_log_in_again(client, make_user):
    """Not a 302 to the login page, which a script cannot read, nor a 200 of its HTML."""
    make_user("susan")
    make_user("bob")
    client.login("susan")
    token = client.csrf_token()
    db.session.execute(sa.delete(LoginSession))  # ended elsewhere ("log out everywhere")
    db.session.commit()

    response = client.post("/follow/bob", data={"csrf_token": token}, headers=JSON)

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == ("Please log in to do that. If you were logged in, "
                                       "your session has ended.")
    assert follow_rows() == []
    page = client.post("/follow/bob", data={"csrf_token": token})  # a plain form: the login page
    assert page.status_code == 302
    assert page.headers["Location"] == "/auth/login?next=%2Ffollow%2Fbob"


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_a_script_is_told_why_not_in_a_problem_body(client, make_user, action):
    make_user("susan")
    client.login("susan")
    token = client.csrf_token()

    yourself = client.post(f"/{action}/susan", data={"csrf_token": token}, headers=JSON)
    nobody = client.post(f"/{action}/nobody", data={"csrf_token": token}, headers=JSON)

    assert yourself.status_code == 422
    assert yourself.mimetype == "application/problem+json"
    assert yourself.json["detail"] == f"You cannot {action} yourself."
    assert nobody.status_code == 404
    assert nobody.json["detail"] == "There is no user called nobody."
    assert follow_rows() == []


def test_a_script_is_told_when_following_is_not_allowed(client, make_user, monkeypatch):
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.USER,
                        ROLE_PERMISSIONS[Role.USER] & ~Permission.FOLLOW)
    make_user("carl")
    make_user("susan")
    client.login("carl")

    response = client.post("/follow/susan", data={"csrf_token": client.csrf_token()},
                           headers=JSON)

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == str(NOT_ALLOWED)
    assert follow_rows() == []
