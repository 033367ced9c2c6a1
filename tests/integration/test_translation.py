"""Live translation of posts and comments (microblog/services/translations.py): the
"Translate" button under text in another language than the reader's, the endpoint that
translates by id through a real LibreTranslate-speaking server on loopback
(tests/translator.py), the translations it keeps, and every way it can fail without a 500.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog import translate
from microblog.extensions import db, fragments
from microblog.models.post import Post
from microblog.models.translation import Translation
from microblog.services import comments, posts
from microblog.services.language_backfill import detect_missing
from tests.pages import parse

SPANISH = "Hoy fui al mercado y compré fruta fresca para toda la semana."
GERMAN = "Heute habe ich endlich meinen ersten Blogeintrag mit Flask geschrieben."
ENGLISH = "Just deployed my first Flask app to production, feeling great."
ENGLISH_READER = {"Accept-Language": "en"}
SPANISH_READER = {"Accept-Language": "es"}


@pytest.fixture
def server(app, translator_server):
    """The app with a translator at ``translator_server``, chosen as create_app chooses
    it (from TRANSLATOR_URL), in the three interface languages."""
    app.config.update(TRANSLATOR_URL=translator_server.url, TRANSLATOR_TIMEOUT=0.5)
    translate.init_app(app)
    yield translator_server
    app.config["TRANSLATOR_URL"] = None
    translate.init_app(app)


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


@pytest.fixture
def spanish(people) -> Post:
    return posts.create_post(people["alice"], SPANISH)


def translate_button(page, item_id: str):
    article = parse(page).find("article", id=item_id)
    return next(article.find_all("button", cls="translate-button"), None)


def ask(client, url: str, token: str | None = "page", headers=None):
    """POST as translate.js does: JSON asked for, the page's token in X-CSRFToken."""
    sent = {"Accept": "application/json", **ENGLISH_READER, **(headers or {})}
    if token == "page":
        sent["X-CSRFToken"] = client.csrf_token()
    return client.post(url, headers=sent)


def kept_translations() -> int:
    return db.session.scalar(sa.select(sa.func.count(Translation.id)))


# --- the button -----------------------------------------------------------------------


def test_a_member_reading_in_english_is_offered_a_spanish_post_and_gets_it(
        server, client, spanish):
    client.login("bob")
    page = client.get("/explore", headers=ENGLISH_READER)
    button = translate_button(page, f"post-{spanish.id}")
    assert button is not None and button.text == "Translate"
    assert button.attrs["data-translate-url"] == f"/post/{spanish.id}/translate"
    assert b"js/translate.js" in page.data

    response = ask(client, button.attrs["data-translate-url"])
    assert response.status_code == 200
    assert response.json["html"] == f"[es→en] {SPANISH}"
    assert response.json["source"] == "es" and response.json["target"] == "en"
    assert server.calls == [{"q": SPANISH, "source": "es", "target": "en", "format": "text"}]


def test_no_button_for_a_post_in_the_readers_language(server, client, people, spanish):
    german = posts.create_post(people["alice"], GERMAN)
    english = posts.create_post(people["alice"], ENGLISH)
    client.login("bob")
    in_spanish = client.get("/explore", headers=SPANISH_READER)
    assert translate_button(in_spanish, f"post-{spanish.id}") is None
    assert translate_button(in_spanish, f"post-{german.id}") is not None
    in_english = client.get("/explore", headers=ENGLISH_READER)
    assert translate_button(in_english, f"post-{english.id}") is None
    assert translate_button(in_english, f"post-{german.id}") is not None


def test_no_button_for_text_too_short_to_tell(server, client, people):
    short = posts.create_post(people["alice"], "¡Hola!")
    assert short.language == "unknown"
    client.login("bob")
    assert translate_button(client.get("/explore", headers=ENGLISH_READER),
                            f"post-{short.id}") is None


def test_no_button_anywhere_without_a_translator(client, spanish):
    client.login("bob")
    page = client.get("/explore", headers=ENGLISH_READER)
    assert translate_button(page, f"post-{spanish.id}") is None
    assert b"js/translate.js" not in page.data
    response = ask(client, f"/post/{spanish.id}/translate")
    assert response.status_code == 404
    assert response.json["detail"] == "Translation is not available on this site."


