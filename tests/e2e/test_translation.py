"""Translating a post in Chromium (``static/js/translate.js``): a Spanish post on an
English page, "Translate" puts the translation in its place, "Show original" puts the
original back; a translator that fails says so in place. The translator is a real
LibreTranslate-speaking server on loopback (``tests/translator.py``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from microblog import translate
from microblog.services import posts
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import axe_source, blocking_violations  # noqa: F401
from tests.e2e.test_content_security_policy import LISTEN_FOR_VIOLATIONS, violations

SPANISH = "Hoy fui al mercado y compré fruta fresca para toda la semana."


@pytest.fixture
def translator(app, translator_server):
    app.config.update(TRANSLATOR_URL=translator_server.url, TRANSLATOR_TIMEOUT=0.5)
    translate.init_app(app)
    yield translator_server
    app.config["TRANSLATOR_URL"] = None
    translate.init_app(app)


@pytest.mark.e2e
def test_translate_then_show_the_original(page: Page, make_user, translator):
    posts.create_post(make_user("alice"), SPANISH)
    make_user("bob")
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    log_in(page, "bob")
    page.goto("/explore")

    post = page.locator("article.post", has_text="Hoy fui al mercado")
    body = post.locator(".post-body")
    button = post.get_by_role("button", name="Translate")
    expect(body).to_have_text(SPANISH)
    button.click()

    expect(body).to_have_text(f"[es→en] {SPANISH}")
    show_original = post.get_by_role("button", name="Show original")
    expect(show_original).to_be_visible()
    show_original.click()
    expect(body).to_have_text(SPANISH)
    # Translating again shows the translation the page already has: no second request.
    post.get_by_role("button", name="Translate").click()
    expect(body).to_have_text(f"[es→en] {SPANISH}")
    assert len(translator.calls) == 1
    assert violations(page) == []
    assert page.problems.script_errors == []


@pytest.mark.e2e
def test_a_failing_translator_is_said_in_place(page: Page, make_user, translator):
    translator.mode = "fail"
    posts.create_post(make_user("alice"), SPANISH)
    make_user("bob")
    log_in(page, "bob")
    page.goto("/explore")
    post = page.locator("article.post", has_text="Hoy fui al mercado")
    post.get_by_role("button", name="Translate").click()
    expect(post.locator(".translate-status")).to_have_text(
        "The translator is not answering just now. Please try again in a minute.")
    expect(post.locator(".post-body")).to_have_text(SPANISH)
    expect(post.get_by_role("button", name="Translate")).to_be_enabled()
    assert page.problems.script_errors == []


@pytest.mark.e2e
def test_the_button_and_its_translation_pass_axe(page: Page, make_user, translator,
                                                 axe_source):  # noqa: F811
    article = posts.create_article(
        make_user("alice"), "Mi primer artículo sobre bases de datos",
        "Escribo sobre *bases de datos* y sobre las personas que las usan cada día.")
    make_user("bob")
    log_in(page, "bob")
    page.goto(f"/post/{article.id}/{article.slug}")
    assert blocking_violations(page, axe_source) == []
    page.get_by_role("button", name="Translate").click()
    expect(page.locator("h1.post-title")).to_have_text(
        "[es→en] Mi primer artículo sobre bases de datos")
    assert blocking_violations(page, axe_source) == []
