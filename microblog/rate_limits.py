"""Rate limits: how often one client may try a sensitive action.

Each limit here is a decorator for one view, and its size is a setting
(``RATELIMIT_LOGIN_PER_IP`` and the rest in ``microblog.config``), read on
every request. Only POSTs count: looking at a form is free. A POST is counted
*before* the view runs, in the same step that checks the limit, so attempts
sent in parallel cannot all slip in before any is counted. Sign-in is counted
per address and per account, so guessing one person's password trips the
account limit long before the address limit shared by a whole office. The
account limit counts a browser the account knows (its device cookie,
:mod:`microblog.known_devices`) on its own, so failures from elsewhere cannot
lock the owner out of her own laptop; a successful sign-in forgives the count
it was counted in, and a password reset forgives the account's. A request
over a limit gets the 429 page with ``Retry-After`` and never reaches the view,
so it changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, request
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItem, WindowStats, parse_many
from limits.storage import RedisStorage
from limits.strategies import STRATEGIES, MovingWindowRateLimiter
from redis.exceptions import NoScriptError

from microblog import audit, known_devices
from microblog.api.errors import is_api_request
from microblog.extensions import limiter
from microblog.models.login_session import hash_token
from microblog.models.user import User
from microblog.redis_client import client_options
from microblog.services.accounts import normalise_email

# Longer input cannot be an account's username or address; cutting it keeps a
# stored key small whatever a client posts.
KEY_MAX_LENGTH = 254

# The view the sign-in limits are on: the limiter keeps their counts under its name.
SIGN_IN_ENDPOINT = "auth.login"

# The settings that hold a limit (see microblog/config.py): ``post_limit`` adds each one
# it is given, so the start-up check below covers every limit defined in this module.
LIMIT_SETTINGS: list[str] = []


def init_rate_limits(app: Flask) -> None:
    """Bind the limiter to ``app``: Redis when ``REDIS_URL`` is set, else this process's memory.

    Redis gets the app's short timeouts and no retries (:mod:`microblog.redis_client`):
    a limit check that cannot reach it costs one timeout, after which the limiter
    counts in memory (``in_memory_fallback_enabled`` in :mod:`microblog.extensions`)
    and pings Redis again at growing intervals until it answers.

    A malformed limit stops the app from starting: Flask-Limiter would only log
    it and leave the action unlimited.
    """
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            **client_options(app.config), **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}),
        }
    for name in LIMIT_SETTINGS:
        value = app.config[name]
        try:
            parse_many(value) if value else None
        except ValueError:
            raise RuntimeError(
                f"{name}={value!r} is not a rate limit; write it like '5 per 15 minutes'"
            ) from None
    limiter.init_app(app)


@limiter.request_filter
def disabled_for_this_app() -> bool:
    """Honour each app's ``RATELIMIT_ENABLED``.

    Flask-Limiter keeps its on/off switch on the limiter, which every app in a
    process shares; the test suite builds apps with limits on and off.
    """
    return not current_app.config["RATELIMIT_ENABLED"]


@limiter.request_filter
def only_posts_are_limited() -> bool:
    """Skip the limiter for anything but a POST: every limit of the pages is on POSTs
    (:func:`post_limit`), and looking for limits that could apply cost a tenth of a
    ``/health`` request. The API's limits count every request (:func:`api_limits`)."""
    return request.method != "POST" and not is_api_request()


# --- one round trip to Redis per limit -----------------------------------------------------


class MovingWindowInOneTrip(MovingWindowRateLimiter):
    """Flask-Limiter's moving window, reading the window's figures in the trip that counts.

    Every API answer says how much of its limit is left (``RateLimit-*``,
    :mod:`microblog.api.clients`). Flask-Limiter reads that with a second call to the
    storage after counting (``get_window_stats``): a second round trip to Redis on
    every API request (6–9 % of ``GET /api/users/<id>``'s throughput in ``make bench``).
    With Redis, :meth:`hit` sends limits' own two scripts, count then read, in one
    pipeline, and keeps the figures for the rest of the request, where
    :meth:`get_window_stats` finds them. The count is the same atomic script as
    before. In memory (the embedded default, and the fallback when Redis is down)
    and outside a request, it is limits' moving window unchanged.
    """

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        storage = self.storage
        if not isinstance(storage, RedisStorage) or not has_request_context():
            return super().hit(item, *identifiers, cost=cost)
        key = storage.prefixed_key(item.key_for(*identifiers))
        now, expiry = time.time(), item.get_expiry()
        scripts = ((storage.lua_acquire_moving_window, [now, item.amount, expiry, cost]),
                   (storage.lua_moving_window, [now - expiry, item.amount]))
        # By their hashes (EVALSHA), as limits runs them: a pipeline given the scripts
        # themselves would first ask Redis whether it knows them, a round trip of its own.
        pipeline = storage.get_connection().pipeline(transaction=False)
        for script, args in scripts:
            pipeline.evalsha(script.sha, 1, key, *args)
        answers = pipeline.execute(raise_on_error=False)
        for index, ((script, args), answer) in enumerate(zip(scripts, answers, strict=True)):
            if isinstance(answer, NoScriptError):  # Redis restarted: run it as limits does
                answers[index] = script([key], args)
            elif isinstance(answer, Exception):
                raise answer
        acquired, window = answers
        start, counted = (float(window[0]), int(window[1])) if window else (now, 0)
        g.setdefault("rate_limit_windows", {})[key] = WindowStats(start + expiry,
                                                                  item.amount - counted)
        return bool(acquired)

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        if has_request_context() and isinstance(self.storage, RedisStorage):
            key = self.storage.prefixed_key(item.key_for(*identifiers))
            if (known := g.get("rate_limit_windows", {}).get(key)) is not None:
                return known
        return super().get_window_stats(item, *identifiers)

    def clear(self, item: RateLimitItem, *identifiers: str) -> None:
        if has_request_context() and isinstance(self.storage, RedisStorage):
            g.get("rate_limit_windows", {}).pop(
                self.storage.prefixed_key(item.key_for(*identifiers)), None)
        super().clear(item, *identifiers)


