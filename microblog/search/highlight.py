"""Marked text from a backend, made safe to show: escaped, with ``<mark>`` around matches.

Snippets are cut from what the author typed, which for an article is Markdown:
link targets, emphasis stars and code fences are dropped here, so an excerpt
reads as text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from microblog.search.backend import MARK_END, MARK_START

MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*\)")
# What is left of a link cut in two by the snippet's edge: its target, its brackets.
LINK_REMAINS = re.compile(r"\]\([^)\s]*\)?|!?\[|\]")
MARKDOWN_NOISE = re.compile(r"```[\w+#.-]*|`|\*\*|^\s{0,3}(?:#{1,6}|>)\s*", re.MULTILINE)
WHITESPACE = re.compile(r"\s+")
# A start marker, some text, its end marker: one matched word or phrase.
MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]+){MARK_END}")


def plain(text: str) -> str:
    """``text`` with Markdown's punctuation removed and whitespace collapsed."""
    text = LINK_REMAINS.sub("", MARKDOWN_LINK.sub(r"\1", text))
    return WHITESPACE.sub(" ", MARKDOWN_NOISE.sub("", text)).strip()


def to_html(marked: str, *, markdown: bool = False) -> Markup:
    """Escape ``marked`` and turn the backend's match markers into ``<mark>`` elements.

    ``markdown``: the text is Markdown source (an article, a comment), to be read as text.
    """
    text = plain(marked) if markdown else WHITESPACE.sub(" ", marked).strip()
    html = MARKED.sub(r"<mark>\1</mark>", str(escape(text)))
    # A marker character the author typed has no partner: dropped, it cannot leave
    # a <mark> open over the rest of the page.
    return Markup(html.replace(MARK_START, "").replace(MARK_END, ""))
