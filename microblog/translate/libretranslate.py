"""The adapter for LibreTranslate and every service that speaks its JSON contract.

One request per translation::

    POST {TRANSLATOR_URL}/translate
    Content-Type: application/json
    {"q": "Hola", "source": "es", "target": "en", "format": "text", "api_key": "…"}

    200 {"translatedText": "Hello"}
    4xx or 5xx {"error": "…"}

``api_key`` is sent only when ``TRANSLATOR_API_KEY`` is set (a self-hosted
LibreTranslate needs none). The standard library's HTTP client is enough for one
POST of JSON; ``timeout`` bounds every wait on the socket (connecting, and each
read), so a hung server costs a request that long, not for ever.

What can go wrong, and what the caller gets:

- no answer in time, the connection refused, a 5xx: :class:`TranslatorUnavailable`
  (the circuit breaker in :mod:`microblog.translate` counts these);
- a 4xx (a language pair it does not know, a wrong key), an answer that is not JSON
  or has no ``translatedText``: :class:`TranslationFailed`.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request

from microblog.errors import TranslationFailed, TranslatorUnavailable

logger = logging.getLogger("microblog.translate")

# Larger answers are not translations of a post (50,000 characters at most).
MAX_ANSWER_BYTES = 1024 * 1024


class LibreTranslate:
    """A LibreTranslate-compatible service at ``url``."""

    def __init__(self, url: str, *, api_key: str | None = None, timeout: float = 5) -> None:
        self.endpoint = url.rstrip("/") + "/translate"
        self.api_key = api_key or None
        self.timeout = timeout

    def translate(self, text: str, source: str, target: str, format: str = "text") -> str:
        """``text`` from ``source`` into ``target``; ``format`` is "text" or "html"."""
        document = {"q": text, "source": source, "target": target, "format": format}
        if self.api_key:
            document["api_key"] = self.api_key
        request = urllib.request.Request(
            self.endpoint, data=json.dumps(document).encode(), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise self._refusal(error) from error
        except (OSError, http.client.HTTPException) as error:  # refused, timed out, cut off
            raise TranslatorUnavailable(f"the translator did not answer: {error}") from error
        if len(body) > MAX_ANSWER_BYTES:
            raise TranslationFailed("the translator's answer is too large")
        try:
            translated = json.loads(body)["translatedText"]
        except (ValueError, KeyError, TypeError) as error:
            raise TranslationFailed("the translator's answer is not a translation") from error
        if not isinstance(translated, str):
            raise TranslationFailed("the translator's answer is not a translation")
        return translated

    def _refusal(self, error: urllib.error.HTTPError) -> Exception:
        """The error for an answer with a 4xx or 5xx status, with its ``error`` text."""
        try:
            reason = json.loads(error.read(MAX_ANSWER_BYTES))["error"]
        except Exception:
            reason = error.reason
        logger.warning("the translator answered %s: %s", error.code, reason)
        message = f"the translator answered {error.code}: {reason}"
        return TranslatorUnavailable(message) if error.code >= 500 else TranslationFailed(message)
