"""The translator: another service that turns words in one language into another.

The app speaks to it through one small interface, :class:`Translator`
(``translate(text, source, target)``), so which service it is stays a setting:
:func:`init_app` picks the adapter from the config when the app is built, and nothing
else asks. Today there is one adapter, :mod:`microblog.translate.libretranslate`, for
LibreTranslate and every service that speaks its JSON contract (``TRANSLATOR_URL``,
``TRANSLATOR_API_KEY``); another (a commercial API) would be one more module with the
same method and one more line here.

With no ``TRANSLATOR_URL`` there is no translator (:func:`translator` is None) and
the pages offer no translation at all.

Every call goes through a :class:`~microblog.circuit_breaker.CircuitBreaker`: a
translator that timed out is not asked again for ``TRANSLATOR_BREAKER_SECONDS``, so
a dead service costs one reader one timeout, not every reader one each.
"""

from __future__ import annotations

import logging
from typing import Protocol

from flask import Flask, current_app

from microblog.circuit_breaker import CircuitBreaker, Unavailable
from microblog.errors import TranslationFailed, TranslatorUnavailable

EXTENSION = "microblog.translator"


class Translator(Protocol):
    """What every adapter does: ``text`` from ``source`` into ``target`` (ISO 639-1
    codes), as text. It raises :class:`~microblog.errors.TranslatorUnavailable` when
    the service did not answer (in time), and
    :class:`~microblog.errors.TranslationFailed` when it answered with an error or
    with something that is not a translation."""

    def translate(self, text: str, source: str, target: str) -> str: ...


class Guarded:
    """A translator behind a circuit breaker: while it is open, calls fail at once."""

    def __init__(self, translator: Translator, breaker: CircuitBreaker) -> None:
        self.translator, self.breaker = translator, breaker

    def translate(self, text: str, source: str, target: str) -> str:
        try:
            return self.breaker.call(self.translator.translate, text, source, target)
        except Unavailable as error:
            raise TranslatorUnavailable(str(error)) from error


def init_app(app: Flask) -> None:
    """Choose the translator from the config (none without ``TRANSLATOR_URL``)."""
    url = app.config.get("TRANSLATOR_URL")
    chosen = None
    if url:
        from microblog.translate.libretranslate import LibreTranslate

        adapter = LibreTranslate(url, api_key=app.config.get("TRANSLATOR_API_KEY"),
                                 timeout=app.config["TRANSLATOR_TIMEOUT"])
        chosen = Guarded(adapter, CircuitBreaker(
            "the translator", app.config["TRANSLATOR_BREAKER_SECONDS"],
            logging.getLogger("microblog.translate"), failures=(TranslatorUnavailable,)))
    app.extensions[EXTENSION] = chosen
    app.jinja_env.globals["translation_available"] = lambda: translator() is not None


def translator() -> Translator | None:
    """The app's translator, or None when none is configured."""
    return current_app.extensions.get(EXTENSION)


__all__ = ["Translator", "TranslationFailed", "TranslatorUnavailable", "init_app",
           "translator"]