# The name :data:`microblog.extensions.limiter` asks for; Flask-Limiter looks it up here.
STRATEGIES["moving-window-in-one-trip"] = MovingWindowInOneTrip


# --- whose attempts count together -------------------------------------------------------


def typed_username() -> str:
    """The username typed into the form, as accounts match it: "Susan" is "susan"."""
    return (request.form.get("username") or "").strip().lower()[:KEY_MAX_LENGTH]


def submitted_username() -> str:
    """The key of the count for the username typed into the form."""
    return username_key(typed_username())


def username_key(username: str) -> str:
    """The key of the count shared by every browser the account ``username`` does not know."""
    return "username:" + username.lower()[:KEY_MAX_LENGTH]


def sign_in_account_or_device() -> str:
    """Whose failures this sign-in attempt counts with: its device's own when the
    browser carries a device cookie of the account typed in, else the username's,
    shared by every browser the account does not know.

    Worked out once per request (the limiter, its audit line and the forgiving
    after a success all ask).
    """
    if "sign_in_key" not in g:
        username = typed_username()
        device = known_devices.recognised(username)
        g.sign_in_key = f"device:{device}" if device else username_key(username)
    return g.sign_in_key


def submitted_email() -> str:
    """The address typed into the form, normalised as accounts store it."""
    address = normalise_email(request.form.get("email"))
    return "email:" + address[:KEY_MAX_LENGTH]


def basic_auth_username() -> str:
    """The username of an HTTP Basic sign-in (``POST /api/tokens``), as accounts match it."""
    auth = request.authorization
    name = (auth.username or "") if auth is not None and auth.type == "basic" else ""
    return username_key(name.strip())


def bearer_token() -> str | None:
    """The access token this API request carries, if any."""
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        return None
    return auth.token


def live_bearer_token() -> str | None:
    """The access token this API request carries, if it is one that works. A made-up or
    expired one is no token here: counted by its string, each new string would have
    started a count of its own, and guessing would never be slowed down. The check is
    the view's own (``api_tokens.user_for_token`` keeps its answer for the request)."""
    from microblog.services import api_tokens  # the services import this module

    token = bearer_token()
    return token if token is not None and api_tokens.user_for_token(token) else None


def api_client() -> str:
    """Whose API requests count together: a working access token's (its hash: no secret
    is kept in the limiter's storage), else the client's address."""
    token = live_bearer_token()
    if token is None:
        return get_remote_address()
    return "token:" + hash_token(token)[:32]


def current_account() -> str:
    """The account acting (the view requires one): the session's, or, for the REST API,
    the account whose access token the request carries (the account's, not the
    token's: a refreshed token is the same person); else the client's address."""
    from microblog.services import api_tokens  # the services import this module

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    token = bearer_token()
    if token is not None and (user := api_tokens.user_for_token(token)) is not None:
        return f"user:{user.id}"
    return get_remote_address()


# --- the limits ----------------------------------------------------------------------------


def post_limit(setting: str, key: Callable[[], str]):
    """A decorator limiting POSTs to a view by ``key``, as large as ``setting`` says.

    Every POST uses up the limit, counted before the view runs (Flask-Limiter's
    ``hit``: test and count in one step of the storage). Counting after the
    response instead (``deduct_when``) let parallel attempts all pass the test
    before any was counted. A blocked request is written to the audit log, so an
    operator sees a guessing attack. ``setting`` joins ``LIMIT_SETTINGS``, so a
    malformed value stops the app from starting.
    """

    def blocked(request_limit: RequestLimit) -> None:
        audit.record("rate_limit.exceeded", limit=setting, rule=str(request_limit.limit),
                     key=key())

    LIMIT_SETTINGS.append(setting)
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=key,
        methods=["POST"],
        on_breach=blocked,
        # On top of a blueprint's limits (the API's per token and per address,
        # :func:`api_limits`), not instead of them: Flask-Limiter's default would let a
        # view with a limit of its own skip them.
        override_defaults=False,
    )


