"""The LibreTranslate adapter (microblog/translate/libretranslate.py) against a real
HTTP server on loopback that speaks the contract (tests/translator.py): what it sends,
what it makes of each answer, and the circuit breaker in front of it."""

import logging
import time

import pytest

from microblog.circuit_breaker import CircuitBreaker
from microblog.errors import TranslationFailed, TranslatorUnavailable
from microblog.translate import Guarded
from microblog.translate.libretranslate import LibreTranslate
from tests.smtp import free_port
from tests.translator import TranslatorServer


@pytest.fixture
def server():
    running = TranslatorServer(api_key="sesame").start()
    yield running
    running.stop()


def test_it_sends_the_contracts_fields_and_reads_the_translation(server):
    adapter = LibreTranslate(server.url + "/", api_key="sesame", timeout=2)
    assert adapter.translate("Hola, mundo", "es", "en") == "[es→en] Hola, mundo"
    assert server.calls == [{"q": "Hola, mundo", "source": "es", "target": "en",
                             "format": "text", "api_key": "sesame"}]


def test_without_a_key_none_is_sent_and_a_keyed_server_refuses(server):
    adapter = LibreTranslate(server.url, timeout=2)
    with pytest.raises(TranslationFailed, match="403: Invalid API key"):
        adapter.translate("Hola", "es", "en")
    assert "api_key" not in server.calls[0]


@pytest.mark.parametrize(("mode", "error", "words"), [
    ("fail", TranslatorUnavailable, "500: Cannot translate text"),
    ("refuse", TranslationFailed, "400: xx is not supported"),
    ("garbage", TranslationFailed, "not a translation"),
])
def test_each_kind_of_failure_is_a_domain_error(server, mode, error, words):
    server.mode = mode
    with pytest.raises(error, match=words):
        LibreTranslate(server.url, api_key="sesame", timeout=2).translate("Hola", "es", "en")


def test_a_server_that_does_not_answer_costs_the_timeout_and_no_more(server):
    server.mode = "hang"
    adapter = LibreTranslate(server.url, api_key="sesame", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(TranslatorUnavailable):
        adapter.translate("Hola", "es", "en")
    assert time.monotonic() - started < 2


def test_nothing_listening_is_unavailable():
    adapter = LibreTranslate(f"http://127.0.0.1:{free_port()}", timeout=1)
    with pytest.raises(TranslatorUnavailable):
        adapter.translate("Hola", "es", "en")


def test_the_breaker_stops_asking_a_translator_that_failed(server):
    server.mode = "fail"
    guarded = Guarded(LibreTranslate(server.url, api_key="sesame", timeout=1), CircuitBreaker(
        "the translator", 60, logging.getLogger("test"), failures=(TranslatorUnavailable,)))
    for _ in range(3):
        with pytest.raises(TranslatorUnavailable):
            guarded.translate("Hola", "es", "en")
    assert len(server.calls) == 1  # the next two were turned away without a call


def test_a_refusal_does_not_open_the_breaker(server):
    server.mode = "refuse"
    guarded = Guarded(LibreTranslate(server.url, api_key="sesame", timeout=1), CircuitBreaker(
        "the translator", 60, logging.getLogger("test"), failures=(TranslatorUnavailable,)))
    for _ in range(2):
        with pytest.raises(TranslationFailed):
            guarded.translate("Hola", "es", "en")
    assert len(server.calls) == 2