def test_no_button_for_a_visitor_logged_out(server, client, spanish):
    page = client.get("/explore", headers=ENGLISH_READER)
    assert translate_button(page, f"post-{spanish.id}") is None
    response = ask(client, f"/post/{spanish.id}/translate")  # with a token: not a forgery
    assert response.status_code == 401
    assert server.calls == []


def test_an_article_and_a_comment_are_offered_on_the_post_page(server, client, people):
    article = posts.create_article(
        people["alice"], "Mi primer artículo sobre bases de datos",
        "Escribo sobre *bases de datos* y sobre las personas que las usan cada día.")
    comment = comments.add(people["carol"], article.id,
                           "Das ist ein sehr guter Artikel, vielen Dank für die Erklärung!")
    client.login("bob")
    page = client.get(f"/post/{article.id}/{article.slug}", headers=ENGLISH_READER)
    assert translate_button(page, f"post-{article.id}") is not None
    assert translate_button(page, f"comment-{comment.id}") is not None

    answer = ask(client, f"/post/{article.id}/translate").json
    assert answer["title"] == "[es→en] Mi primer artículo sobre bases de datos"
    # The translator gets the Markdown; its answer is rendered as the original was.
    assert answer["html"] == "<p>[es→en] Escribo sobre <em>bases de datos</em> y sobre las " \
                             "personas que las usan cada día.</p>\n"
    answer = ask(client, f"/comment/{comment.id}/translate").json
    assert answer["html"].startswith("<p>[de→en] Das ist ein sehr guter Artikel")
    assert answer["title"] is None


# --- kept translations -----------------------------------------------------------------


def test_a_second_reader_costs_nothing(server, client, app, spanish):
    client.login("bob")
    first = ask(client, f"/post/{spanish.id}/translate").json
    client.logout()
    client.login("carol")
    second = ask(client, f"/post/{spanish.id}/translate").json
    assert second == first
    assert len(server.calls) == 1
    assert kept_translations() == 1


def test_each_target_language_is_kept_apart(server, client, spanish, people):
    german = posts.create_post(people["alice"], GERMAN)
    client.login("bob")
    ask(client, f"/post/{german.id}/translate")
    in_spanish = ask(client, f"/post/{german.id}/translate", headers=SPANISH_READER)
    assert in_spanish.json["html"] == f"[de→es] {GERMAN}"
    assert len(server.calls) == 2


def test_an_edit_is_translated_again(server, client, people, spanish):
    client.login("bob")
    ask(client, f"/post/{spanish.id}/translate")
    edited = "Mañana vuelvo al mercado porque se me olvidó comprar el pan."
    posts.edit_post(people["alice"], db.session.get(Post, spanish.id), body=edited)
    answer = ask(client, f"/post/{spanish.id}/translate").json
    assert answer["html"] == f"[es→en] {edited}"
    assert len(server.calls) == 2
    assert kept_translations() == 1  # the stale one was replaced


def test_the_translation_is_rendered_and_sanitised_like_the_original(server, client, people):
    post = posts.create_post(people["alice"], "Mira esto <script>alert(1)</script> que "
                                              "encontré hoy en el mercado de la ciudad.")
    article = posts.create_article(
        people["alice"], "Un artículo con cosas peligrosas dentro",
        "Esto es un texto normal <img src=x onerror=alert(1)> con un "
        "[enlace](javascript:alert(1)) y nada más que decir sobre el tema.")
    client.login("bob")
    status_html = ask(client, f"/post/{post.id}/translate").json["html"]
    assert "<script>" not in status_html and "&lt;script&gt;" in status_html
    article_html = ask(client, f"/post/{article.id}/translate").json["html"]
    assert "<img" not in article_html and "&lt;img" in article_html
    assert 'href="javascript' not in article_html


# --- who may ask -----------------------------------------------------------------------


