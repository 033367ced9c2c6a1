"""Rate limits on signing in, registering and account email, counted in memory and in Redis.

The suite's own apps run with rate limiting off (``TestingConfig``). Each test
here builds an app with it on, on the test's database, and runs once per
storage: this process's memory (the embedded default) and Redis (``REDIS_URL``,
as in production). The limits are the shipped defaults, read from the config.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask, url_for
from itsdangerous import URLSafeTimedSerializer
from limits import parse

from microblog import create_app
from microblog.config import Config
from microblog.extensions import db, limiter
from microblog.mailer import wait_for_pending
from microblog.models.user import User
from microblog.tokens import password_fingerprint
from tests.conftest import PASSWORD, Client
from tests.pages import alerts
from tests.pages import parse as parse_page
from tests.smtp import free_port, link_path

# Unique per run: other runs of the suite may share the Redis server at the same time.
KEY_PREFIX = f"microblog-test-limits-{uuid.uuid4().hex[:8]}"
WRONG = "not the password"
ATTACKER, ALICES_ADDRESS = "198.51.100.7", "203.0.113.5"


def delete_keys(url: str) -> None:
    """Delete this module's keys (and only those) from the shared Redis."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{KEY_PREFIX}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def limit_settings(redis_url: str | None, **settings) -> dict[str, object]:
    return {
        "RATELIMIT_ENABLED": True,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_OPTIONS": {
            "key_prefix": KEY_PREFIX, "socket_connect_timeout": 1, "socket_timeout": 1,
        },
        **settings,
    }


@pytest.fixture
def outbox(tmp_path) -> Path:
    """Where the apps built here write their email (no MAIL_SERVER)."""
    return tmp_path / "outbox"


def sent(outbox: Path) -> int:
    """How many emails have gone out, once every send in flight has finished."""
    wait_for_pending()
    return len(list(outbox.glob("*.eml")))


@pytest.fixture
def make_limited_app(sibling_app, outbox: Path):
    """Build an app with rate limiting on, sharing ``app``'s database.

    The limiter is one object per process and counts in the storage of the app
    initialised last, so a test builds this app after any other.
    """

    def build(redis_url: str | None, **settings) -> Flask:
        # One app per process in production; here a "Redis is down" verdict
        # from an earlier test must not carry over to this app's storage.
        limiter._storage_dead = False
        return sibling_app(MAIL_OUTBOX_DIR=str(outbox), **limit_settings(redis_url, **settings))

    return build


@pytest.fixture(params=["memory", "redis"])
def storage(request) -> str | None:
    """The Redis URL to count in, or None for this process's memory."""
    if request.param == "memory":
        yield None
        return
    url = request.getfixturevalue("redis_url")
    delete_keys(url)
    yield url
    delete_keys(url)


@pytest.fixture
def limited_app(make_limited_app, storage) -> Flask:
    return make_limited_app(storage)


@pytest.fixture
def browser(limited_app: Flask) -> Client:
    return limited_app.test_client()


def allowed(app: Flask, setting: str) -> int:
    return parse(app.config[setting]).amount


def window_seconds(app: Flask, setting: str) -> int:
    return parse(app.config[setting]).get_expiry()


def sign_in(client: Client, username: str, password: str = WRONG, *,
            address: str = "127.0.0.1", **kwargs):
    return client.submit("/auth/login", {"username": username, "password": password},
                         environ_base={"REMOTE_ADDR": address}, **kwargs)


def is_logged_in(client: Client, address: str = "127.0.0.1") -> bool:
    return client.get("/edit_profile", environ_base={"REMOTE_ADDR": address}).status_code == 200


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def new_account(name: str) -> dict[str, str]:
    return {"username": name, "email": f"{name}@example.com", "password": PASSWORD,
            "password2": PASSWORD}


# --- signing in ---------------------------------------------------------------------------


