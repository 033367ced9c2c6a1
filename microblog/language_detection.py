"""Which language a post or comment is written in, told from its words.

The services call :func:`detect` when a post or comment is saved (created or edited) and
store the answer (``posts.language``, ``comments.language``): a reader whose language
differs is offered a translation (:mod:`microblog.services.translations`).

The detector is py3langid, a maintained fork of langid.py: a naive Bayes model over
byte n-grams, shipped inside the package (4.6 MB, with numpy), loaded once per process
on first use (about a second) and then some 50 µs a text. It never uses the network.
Lingua (more accurate on very short text) was measured too: a 96 MB wheel, 2 ms a text,
and about 900 MB of memory with every language loaded, in each gunicorn worker.

**Short text cannot be told.** "ok", "Hola" or "nice" come out as Serbian, Sesotho or
Croatian with any detector: a few letters are shared by too many languages. So the
answer is :data:`UNKNOWN` (and no translation is offered) when the text has fewer than
:data:`MIN_LETTERS` letters, or when the model's probability for its best guess is
below :data:`MIN_CONFIDENCE` (py3langid's probabilities are scaled by the text's
length, so they are honest about how little a short text says).

**Only the words count.** Code blocks, inline code, URLs, @mentions and the HTML
itself say nothing about the writer's language (a German post about ``db.session``
is still German), so :func:`plain_text` takes the rendered HTML and keeps its text
alone.
"""

from __future__ import annotations

import re
import threading
from html.parser import HTMLParser

# Stored for text too short (or too mixed) to tell.
UNKNOWN = "unknown"
# Fewer letters than this (after code, URLs and mentions are taken out): UNKNOWN.
MIN_LETTERS = 15
# A best guess less probable than this: UNKNOWN.
MIN_CONFIDENCE = 0.3

URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION = re.compile(r"(?<![\w@])@\w+")
# Their words are not the writer's prose: code, and what a browser never shows.
SKIPPED_TAGS = {"pre", "code", "script", "style"}

_identifier = None
_loading = threading.Lock()


class _Text(HTMLParser):
    """The text of an HTML fragment, without code; block elements separate words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skipping = max(self.skipping - 1, 0)
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(html: str) -> str:
    """The words of rendered HTML (a post's or comment's ``body_html``): no tags, no code,
    no URLs, no @mentions; a #tag keeps its word."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    text = URL.sub(" ", "".join(parser.parts))
    text = MENTION.sub(" ", text).replace("#", " ")
    return " ".join(text.split())


def detect(*html: str) -> str:
    """The ISO 639-1 code (``"es"``) of the language the HTML fragments are written in,
    together (an article's title and body), or :data:`UNKNOWN`."""
    text = " ".join(plain_text(piece) for piece in html if piece)
    if sum(character.isalpha() for character in text) < MIN_LETTERS:
        return UNKNOWN
    language, confidence = _model().classify(text)
    return language if confidence >= MIN_CONFIDENCE else UNKNOWN


def _model():
    """py3langid's model, with probabilities, loaded once per process."""
    global _identifier
    if _identifier is None:
        with _loading:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier
