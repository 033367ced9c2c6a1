"""Microblog: the application factory.

``create_app`` builds a configured Flask application: it loads the config,
binds the extensions, registers the blueprints and the CLI. Nothing is created
at import time, so tests can build as many differently-configured apps as they
need.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version

import sqlalchemy as sa
import sqlalchemy.orm as so
from apiflask import APIFlask
from flask import Flask
from flask_babel import format_datetime, format_number, get_locale
from flask_login import current_user

from microblog import database, images, integers, jobs, languages, realtime, translate
from microblog.caching import init_cache
from microblog.config import (
    BASE_DIR,
    CONFIGS,
    INSTANCE_DIR,
    Config,
    config_from_environment,
    development_secret_key,
)
from microblog.extensions import csrf, db, login, mail, migrate
from microblog.json_dates import JSONProvider
from microblog.models import load_all as load_models
from microblog.models.role import Permission
from microblog.rate_limits import init_rate_limits
from microblog.search import init_search
from microblog.services.permissions import can, needs_email_confirmation
from microblog.storage import init_storage

try:
    __version__ = version("microblog")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def create_app(
    config: type[Config] | str | None = None, overrides: Mapping[str, object] | None = None
) -> Flask:
    """Build the app. ``config`` is a Config class or its name; ``overrides`` win over both."""
    if config is None:
        config = config_from_environment()
    elif isinstance(config, str):
        config = CONFIGS[config]

    # An APIFlask is a Flask that also writes the API's OpenAPI document from its views'
    # schemas (microblog/api/). Its JSON error pages are off (json_errors): the errors
    # blueprint chooses, by the path, between a problem body and the HTML page.
    app = APIFlask(__name__, instance_path=str(INSTANCE_DIR), title="Microblog API",
                   version=__version__, spec_path="/api/openapi.json", docs_path=None,
                   json_errors=False)
    app.json = JSONProvider(app)  # dates as ISO 8601 (microblog/json_dates.py)
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    _ensure_secret_key(app)
    integers.init_app(app)  # before the blueprints add their <int:…> rules

    load_models()
    db.init_app(app)
    database.init_app(app)  # after db: its teardown must run before the session closes
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    login.init_app(app)
    csrf.init_app(app)
    init_rate_limits(app)
    init_cache(app)
    init_search(app)
    init_storage(app)
    images.init_app(app)
    mail.init_app(app)
    jobs.init_app(app)
    translate.init_app(app)
    languages.init_app(app)  # Flask-Babel, and how each request's language is chosen
    app.jinja_env.globals.update(get_locale=get_locale, languages=languages.names,
                                 format_number=format_number, format_datetime=format_datetime)
    # Flask-Babel's template functions, each asking for the request's catalogue once.
    catalogue = languages.catalogue
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True)
    # Plurals with their count written the reader's way (1.234 in German).
    app.jinja_env.globals["ngettext"] = languages.template_ngettext
    app.jinja_env.globals.update(can=_current_user_can, Permission=Permission,
                                 socket_urls=realtime.socket_urls,
                                 needs_email_confirmation=needs_email_confirmation)

    from microblog import fragments
    from microblog.api import init_app as init_api
    from microblog.blueprints.admin import bp as admin_bp
    from microblog.blueprints.auth import bp as auth_bp
    from microblog.blueprints.blog import bp as blog_bp
    from microblog.blueprints.errors import bp as errors_bp
    from microblog.blueprints.feeds import bp as feeds_bp
    from microblog.blueprints.health import bp as health_bp
    from microblog.blueprints.main import bp as main_bp
    from microblog.blueprints.messages import bp as messages_bp
    from microblog.blueprints.notifications import bp as notifications_bp
    from microblog.blueprints.settings import bp as settings_bp
    from microblog.blueprints.tasks import bp as tasks_bp
    from microblog.blueprints.uploads import bp as uploads_bp
    from microblog.cli import register_cli
    from microblog.logs import configure_logging
    from microblog.middleware import init_app as init_middleware

    realtime.init_app(app)  # before the middleware, whose proxy fix must run first
    init_middleware(app)
    fragments.init_app(app)  # after the middleware: its slots are filled first
    app.register_blueprint(errors_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(blog_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(uploads_bp)
    init_api(app)
    register_cli(app)
    configure_logging(app)

    @app.shell_context_processor
    def shell_context():
        from microblog.models.post import Post
        from microblog.models.user import User

        return {"db": db, "sa": sa, "so": so, "User": User, "Post": Post}

    return app


def _ensure_secret_key(app: Flask) -> None:
    """Development keeps a generated key in ``instance/``; other modes must be given one.

    Production also refuses a short or repetitive key: anyone who guesses it can
    forge sessions.
    """
    key = app.config.get("SECRET_KEY")
    advice = ("Set it to a long random value, for example the output of "
              "`python -c 'import secrets; print(secrets.token_hex(32))'`.")
    if key:
        if len(key) < app.config["MIN_SECRET_KEY_LENGTH"]:
            raise RuntimeError(
                f"SECRET_KEY is too short ({len(key)} characters; at least "
                f"{app.config['MIN_SECRET_KEY_LENGTH']} are needed). {advice}"
            )
        if estimated_bits(key) < app.config["MIN_SECRET_KEY_BITS"]:
            raise RuntimeError(
                f"SECRET_KEY is too predictable: its characters repeat too much to carry "
                f"{app.config['MIN_SECRET_KEY_BITS']} bits. {advice}"
            )
        return
    if app.config.get("GENERATE_SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key()
        return
    raise RuntimeError(f"SECRET_KEY is not set. {advice}")


def estimated_bits(key: str) -> float:
    """A generous guess at a key's entropy: its length times the Shannon entropy of its
    characters' frequencies. A key of one repeated character scores 0; 64 hex digits
    from ``secrets.token_hex(32)`` about 250. It catches a key typed or padded by hand,
    not a clever one.
    """
    counts = Counter(key).values()
    return sum(count * math.log2(len(key) / count) for count in counts)


def _current_user_can(permission: Permission) -> bool:
    """``can(Permission.WRITE)`` in templates: the services' rule, for the visitor."""
    return can(current_user, permission)
