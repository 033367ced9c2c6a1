"""Configuration classes, read from the environment once at start-up.

Every setting has a safe default for the embedded mode (SQLite in ``instance/``),
so ``make run`` needs no configuration; production overrides them with
environment variables (see the README for the full list).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance")).resolve()


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used.

    Hosting platforms hand out ``postgres://`` URLs; SQLAlchemy wants
    ``postgresql+psycopg://`` to pick the psycopg 3 driver.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def development_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """A random key created once and kept in ``instance/``.

    Sessions survive restarts of ``make run`` without anyone ever typing a
    key, and no key is hard-coded in the source (the Mega-Tutorial's
    ``'you-will-never-guess'`` fallback is a known weakness).
    """
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created readable by its owner only, from the first byte on.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(key)
    return key


class Config:
    """Settings shared by every mode."""

    # When no SECRET_KEY is given: generate one and keep it in instance/
    # (development) or refuse to start (everything else).
    GENERATE_SECRET_KEY = False

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'microblog.db'}")
    )
    # No pool_pre_ping: a connection the server closed is found at checkout without a
    # round trip (microblog/database.py:_closed_by_the_server).
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    POSTS_PER_PAGE = _int("POSTS_PER_PAGE", 25)
    USERS_PER_PAGE = _int("USERS_PER_PAGE", 50)
    TASKS_PER_PAGE = _int("TASKS_PER_PAGE", 50)  # the admins' list of background jobs
    COMMENTS_PER_PAGE = _int("COMMENTS_PER_PAGE", 50)
    CONVERSATIONS_PER_PAGE = _int("CONVERSATIONS_PER_PAGE", 25)  # /messages
    MESSAGES_PER_PAGE = _int("MESSAGES_PER_PAGE", 50)  # one conversation's page
    NOTIFICATIONS_PER_PAGE = _int("NOTIFICATIONS_PER_PAGE", 25)
    # How often an open page asks for the unread counts (static/js/notifications.js).
    NOTIFICATIONS_POLL_SECONDS = _int("NOTIFICATIONS_POLL_SECONDS", 15)
    # Entries in each Atom feed, and URLs in /sitemap.xml (the sitemap protocol's limit).
    FEED_ENTRIES = _int("FEED_ENTRIES", 20)
    SITEMAP_MAX_URLS = _int("SITEMAP_MAX_URLS", 50_000)
    # How stale ``User.last_seen`` may get before a request writes it again.
    LAST_SEEN_INTERVAL_SECONDS = _int("LAST_SEEN_INTERVAL_SECONDS", 60)
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 1024 * 1024)

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "no-reply@microblog.localhost")
    ADMINS = _list("ADMINS")
    # The address people use to reach the site; links in emails point here.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000").rstrip("/")
    # Flask-Mail would silently drop mail under TESTING; our tests send to a real server.
    MAIL_SUPPRESS_SEND = False
    # Without MAIL_SERVER, email is written to this folder as .eml files (and logged).
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))

    # Unconfirmed accounts may log in but not post, comment or message.
    REQUIRE_EMAIL_CONFIRMATION = _bool("REQUIRE_EMAIL_CONFIRMATION", True)
    # The first account made on a site with no accounts becomes its administrator
    # (microblog/services/accounts.py). On for make run, whose site is on this machine;
    # off in production, where the site is public before its owner signs up.
    FIRST_USER_IS_ADMIN = _bool("FIRST_USER_IS_ADMIN", True)
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 60 * 60)
    EMAIL_CONFIRMATION_MAX_AGE = _int("EMAIL_CONFIRMATION_MAX_AGE", 60 * 60 * 24 * 3)

    # Shared state across workers (rate limits, the cache). None: in memory.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Seconds every Redis client of the app (microblog/redis_client.py) waits to connect
    # and for each answer. Redis answers in well under a millisecond; one that takes
    # longer is treated as down, and costs a request this long, not seconds.
    REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.25"))
    REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.25"))

    # Real time (microblog/realtime/, docs/38-real-time.md). With a message queue (by
    # default REDIS_URL) every process, web, Socket.IO or RQ worker, emits through Redis
    # on SOCKETIO_CHANNEL, so a browser on any Socket.IO process hears it; without one
    # the app serves Socket.IO in its own process (make run). SOCKETIO_URL lists the
    # Socket.IO processes' addresses browsers connect to (comma-separated; each page
    # picks one), empty for the page's own origin.
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or REDIS_URL
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "microblog-socketio")
    SOCKETIO_URL = _list("SOCKETIO_URL")

    # Background jobs (microblog/jobs/): "rq" puts them on the Redis queue JOBS_QUEUE for
    # `flask jobs worker` processes; "thread" runs them in a thread of each web process.
    # The default is rq when REDIS_URL is set. A transient failure (a mail server away)
    # is tried again after each of JOBS_RETRY_DELAYS seconds in turn (the last repeats).
    # A running task writes a heartbeat every JOBS_HEARTBEAT_SECONDS; the sweep, which
    # workers run every JOBS_SWEEP_SECONDS (0: only `flask jobs sweep`), takes one silent
    # for JOBS_STALE_SECONDS for dead. RQ stops a job that runs past JOBS_TIMEOUT seconds.
    JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "rq" if REDIS_URL else "thread").strip().lower()
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "microblog")
    JOBS_RETRY_DELAYS = [float(s) for s in os.environ.get("JOBS_RETRY_DELAYS", "10,60,300")
                         .split(",") if s.strip()]
    JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "10"))
    JOBS_STALE_SECONDS = float(os.environ.get("JOBS_STALE_SECONDS", "60"))
    JOBS_SWEEP_SECONDS = _int("JOBS_SWEEP_SECONDS", 60)
    JOBS_TIMEOUT = _int("JOBS_TIMEOUT", 30 * 60)

    # The cache of shared reads (microblog/caching.py): Redis at REDIS_URL when it is
    # set, so every worker sees one cache and one invalidation; else this process's memory.
    # Entries also expire after CACHE_DEFAULT_TIMEOUT seconds, as a safety net.
    CACHE_DEFAULT_TIMEOUT = _int("CACHE_DEFAULT_TIMEOUT", 300)
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "microblog:cache:")
    # Cached answers each worker also keeps in its own memory, to skip the trip to Redis
    # (the least recently read goes first; 0 keeps none).
    CACHE_MEMORY_SIZE = _int("CACHE_MEMORY_SIZE", 1000)
    # After Redis fails to answer, each process skips it this many seconds (computing cached
    # reads and keeping them that long in its memory), then tries again
    # (microblog/circuit_breaker.py).
    CACHE_BREAKER_SECONDS = float(os.environ.get("CACHE_BREAKER_SECONDS", "5"))
    # The render cache (microblog/fragments/): post and comment cards, the navbar, blank
    # forms and Explore's side lists, rendered once and kept in each worker's memory.
    # Off, every page renders them afresh (and looks the same). FRAGMENT_CACHE_SIZE
    # pieces are kept, about 2 KB each; the least recently read goes first.
    FRAGMENT_CACHE = _bool("FRAGMENT_CACHE", True)
    FRAGMENT_CACHE_SIZE = _int("FRAGMENT_CACHE_SIZE", 5000)

    # Rate limits (microblog/rate_limits.py), counted in REDIS_URL when it is set, so all
    # workers share them, else in this process. Each is a string such as "5 per 15
    # minutes"; an empty one is off. Sign-in attempts are counted before the password is
    # checked, per address and per username (per device for a browser the account knows,
    # DEVICE_COOKIE_* below); a success clears the username's or device's count.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_LOGIN_PER_IP = os.environ.get("RATELIMIT_LOGIN_PER_IP", "20 per 15 minutes")
    RATELIMIT_LOGIN_PER_USERNAME = os.environ.get(
        "RATELIMIT_LOGIN_PER_USERNAME", "5 per 15 minutes"
    )
    RATELIMIT_REGISTER_PER_IP = os.environ.get("RATELIMIT_REGISTER_PER_IP", "10 per hour")
    RATELIMIT_RESET_PER_IP = os.environ.get("RATELIMIT_RESET_PER_IP", "10 per hour")
    RATELIMIT_RESET_PER_EMAIL = os.environ.get("RATELIMIT_RESET_PER_EMAIL", "3 per hour")
    RATELIMIT_CONFIRMATION_PER_USER = os.environ.get(
        "RATELIMIT_CONFIRMATION_PER_USER", "3 per hour"
    )
    RATELIMIT_UPLOAD_PER_USER = os.environ.get("RATELIMIT_UPLOAD_PER_USER", "60 per hour")
    RATELIMIT_MESSAGE_PER_USER = os.environ.get("RATELIMIT_MESSAGE_PER_USER", "30 per 10 minutes")
    # Asking for a translation of a post or comment (kept ones count too: a cheap rule).
    RATELIMIT_TRANSLATE_PER_USER = os.environ.get("RATELIMIT_TRANSLATE_PER_USER", "60 per hour")

    # The translator (microblog/translate/): a LibreTranslate-compatible service at
    # TRANSLATOR_URL (none: no "Translate" link anywhere), with TRANSLATOR_API_KEY when
    # it wants one. Each call waits TRANSLATOR_TIMEOUT seconds at most; after one that
    # failed, the translator is not asked for TRANSLATOR_BREAKER_SECONDS.
    TRANSLATOR_URL = os.environ.get("TRANSLATOR_URL") or None
    TRANSLATOR_API_KEY = os.environ.get("TRANSLATOR_API_KEY") or None
    TRANSLATOR_TIMEOUT = float(os.environ.get("TRANSLATOR_TIMEOUT", "3"))
    TRANSLATOR_BREAKER_SECONDS = float(os.environ.get("TRANSLATOR_BREAKER_SECONDS", "30"))

    # The REST API (microblog/api/). Its rate limits count every request (not only
    # POSTs): per access token, and per client address for requests without one; a
    # sign-in with HTTP Basic (POST /api/tokens) is counted per address and per username.
    RATELIMIT_API_PER_TOKEN = os.environ.get("RATELIMIT_API_PER_TOKEN", "600 per minute")
    RATELIMIT_API_PER_IP = os.environ.get("RATELIMIT_API_PER_IP", "300 per minute")
    RATELIMIT_API_TOKENS_PER_IP = os.environ.get("RATELIMIT_API_TOKENS_PER_IP",
                                                 "20 per 15 minutes")
    RATELIMIT_API_TOKENS_PER_USERNAME = os.environ.get("RATELIMIT_API_TOKENS_PER_USERNAME",
                                                       "5 per 15 minutes")
    # An access token works this long; its refresh token, once, this long.
    API_ACCESS_TOKEN_MINUTES = _int("API_ACCESS_TOKEN_MINUTES", 15)
    API_REFRESH_TOKEN_DAYS = _int("API_REFRESH_TOKEN_DAYS", 7)
    # ?per_page= may ask for at most this many items of a list.
    API_MAX_PER_PAGE = 100
    # Dump every API answer through its marshmallow schema too, and refuse one that
    # differs (microblog.api.schemas:Shown): on in the tests.
    API_CHECK_REPRESENTATIONS = False
    # Origins other sites' scripts may call the API from (CORS); none by default.
    API_CORS_ORIGINS = _list("API_CORS_ORIGINS")
    # APIFlask's interactive docs (/api/docs) load these, all served by the app itself
    # (installed from the npm registry by `make assets`): no CDN, no Google Fonts.
    SWAGGER_UI_CSS = "/static/vendor/swagger-ui/swagger-ui.css"
    SWAGGER_UI_BUNDLE_JS = "/static/vendor/swagger-ui/swagger-ui-bundle.js"
    SWAGGER_UI_STANDALONE_PRESET_JS = "/static/vendor/swagger-ui/swagger-ui-standalone-preset.js"
    DOCS_FAVICON = "/static/vendor/swagger-ui/favicon-32x32.png"
    REDOC_USE_GOOGLE_FONT = False
    # The docs are Swagger UI; Redoc is not installed, so nothing may load it from its CDN.
    REDOC_STANDALONE_JS = ""
    SWAGGER_UI_CONFIG = {"deepLinking": True, "persistAuthorization": False}
    # The OpenAPI document describes our own problem bodies (microblog/api/errors.py).
    AUTO_VALIDATION_ERROR_RESPONSE = True
    AUTO_AUTH_ERROR_RESPONSE = True
    AUTO_404_RESPONSE = True
    AUTO_OPERATION_ID = True
    # No "servers" in the document: APIFlask would write the address of whoever asked for
    # it first and keep it, so every later reader's docs would call that host. Without
    # it, a client (and Swagger UI) calls the host it read the document from.
    AUTO_SERVERS = False
    RATELIMIT_COMMENT_PER_USER = os.environ.get("RATELIMIT_COMMENT_PER_USER", "20 per 10 minutes")

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    LOG_TO_STDOUT = _bool("LOG_TO_STDOUT")
    LOG_DIR = os.environ.get("LOG_DIR", str(INSTANCE_DIR / "logs"))
    # "text" for people reading a terminal, "json" (one object a line) for log collectors.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()

    # How many reverse proxies (nginx, a load balancer) stand in front of the app.
    # Their X-Forwarded-* headers are believed only that many hops deep; 0 believes none.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # Strict-Transport-Security max-age on HTTPS responses; 0 sends none (never on localhost).
    HSTS_SECONDS = 0
    # Production refuses a SECRET_KEY shorter than this, or one whose characters carry
    # fewer bits than this by their frequencies (40 spaces carry none): 0, any key will do.
    MIN_SECRET_KEY_LENGTH = 0
    MIN_SECRET_KEY_BITS = 0
    # Seconds /health/ready waits for each service before calling it down.
    HEALTH_CHECK_TIMEOUT = float(os.environ.get("HEALTH_CHECK_TIMEOUT", "2"))
    # Send the number of SQL statements each request ran in an X-Query-Count header
    # (microblog/middleware/query_count.py), for bench/run.py. Off: not even counted.
    SQL_QUERY_COUNT_HEADER = _bool("SQL_QUERY_COUNT_HEADER")

    # Uploaded images (microblog/storage/, microblog/images.py). Each is decoded and
    # encoded again by Pillow: larger than UPLOAD_MAX_BYTES or UPLOAD_MAX_PIXELS (width
    # times height, checked before anything is decoded) is refused; a picture wider or
    # taller than UPLOAD_MAX_SIDE is shrunk to it; an avatar is cut square, AVATAR_SIDE
    # pixels. Each account may keep UPLOAD_QUOTA_BYTES of images.
    UPLOAD_STORAGE = os.environ.get("UPLOAD_STORAGE", "local").strip().lower()
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    UPLOAD_MAX_BYTES = _int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    UPLOAD_MAX_PIXELS = _int("UPLOAD_MAX_PIXELS", 40_000_000)
    UPLOAD_MAX_SIDE = _int("UPLOAD_MAX_SIDE", 2048)
    UPLOAD_QUOTA_BYTES = _int("UPLOAD_QUOTA_BYTES", 200 * 1024 * 1024)
    AVATAR_SIDE = _int("AVATAR_SIDE", 256)
    # Data exports (microblog/services/exports.py): each person's ZIP, kept here for a week.
    # Outside static/ on purpose: only the app serves them, and only to their owner.
    EXPORT_DIR = os.environ.get("EXPORT_DIR", str(INSTANCE_DIR / "exports"))
    # Hosts whose images an article may show (https only; they join the CSP's img-src).
    # Any other image URL is shown as a link, so no reader's browser asks another server.
    MARKDOWN_IMAGE_HOSTS = [host.lower() for host in _list("MARKDOWN_IMAGE_HOSTS")]

    # Werkzeug's scrypt: slow on purpose, so a stolen hash is expensive to crack.
    PASSWORD_HASH_METHOD = "scrypt"
    # The interface's languages (microblog/languages.py), each with its own name for the
    # footer's switcher and Settings → Language. English is the source; the others have a
    # catalogue in microblog/translations/ (`flask translate init <code>` makes one).
    LANGUAGES = {"en": "English", "es": "Español", "de": "Deutsch"}
    # How long the switcher's cookie keeps a visitor's choice.
    LANGUAGE_COOKIE_DURATION = 60 * 60 * 24 * _int("LANGUAGE_COOKIE_DAYS", 365)
    # "local": identicons drawn by the app (works offline); "gravatar": Gravatar's pictures.
    AVATAR_PROVIDER = os.environ.get("AVATAR_PROVIDER", "local").strip().lower()
    GRAVATAR_URL = os.environ.get("GRAVATAR_URL", "https://www.gravatar.com/avatar")

    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * _int("REMEMBER_COOKIE_DAYS", 30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A browser that signed in to an account carries a signed device cookie for it this
    # long (microblog/known_devices.py); its sign-in attempts are counted per device, so
    # failures from elsewhere cannot lock its owner out.
    DEVICE_COOKIE_DURATION = 60 * 60 * 24 * _int("DEVICE_COOKIE_DAYS", 365)
    DEVICE_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session


class DevelopmentConfig(Config):
    """``make run``: embedded SQLite, readable logs, a key kept in ``instance/``."""

    GENERATE_SECRET_KEY = True
    LOG_TO_STDOUT = _bool("LOG_TO_STDOUT", True)


class TestingConfig(Config):
    """The test suite: a throwaway key, CSRF on (tests prove it is enforced)."""

    TESTING = True
    API_CHECK_REPRESENTATIONS = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Hundreds of accounts are created per run; a cheap (still salted) hash keeps
    # the suite fast. A test checks the other configs keep scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    LAST_SEEN_INTERVAL_SECONDS = 60
    # Many tests log in again and again; tests/integration/test_rate_limits.py turns it on.
    RATELIMIT_ENABLED = False
    # Jobs run in the test process's thread unless a test asks for RQ; retries at once;
    # no sweep but the ones a test runs (another test's sweep would take its tasks).
    JOBS_BACKEND = "thread"
    # Socket.IO in the test process, unless a test gives it a queue of its own.
    SOCKETIO_MESSAGE_QUEUE = None
    JOBS_RETRY_DELAYS = [0.0]
    JOBS_SWEEP_SECONDS = 0
    # Most tests make an ordinary account first; tests/integration/test_first_admin.py
    # turns it on.
    FIRST_USER_IS_ADMIN = False


class ProductionConfig(Config):
    """gunicorn behind a proxy: secure cookies and a key that must be given."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    DEVICE_COOKIE_SECURE = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json").strip().lower()
    # gunicorn's workers share its standard output; the platform collects it.
    LOG_TO_STDOUT = _bool("LOG_TO_STDOUT", True)
    HSTS_SECONDS = _int("HSTS_SECONDS", 60 * 60 * 24 * 365)
    MIN_SECRET_KEY_LENGTH = 32
    MIN_SECRET_KEY_BITS = 96
    # A public site is open to anyone from its first start: whoever signed up before its
    # owner would own it. The operator has a shell: `flask user create-admin`.
    FIRST_USER_IS_ADMIN = _bool("FIRST_USER_IS_ADMIN", False)


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """Pick the configuration class named by ``MICROBLOG_ENV`` (default development)."""
    name = os.environ.get("MICROBLOG_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"MICROBLOG_ENV={name!r} is not one of {', '.join(CONFIGS)}"
        ) from None