def test_the_attempt_after_too_many_failures_on_a_username_gets_429(
    limited_app, browser, make_user, caplog
):
    make_user("alice")
    failures = allowed(limited_app, "RATELIMIT_LOGIN_PER_USERNAME")
    for attempt in range(failures):
        # However it is typed, it is the same account.
        response = sign_in(browser, ["alice", "Alice", "ALICE "][attempt % 3])
        assert response.status_code == 422
        assert "Invalid username or password." in alerts(parse_page(response))
        assert "Retry-After" not in response.headers  # only a refusal says when to retry

    with caplog.at_level(logging.INFO, logger="microblog.audit"):
        blocked = sign_in(browser, "alice", PASSWORD)

    assert blocked.status_code == 429
    window = window_seconds(limited_app, "RATELIMIT_LOGIN_PER_USERNAME")
    assert 0 < int(blocked.headers["Retry-After"]) <= window
    page = parse_page(blocked)
    assert page.find("h1").text == "Too Many Requests"
    minutes = max(1, round(int(blocked.headers["Retry-After"]) / 60))
    expected = f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    assert f"Too many attempts. Please try again in {expected}." in page.text
    assert not is_logged_in(browser), "the right password must not get through a block"
    blocks = [r.audit for r in caplog.records if getattr(r, "audit", {}).get("event")
              == "rate_limit.exceeded"]
    assert len(blocks) == 1
    assert blocks[0]["limit"] == "RATELIMIT_LOGIN_PER_USERNAME"
    assert blocks[0]["key"] == "username:alice"
    assert blocks[0]["ip"] == "127.0.0.1"


def test_a_json_client_gets_a_problem_body_with_retry_after(limited_app, browser, make_user):
    make_user("alice")
    for _ in range(allowed(limited_app, "RATELIMIT_LOGIN_PER_USERNAME")):
        sign_in(browser, "alice")

    response = sign_in(browser, "alice", headers={"Accept": "application/json"})

    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert response.get_json()["title"] == "Too Many Requests"
    assert int(response.headers["Retry-After"]) > 0


def test_failures_on_one_username_do_not_block_another_from_the_same_address(
    limited_app, browser, make_user
):
    make_user("alice")
    make_user("bob")
    per_username = allowed(limited_app, "RATELIMIT_LOGIN_PER_USERNAME")
    assert allowed(limited_app, "RATELIMIT_LOGIN_PER_IP") > per_username
    for _ in range(per_username):
        sign_in(browser, "alice")
    assert sign_in(browser, "alice", PASSWORD).status_code == 429

    bob = limited_app.test_client()
    response = sign_in(bob, "bob", PASSWORD)  # the same address, 127.0.0.1

    assert response.status_code == 302
    assert is_logged_in(bob)


def test_many_usernames_from_one_address_trip_the_address_limit(limited_app, make_user):
    make_user("alice")
    attacker, alice = limited_app.test_client(), limited_app.test_client()
    for n in range(allowed(limited_app, "RATELIMIT_LOGIN_PER_IP")):
        assert sign_in(attacker, f"guess{n}", address=ATTACKER).status_code == 422

    blocked = sign_in(attacker, "alice", PASSWORD, address=ATTACKER)
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert not is_logged_in(attacker, ATTACKER)

    # Alice, from her own address, signs in as usual.
    assert sign_in(alice, "alice", PASSWORD, address=ALICES_ADDRESS).status_code == 302
    assert is_logged_in(alice, ALICES_ADDRESS)


def test_successful_sign_ins_and_opening_the_form_use_up_no_username_limit(limited_app, browser,
                                                                           make_user):
    make_user("alice")
    for _ in range(allowed(limited_app, "RATELIMIT_LOGIN_PER_USERNAME") + 1):
        assert browser.get("/auth/login").status_code == 200
        assert sign_in(browser, "alice", PASSWORD).status_code == 302
        browser.logout()

    assert sign_in(browser, "alice").status_code == 422  # a first failure, not a 429


def test_a_successful_sign_in_forgives_the_failures_before_it(limited_app, browser, make_user):
    make_user("alice")
    failures = allowed(limited_app, "RATELIMIT_LOGIN_PER_USERNAME")
    for _ in range(failures - 1):
        assert sign_in(browser, "alice").status_code == 422
    assert sign_in(browser, "alice", PASSWORD).status_code == 302
    browser.logout()

    for _ in range(failures):
        assert sign_in(browser, "alice").status_code == 422
    assert sign_in(browser, "alice").status_code == 429


