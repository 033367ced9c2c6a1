"""Who may do what: the view decorators, the checks in the services, and what people see.

Every moderator or admin URL is tried by visitors who may not use it, with GET and
POST; each answer is checked, and so is the database, which must not have changed.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog.blueprints.decorators import admin_required, permission_required
from microblog.errors import PermissionDenied
from microblog.extensions import db
from microblog.models.follow import followers
from microblog.models.login_session import LoginSession
from microblog.models.post import Post
from microblog.models.role import ROLE_PERMISSIONS, Permission, Role
from microblog.models.user import User
from microblog.services import follows, moderation, posts
from tests.pages import alerts, parse

JSON = {"Accept": "application/json"}
CONFIRM_FIRST = "Please confirm your email address first."
POSTING_CLOSED = f"You cannot post yet. {CONFIRM_FIRST}"
NOT_ALLOWED = "You are not allowed to do that."

# Every moderator/admin URL and the form it takes; ``susan`` is the account acted on.
GUARDED = [
    ("GET", "/admin/users", None),
    ("POST", "/admin/users/susan/role", {"role": "admin"}),
    ("POST", "/admin/users/susan/disable", {}),
    ("POST", "/admin/users/susan/enable", {}),
]
ADMIN_ONLY = [("POST", "/admin/users/susan/role", {"role": "admin"})]


def accounts_state() -> list[tuple]:
    """Everything the admin routes could change, for before/after comparisons."""
    db.session.expire_all()
    return db.session.execute(
        sa.select(User.username, User.role, User.disabled, live_sessions()).order_by(User.id)
    ).all()


def live_sessions() -> sa.ScalarSelect:
    """How many sign-in sessions of the account are live (disabling one ends them)."""
    return (sa.select(sa.func.count()).where(LoginSession.user_id == User.id,
                                              LoginSession.ended_at.is_(None))
            .scalar_subquery())


def request(client, method: str, url: str, data: dict | None, **kwargs):
    if method == "GET":
        return client.get(url, **kwargs)
    return client.submit(url, data, **kwargs)


def error_page(response) -> tuple[str, str, str]:
    error = parse(response).find(cls="error-page")
    return error.find("p").text, error.find("h1").text, error.find(cls="lead").text


@pytest.fixture
def people(make_user):
    """susan (a member, the one acted on), mallory (a member), mo (a moderator), ada (admin)."""
    roles = {"susan": None, "mallory": None, "moe": Role.MODERATOR, "ada": Role.ADMIN}
    return {name: make_user(name, role=role) for name, role in roles.items()}


# --- pages guarded by the decorators --------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "data"), GUARDED)
def test_anonymous_visitors_are_sent_to_log_in(client, people, method, url, data):
    before = accounts_state()

    response = request(client, method, url, data)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert accounts_state() == before


@pytest.mark.parametrize(("method", "url", "data"), GUARDED)
def test_members_get_403_on_every_moderator_and_admin_url(client, people, method, url, data):
    client.login("mallory")
    before = accounts_state()

    response = request(client, method, url, data)

    assert response.status_code == 403
    assert error_page(response) == ("403", "Forbidden", NOT_ALLOWED)
    assert accounts_state() == before


@pytest.mark.parametrize(("method", "url", "data"), ADMIN_ONLY)
def test_moderators_get_403_on_admin_urls(client, people, method, url, data):
    client.login("moe")
    before = accounts_state()

    response = request(client, method, url, data)

    assert response.status_code == 403
    assert error_page(response)[2] == NOT_ALLOWED
    assert accounts_state() == before


@pytest.mark.parametrize(("method", "url", "data"), GUARDED)
def test_json_clients_get_a_403_problem_body(client, people, method, url, data):
    client.login("mallory")

    response = request(client, method, url, data, headers=JSON)

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json(force=True) == {
        "type": "about:blank", "title": "Forbidden", "status": 403, "detail": NOT_ALLOWED,
    }


def test_the_decorators_guard_any_view(sibling_app, make_user):
    """``permission_required`` on a new view: log in first, then the permission's own reason."""
    probe = sibling_app()
    probe.add_url_rule("/probe/write", "probe_write",
                       permission_required(Permission.WRITE)(lambda: "writing allowed"))
    probe.add_url_rule("/probe/admin", "probe_admin", admin_required(lambda: "admin allowed"))
    client = probe.test_client()
    make_user("nina", email_confirmed=False)
    make_user("carl")

    assert client.get("/probe/write").headers["Location"] == "/auth/login?next=%2Fprobe%2Fwrite"
    client.login("nina")
    denied = client.get("/probe/write")
    assert denied.status_code == 403
    assert error_page(denied)[2] == CONFIRM_FIRST
    client.logout()
    client.login("carl")
    assert client.get("/probe/write").get_data(as_text=True) == "writing allowed"
    assert client.get("/probe/admin").status_code == 403