def test_a_draft_is_translated_for_its_author_alone(server, client, people):
    draft = posts.create_article(people["alice"], "Un borrador que nadie ve todavía",
                                 "Todavía estoy escribiendo este artículo sobre Flask.",
                                 publish=False)
    client.login("bob")
    refused = ask(client, f"/post/{draft.id}/translate")
    assert refused.status_code == 404
    assert refused.mimetype == "application/problem+json"
    assert server.calls == []
    client.logout()
    client.login("alice")
    assert ask(client, f"/post/{draft.id}/translate").status_code == 200


def test_unknown_ids_are_404(server, client, spanish):
    client.login("bob")
    assert ask(client, "/post/999/translate").status_code == 404
    assert ask(client, "/comment/999/translate").status_code == 404
    assert server.calls == []


def test_text_in_the_readers_language_or_unknown_is_refused(server, client, people, spanish):
    short = posts.create_post(people["alice"], "ok")
    client.login("bob")
    same = ask(client, f"/post/{spanish.id}/translate", headers=SPANISH_READER)
    assert same.status_code == 422
    assert same.json["detail"] == "Esto ya está en tu idioma."  # told in the reader's language
    assert ask(client, f"/post/{short.id}/translate").status_code == 422
    assert server.calls == []


def test_the_csrf_token_is_required(server, client, spanish):
    client.login("bob")
    response = ask(client, f"/post/{spanish.id}/translate", token=None)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert server.calls == []


def test_translation_is_rate_limited_per_account(server, sibling_app, spanish):
    # The limiter reads whether it is on when the app is built: an app of its own.
    client = sibling_app(RATELIMIT_ENABLED=True, RATELIMIT_TRANSLATE_PER_USER="2 per hour",
                         TRANSLATOR_URL=server.url).test_client()
    client.login("bob")
    token = client.csrf_token()
    headers = {"X-CSRFToken": token}
    statuses = [ask(client, f"/post/{spanish.id}/translate", token=None,
                    headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    client.logout()
    client.login("carol")  # another account has its own count
    assert ask(client, f"/post/{spanish.id}/translate").status_code == 200


# --- when the translator fails -----------------------------------------------------------


@pytest.mark.parametrize(("mode", "status"), [("fail", 503), ("hang", 503),
                                              ("garbage", 502), ("refuse", 502)])
def test_a_failing_translator_is_a_problem_body_never_a_500(server, client, spanish, mode,
                                                            status):
    server.mode = mode
    client.login("bob")
    response = ask(client, f"/post/{spanish.id}/translate")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] in (
        "The translator is not answering just now. Please try again in a minute.",
        "This text could not be translated.")
    if status == 503:
        assert int(response.headers["Retry-After"]) > 0
    assert kept_translations() == 0


def test_after_a_timeout_readers_are_not_kept_waiting(server, client, people, spanish):
    server.mode = "hang"
    client.login("bob")
    assert ask(client, f"/post/{spanish.id}/translate").status_code == 503
    server.mode = "ok"
    # The breaker is open: the next reader is answered at once, without a call.
    assert ask(client, f"/post/{spanish.id}/translate").status_code == 503
    assert len(server.calls) == 1


# --- the render cache and the page's cost -------------------------------------------------


@pytest.mark.render_cache
def test_a_kept_card_gets_its_button_once_an_old_posts_language_is_told(server, client,
                                                                        spanish):
    # A post saved before languages were told (migration 0017 left it NULL).
    db.session.execute(sa.update(Post.__table__).where(Post.__table__.c.id == spanish.id)
                       .values(language=None))
    db.session.commit()
    client.login("bob")
    assert translate_button(client.get("/explore", headers=ENGLISH_READER),
                            f"post-{spanish.id}") is None
    assert any(key[0] == "post_card" for key in app_cards(client.application))

    assert detect_missing(db.session.connection()) == (1, 0)
    db.session.commit()
    assert translate_button(client.get("/explore", headers=ENGLISH_READER),
                            f"post-{spanish.id}") is not None


@pytest.mark.render_cache
def test_a_kept_card_is_not_shared_between_readers_offered_different_things(
        server, client, spanish):
    client.login("bob")
    assert translate_button(client.get("/explore", headers=ENGLISH_READER),
                            f"post-{spanish.id}") is not None
    assert translate_button(client.get("/explore", headers=SPANISH_READER),
                            f"post-{spanish.id}") is None
    client.logout()
    assert translate_button(client.get("/explore", headers=ENGLISH_READER),
                            f"post-{spanish.id}") is None


def app_cards(app):
    return list(app.extensions["cache"][fragments])


def test_the_button_costs_the_timeline_no_query(server, client, app, people, count_queries):
    for number in range(6):
        posts.create_post(people["alice"], f"{SPANISH} ({number})")
    client.login("bob")
    client.get("/explore", headers=ENGLISH_READER)  # warm up (last_seen)

    def statements() -> int:
        with count_queries() as sent:
            page = client.get("/explore", headers=ENGLISH_READER)
        assert page.status_code == 200
        return len(sent), page

    offered, page = statements()
    assert len(list(parse(page).find_all("button", cls="translate-button"))) == 6
    app.config["TRANSLATOR_URL"] = None
    translate.init_app(app)
    if app.config["FRAGMENT_CACHE"]:
        app.extensions["cache"][fragments].clear()
    client.get("/explore", headers=ENGLISH_READER)  # the cards rendered again, kept
    without, page = statements()
    assert len(list(parse(page).find_all("button", cls="translate-button"))) == 0
    assert offered == without


# --- old rows, and what the table guarantees ------------------------------------------------


def test_flask_languages_detect_tells_old_rows_and_leaves_told_ones(app, people, spanish):
    english = posts.create_post(people["alice"], ENGLISH)
    comment = comments.add(people["bob"], spanish.id,
                           "Heute habe ich Kuchen gebacken und meine Nachbarn eingeladen.")
    db.session.execute(sa.update(Post.__table__).where(Post.__table__.c.id == spanish.id)
                       .values(language=None))
    db.session.execute(sa.text("UPDATE comments SET language = NULL"))
    db.session.execute(sa.update(Post.__table__).where(Post.__table__.c.id == english.id)
                       .values(language="fr"))  # told already: left as it is
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["languages", "detect"])
    assert result.exit_code == 0, result.output
    assert "Languages told: 1 posts and 1 comments." in result.output
    db.session.expire_all()
    assert db.session.get(Post, spanish.id).language == "es"
    assert db.session.get(Post, english.id).language == "fr"
    assert comments.get_comment(comment.id).language == "de"