def test_parallel_wrong_passwords_on_one_account_get_no_more_checks_than_the_limit(
    limited_app, make_user, monkeypatch
):
    """Sixteen browsers send a wrong password at the same moment. Each attempt is
    counted before its password is checked, so only the limit's worth are checked.

    To make "at the same moment" certain rather than likely, every password check
    waits until each of the sixteen has either reached a check or been turned away:
    counted only after its check (as before), all sixteen would be inside one.
    """
    from microblog.models import user as user_model

    make_user("alice")
    attempts, limit = 16, allowed(limited_app, "RATELIMIT_LOGIN_PER_USERNAME")
    settled = threading.Condition()
    checked, refused = [], []

    def waiting_check(pwhash: str, password: str) -> bool:
        with settled:
            checked.append(password)
            settled.notify_all()
            settled.wait_for(lambda: len(checked) + len(refused) >= attempts, timeout=30)
        return real_check(pwhash, password)

    real_check = user_model.check_password_hash
    monkeypatch.setattr(user_model, "check_password_hash", waiting_check)
    browsers = [limited_app.test_client() for _ in range(attempts)]
    tokens = [browser.csrf_token() for browser in browsers]
    start = threading.Barrier(attempts)

    def attempt(n: int) -> int:
        start.wait(timeout=30)
        status = browsers[n].post("/auth/login", data={
            "csrf_token": tokens[n], "username": "alice", "password": f"{WRONG} {n}"}).status_code
        if status == 429:
            with settled:
                refused.append(n)
                settled.notify_all()
        return status

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(attempt, range(attempts)))

    assert len(checked) == limit
    assert sorted(statuses) == [422] * limit + [429] * (attempts - limit)


def test_only_posts_consult_the_limiter(limited_app, browser, make_user, monkeypatch):
    """Every limit is on POSTs, so a page view skips the limiter's search for limits."""
    searches = []
    real = limiter.limit_manager.resolve_limits
    monkeypatch.setattr(limiter.limit_manager, "resolve_limits",
                        lambda *args, **kwargs: searches.append(args) or real(*args, **kwargs))
    make_user("alice")
    for url in ("/auth/login", "/explore", "/health"):
        assert browser.get(url).status_code == 200
    assert searches == []

    assert sign_in(browser, "alice").status_code == 422
    assert searches  # a sign-in is looked at, and counted (the tests above)


def test_the_limit_lifts_when_its_window_has_passed(make_limited_app, storage, make_user):
    # Two seconds: the three sign-ins (each hashing a password) must fit in the window
    # even on a loaded machine; in one second they sometimes did not.
    limited = make_limited_app(storage, RATELIMIT_LOGIN_PER_USERNAME="2 per 2 seconds")
    browser = limited.test_client()
    make_user("alice")
    sign_in(browser, "alice")
    sign_in(browser, "alice")
    assert sign_in(browser, "alice", PASSWORD).status_code == 429

    time.sleep(2.1)  # the window is two seconds long

    assert sign_in(browser, "alice", PASSWORD).status_code == 302
    assert is_logged_in(browser)


def test_an_empty_setting_turns_that_limit_off(make_limited_app, storage, make_user):
    limited = make_limited_app(storage, RATELIMIT_LOGIN_PER_USERNAME="")
    browser = limited.test_client()
    make_user("alice")
    for _ in range(allowed(limited, "RATELIMIT_LOGIN_PER_IP")):
        assert sign_in(browser, "alice").status_code == 422
    # What is left is the address limit.
    assert sign_in(browser, "alice", PASSWORD).status_code == 429


# --- the owner gets past a lockout --------------------------------------------------------
# The per-account limit must not be a weapon: failures from browsers the account does not
# know (an attacker's) share one count, and a browser its owner has signed in with before
# (it carries a device cookie, microblog/known_devices.py) counts on its own.

OWNER_HINT = ("If this is your account, you can sign in now from a browser you have signed "
              "in with before, or by resetting your password.")
NEW_PASSWORD = "a brand new passphrase"


def known_browser(app: Flask, username: str, address: str = ALICES_ADDRESS) -> Client:
    """A browser ``username`` has signed in with (and out of again): it has a device cookie."""
    browser = app.test_client()
    assert sign_in(browser, username, PASSWORD, address=address).status_code == 302
    browser.logout()
    assert browser.get_cookie("device", path="/auth/login") is not None
    return browser


