"""The interface in English, Spanish and German, and how each visitor's language is chosen:
their account's choice, else the footer's cookie, else Accept-Language, else English
(microblog/languages.py). Pages are read as a visitor reads them; the words checked are the
catalogues' own (microblog/translations/)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from flask import render_template_string

from microblog import jobs
from microblog.extensions import db, fragments
from microblog.languages import in_language_of
from microblog.models.task import Task
from microblog.models.user import User
from microblog.services import follows, posts
from tests.integration.test_exports import outbox, text_of
from tests.integration.test_exports import start as start_export
from tests.pages import alerts, field_error, parse
from tests.smtp import html_part, subject, text_part

SPANISH = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}
GERMAN = {"Accept-Language": "de-DE,de;q=0.8"}
NAVBAR = {"en": ("Home", "Explore", "Login"), "es": ("Inicio", "Explorar", "Iniciar sesión"),
          "de": ("Startseite", "Entdecken", "Anmelden")}


def navbar_links(response) -> list[str]:
    return [a.text for a in parse(response).find("nav").find_all("a", "nav-link")]


def html_lang(response) -> str:
    return parse(response).find("html").attrs["lang"]


def switch(client, language: str, next_page: str = "/explore"):
    return client.submit("/language", {"language": language, "next": next_page})


def stored_language(user: User) -> str | None:
    """What the account holds now (the requests wrote it in their own sessions)."""
    db.session.expire_all()
    return db.session.get(User, user.id).language


def set_language(user: User, language: str | None) -> None:
    user.language = language
    db.session.commit()


@pytest.mark.parametrize("language", ["en", "es", "de"])
def test_the_browser_s_language_is_spoken_to_a_visitor(client, language):
    response = client.get("/explore", headers={"Accept-Language": f"{language};q=0.9"})

    assert response.status_code == 200
    assert html_lang(response) == language
    for word in NAVBAR[language]:
        assert word in navbar_links(response)


def test_the_best_match_among_the_browser_s_languages_wins(client):
    response = client.get("/explore",
                          headers={"Accept-Language": "fr-FR,fr;q=0.9,de;q=0.8,en;q=0.5"})

    assert html_lang(response) == "de"  # no French here: German is the reader's next choice


@pytest.mark.parametrize("header", ["fr-FR,fr;q=0.9", "xx", "*;q=0.1", ";;;q=x,,", ""])
def test_a_language_we_do_not_speak_falls_back_to_english(client, header):
    response = client.get("/explore", headers={"Accept-Language": header})

    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert "Explore" in navbar_links(response)


def test_plurals_follow_each_language_s_rules(client, make_user):
    make_user("ann")
    bob, cid = make_user("bob"), make_user("cid")
    follows.follow(bob, "ann")

    def followers(username: str, headers: dict) -> str:
        return parse(client.get(f"/user/{username}", headers=headers)).find(
            "a", "follower-count").text

    assert followers("ann", {}) == "1 follower"
    assert followers("ann", SPANISH) == "1 seguidor"
    follows.follow(cid, "ann")
    assert followers("ann", {}) == "2 followers"
    assert followers("ann", SPANISH) == "2 seguidores"
    assert followers("bob", SPANISH) == "0 seguidores"


def test_a_member_s_own_choice_beats_the_browser_s(client, make_user):
    set_language(make_user("ann"), "de")
    client.login("ann")

    response = client.get("/settings", headers=SPANISH)

    assert html_lang(response) == "de"
    assert parse(response).find("h1").text == "Einstellungen"
    assert "Startseite" in navbar_links(response)


def test_a_member_who_follows_the_browser_gets_the_browser_s_language(client, make_user):
    make_user("ann")  # language: None, as every account made before this feature
    client.login("ann")

    assert parse(client.get("/settings", headers=SPANISH)).find("h1").text == "Ajustes"
    assert parse(client.get("/settings", headers=GERMAN)).find("h1").text == "Einstellungen"


def test_the_footer_switches_a_visitor_with_a_cookie(client):
    response = switch(client, "es", "/explore?page=1")

    assert response.status_code == 302
    assert response.headers["Location"] == "/explore?page=1"  # back to the page it was on
    cookie = client.get_cookie("language")
    assert cookie.value == "es" and cookie.http_only and cookie.expires is not None
    # The cookie beats the browser's own English from now on.
    later = client.get("/explore", headers={"Accept-Language": "en"})
    assert html_lang(later) == "es"
    assert "Inicio" in navbar_links(later)


def test_the_footer_stores_a_member_s_choice_on_the_account(app, client, make_user):
    ann = make_user("ann")
    client.login("ann")

    switch(client, "de")

    assert stored_language(ann) == "de"
    # Another browser, without the cookie and asking for Spanish, still gets German.
    elsewhere = app.test_client()
    elsewhere.login("ann")
    assert html_lang(elsewhere.get("/explore", headers=SPANISH)) == "de"


def test_the_footer_refuses_a_language_we_do_not_speak(client, make_user):
    ann = make_user("ann")
    client.login("ann")

    response = switch(client, "klingon")

    assert response.status_code == 302
    assert client.get_cookie("language") is None
    assert stored_language(ann) is None
    page = parse(client.get(response.headers["Location"]))
    assert "Choose one of the languages in the list." in alerts(page)


def test_the_footer_s_redirect_stays_on_this_site(client):
    response = switch(client, "es", "//evil.example/")

    assert response.headers["Location"] == "/index"


def test_the_footer_needs_the_page_s_csrf_token(client):
    response = client.post("/language", data={"language": "es"})

    assert response.status_code == 400
    assert client.get_cookie("language") is None


def test_an_old_cookie_for_a_language_we_dropped_is_ignored(client):
    client.set_cookie("language", "pt")

    response = client.get("/explore", headers=GERMAN)

    assert response.status_code == 200
    assert html_lang(response) == "de"


def test_the_footer_names_each_language_in_its_own_words(client):
    footer = parse(client.get("/explore", headers=SPANISH)).find("form", id="language-switcher")

    buttons = {b.text: b.attrs for b in footer.find_all("button")}
    assert set(buttons) == {"English", "Español", "Deutsch"}
    assert buttons["Deutsch"]["lang"] == "de"
    assert buttons["Español"].get("aria-current") == "true"  # the language shown


def test_settings_stores_a_language_and_can_follow_the_browser_again(client, make_user):
    ann = make_user("ann")
    client.login("ann")

    response = client.submit("/settings/language", {"language": "es"}, follow_redirects=True)

    assert stored_language(ann) == "es"
    assert html_lang(response) == "es"
    assert "Tu idioma se ha guardado." in alerts(parse(response))
    client.submit("/settings/language", {"language": ""})
    assert stored_language(ann) is None
    assert html_lang(client.get("/settings", headers=GERMAN)) == "de"


def test_settings_refuses_a_language_we_do_not_speak(client, make_user):
    ann = make_user("ann")
    set_language(ann, "de")
    client.login("ann")

    response = client.submit("/settings/language", {"language": "xx"})

    assert response.status_code == 422
    assert field_error(parse(response), "language") == "Wähle eine der Sprachen aus der Liste."
    assert stored_language(ann) == "de"


@pytest.mark.parametrize("url", ["/explore", "/auth/login", "/auth/register", "/search?q=x",
                                 "/no-such-page", "/user/nobody"])
def test_every_page_says_its_language(client, url):
    response = client.get(url, headers=GERMAN)

    assert html_lang(response) == "de"


def test_an_error_page_is_translated(client):
    response = client.get("/no-such-page", headers=SPANISH)

    assert response.status_code == 404
    assert parse(response).find("h1").text == "Página no encontrada"


def test_a_form_s_errors_are_translated(client, make_user):
    make_user("ann")

    response = client.post("/auth/login", headers=SPANISH, data={
        "csrf_token": client.csrf_token(), "username": "ann", "password": "wrong"})

    assert response.status_code == 422
    assert "Nombre de usuario o contraseña incorrectos." in alerts(parse(response))


def test_json_errors_of_the_web_pages_are_translated(client, make_user):
    make_user("ann")
    client.login("ann")

    response = client.post("/follow/nobody", headers={**GERMAN, "Accept": "application/json",
                                                      "X-CSRFToken": client.csrf_token()})

    assert response.status_code == 404
    assert response.get_json()["detail"] == "Es gibt keinen Benutzer namens nobody."


def test_a_password_reset_email_speaks_its_reader_s_language(mail_client, smtp_server,
                                                            make_user):
    set_language(make_user("susana", "susana@example.com"), "es")

    # Asked for from an English browser: the page answers in English, the email in Spanish.
    response = mail_client.submit("/auth/reset_password_request",
                                  {"email": "susana@example.com"}, follow_redirects=True)
    message = smtp_server.inbox.next_message()

    assert subject(message) == "Restablece tu contraseña"
    assert "Hola, susana" in text_part(message)
    assert html_lang(html_part(message)) == "es"
    assert html_lang(response) == "en"
    assert any(alert.startswith("If an account uses that address") for alert in
               alerts(parse(response)))


def test_an_email_follows_the_browser_of_a_reader_who_chose_no_language(
        mail_client, smtp_server, make_user):
    make_user("hans", "hans@example.com")

    mail_client.post("/auth/reset_password_request", headers=GERMAN, data={
        "csrf_token": mail_client.csrf_token(), "email": "hans@example.com"})

    assert subject(smtp_server.inbox.next_message()) == "Setze dein Passwort zurück"


def test_a_notification_email_speaks_the_reader_s_language_not_the_actor_s(
        mail_client, smtp_server, make_user):
    susana = make_user("susana", "susana@example.com")
    susana.email_notifications = {"follow": True}
    set_language(susana, "es")
    make_user("ann")
    mail_client.login("ann")

    mail_client.post("/follow/susana", headers=GERMAN,
                     data={"csrf_token": mail_client.csrf_token()})
    message = smtp_server.inbox.next_message()

    assert subject(message) == "ann ha empezado a seguirte"
    assert "ann ha empezado a seguirte" in text_part(message)


# The render cache (microblog/fragments/) keeps cards and the navbar per language ------------

def card_and_navbar(response) -> tuple[str, list[str]]:
    page = parse(response)
    return page.find("article").text, navbar_links(response)


@pytest.mark.parametrize("first, then", [(SPANISH, {}), ({}, GERMAN), (GERMAN, SPANISH)])
def test_a_page_kept_in_one_language_is_not_served_in_another(client, make_user, first, then):
    ann = make_user("ann")
    posts.create_post(ann, "Spring is here")

    client.get("/explore", headers=first)  # its cards and navbar are kept in that language
    card, links = card_and_navbar(client.get("/explore", headers=then))

    language = then.get("Accept-Language", "en")[:2]
    assert links[:2] == list(NAVBAR[language][:2])
    assert card.count(COMMENTS[language]) == 1, card


COMMENTS = {"en": "0 comments", "es": "0 comentarios", "de": "0 Kommentare"}


@pytest.mark.render_cache
def test_each_language_keeps_its_own_copy_of_a_card(app, client, make_user):
    posts.create_post(make_user("ann"), "Spring is here")
    kept = app.extensions["cache"][fragments]
    kept.clear()

    for headers in ({}, SPANISH, GERMAN, SPANISH):
        client.get("/explore", headers=headers)

    languages = {key[1] for key in kept if key[0] == "post_card"}
    assert languages == {"en", "es", "de"}


def test_an_email_in_the_middle_of_a_page_speaks_its_reader_s_language(app, make_user):
    """A page half rendered in English, an email to a Spanish reader rendered in the same
    request (a notification), then the rest of the page: each in its own language, though
    the request keeps its catalogue and its render cache's language for speed."""
    susana = make_user("susana")
    set_language(susana, "es")
    kept = '{% cached "navbar" %}{% include "_navbar.html" %}{% endcached %}'

    with app.test_request_context("/explore", headers={"Accept-Language": "en"}):
        before = render_template_string("{{ _('Settings') }}" + kept)
        with in_language_of(susana):
            during = render_template_string("{{ _('Settings') }}" + kept)
        after = render_template_string("{{ _('Settings') }}" + kept)

    assert before.startswith("Settings") and ">Explore<" in before
    assert during.startswith("Ajustes") and ">Explorar<" in during
    assert after.startswith("Settings") and ">Explore<" in after