def test_an_edit_tells_the_language_again(people, spanish):
    posts.edit_post(people["alice"], spanish, body=GERMAN)
    assert spanish.language == "de"
    comment = comments.add(people["bob"], spanish.id, "ok")
    assert comment.language == "unknown"
    comments.edit(people["bob"], comment, SPANISH)
    assert comment.language == "es"


def test_one_kept_translation_per_post_and_language(people, spanish):
    db.session.add(Translation(post_id=spanish.id, target="en", source_digest="a", html="x"))
    db.session.commit()
    db.session.add(Translation(post_id=spanish.id, target="en", source_digest="b", html="y"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Translation(post_id=spanish.id, target="de", source_digest="b", html="y"))
    db.session.commit()  # another language is another row


def test_the_account_language_decides_what_is_offered(server, client, people, spanish):
    from microblog.services import accounts

    german = posts.create_post(people["alice"], GERMAN)
    accounts.choose_language(people["bob"], "es")
    client.login("bob")
    page = client.get("/explore", headers=ENGLISH_READER)  # the account beats the browser
    assert translate_button(page, f"post-{spanish.id}") is None
    assert translate_button(page, f"post-{german.id}") is not None
    answer = ask(client, f"/post/{german.id}/translate")
    assert answer.json["target"] == "es"


def test_two_readers_translating_at_once_keep_one_row(server, client, spanish):
    """The second of two requests that both found nothing kept and both translated: its
    insert meets the unique index, and the first request's row stays (no 500)."""
    from microblog.services.translations import _keep

    client.login("bob")
    first = ask(client, f"/post/{spanish.id}/translate").json
    _keep(None, Translation.post_id, spanish.id, "en", "another digest", "<p>late</p>", None)
    kept = db.session.scalars(sa.select(Translation)).all()
    assert [(row.html, row.post_id) for row in kept] == [(first["html"], spanish.id)]