def lock_out(app: Flask, username: str):
    """An attacker fails ``username``'s password until the account's count is full;
    returns the 429 their next try gets, with the right password."""
    attacker = app.test_client()
    for _ in range(allowed(app, "RATELIMIT_LOGIN_PER_USERNAME")):
        assert sign_in(attacker, username, address=ATTACKER).status_code == 422
    blocked = sign_in(attacker, username, PASSWORD, address=ATTACKER)
    assert blocked.status_code == 429
    assert not is_logged_in(attacker, ATTACKER)
    return blocked


def limit_message(response) -> str:
    return parse_page(response).find("p", cls="lead").text


def test_an_attacker_who_locks_an_account_cannot_lock_out_its_owners_browser(limited_app,
                                                                            make_user):
    make_user("alice")
    laptop = known_browser(limited_app, "alice")

    blocked = lock_out(limited_app, "alice")

    assert 0 < int(blocked.headers["Retry-After"]) <= window_seconds(
        limited_app, "RATELIMIT_LOGIN_PER_USERNAME")
    assert limit_message(blocked).startswith("Too many attempts. Please try again in ")
    assert limit_message(blocked).endswith(OWNER_HINT)
    response = sign_in(laptop, "alice", PASSWORD, address=ALICES_ADDRESS)
    assert response.status_code == 302
    assert is_logged_in(laptop, ALICES_ADDRESS)
    # Her sign-in lifts nothing for the attacker.
    assert sign_in(limited_app.test_client(), "alice", PASSWORD,
                   address=ATTACKER).status_code == 429


def test_on_a_new_browser_the_owner_is_refused_until_she_resets_her_password(
    limited_app, make_user, outbox
):
    make_user("alice")
    old_laptop = known_browser(limited_app, "alice")
    attackers_refusal = limit_message(lock_out(limited_app, "alice"))
    new_laptop = limited_app.test_client()

    refused = sign_in(new_laptop, "alice", PASSWORD, address=ALICES_ADDRESS)

    # The right password is refused as the attacker's guess was: no sign it was right.
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert limit_message(refused) == attackers_refusal
    assert not is_logged_in(new_laptop, ALICES_ADDRESS)

    assert request_reset(new_laptop, "alice@example.com", ALICES_ADDRESS).status_code == 302
    wait_for_pending()
    [email] = outbox.glob("*.eml")
    link = link_path(message_from_bytes(email.read_bytes()), "/auth/reset_password/")
    response = new_laptop.submit(link, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD},
                                 environ_base={"REMOTE_ADDR": ALICES_ADDRESS})
    assert response.headers["Location"] == "/auth/login"

    # The reset cleared the account's count: any browser of hers may sign in again...
    phone = limited_app.test_client()
    assert sign_in(phone, "alice", NEW_PASSWORD, address=ALICES_ADDRESS).status_code == 302
    # ...and when the attacker fills it again at once, the browser that reset it is known.
    lock_out(limited_app, "alice")
    assert sign_in(new_laptop, "alice", NEW_PASSWORD, address=ALICES_ADDRESS).status_code == 302
    assert is_logged_in(new_laptop, ALICES_ADDRESS)
    # A device cookie from before the reset is known no more (it may be the attacker's).
    assert sign_in(old_laptop, "alice", NEW_PASSWORD,
                   address=ALICES_ADDRESS).status_code == 429


def test_a_known_browser_that_fails_too_often_is_limited_on_its_own(limited_app, make_user):
    make_user("alice")
    laptop = known_browser(limited_app, "alice")
    for _ in range(allowed(limited_app, "RATELIMIT_LOGIN_PER_USERNAME")):
        assert sign_in(laptop, "alice", address=ALICES_ADDRESS).status_code == 422

    blocked = sign_in(laptop, "alice", PASSWORD, address=ALICES_ADDRESS)

    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert not is_logged_in(laptop, ALICES_ADDRESS)
    # Its failures were its own: the account's shared count is untouched.
    phone = limited_app.test_client()
    assert sign_in(phone, "alice", PASSWORD, address=ALICES_ADDRESS).status_code == 302


