"""The interface's languages: which one each request speaks, and speaking another for a while.

The site speaks the languages of ``LANGUAGES`` (``microblog/config.py``: each code with
its own name, "Español", for the switcher). A request gets, in this order:

1. the signed-in person's choice, stored on their account (``users.language``; empty
   means "follow my browser");
2. the choice kept in the ``language`` cookie by the footer's switcher;
3. the best match for the browser's ``Accept-Language``;
4. English, the language the source is written in.

A value we do not speak (an old cookie, a hand-made header) is skipped, never an error.
Flask-Babel asks :func:`select_locale` once per request and keeps the answer.

An email speaks its *recipient's* language, not the language of whoever made it be sent
(a Spanish reader's reply notifies an English writer): :func:`in_language_of` switches
for the time it renders, in a request or in a background job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel.support import NullTranslations
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import force_locale, format_number, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from microblog.extensions import babel

LANGUAGE_COOKIE = "language"
SOURCE_LANGUAGE = "en"


def init_app(app: Flask) -> None:
    """Flask-Babel asks :func:`select_locale`; each answer says what it depended on."""
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_vary)


def _vary(response: Response) -> Response:
    """A page in a negotiated language differs by the headers that chose it, so a cache
    between us and the reader (a proxy, the browser) must not give one reader's page to
    another (``Vary``). Answers that never asked for a language (files, health) say nothing."""
    state = g.get("_flask_babel")
    if getattr(state, "babel_locale", None) is not None:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def supported(code: str | None) -> str | None:
    """Our spelling of ``code`` if we speak it (without regard to case: "ES" is "es"),
    else None."""
    if not code:
        return None
    wanted = code.strip().lower()
    return next((ours for ours in current_app.config["LANGUAGES"] if ours.lower() == wanted),
                None)


def select_locale() -> str:
    """The language of this request (Flask-Babel's locale selector); English outside one."""
    if not has_request_context():
        return SOURCE_LANGUAGE
    if current_user.is_authenticated and (chosen := supported(current_user.language)):
        return chosen
    return browser_choice()


def browser_choice() -> str:
    """What this browser asks for, by its cookie or its ``Accept-Language``, else English:
    the language of a visitor who is not signed in, found without the database (the last
    resort error page uses it when the database cannot load anyone)."""
    if chosen := supported(request.cookies.get(LANGUAGE_COOKIE)):
        return chosen
    return request.accept_languages.best_match(current_app.config["LANGUAGES"],
                                               default=SOURCE_LANGUAGE)


def catalogue() -> NullTranslations:
    """The request's translations, found once and kept with Flask-Babel's locale.

    Flask-Babel finds them again for every ``{{ _('…') }}``: the request's context, its
    locale, the locale's name, a lookup in its cache; fifty plural forms on a page of
    search results made a tenth of it. They are kept in Flask-Babel's own namespace of
    ``g``, under the name ``force_locale`` empties when it switches language and puts
    back when it is done, so an email rendered in its recipient's language in the
    middle of a page gets that language's catalogue, and the page its own again.
    """
    babel_state = g._flask_babel if "_flask_babel" in g else None
    found = getattr(babel_state, "babel_translations", None)
    if found is None:
        found = get_translations()
        if "_flask_babel" in g:
            g._flask_babel.babel_translations = found
    return found


def number(value: int) -> str:
    """``value`` as the reader's language writes it: 1,234 in English, 1.234 in German.
    Every language here writes a number below a thousand as its digits alone, so those
    (most counts on a page) skip Babel."""
    if -1000 < value < 1000:
        return str(value)
    return format_number(value)


def ngettext(singular: str, plural: str, count: int, /, **variables: object) -> str:
    """Flask-Babel's ``ngettext``, with the count written the reader's way (``number``):
    the catalogue's ``%(num)d`` takes the digits and nothing else. A caller may give
    ``num`` itself (a script's placeholder, ``num='{n}'``): the count still picks the form."""
    text = catalogue().ungettext(singular, plural, count)
    if "num" not in variables:
        text, variables["num"] = text.replace("%(num)d", "%(num)s"), number(count)
    return text % variables


@pass_context
def template_ngettext(context: Context, singular: str, plural: str, count: int, /,
                      **variables: object) -> str:
    """``{{ ngettext('%(num)d follower', '%(num)d followers', n) }}`` in templates: as
    :func:`ngettext`, escaped as Jinja's own would (the translation is markup, the values
    are text)."""
    text = catalogue().ungettext(singular, plural, count)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    if "num" not in variables:
        text, variables["num"] = text.replace("%(num)d", "%(num)s"), number(count)
    return text % variables


def language_of(user: object | None) -> str:
    """The language to write to ``user`` in: their choice, else this request's, else
    English (a background job has no browser to ask)."""
    if chosen := supported(getattr(user, "language", None)):
        return chosen
    if has_request_context():
        return str(get_locale())
    return SOURCE_LANGUAGE


@contextmanager
def in_language_of(user: object | None) -> Iterator[str]:
    """Speak ``user``'s language inside the block (emails to them), then this request's."""
    language = language_of(user)
    with force_locale(language):
        yield language


def names() -> dict[str, str]:
    """Each language's code and its own name, for the switcher and the settings."""
    return dict(current_app.config["LANGUAGES"])
