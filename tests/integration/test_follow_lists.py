"""The lists of people on a profile: /user/<username>/followers and /following."""

from __future__ import annotations

from microblog.services import follows
from tests.pages import alerts, parse


def people(response) -> dict[str, str | None]:
    """The list as a reader sees it: each username, and the label of its button (None)."""
    assert response.status_code == 200
    found = {}
    for row in parse(response).find_all("li", cls="person"):
        button = next(row.find_all("button"), None)
        found[row.attrs["data-username"]] = button.text.strip() if button else None
    return found


def test_the_profile_counts_link_to_the_lists(client, make_user):
    make_user("susan")
    page = parse(client.get("/user/susan"))
    assert page.find("a", cls="follower-count").attrs["href"] == "/user/susan/followers"
    assert page.find("a", cls="following-count").attrs["href"] == "/user/susan/following"


def test_followers_and_following_are_listed_by_name_with_the_viewers_buttons(client,
                                                                             make_user):
    susan, amy, bob, zoe = (make_user(name) for name in ("susan", "amy", "Bob", "zoe"))
    for follower in (zoe, bob, amy):
        follows.follow(follower, "susan")
    follows.follow(susan, "zoe")
    follows.follow(amy, "zoe")  # amy, the viewer, follows zoe but not Bob
    client.login("amy")

    assert list(people(client.get("/user/susan/followers")).items()) == [
        ("amy", None), ("Bob", "Follow"), ("zoe", "Unfollow")]
    assert people(client.get("/user/susan/following")) == {"zoe": "Unfollow"}
    assert people(client.get("/user/zoe/followers")) == {"amy": None, "susan": "Unfollow"}


def test_a_visitor_sees_the_people_without_buttons_and_an_empty_list_says_so(client,
                                                                            make_user):
    make_user("susan")
    amy = make_user("amy")
    follows.follow(amy, "susan")

    assert people(client.get("/user/susan/followers")) == {"amy": None}
    empty = client.get("/user/susan/following")
    assert people(empty) == {}
    assert "susan follows nobody yet." in empty.get_data(as_text=True)
    assert client.get("/user/nobody/followers").status_code == 404


def test_following_from_the_list_goes_back_to_the_list(client, make_user):
    susan, amy = make_user("susan"), make_user("amy")
    make_user("tom")
    follows.follow(amy, "susan")
    follows.follow(susan, "tom")
    client.login("amy")

    response = client.submit("/follow/tom", {"next": "/user/susan/following"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/user/susan/following"
    after = client.get("/user/susan/following")
    assert people(after) == {"tom": "Unfollow"}
    assert "You are following tom." in alerts(parse(after))


def test_the_lists_are_paged(app, client, make_user):
    app.config["USERS_PER_PAGE"] = 2
    susan = make_user("susan")
    for name in ("ann", "ben", "cat"):
        follows.follow(make_user(name), "susan")

    first = client.get("/user/susan/followers")
    assert list(people(first)) == ["ann", "ben"]
    assert parse(first).find("a", rel="next").attrs["href"] == "/user/susan/followers?page=2"
    assert list(people(client.get("/user/susan/followers?page=2"))) == ["cat"]
    assert client.get("/user/susan/followers?page=3").status_code == 404
    assert susan.follower_count == 3


def test_a_list_of_fifty_asks_what_a_list_of_two_does(app, client, make_user, count_queries):
    """The viewer's buttons for the whole page come from one query, not one per person."""
    make_user("susan")
    viewer = make_user("viewer")
    for number in range(50):
        follower = make_user(f"follower{number:02}")
        follows.follow(follower, "susan")
        if number % 2:
            follows.follow(viewer, follower.username)
    client.login("viewer")
    client.get("/explore")  # any last_seen write happens here

    app.config["USERS_PER_PAGE"] = 2
    with count_queries() as two:
        assert len(people(client.get("/user/susan/followers"))) == 2
    app.config["USERS_PER_PAGE"] = 50
    with count_queries() as fifty:
        listed = people(client.get("/user/susan/followers"))

    assert len(listed) == 50
    assert list(listed.values()).count("Unfollow") == 25
    assert len(fifty) == len(two)
