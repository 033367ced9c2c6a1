"""Turning what people type into HTML that is safe to put in a page.

Two techniques, used where each fits:

- **Escaping** (status posts): we write every tag ourselves and escape every character the
  author typed, so their text can never become markup.
- **Sanitising** (articles and comments): markdown-it-py turns Markdown into HTML with raw HTML
  switched off (``<b>`` typed in Markdown is shown as text), then nh3 keeps only an allow-list
  of tags, attributes and URL schemes. Either layer alone should be enough; both together mean
  a bug in one is not yet a hole.

The functions are pure (no database, no request), so services can call them when a post is
saved and store the HTML: rendering happens once per edit, not once per view.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import partial
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from microblog.models.user import USERNAME_CHARACTER, USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH

# Every link an author writes is theirs, not ours: search engines should not credit it to this
# site (nofollow), user-generated content says so (ugc), and the opened page gets no handle on
# ours (noopener).
LINK_REL = "nofollow noopener ugc"
LINK_SCHEMES = {"http", "https", "mailto"}

# Paths of the pages mention and tag links point to. They are written into stored HTML, so they
# must not depend on the request that happens to save the post.
USER_PATH = "/user/{}"
TAG_PATH = "/tag/{}"

# The article's title is the page's <h1>; headings in the body start one level below it.
HEADING_SHIFT = 1

ARTICLE_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img",
    "div", "table", "thead", "tbody", "tr", "th", "td",
}
COMMENT_TAGS = ARTICLE_TAGS - {"h2", "h3", "h4", "h5", "h6", "img",
                               "div", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "code": {"class"},
    "div": {"class"},
    "table": {"class"},
    "th": {"class"},
    "td": {"class"},
}
# Removed together with their content, whatever reaches the sanitiser.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "svg", "math", "template", "noscript",
                        "object", "embed", "textarea", "select"}

# Table column alignment, as Bootstrap classes: the CSP forbids style="…" attributes.
ALIGN_CLASSES = {
    "text-align:left": "text-start",
    "text-align:center": "text-center",
    "text-align:right": "text-end",
}
# A table gets Bootstrap's styling, in a box that scrolls sideways when the table is
# wider than the article (a phone's 375 px), instead of widening the page.
TABLE_CLASS = "table"
TABLE_BOX_CLASS = "table-responsive"
# The only classes each tag may carry (a code block's language is checked apart).
CLASSES = {
    "table": {TABLE_CLASS},
    "div": {TABLE_BOX_CLASS},
    "th": set(ALIGN_CLASSES.values()),
    "td": set(ALIGN_CLASSES.values()),
}
CODE_CLASS = re.compile(r"language-[\w+#.-]{1,40}")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Browsers ignore these inside and around a URL ("java\tscript:" is "javascript:").
URL_IGNORED = re.compile(r"[\t\n\r]")
URL_STRIPPED = "".join(chr(code) for code in range(0x21))


def _scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url`` (lower case), or None for a relative URL."""
    match = SCHEME.match(URL_IGNORED.sub("", url).strip(URL_STRIPPED))
    return match.group(1).lower() if match else None


def _is_site_path(url: str) -> bool:
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def image_shown(src: str, image_hosts: Collection[str]) -> bool:
    """Whether an image at ``src`` may be shown in a page: ours (a path on this site,
    such as an upload's ``/uploads/…``), or https on one of ``image_hosts`` (the
    operator's ``MARKDOWN_IMAGE_HOSTS``, which the CSP's img-src also names). Any other
    would make every reader's browser ask a server we do not know."""
    src = URL_IGNORED.sub("", src).strip(URL_STRIPPED)
    if _is_site_path(src):
        return "\\" not in src
    if not image_hosts or "\\" in src or _scheme(src) != "https":
        return False
    parts = urlsplit(src)
    return "@" not in parts.netloc and parts.port is None and parts.hostname in image_hosts


