"""Flask extensions, created unbound and attached to the app in ``create_app``.

Creating them here (not in ``__init__``) lets any module import ``db`` or
``login`` without importing the application, which avoids circular imports.
"""

from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from microblog import database  # noqa: F401  (its hooks apply to every engine)
from microblog.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
login.login_view = "auth.login"
login.login_message = _l("Please log in to access this page.")
login.login_message_category = "info"
# A session cookie replayed from another browser or address (user agent or IP
# changed) is logged out, and its remember-me cookie cleared.
login.session_protection = "strong"
csrf = CSRFProtect()
babel = Babel()

# The limits themselves, one per sensitive action, live in microblog/rate_limits.py;
# there is no default limit on other pages. What is fixed in code is passed here
# rather than read from the config, because Flask-Limiter takes these from the
# first app it meets, and the test suite builds many apps in one process.
limiter = Limiter(
    key_func=get_remote_address,
    # Exact (no double burst where two fixed windows meet), in one round trip to Redis
    # per limit with what the API's RateLimit-* headers say (microblog/rate_limits.py).
    strategy="moving-window-in-one-trip",
    # No X-RateLimit-* or Retry-After on every answer: only a 429 says when to come back
    # (microblog.blueprints.errors.handlers:too_many_requests).
    headers_enabled=False,
    in_memory_fallback_enabled=True,  # Redis down: keep limiting, in this process
    swallow_errors=True,  # and never turn a storage error into a 500
)
mail = Mail()
# Configured by microblog.caching.init_cache: memory, or Redis when REDIS_URL is set.
cache = Cache(with_jinja2_ext=False)
# What this process read from ``cache`` lately, kept in its memory (also init_cache).
cache_copies = Cache(with_jinja2_ext=False)
# The render cache (microblog/fragments/): pieces of pages, in each process's memory.
# Configured by microblog.fragments.init_app when FRAGMENT_CACHE is on.
fragments = Cache(with_jinja2_ext=False)