def test_a_page_says_which_headers_chose_its_language(client):
    """A cache between the site and its readers must not give a Spanish page to an English
    reader of the same address."""
    vary = client.get("/explore", headers=SPANISH).headers.get("Vary", "")

    assert "Accept-Language" in vary and "Cookie" in vary


def test_an_email_sent_by_a_background_job_speaks_its_reader_s_language(app, client, make_user):
    """The export's email is sent by the job when the file is ready: no request, no browser;
    the account's language decides, and dates are written its way."""
    set_language(make_user("susana"), "es")
    client.login("susana")

    task_id = start_export(client)
    assert jobs.wait_until_idle(30)

    [message] = [m for m in outbox(app) if task_id in text_of(m)]
    assert subject(message) == "Tu exportación de datos está lista"
    expires = db.session.get(Task, task_id).finished_at + timedelta(days=7)
    assert format_date(expires, locale="es") in text_of(message)  # "14 dic 2026"


# What a member reads on the key pages, in each language (en, es, de), one after another, so a
# page kept by the render cache in one language is asked for in the next.
KEY_PAGES = [
    ("/index", "h1", ("Hi, ann!", "¡Hola, ann!", "Hallo, ann!")),
    ("/index", "label", ("Say something", "Di algo", "Sag etwas")),  # a kept blank form
    ("/settings", "h1", ("Settings", "Ajustes", "Einstellungen")),
    ("/no-such-page", "h1", ("Not Found", "Página no encontrada", "Seite nicht gefunden")),
]


@pytest.mark.parametrize("path, tag, words", KEY_PAGES, ids=lambda v: str(v))
def test_a_member_reads_the_key_pages_in_each_language(client, make_user, path, tag, words):
    ann = make_user("ann")
    client.login("ann")

    for language, expected in zip(["en", "es", "de", "en"], [*words, words[0]], strict=True):
        set_language(ann, language)
        page = parse(client.get(path))
        shown = [element.text for element in page.find("main").find_all(tag)]
        assert expected in shown, (language, shown)


def test_the_accounts_service_keeps_the_rule_for_every_front_end(app, make_user):
    from microblog.errors import ValidationError
    from microblog.services import accounts

    ann = make_user("ann")

    assert accounts.choose_language(ann, " ES ") == "es" and stored_language(ann) == "es"
    assert accounts.choose_language(None, "de") == "de"  # a visitor: nothing to store
    with pytest.raises(ValidationError) as refused:
        accounts.choose_language(ann, "")  # the switcher has no "follow my browser"
    assert refused.value.errors == {"language": "Choose one of the languages in the list."}
    assert accounts.choose_language(ann, "", follow_browser=True) is None
    assert stored_language(ann) is None