def test_a_known_browser_still_meets_the_address_limit(limited_app, make_user):
    make_user("alice")
    laptop = known_browser(limited_app, "alice")  # one sign-in from her address
    lock_out(limited_app, "alice")
    assert sign_in(laptop, "alice", PASSWORD, address=ALICES_ADDRESS).status_code == 302
    laptop.logout()
    office = limited_app.test_client()
    for n in range(allowed(limited_app, "RATELIMIT_LOGIN_PER_IP") - 2):
        assert sign_in(office, f"guess{n}", address=ALICES_ADDRESS).status_code == 422

    blocked = sign_in(laptop, "alice", PASSWORD, address=ALICES_ADDRESS)

    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert OWNER_HINT not in limit_message(blocked), "a known browser does not help here"
    assert not is_logged_in(laptop, ALICES_ADDRESS)


def test_a_device_cookie_opens_no_other_account_and_cannot_be_forged(limited_app, make_user):
    alice = make_user("alice")
    make_user("bob")
    laptop = known_browser(limited_app, "alice")
    bobs_browser = known_browser(limited_app, "bob", address=ATTACKER)
    lock_out(limited_app, "alice")
    with limited_app.app_context():
        forged = URLSafeTimedSerializer("not our secret key", salt="microblog.device").dumps(
            {"user": alice.id, "device": "mine", "password": password_fingerprint(alice)})
    genuine = laptop.get_cookie("device", path="/auth/login").value
    forger = limited_app.test_client()
    tamperer = limited_app.test_client()
    forger.set_cookie("device", forged, path="/auth/login")
    tamperer.set_cookie("device", genuine[:4] + ("B" if genuine[4] == "A" else "A") + genuine[5:],
                        path="/auth/login")

    for browser in (bobs_browser, forger, tamperer):
        refused = sign_in(browser, "alice", PASSWORD, address=ATTACKER)
        assert refused.status_code == 429
        assert not is_logged_in(browser, ATTACKER)
    assert sign_in(laptop, "alice", PASSWORD, address=ALICES_ADDRESS).status_code == 302