def _filter_attribute(tag: str, attribute: str, value: str,
                      image_hosts: Collection[str] = ()) -> str | None:
    """Keep an attribute's value or drop the attribute (nh3 calls this for each one)."""
    if tag == "a" and attribute == "href":
        return value if _scheme(value) in LINK_SCHEMES or _is_site_path(value) else None
    if tag == "img" and attribute == "src":
        return value if image_shown(value, image_hosts) else None
    if attribute == "class":
        if tag == "code":
            return value if CODE_CLASS.fullmatch(value) else None
        return value if value in CLASSES.get(tag, ()) else None
    return value


def sanitise(html: str, tags: set[str], image_hosts: Collection[str] = ()) -> str:
    """Keep only ``tags``, the allowed attributes and http(s)/mailto URLs of ``html``;
    an image only from this site or ``image_hosts``."""
    return nh3.clean(
        html,
        tags=tags,
        attributes={tag: names for tag, names in ATTRIBUTES.items() if tag in tags},
        attribute_filter=partial(_filter_attribute, image_hosts=frozenset(image_hosts)),
        url_schemes=LINK_SCHEMES,
        link_rel=LINK_REL,
        clean_content_tags=DROPPED_WITH_CONTENT,
        strip_comments=True,
    )


def _article_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(
        ["table", "strikethrough", "linkify"]
    )


def _comment_parser() -> MarkdownIt:
    # Images are parsed (and then made links, _images_as_links): without the rule,
    # ![alt](url) would be read as a "!" and a link.
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": True})
        .enable(["strikethrough", "linkify"])
        .disable(["heading", "lheading"])
    )


ARTICLE_PARSER = _article_parser()
COMMENT_PARSER = _comment_parser()


def _adjust(tokens: list[Token]) -> list[Token]:
    """Shift headings one level down, turn table alignment styles into classes, and
    give each table Bootstrap's class, in a box that scrolls sideways."""
    adjusted = []
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"
        elif token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if style in ALIGN_CLASSES:
                token.attrSet("class", ALIGN_CLASSES[style])
        elif token.type == "table_open":
            token.attrSet("class", TABLE_CLASS)
            adjusted.append(Token("table_box_open", "div", 1, attrs={"class": TABLE_BOX_CLASS},
                                  block=True))
        adjusted.append(token)
        if token.type == "table_close":
            adjusted.append(Token("table_box_close", "div", -1, block=True))
    return adjusted


def _images_as_links(tokens: list[Token], shown=lambda src: False) -> list[Token]:
    """Each image whose address ``shown`` refuses becomes a link to it, its alt text
    the link's text (the address itself when it has none): the reader can still open
    the picture, and no page makes their browser fetch it."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        children = []
        for child in token.children:
            if child.type == "image" and not shown(child.attrGet("src") or ""):
                children.extend(_link_to(child))
            else:
                children.append(child)
        token.children = children
    return tokens


def _link_to(image: Token) -> list[Token]:
    href = image.attrGet("src") or ""
    link = Token("link_open", "a", 1, attrs={"href": href})
    if title := image.attrGet("title"):
        link.attrSet("title", title)
    text = image.children or [Token("text", "", 0, content=href)]
    return [link, *text, Token("link_close", "a", -1)]


def render_article(text: str, image_hosts: Collection[str] = ()) -> str:
    """An article body: full Markdown (tables, strikethrough, bare URLs linked), sanitised.
    Images show when they are this site's or on ``image_hosts``; others become links."""
    hosts = frozenset(image_hosts)
    tokens = _adjust(ARTICLE_PARSER.parse(text or ""))
    tokens = _images_as_links(tokens, shown=lambda src: image_shown(src, hosts))
    html = ARTICLE_PARSER.renderer.render(tokens, ARTICLE_PARSER.options, {})
    return sanitise(html, ARTICLE_TAGS, hosts)


def render_comment(text: str) -> str:
    """A comment: Markdown without headings, images or tables, sanitised. An image
    becomes a link to it."""
    tokens = _images_as_links(COMMENT_PARSER.parse(text or ""))
    html = COMMENT_PARSER.renderer.render(tokens, COMMENT_PARSER.options, {})
    return sanitise(html, COMMENT_TAGS)


