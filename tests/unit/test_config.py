"""Configuration: which class is chosen, how URLs are read, where the secret key comes from."""

import secrets

import pytest

from microblog import create_app
from microblog.config import (
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    config_from_environment,
    development_secret_key,
    normalise_database_url,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
        ("postgresql://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize(
    ("name", "cls"),
    [("development", DevelopmentConfig), ("production", ProductionConfig),
     ("Testing", TestingConfig)],
)
def test_microblog_env_picks_the_config(monkeypatch, name, cls):
    monkeypatch.setenv("MICROBLOG_ENV", name)
    assert config_from_environment() is cls


def test_unknown_microblog_env_is_refused(monkeypatch):
    monkeypatch.setenv("MICROBLOG_ENV", "staging")
    with pytest.raises(RuntimeError, match="staging"):
        config_from_environment()


def test_development_key_is_generated_once_and_kept(tmp_path):
    first = development_secret_key(tmp_path)
    assert len(first) == 64
    assert development_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app("production", {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_cookies_are_secure():
    app = create_app("production", {"SECRET_KEY": secrets.token_hex(32),
                                    "SQLALCHEMY_DATABASE_URI": "sqlite://",
                                    "LOG_TO_STDOUT": True})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug


def test_real_configs_hash_passwords_with_scrypt():
    assert DevelopmentConfig.PASSWORD_HASH_METHOD == "scrypt"
    assert ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"