def test_changing_the_password_keeps_this_browser_known(limited_app, make_user):
    make_user("alice")
    laptop = known_browser(limited_app, "alice", address="127.0.0.1")  # as submit()'s pages
    assert sign_in(laptop, "alice", PASSWORD).status_code == 302
    changed = laptop.submit("/settings/password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert changed.headers["Location"] == "/settings"
    laptop.logout()
    lock_out(limited_app, "alice")

    assert sign_in(laptop, "alice", NEW_PASSWORD).status_code == 302
    assert is_logged_in(laptop)


# --- registering --------------------------------------------------------------------------


def test_registration_is_limited_per_address_and_a_blocked_one_creates_nothing(
    limited_app, browser
):
    attempts = allowed(limited_app, "RATELIMIT_REGISTER_PER_IP")
    # Every POST counts, accepted or not: one account is created ...
    assert limited_app.test_client().submit("/auth/register", new_account("first")).status_code \
        == 302
    # ... and the other attempts are turned down.
    for n in range(attempts - 1):
        typo = {**new_account(f"user{n}"), "password2": "a typo"}
        assert browser.submit("/auth/register", typo).status_code == 422

    blocked = browser.submit("/auth/register", new_account("alice"))

    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert user_count() == 1
    assert not is_logged_in(browser)
    assert browser.get("/auth/register").status_code == 200  # the form still opens
    elsewhere = limited_app.test_client().submit(
        "/auth/register", new_account("alice"), environ_base={"REMOTE_ADDR": ALICES_ADDRESS})
    assert elsewhere.status_code == 302
    assert user_count() == 2


# --- password reset and confirmation emails ----------------------------------------------


def request_reset(client: Client, email: str, address: str):
    return client.submit("/auth/reset_password_request", {"email": email},
                         environ_base={"REMOTE_ADDR": address})


def test_reset_requests_for_one_address_are_limited_from_anywhere(limited_app, make_user,
                                                                   outbox):
    make_user("susan")
    browser = limited_app.test_client()
    per_email = allowed(limited_app, "RATELIMIT_RESET_PER_EMAIL")
    for n in range(per_email):
        assert request_reset(browser, "susan@example.com", f"192.0.2.{n}").status_code == 302

    blocked = request_reset(browser, " Susan@Example.com", "192.0.2.200")

    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert sent(outbox) == per_email, "a blocked request sends nothing"


def test_reset_requests_from_one_client_address_are_limited(limited_app, make_user, outbox):
    make_user("susan")
    browser = limited_app.test_client()
    for n in range(allowed(limited_app, "RATELIMIT_RESET_PER_IP")):
        assert request_reset(browser, f"nobody{n}@example.com", ATTACKER).status_code == 302

    blocked = request_reset(browser, "susan@example.com", ATTACKER)

    assert blocked.status_code == 429
    assert sent(outbox) == 0
    assert request_reset(browser, "susan@example.com", ALICES_ADDRESS).status_code == 302
    assert sent(outbox) == 1


def test_confirmation_resends_are_limited_per_account(limited_app, browser, make_user, outbox):
    make_user("susan", email_confirmed=False)
    assert sign_in(browser, "susan", PASSWORD).status_code == 302
    with limited_app.test_request_context():
        resend = url_for("auth.resend_confirmation")
    per_account = allowed(limited_app, "RATELIMIT_CONFIRMATION_PER_USER")
    for _ in range(per_account):
        assert browser.submit(resend).status_code == 302

    blocked = browser.submit(resend)

    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert sent(outbox) == per_account


# --- storage ------------------------------------------------------------------------------

# A second worker process: the same app and database, signing in as alice with a
# wrong password as many times as it is told. CSRF is off to keep it short.
OTHER_WORKER = """
import json, sys
from microblog import create_app
app = create_app("testing", {**json.loads(sys.argv[1]), "WTF_CSRF_ENABLED": False})
client = app.test_client()
for _ in range(int(sys.argv[2])):
    status = client.post("/auth/login", data={"username": "alice", "password": "wrong"}).status_code
    assert status == 422, status
"""


def test_workers_sharing_redis_share_the_counts(app, make_limited_app, redis_url, make_user):
    delete_keys(redis_url)
    make_user("alice")
    limited = make_limited_app(redis_url)
    failures = allowed(limited, "RATELIMIT_LOGIN_PER_USERNAME")
    config = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
              "MAIL_OUTBOX_DIR": app.config["MAIL_OUTBOX_DIR"], **limit_settings(redis_url)}

    try:
        subprocess.run([sys.executable, "-c", OTHER_WORKER, json.dumps(config), str(failures)],
                       check=True, timeout=60)

        blocked = sign_in(limited.test_client(), "alice", PASSWORD)
    finally:
        delete_keys(redis_url)

    assert blocked.status_code == 429


def test_with_redis_down_the_site_works_and_each_process_still_limits(
    make_limited_app, make_user, caplog
):
    limited = make_limited_app(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    make_user("alice")
    make_user("bob")
    browser = limited.test_client()

    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        for _ in range(allowed(limited, "RATELIMIT_LOGIN_PER_USERNAME")):
            assert sign_in(browser, "alice").status_code == 422
    assert "falling back to in-memory storage" in caplog.text

    assert sign_in(browser, "alice", PASSWORD).status_code == 429
    bob = limited.test_client()
    assert sign_in(bob, "bob", PASSWORD).status_code == 302
    assert bob.get("/explore").status_code == 200


def test_apps_with_rate_limiting_off_are_never_limited(limited_app, client, make_user):
    """The suite's apps share this process's limiter with the ones built here, not its limits."""
    make_user("alice")
    for _ in range(allowed(limited_app, "RATELIMIT_LOGIN_PER_USERNAME") + 1):
        assert client.login("alice", WRONG).status_code == 422
    assert client.login("alice").status_code == 302


@pytest.mark.parametrize("value", ["lots", "5 per fortnight"])
def test_a_malformed_limit_stops_the_app_from_starting(value):
    with pytest.raises(RuntimeError, match=f"RATELIMIT_LOGIN_PER_IP='{value}' is not a rate limit"):
        create_app("testing", {"RATELIMIT_LOGIN_PER_IP": value})


@pytest.mark.parametrize(
    "setting", sorted(name for name in dir(Config) if re.fullmatch(r"RATELIMIT_\w+_PER_\w+", name))
)
def test_every_limit_is_checked_at_start_up(setting):
    with pytest.raises(RuntimeError, match=f"{setting}='lots' is not a rate limit"):
        create_app("testing", {setting: "lots"})