# A status post is read left to right: a URL, a mention or a tag, whichever comes first.
# A mention or tag right after a letter or digit is not one: bob@example.com, C#, page#top.
# Mentions follow the username rules of microblog.models.user; a trailing dot ends the
# sentence, not the name.
STATUS_TOKEN = re.compile(
    r"(?P<url>\bhttps?://[^\s<>\"]+)"
    rf"|(?<![\w@.])@(?P<mention>{USERNAME_CHARACTER}+)"
    r"|(?<![\w&#])#(?P<tag>\w*[^\W\d]\w*)"
)
TRAILING_PUNCTUATION = ".,;:!?'\"*"


def _trim_url(url: str) -> str:
    """Leave sentence punctuation and an unbalanced closing bracket outside the link."""
    while url and (url[-1] in TRAILING_PUNCTUATION
                   or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def _status_pieces(text: str):
    """Yield ``(kind, value)`` pieces: kind is "text", "url", "mention", "tag" or "break"."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    position = 0
    for match in STATUS_TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(kind)
        end = match.end()
        if kind == "url":
            value = _trim_url(value)
            end = match.start() + len(value)
        elif kind == "mention":
            value = value.rstrip(".")
            end = match.start() + 1 + len(value)
            if not USERNAME_MIN_LENGTH <= len(value) <= USERNAME_MAX_LENGTH:
                continue
        yield from _text_pieces(text[position:match.start()])
        yield kind, value
        position = end
    yield from _text_pieces(text[position:])


def _text_pieces(text: str):
    for number, line in enumerate(text.split("\n")):
        if number:
            yield "break", ""
        if line:
            yield "text", line


def render_status(text: str) -> str:
    """A status post: escaped text with URLs, @mentions and #tags linked, line breaks kept."""
    html = []
    for kind, value in _status_pieces(text):
        if kind == "text":
            html.append(escape(value))
        elif kind == "break":
            html.append(Markup("<br>\n"))
        elif kind == "url":
            html.append(Markup('<a href="{}" rel="{}">{}</a>').format(value, LINK_REL, value))
        elif kind == "mention":
            href = USER_PATH.format(quote(value, safe=""))
            html.append(Markup('<a href="{}" class="mention">@{}</a>').format(href, value))
        else:
            href = TAG_PATH.format(quote(value.lower(), safe=""))
            html.append(Markup('<a href="{}" class="hashtag">#{}</a>').format(href, value))
    return str(Markup("").join(html))


def mentions(text: str) -> set[str]:
    """The usernames a status mentions, as written (usernames match case-insensitively)."""
    return {value for kind, value in _status_pieces(text) if kind == "mention"}


def tags(text: str) -> set[str]:
    """The #tags of a status, lower-cased so #Flask and #flask are one tag."""
    return {value.lower() for kind, value in _status_pieces(text) if kind == "tag"}


BLOCK_TAGS = {"p", "br", "hr", "li", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
              "tr", "th", "td", "div", "ul", "ol", "table"}


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment; block elements separate words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in DROPPED_WITH_CONTENT:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def excerpt(html_or_text: str, length: int = 200) -> str:
    """Plain text of at most ``length`` characters, cut between words and ended with "…".

    The result is text, not HTML: Jinja escapes it when a template shows it.
    """
    extractor = _TextExtractor()
    extractor.feed(html_or_text or "")
    extractor.close()
    text = " ".join("".join(extractor.parts).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if text[length - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


# What a plain-text excerpt shows as it is: text, in paragraphs, perhaps emphasised.
TEXT_ONLY_TAGS = {"p", "br", "em", "strong"}
START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")


def excerpt_is_whole(excerpt_text: str, html: str) -> bool:
    """Whether an article's excerpt already shows all of it, so a list has no "Read more"
    to offer: the excerpt was not cut, and the article holds nothing an excerpt leaves
    out (a link, an image, code, a list, a table, a heading)."""
    if excerpt_text.endswith("…"):
        return False
    return {tag.lower() for tag in START_TAG.findall(html or "")} <= TEXT_ONLY_TAGS
