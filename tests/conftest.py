"""Fixtures shared by the whole suite.

Every test that takes ``app`` (or anything built on it) runs three times: on
SQLite and on PostgreSQL with the render cache on (as both modes run), and on
SQLite with it off (``FRAGMENT_CACHE=False``: every page must be the same without
it). A test about the render cache itself is marked ``render_cache`` and runs only
where it is on. The schema is built by the real Alembic migrations, once per
backend per run; after each test every table is emptied.
PostgreSQL comes from ``TEST_DATABASE_URL``; when it does not answer the
PostgreSQL pass is skipped, except with ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from microblog import create_app
from microblog.config import normalise_database_url
from microblog.extensions import db

PG_URL = normalise_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/microblog_test")
)
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def ensure_postgres_database(url: str) -> str | None:
    """Create the test database if needed; return why PostgreSQL is unusable, or None."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    except sa.exc.OperationalError as error:
        return f"PostgreSQL at {target.render_as_string(hide_password=True)} " \
               f"does not answer: {error.orig}"
    finally:
        admin.dispose()
    return None


def reset_schema(app: Flask) -> None:
    """Drop everything, then build the schema with the migrations, as production does."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Also the search index's functions and text search configuration.
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            db.metadata.drop_all(db.engine)
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


def empty_tables() -> None:
    if db.engine.dialect.name == "postgresql":
        # DELETE, children first, and every sequence back to 1 (so each test's ids start
        # at 1), in one round trip. TRUNCATE ... RESTART IDENTITY did the same in 90 ms,
        # creating new files for every table and index: a few minutes of every run.
        deletes = [f"DELETE FROM {table.name}" for table in reversed(db.metadata.sorted_tables)]
        db.session.execute(sa.text("; ".join([
            *deletes, "SELECT setval(oid::regclass, 1, false) FROM pg_class "
                      "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"])))
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        # AUTOINCREMENT's memory of the largest id (models.base:PermanentIds): like
        # RESTART IDENTITY above, each test's ids start at 1 again.
        db.session.execute(sa.text("DELETE FROM sqlite_sequence"))
    db.session.commit()


# The backends every app test runs on; the last renders every page afresh.
BACKENDS = ["sqlite", "postgresql", "sqlite-uncached"]


@pytest.fixture(scope="session", params=BACKENDS)
def backend_app(request, tmp_path_factory) -> Flask:
    """One app per database backend (and render-cache setting) for the whole run."""
    if request.param == "postgresql":
        problem = ensure_postgres_database(PG_URL)
        if problem:
            if IN_CI:
                pytest.fail(f"{problem} (CI=true: the PostgreSQL pass is required)")
            pytest.skip(problem)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": url,
        "MAIL_OUTBOX_DIR": str(tmp_path_factory.mktemp("outbox")),
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "EXPORT_DIR": str(tmp_path_factory.mktemp("exports")),
        "FRAGMENT_CACHE": request.param != "sqlite-uncached",
    })
    reset_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(backend_app: Flask) -> Iterator[Flask]:
    """The backend's app inside an app context, with empty tables and its own config copy."""
    from microblog.extensions import cache, cache_copies, fragments

    saved = dict(backend_app.config)
    with backend_app.app_context():
        yield backend_app
        db.session.rollback()
        empty_tables()
        db.session.remove()
        cache.clear()  # cached lists name posts whose ids the next test reuses
        cache_copies.clear()
        if backend_app.config["FRAGMENT_CACHE"]:
            fragments.clear()  # and so may cached post cards, if a test sets updated_at
    backend_app.config.clear()
    backend_app.config.update(saved)


def words_query(app: Flask) -> int:
    """The statement a warm page of posts or comments still sends for their words with
    the render cache off (microblog/services/listings.py): with it on, the cards are
    kept and their words are never read."""
    return 0 if app.config["FRAGMENT_CACHE"] else 1


# The fixtures through which a test sees rendered pages: only such a test can differ with
# the render cache off.
RENDERING_FIXTURES = {"client", "page", "live_server", "sibling_app", "production_app"}


