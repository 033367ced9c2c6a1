"""What a person typed in the search box, read once into a plain structure.

Both backends get the same :class:`SearchQuery` and write it in their own
syntax (an FTS5 ``MATCH`` string, a PostgreSQL ``tsquery``). Nothing the person
typed reaches either syntax as an operator: every word is cut down to letters
and digits and then quoted, so ``NEAR``, ``*``, ``:``, brackets or a stray
quote are just text. What the box understands:

- ``flask blog``: posts with both words (in any form: "blogs", "Blogging").
- ``"app factory"``: those words next to each other, in that order.
- ``-django`` or ``-"class based"``: leave out posts with that word or phrase.
- the last plain word also matches as a prefix, so ``flas`` finds "Flask"
  while you type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_LENGTH = 1000
MAX_WORDS = 16
# A one-letter prefix matches most of the index and says nothing about what is wanted.
MIN_PREFIX_LENGTH = 2

# A word is a run of letters and digits in any script; everything else separates words.
WORD = re.compile(r"[^\W_]+")
# A quoted phrase (the closing quote may be missing while typing), or a bare token;
# either may start with "-" to exclude it.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class SearchQuery:
    """``required``: phrases that must all appear (a one-word phrase is a word).
    ``excluded``: phrases that must not. ``prefix``: the last plain word, which
    may also be the start of a longer word. ``truncated``: words were dropped
    past :data:`MAX_WORDS`."""

    required: tuple[Phrase, ...] = ()
    excluded: tuple[Phrase, ...] = ()
    prefix: str | None = None
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: exclusions alone would match almost everything."""
        return not self.required and self.prefix is None

    @property
    def words(self) -> list[str]:
        """Every word that must match, the prefix included."""
        found = [word for phrase in self.required for word in phrase]
        return found + ([self.prefix] if self.prefix else [])


def parse(text: str | None) -> SearchQuery:
    """Read ``text`` as typed in the box; any input gives a query, perhaps an empty one."""
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_QUERY_LENGTH]).lower()
    required: list[Phrase] = []
    excluded: list[Phrase] = []
    budget = MAX_WORDS
    truncated = False
    last_plain: tuple[int, str] | None = None  # (index in required, word)
    for match in TOKEN.finditer(text):
        quoted = match.group(2) is not None
        negative = bool(match.group(1) if quoted else match.group(3))
        words = tuple(WORD.findall(match.group(2) if quoted else match.group(4)))
        if not words:
            continue
        if len(words) > budget:
            words, truncated = words[:budget], True
        if not words:
            break
        budget -= len(words)
        if negative:
            excluded.append(words)
            last_plain = None
        else:
            required.append(words)
            plain = not quoted and len(words) == 1
            last_plain = (len(required) - 1, words[0]) if plain else None
    prefix = None
    if last_plain and len(last_plain[1]) >= MIN_PREFIX_LENGTH:
        index, word = last_plain
        del required[index]
        # Typed whole earlier, the word must match whole: its prefix would ask nothing more.
        if (word,) not in required:
            prefix = word
    return SearchQuery(tuple(_unique(required)), tuple(_unique(excluded)), prefix, truncated)


def _unique(phrases: list[Phrase]) -> list[Phrase]:
    """The same word twice asks nothing more; keep the first of each."""
    return list(dict.fromkeys(phrases))
