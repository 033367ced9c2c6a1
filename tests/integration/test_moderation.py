"""The moderation service called directly: the same rules the admin pages and the CLI get."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from microblog.errors import NotFound, PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.models.login_session import LoginSession
from microblog.models.role import Role
from microblog.models.user import User
from microblog.services import moderation, sessions
from microblog.services.moderation import COMMAND_LINE


@pytest.fixture
def staff(make_user):
    """An administrator, a moderator and two plain members."""
    roles = {"ada": Role.ADMIN, "moe": Role.MODERATOR, "una": None, "ulf": None}
    return {name: make_user(name, role=role) for name, role in roles.items()}


@pytest.fixture
def audit_log(caplog):
    """The audit lines written during the test, as the dicts the JSON log would hold."""
    caplog.set_level(logging.INFO, logger="microblog.audit")
    return lambda: [r.audit for r in caplog.records if r.name == "microblog.audit"
                    and r.audit["event"] in {"role.change", "account.disable", "account.enable"}]


def stored(username: str) -> tuple[Role, bool, int]:
    """Role, disabled flag and number of live sign-in sessions as the database has them now."""
    db.session.expire_all()
    return db.session.execute(
        sa.select(User.role, User.disabled, live_sessions()).where(User.username == username)
    ).one()


def live_sessions() -> sa.ScalarSelect:
    return (sa.select(sa.func.count()).where(LoginSession.user_id == User.id,
                                              LoginSession.ended_at.is_(None))
            .scalar_subquery())


# --- roles ----------------------------------------------------------------------------------


def test_an_admin_changes_a_role_and_it_is_audited(staff, audit_log):
    user = moderation.set_role(staff["ada"], "Una", "Moderator")

    assert user.role is Role.MODERATOR
    assert stored("una")[0] is Role.MODERATOR
    [line] = audit_log()
    assert line["event"] == "role.change"
    assert (line["username"], line["actor"]) == ("una", "ada")
    assert (line["old_role"], line["new_role"]) == ("user", "moderator")


@pytest.mark.parametrize("actor", ["moe", "una"])
@pytest.mark.parametrize("target", ["una", "moe", "ada"])
def test_only_admins_change_roles(staff, audit_log, actor, target):
    before = stored(target)

    with pytest.raises(PermissionDenied, match="You are not allowed to do that."):
        moderation.set_role(staff[actor], target, "admin")

    assert stored(target) == before
    assert audit_log() == []


def test_nobody_changes_their_own_role(staff, make_user):
    make_user("ava").role = Role.ADMIN  # a second admin: the refusal is not the last-admin rule
    db.session.commit()

    with pytest.raises(ValidationError, match="You cannot change your own role."):
        moderation.set_role(staff["ada"], "ada", "user")

    assert stored("ada")[0] is Role.ADMIN


def test_an_unknown_role_or_user_is_a_clear_error(staff):
    with pytest.raises(ValidationError) as error:
        moderation.set_role(staff["ada"], "una", "overlord")
    assert error.value.errors == {
        "role": "There is no role called overlord. Choose one of: user, moderator, admin."
    }
    with pytest.raises(NotFound, match="There is no user called nobody."):
        moderation.set_role(staff["ada"], "nobody", "moderator")
    assert stored("una")[0] is Role.USER


def test_setting_the_same_role_again_changes_and_logs_nothing(staff, audit_log):
    sessions.start(staff["moe"], "127.0.0.1", "Firefox/140.0")

    moderation.set_role(staff["ada"], "moe", "moderator")

    assert stored("moe") == (Role.MODERATOR, False, 1)
    assert audit_log() == []


def test_the_last_active_admin_cannot_be_demoted(staff, make_user, audit_log):
    with pytest.raises(ValidationError, match="ada is the last active administrator"):
        moderation.set_role(COMMAND_LINE, "ada", "moderator")
    assert stored("ada")[0] is Role.ADMIN

    # A disabled administrator does not count: nobody could log in as them.
    ava = make_user("ava")
    ava.role, ava.disabled = Role.ADMIN, True
    db.session.commit()
    with pytest.raises(ValidationError, match="last active administrator"):
        moderation.set_role(COMMAND_LINE, "ada", "user")

    moderation.set_role(COMMAND_LINE, "una", "admin")
    moderation.set_role(COMMAND_LINE, "ada", "user")
    assert stored("ada")[0] is Role.USER
    assert [(line["username"], line["actor"], line["new_role"]) for line in audit_log()] == [
        ("una", "cli", "admin"), ("ada", "cli", "user"),
    ]


# --- disabling and enabling -----------------------------------------------------------------


def test_a_moderator_disables_a_member_whose_sessions_end(staff, audit_log):
    for browser in ("Firefox/140.0", "curl/8.14"):
        sessions.start(staff["una"], "127.0.0.1", browser)
    assert stored("una")[2] == 2

    moderation.disable(staff["moe"], "una")

    role, disabled, live = stored("una")
    assert disabled and live == 0  # the cookies of both sessions stop working
    [line] = audit_log()
    assert (line["event"], line["username"], line["actor"]) == ("account.disable", "una", "moe")

    moderation.enable(staff["moe"], "una")
    assert stored("una") == (Role.USER, False, 0)  # old sessions stay ended
    assert [line["event"] for line in audit_log()] == ["account.disable", "account.enable"]


@pytest.mark.parametrize("target", ["ada", "max"])
def test_a_moderator_cannot_disable_staff(staff, make_user, audit_log, target):
    make_user("max").role = Role.MODERATOR
    db.session.commit()
    before = stored(target)

    with pytest.raises(PermissionDenied, match="Only administrators can disable or enable "
                                               "moderators and administrators."):
        moderation.disable(staff["moe"], target)

    assert stored(target) == before
    assert audit_log() == []


def test_a_moderator_cannot_enable_staff_an_admin_disabled(staff, make_user):
    moderation.disable(staff["ada"], "moe")
    moderator = make_user("max")
    moderator.role = Role.MODERATOR
    db.session.commit()

    with pytest.raises(PermissionDenied):
        moderation.enable(moderator, "moe")
    assert stored("moe")[1] is True


def test_an_admin_disables_moderators_and_other_admins(staff, make_user):
    ava = make_user("ava")
    ava.role = Role.ADMIN
    db.session.commit()

    moderation.disable(staff["ada"], "moe")
    moderation.disable(staff["ada"], "ava")

    assert stored("moe")[1] and stored("ava")[1]


@pytest.mark.parametrize("actor", ["ada", "moe"])
def test_nobody_disables_themselves(staff, actor):
    with pytest.raises(ValidationError, match="You cannot disable or enable your own account."):
        moderation.disable(staff[actor], actor)
    assert stored(actor)[1] is False


def test_a_member_can_neither_disable_nor_enable(staff, audit_log):
    moderation.disable(staff["moe"], "ulf")
    before = stored("ulf")

    with pytest.raises(PermissionDenied):
        moderation.disable(staff["una"], "moe")
    with pytest.raises(PermissionDenied):
        moderation.enable(staff["una"], "ulf")

    assert stored("ulf") == before
    assert stored("moe")[1] is False
    assert [line["event"] for line in audit_log()] == ["account.disable"]


def test_disabling_twice_changes_and_logs_nothing_more(staff, audit_log):
    moderation.disable(staff["moe"], "una")
    after_first = stored("una")

    moderation.disable(staff["moe"], "una")
    moderation.enable(staff["moe"], "ulf")  # never disabled: nothing to do

    assert stored("una") == after_first
    assert [line["event"] for line in audit_log()] == ["account.disable"]


def test_may_moderate_answers_what_disable_would(staff):
    assert moderation.may_moderate(staff["moe"], staff["una"])
    assert not moderation.may_moderate(staff["moe"], staff["ada"])
    assert not moderation.may_moderate(staff["moe"], staff["moe"])
    assert moderation.may_moderate(staff["ada"], staff["moe"])
    assert not moderation.may_moderate(staff["una"], staff["ulf"])


# --- the list of accounts -------------------------------------------------------------------


def test_list_users_pages_through_accounts_by_username(staff, make_user):
    make_user("Bea")

    first = moderation.list_users(staff["moe"], 1, 3)
    second = moderation.list_users(staff["moe"], 2, 3)

    assert [u.username for u in first.items] == ["ada", "Bea", "moe"]  # ignoring case
    assert first.has_next
    assert [u.username for u in second.items] == ["ulf", "una"]
    assert not second.has_next
    with pytest.raises(NotFound):
        moderation.list_users(staff["moe"], 3, 3)


def test_list_users_filters_by_part_of_the_username(staff, make_user):
    make_user("ULRIKE")
    make_user("u_l")
    make_user("uxl")

    def names(query):
        return [u.username for u in moderation.list_users(staff["ada"], 1, 50, query).items]

    assert names(" ul ") == ["ulf", "ULRIKE"]
    assert names("u_l") == ["u_l"]  # "_" is a literal underscore, not "any character"
    assert names("%") == []
    assert names("") == ["ada", "moe", "u_l", "ulf", "ULRIKE", "una", "uxl"]


def test_members_cannot_list_accounts(staff):
    with pytest.raises(PermissionDenied):
        moderation.list_users(staff["una"], 1, 50)