def _makes_its_own_client(item) -> bool:
    """A test that builds a client of an app it made (``app.test_client()``)."""
    import inspect

    try:
        return "test_client(" in inspect.getsource(item.obj)
    except (OSError, TypeError):
        return True


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests (``@pytest.mark.e2e``) run on the SQLite backend alone. Where the
    render cache is off (``sqlite-uncached``), leave out what cannot differ there: a
    test of the cache itself (``@pytest.mark.render_cache``), which has nothing to look
    at, and a test that renders no page (a service's rules, a task), which would run the
    same code a second time on the same database."""
    kept, left_out = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        uncached = callspec is not None and callspec.params.get("backend_app") == "sqlite-uncached"
        renders = bool(RENDERING_FIXTURES & set(getattr(item, "fixturenames", ()))) or \
            _makes_its_own_client(item)
        same = item.get_closest_marker("render_cache") or not renders
        # A browser test drives the embedded default (the SQLite backend) only: the
        # other backends' pages are the same HTML, checked by the integration tests on
        # each, and three passes of Chromium cost CI a quarter of its time.
        browser_elsewhere = item.get_closest_marker("e2e") and callspec is not None and \
            callspec.params.get("backend_app", "sqlite") != "sqlite"
        (left_out if (uncached and same) or browser_elsewhere else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


class Client(FlaskClient):
    """The test client, plus the CSRF token a browser would have read from the page.

    Each request gets its own app context, as in production. Without that, Flask
    would reuse the test's context for every request, so ``g`` (where
    Flask-Login caches the current user) and the database session would carry
    over from one request to the next, even into another client.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/explore").get_data(as_text=True)
        return CSRF_META.search(page).group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form the way a browser does: with the page's CSRF token."""
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)

    def login(self, username: str, password: str = PASSWORD, **extra):
        return self.submit("/auth/login", {"username": username, "password": password, **extra})

    def logout(self):
        return self.submit("/auth/logout")


@pytest.fixture
def client(app: Flask) -> Client:
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def make_user(app: Flask):
    """Register a user through the accounts service (so every rule applies)."""
    from microblog.services import accounts

    def make(username: str, email: str | None = None, password: str = PASSWORD, about_me=None,
             *, email_confirmed: bool = True, role=None):
        user = accounts.register(username, email or f"{username}@example.com", password,
                                 email_confirmed=email_confirmed)
        if about_me:
            accounts.update_profile(user, username, about_me)
        if role is not None:
            user.role = role
            db.session.commit()
        return user

    return make


@pytest.fixture
def admin(make_user):
    """ada, an administrator."""
    from microblog.models.role import Role

    return make_user("ada", role=Role.ADMIN)


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; ``.inbox.next_message()`` waits for mail."""
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def translator_server():
    """A LibreTranslate-compatible HTTP server on a free loopback port
    (``tests/translator.py``): ``.calls`` are what it was asked, ``.mode`` how it answers."""
    from tests.translator import TranslatorServer

    server = TranslatorServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sibling_app(app: Flask) -> Iterator[Callable[..., Flask]]:
    """Build more apps on ``app``'s database: ``sibling_app("production", MAIL_PORT=25)``.

    For settings an extension reads once, when the app is created (the mail
    server, rate-limit storage, production mode), a config change on ``app``
    would come too late. Their clients are ``Client``s; their database
    connections are closed after the test.
    """
    built: list[Flask] = []

    def build(config: str = "testing", **overrides) -> Flask:
        made = create_app(config, {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_OUTBOX_DIR": app.config["MAIL_OUTBOX_DIR"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "EXPORT_DIR": app.config["EXPORT_DIR"],
            **overrides,
        })
        made.test_client_class = Client
        built.append(made)
        return made

    yield build
    for made in built:
        with made.app_context():
            db.engine.dispose()


@pytest.fixture
def mail_client(sibling_app, smtp_server) -> Client:
    """A browser on an app that shares ``app``'s database but sends mail over SMTP,
    to ``smtp_server``."""
    return sibling_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port).test_client()


@pytest.fixture
def count_queries(app: Flask):
    """Context manager counting the SQL statements sent while it is open."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    return counting


PRODUCTION_SECRET_KEY = "0123456789abcdef" * 4


@pytest.fixture
def production_app(sibling_app, tmp_path):
    """Build apps with the production config, on ``app``'s database, logging to ``tmp_path``.

    ``production_app(**overrides)`` returns the app; its client is a ``Client``.
    The production log handlers are taken off the process-wide ``microblog``
    logger afterwards, so later tests do not write into this test's files.
    """
    import logging

    logger = logging.getLogger("microblog")
    saved_handlers, saved_level = list(logger.handlers), logger.level

    def build(**overrides) -> Flask:
        return sibling_app("production", **{
            "SECRET_KEY": PRODUCTION_SECRET_KEY,
            "LOG_TO_STDOUT": False,
            "LOG_DIR": str(tmp_path / "logs"),
            **overrides,
        })

    yield build
    for handler in list(logger.handlers):
        if handler not in saved_handlers:
            logger.removeHandler(handler)
            handler.close()
    for handler in saved_handlers:
        if handler not in logger.handlers:
            logger.addHandler(handler)
    logger.setLevel(saved_level)


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis for the tests that need one; skipped when it does not answer, except with CI=true.

    Other test runs may share the server: each test keeps its keys under its own
    prefix and deletes only those, never the whole database.
    """
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        problem = f"Redis at {TEST_REDIS_URL} does not answer: {error}"
        if IN_CI:
            pytest.fail(f"{problem} (CI=true: the Redis tests are required)")
        pytest.skip(problem)
    finally:
        client.close()
    return TEST_REDIS_URL
