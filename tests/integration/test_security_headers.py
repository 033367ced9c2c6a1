"""Security headers on every response, and the proxy settings they depend on.

A browser obeys these headers: the Content-Security-Policy stops injected
script, the frame headers stop clickjacking, HSTS keeps the site on HTTPS.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import PRODUCTION_SECRET_KEY

TEMPLATES = Path(__file__).resolve().parents[2] / "microblog" / "templates"
HTTPS = "https://microblog.example"

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


@pytest.fixture
def prod(production_app):
    app = production_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("the flux capacitor failed")

    return app


@pytest.mark.parametrize("path", ["/explore", "/auth/login", "/no-such-page", "/boom",
                                  "/static/css/app.css", "/health"])
def test_every_production_response_carries_the_headers(prod, path):
    response = prod.test_client().get(path, base_url=HTTPS)

    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert response.headers["Permissions-Policy"].startswith("accelerometer=()")
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert csp_directives(response)["frame-ancestors"] == ["'none'"]


def test_a_header_a_view_sets_itself_wins_over_the_default(sibling_app):
    app = sibling_app()

    @app.get("/test/framed")
    def framed():
        return "ok", {"x-frame-options": "SAMEORIGIN"}  # any case: header names are not

    headers = app.test_client().get("/test/framed").headers

    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers["X-Content-Type-Options"] == "nosniff"  # the other defaults still come


def test_the_content_security_policy_allows_no_inline_script(prod):
    response = prod.test_client().get("/explore", base_url=HTTPS)
    directives = csp_directives(response)

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]  # avatars are drawn here
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


def test_avatars_are_allowed_from_the_configured_avatar_service(production_app):
    prod = production_app(AVATAR_PROVIDER="gravatar",
                          GRAVATAR_URL="https://avatars.example.net:8443/avatar")
    response = prod.test_client().get("/explore", base_url=HTTPS)

    assert csp_directives(response)["img-src"] == [
        "'self'", "data:", "https://avatars.example.net:8443"
    ]


def test_hosts_articles_may_show_images_of_are_allowed_over_https(production_app):
    prod = production_app(MARKDOWN_IMAGE_HOSTS=["pics.example.org", "cdn.example.net"])
    response = prod.test_client().get("/explore", base_url=HTTPS)

    assert csp_directives(response)["img-src"] == [
        "'self'", "data:", "https://pics.example.org", "https://cdn.example.net"
    ]


@pytest.mark.parametrize("path", ["/settings/email", "/admin/users", "/index", "/explore"])
def test_pages_for_a_signed_in_visitor_are_kept_by_no_cache(client, make_user, path):
    from microblog.extensions import db
    from microblog.models.role import Role

    make_user("ada", role=Role.ADMIN)
    db.session.commit()
    client.login("ada")

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_public_pages_and_avatars_keep_their_caching_for_visitors(client, make_user):
    make_user("susan")
    assert "Cache-Control" not in client.get("/explore").headers
    client.login("susan")
    avatar = client.get("/avatar/" + "0" * 16 + ".svg")
    assert avatar.status_code == 200
    assert avatar.headers["Cache-Control"].startswith("public, max-age=")


def test_no_hsts_over_plain_http(prod):
    """Browsers ignore HSTS sent over HTTP, and sending it there would be a lie."""
    response = prod.test_client().get("/explore")

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_hsts_lifetime_is_a_setting(production_app):
    prod = production_app(HSTS_SECONDS=300)
    response = prod.test_client().get("/explore", base_url=HTTPS)

    assert response.headers["Strict-Transport-Security"] == "max-age=300; includeSubDomains"


def test_development_never_sends_hsts(sibling_app):
    """HSTS on localhost would stick in the developer's browser for every local project."""
    dev = sibling_app(
        "development",
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        TESTING=True,  # keeps the console log handler off; headers do not depend on it
    )
    response = dev.test_client().get("/explore", base_url=HTTPS)

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert csp_directives(response)["script-src"] == ["'self'"]


def test_a_trusted_proxy_says_who_the_client_is_and_that_it_used_https(production_app, caplog):
    prod = production_app(TRUSTED_PROXIES=1)
    caplog.set_level("INFO", logger="microblog.request")
    # The client claims an address; the proxy appends the one it really saw.
    response = prod.test_client().get("/explore", headers={
        "X-Forwarded-For": "10.9.9.9, 203.0.113.7",
        "X-Forwarded-Proto": "https",
    })

    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    (line,) = [r for r in caplog.records if r.name == "microblog.request"]
    assert line.remote_addr == "203.0.113.7"


def test_without_trusted_proxies_forwarded_headers_are_ignored(prod, caplog):
    caplog.set_level("INFO", logger="microblog.request")
    response = prod.test_client().get("/explore", headers={
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
    })

    assert "Strict-Transport-Security" not in response.headers
    (line,) = [r for r in caplog.records if r.name == "microblog.request"]
    assert line.remote_addr == "127.0.0.1"


TAG = re.compile(r"<[a-zA-Z][^>]*>")
INLINE_SCRIPT = re.compile(r"^<script(?![^>]*\bsrc=)", re.I)
INLINE_STYLE = re.compile(r"^<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.I)
BLOCKED = [(INLINE_SCRIPT, "an inline <script>"), (INLINE_STYLE, "inline style"),
           (EVENT_HANDLER, "an on…= handler"), (JAVASCRIPT_URL, "a javascript: URL")]


@pytest.mark.parametrize(
    "template",
    # Email bodies are read in mail clients, not under our CSP.
    [p for p in sorted(TEMPLATES.rglob("*.html")) if "email" not in p.relative_to(TEMPLATES).parts],
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_templates_hold_nothing_the_policy_would_block(template):
    """The browser would refuse these under our CSP, and the page would silently break."""
    for tag in TAG.findall(template.read_text(encoding="utf-8")):
        for pattern, what in BLOCKED:
            assert not pattern.search(tag), (
                f"{template.name} has {what} in {tag!r}; move it to microblog/static/"
            )