login_per_ip = post_limit("RATELIMIT_LOGIN_PER_IP", get_remote_address)
login_per_account = post_limit("RATELIMIT_LOGIN_PER_USERNAME", sign_in_account_or_device)
register_per_ip = post_limit("RATELIMIT_REGISTER_PER_IP", get_remote_address)
reset_request_per_ip = post_limit("RATELIMIT_RESET_PER_IP", get_remote_address)
reset_request_per_email = post_limit("RATELIMIT_RESET_PER_EMAIL", submitted_email)
confirmation_resend_per_user = post_limit("RATELIMIT_CONFIRMATION_PER_USER", current_account)
upload_per_user = post_limit("RATELIMIT_UPLOAD_PER_USER", current_account)
message_per_user = post_limit("RATELIMIT_MESSAGE_PER_USER", current_account)
translate_per_user = post_limit("RATELIMIT_TRANSLATE_PER_USER", current_account)
api_tokens_per_ip = post_limit("RATELIMIT_API_TOKENS_PER_IP", get_remote_address)
api_tokens_per_username = post_limit("RATELIMIT_API_TOKENS_PER_USERNAME", basic_auth_username)

LIMIT_SETTINGS.extend(["RATELIMIT_API_PER_TOKEN", "RATELIMIT_API_PER_IP"])


def api_limits(blueprint):
    """Limit every request to an API blueprint: ``RATELIMIT_API_PER_TOKEN`` for each
    working access token, ``RATELIMIT_API_PER_IP`` for each address sending none (or one
    that does not work)."""
    per_token = limiter.limit(lambda: current_app.config["RATELIMIT_API_PER_TOKEN"],
                              key_func=api_client,
                              exempt_when=lambda: live_bearer_token() is None,
                              scope="api-token")
    per_ip = limiter.limit(lambda: current_app.config["RATELIMIT_API_PER_IP"],
                           key_func=get_remote_address,
                           exempt_when=lambda: live_bearer_token() is not None, scope="api-ip")
    per_token(blueprint)
    per_ip(blueprint)
    return blueprint
comment_per_user = post_limit("RATELIMIT_COMMENT_PER_USER", current_account)
COMMENT_ENDPOINT = "blog.comment"  # the form's view: its count is the socket event's too


def allow_comment(user: User) -> bool:
    """Count one comment by ``user`` sent without a form (the Socket.IO ``new_comment``
    event) in the same count as the form's POSTs (:data:`comment_per_user`, the view's
    endpoint as its scope), and say whether it is within the limit. The socket's
    handler has no view for the limiter to decorate; the limit and its count are
    still the form's, so switching front ends does not double anyone's allowance."""
    setting = "RATELIMIT_COMMENT_PER_USER"
    if not current_app.config["RATELIMIT_ENABLED"] or not current_app.config[setting]:
        return True
    key = f"user:{user.id}"
    for limit in parse_many(current_app.config[setting]):
        try:
            allowed = limiter.limiter.hit(limit, key, COMMENT_ENDPOINT)
        except Exception:  # the storage is down: like the limiter's swallow_errors
            current_app.logger.warning("could not count a comment of %s", key, exc_info=True)
            allowed = True
        if not allowed:
            audit.record("rate_limit.exceeded", limit=setting, rule=str(limit), key=key)
            return False
    return True


def forgive_sign_in_failures() -> None:
    """After a successful sign-in, clear the count it was counted in (its username's, or
    its device's): the owner's typos should not lock them out later. The address's
    count stays (an attacker with an account of their own could otherwise wipe it
    between guesses at others)."""
    key = sign_in_account_or_device()
    for request_limit in limiter.current_limits:
        if key in request_limit.request_args:
            _clear(request_limit.limit, request_limit.request_args, key)


def forgive_account(user: User) -> None:
    """After a password reset, clear the count shared by the browsers ``user``'s account
    does not know: whoever opened the link reads the account's email, so it is the
    owner, maybe on a new computer. (The browser that reset it is known from now on,
    ``known_devices.remember``, so an attacker who fills the count again at once does
    not lock the owner out of it.)"""
    key = username_key(user.username)
    setting = current_app.config["RATELIMIT_LOGIN_PER_USERNAME"]
    for limit in parse_many(setting) if setting else []:
        # The arguments the limiter counted with: the key, then the view's endpoint.
        _clear(limit, [key, SIGN_IN_ENDPOINT], key)


def _clear(limit: RateLimitItem, request_args: list[str], key: str) -> None:
    try:
        limiter.limiter.clear(limit, *request_args)
    except Exception:  # the storage is down: the count expires by itself
        current_app.logger.warning("could not clear the sign-in count of %s", key,
                                   exc_info=True)


def is_account_cool_down(request_limit: RequestLimit) -> bool:
    """Whether ``request_limit`` is the per-account sign-in limit of this request
    (rather than its address's): the 429 page then says how the owner gets in."""
    return g.get("sign_in_key") in request_limit.request_args