def test_the_admin_link_is_shown_to_moderators_and_admins_only(client, people):
    def nav_links(username: str) -> list[str]:
        client.login(username)
        page = parse(client.get("/explore"))
        client.logout()
        return [a.text for a in page.find("nav").find_all("a", cls="nav-link")]

    assert "Admin" not in nav_links("mallory")
    assert "Admin" in nav_links("moe")
    assert "Admin" in nav_links("ada")
    assert "Admin" not in [a.text for a in parse(client.get("/explore")).find_all("a")]


# --- posting needs WRITE, which needs a confirmed email -------------------------------------


def post_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Post))


def test_an_unconfirmed_account_cannot_post_through_the_service(make_user):
    nina = make_user("nina", email_confirmed=False)

    with pytest.raises(PermissionDenied, match=CONFIRM_FIRST):
        posts.create_post(nina, "Hello")

    assert post_count() == 0


def test_a_confirmed_account_can_post_through_the_service(make_user):
    posts.create_post(make_user("carl"), "Hello")
    assert post_count() == 1


def test_unconfirmed_accounts_see_why_instead_of_the_post_form(client, make_user):
    make_user("nina", email_confirmed=False)
    client.login("nina")

    home = parse(client.get("/index"))

    assert not [e for e in home.find_all("textarea") if e.attrs.get("name") == "post"]
    assert home.find(cls="posting-closed").text == POSTING_CLOSED


def test_an_unconfirmed_account_posting_anyway_gets_403_and_nothing_is_written(client, make_user):
    make_user("nina", email_confirmed=False)
    client.login("nina")

    response = client.submit("/index", {"post": "Let me in"})

    assert response.status_code == 403
    assert parse(response).find(cls="posting-closed").text == POSTING_CLOSED
    assert post_count() == 0


def test_a_confirmed_account_posts_from_the_home_page(client, make_user):
    make_user("carl")
    client.login("carl")

    home = parse(client.get("/index"))
    assert [e for e in home.find_all("textarea") if e.attrs.get("name") == "post"]
    assert not list(home.find_all(cls="posting-closed"))
    assert client.submit("/index", {"post": "Hello"}).status_code == 302
    assert post_count() == 1


def test_without_required_confirmation_unconfirmed_accounts_post(app, client, make_user):
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = False
    make_user("nina", email_confirmed=False)
    client.login("nina")

    assert client.submit("/index", {"post": "Hello"}).status_code == 302
    assert post_count() == 1


# --- following needs FOLLOW ------------------------------------------------------------------


@pytest.fixture
def members_cannot_follow(monkeypatch):
    """A site whose plain members may not follow (as a read-only role would be)."""
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.USER,
                        ROLE_PERMISSIONS[Role.USER] & ~Permission.FOLLOW)


def follow_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(followers))


def test_following_without_follow_permission_is_refused_by_the_service(
    make_user, members_cannot_follow
):
    carl = make_user("carl")
    make_user("susan")

    with pytest.raises(PermissionDenied, match=NOT_ALLOWED):
        follows.follow(carl, "susan")

    assert follow_count() == 0


def test_following_without_follow_permission_shows_the_profile_with_403(
    client, make_user, members_cannot_follow
):
    make_user("carl")
    make_user("susan")
    client.login("carl")

    response = client.submit("/follow/susan")

    assert response.status_code == 403
    page = parse(response)
    assert NOT_ALLOWED in alerts(page)
    assert page.find("h1").text == "susan"
    assert page.find(cls="follower-count").text == "0 followers"
    assert follow_count() == 0


def test_unconfirmed_accounts_may_still_follow(client, make_user):
    make_user("nina", email_confirmed=False)
    make_user("susan")
    client.login("nina")

    assert client.submit("/follow/susan").status_code == 302
    assert follow_count() == 1


# --- disabled accounts ----------------------------------------------------------------------


def test_a_disabled_account_is_logged_out_on_its_next_request(client, people):
    client.login("susan")
    assert client.get("/edit_profile").status_code == 200

    moderation.disable(people["moe"], "susan")

    response = client.get("/edit_profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert "Logout" not in parse(client.get("/explore")).find("nav").text


def test_a_disabled_account_cannot_log_in_and_is_not_revived_by_enabling(client, people):
    other_browser = client.application.test_client()
    other_browser.login("susan")
    moderation.disable(people["moe"], "susan")

    client.login("susan")
    assert client.get("/edit_profile").status_code == 302

    moderation.enable(people["moe"], "susan")
    assert other_browser.get("/edit_profile").status_code == 302  # the old session stays ended
    client.login("susan")
    assert client.get("/edit_profile").status_code == 200  # a fresh login works again
