"""What people type becomes HTML that shows their text and can never run code in a reader's page.

The XSS checks parse the output with ``html.parser`` and inspect elements and attributes,
because a substring search misses encodings and finds harmless escaped text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import url_for

from microblog import create_app
from microblog.markdown import (
    excerpt,
    excerpt_is_whole,
    mentions,
    render_article,
    render_comment,
    render_status,
    tags,
)


class Element:
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]):
        self.tag = tag
        self.attrs = dict(attrs)


class Collect(HTMLParser):
    """Every element of an HTML fragment, in order, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append(Element(tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, attrs))


def elements(html: str) -> list[Element]:
    parser = Collect()
    parser.feed(html)
    parser.close()
    return parser.elements


def find(html: str, tag: str) -> list[Element]:
    return [element for element in elements(html) if element.tag == tag]


def scheme(url: str) -> str | None:
    """The scheme a browser sees: it drops tabs and newlines and trims control characters."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("".join(chr(c) for c in range(0x21)))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


DANGEROUS_ELEMENTS = {"script", "style", "iframe", "svg", "math", "form", "object", "embed",
                      "input", "button", "textarea", "base", "meta", "link", "frame"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "data",
                  "background", "poster"}


def assert_harmless(html: str) -> None:
    for element in elements(html):
        assert element.tag not in DANGEROUS_ELEMENTS, html
        for name, value in element.attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in URL_ATTRIBUTES:
                assert scheme(value or "") in (None, "http", "https", "mailto"), html


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    '<a href="x" onclick="y">click</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=p><button>go</button></form>',
    "<div><p><b>unclosed <i>tags <script>alert(1)",
    '<img src="x" onerror="alert(1)"',
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<!-- <script>alert(1)</script> -->",
    "<!--><img src=x onerror=alert(1)>-->",
    '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
    '[x](https://example.com "title" onmouseover="alert(1)")',
    '![alt" onerror="alert(1)](https://example.com/a.png)',
    '![x](https://example.com/a.png "t\\" onerror=\\"alert(1)")',
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "<http://example.com/\" onmouseover=\"alert(1)>",
    "https://example.com/<script>alert(1)</script>",
    "https://example.com/\"onmouseover=\"alert(1)",
    '<a href="javascript&colon;alert(1)">x</a>',
    "[x]: javascript:alert(1)\n\n[click][x]",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<object data="javascript:alert(1)"></object>',
    "@<script>alert(1)</script> #<img/src/onerror=alert(1)>",
    "@alice\"onmouseover=\"alert(1) #tag\"onclick=\"x",
]


@pytest.mark.parametrize("render", [render_article, render_comment, render_status])
@pytest.mark.parametrize("payload", XSS)
def test_nothing_executable_survives(render, payload):
    assert_harmless(render(payload))


@pytest.mark.parametrize("render", [render_article, render_comment])
def test_raw_html_is_shown_as_text(render):
    html = render("<b>bold?</b> <script>alert(1)</script>")
    assert not find(html, "b") and not find(html, "script")
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html


@pytest.mark.parametrize("render", [render_article, render_comment])
def test_links_get_rel_and_keep_only_safe_schemes(render):
    html = render("[site](https://example.com) [mail](mailto:a@example.com) "
                  "[post](/post/3) [bad](javascript:alert(1)) [ftp](ftp://example.com/f)")
    links = find(html, "a")
    assert [link.attrs.get("href") for link in links] == [
        "https://example.com", "mailto:a@example.com", "/post/3", None]
    assert all(link.attrs["rel"] == "nofollow noopener ugc" for link in links)
    # markdown-it leaves the javascript: link as text; nh3 drops the ftp: href, not its text.
    assert "[bad](javascript:alert(1))" in html and ">ftp</a>" in html


def test_article_markdown_renders():
    html = render_article(
        "# Title\n\n## Section\n\nSome *emphasis*, **strong** and ~~gone~~ text.\n\n"
        "- one\n- two\n\n3. three\n4. four\n\n> quoted\n\n---\n\n"
        "```python\nif a < b and c > d:\n    print('&')\n```\n\n"
        "| left | right |\n|:-----|------:|\n| 1 | 2 |\n\n"
        "![a cat](https://example.com/cat.png \"Our cat\")\n\nbare https://example.org/x link",
        image_hosts=["example.com"],
    )
    tag_names = [element.tag for element in elements(html)]
    # The page's <h1> is the article's title: body headings start at <h2>.
    assert "h1" not in tag_names
    assert [e.tag for e in elements(html) if e.tag in ("h2", "h3")] == ["h2", "h3"]
    for tag in ("em", "strong", "s", "ul", "ol", "li", "blockquote", "hr", "pre", "code",
                "table", "thead", "tbody", "th", "td"):
        assert tag in tag_names, tag
    assert find(html, "ol")[0].attrs["start"] == "3"
    assert "if a &lt; b and c &gt; d:" in html
    assert find(html, "code")[0].attrs["class"] == "language-python"
    assert [th.attrs["class"] for th in find(html, "th")] == ["text-start", "text-end"]
    image = find(html, "img")[0].attrs
    assert image == {"src": "https://example.com/cat.png", "alt": "a cat", "title": "Our cat"}
    assert find(html, "a")[0].attrs["href"] == "https://example.org/x"


def test_article_headings_keep_their_order_below_the_title():
    html = render_article("# A\n## B\n###### F")
    assert [e.tag for e in elements(html)] == ["h2", "h3", "h6"]


def test_article_images_show_only_from_this_site_or_an_allowed_host():
    html = render_article("![ours](/uploads/ab.png) ![theirs](https://pics.example/a.png) "
                          "![plain](http://pics.example/b.png) "
                          "![other](https://else.example/c.png) "
                          "![c](ftp://example.com/c.png) ![d](data:image/png;base64,iVBO)",
                          image_hosts=["pics.example"])
    assert [img.attrs["src"] for img in find(html, "img")] == [
        "/uploads/ab.png", "https://pics.example/a.png"]
    # Any other picture is a link to it: the reader may open it, no page fetches it.
    links = {link.attrs.get("href") for link in find(html, "a")}
    assert {"http://pics.example/b.png", "https://else.example/c.png"} <= links
    assert "data:image/png;base64,iVBO" not in links and "ftp://example.com/c.png" not in links
    assert ">other</a>" in html and ">d</a>" in html


def test_an_external_image_is_a_link_to_it_by_default():
    html = render_article("Look: ![a cat](https://example.com/cat.png \"Our cat\")")
    assert not find(html, "img")
    link = find(html, "a")[0].attrs
    assert link == {"href": "https://example.com/cat.png", "title": "Our cat",
                    "rel": "nofollow noopener ugc"}
    assert "Look: <a" in html and ">a cat</a>" in html
    # Without alt text the link shows the address.
    assert ">https://example.com/x.png</a>" in render_article("![](https://example.com/x.png)")


@pytest.mark.parametrize("src", [
    "https://pics.example:8443/a.png",          # another port: not the origin the CSP names
    "https://pics.example@evil.example/a.png",  # the host is evil.example
    "https://evil.example/pics.example/a.png",
    "https://pics.example.evil.example/a.png",
])
def test_only_the_allowed_host_itself_shows(src):
    html = render_article(f"![x]({src})", image_hosts=["pics.example"])
    assert not find(html, "img"), src


def test_the_sanitiser_also_drops_an_image_from_elsewhere():
    from microblog.markdown import ARTICLE_TAGS, sanitise

    html = sanitise('<img src="https://else.example/a.png" alt="a"><img src="/uploads/b.png">',
                    ARTICLE_TAGS)
    assert [img.attrs.get("src") for img in find(html, "img")] == [None, "/uploads/b.png"]


def test_tables_get_bootstraps_class_in_a_box_that_scrolls():
    html = render_article("| a | b |\n|---|--:|\n| 1 | 2 |")
    assert find(html, "table")[0].attrs == {"class": "table"}
    assert find(html, "div")[0].attrs == {"class": "table-responsive"}
    assert html.index('<div class="table-responsive">') < html.index("<table")
    assert html.index("</table>") < html.index("</div>")
    # Nobody can write those classes themselves.
    assert not find(render_article("text"), "div")


def test_an_image_in_a_comment_is_a_plain_link_without_the_exclamation_mark():
    html = render_comment("See ![the chart](https://example.com/chart.png) here")
    assert "!" not in html
    assert find(html, "a")[0].attrs["href"] == "https://example.com/chart.png"
    assert "See <a" in html and ">the chart</a> here" in html
    assert not find(render_comment("![ours](/uploads/ab.png)"), "img")


def test_comments_have_no_headings_images_or_tables():
    html = render_comment("# Big\n\n![pic](https://example.com/a.png)\n\n"
                          "| a | b |\n|---|---|\n| 1 | 2 |\n\n**still bold** and `code`")
    tag_names = {element.tag for element in elements(html)}
    assert not tag_names & {"h1", "h2", "img", "table", "td"}
    assert {"strong", "code", "p"} <= tag_names
    assert "# Big" in html
    assert find(html, "a")[0].attrs["href"] == "https://example.com/a.png"


def test_status_escapes_everything():
    html = render_status("<b>not bold</b> & 'quotes'")
    assert not find(html, "b")
    assert html == "&lt;b&gt;not bold&lt;/b&gt; &amp; &#39;quotes&#39;"


def test_status_links_urls_without_trailing_punctuation():
    html = render_status("see https://x.org. Or (https://en.wikipedia.org/wiki/Flask_(web)), "
                         "http://example.com/a?b=1&c=2!")
    links = find(html, "a")
    assert [link.attrs["href"] for link in links] == [
        "https://x.org", "https://en.wikipedia.org/wiki/Flask_(web)",
        "http://example.com/a?b=1&c=2"]
    assert all(link.attrs["rel"] == "nofollow noopener ugc" for link in links)
    assert html.startswith('see <a href="https://x.org" rel="nofollow noopener ugc">'
                           'https://x.org</a>. Or (')


def test_status_links_mentions_to_profiles(app_for_urls):
    html = render_status("thanks @susan. and @john.doe-2, cc @x")
    links = find(html, "a")
    with app_for_urls.test_request_context():
        expected = [url_for("main.user", username="susan"),
                    url_for("main.user", username="john.doe-2")]
    assert [link.attrs["href"] for link in links] == expected
    assert "@x" in html and len(links) == 2  # too short to be a username


def test_email_addresses_are_not_mentions():
    html = render_status("write to bob@example.com or @bob")
    assert [link.attrs["href"] for link in find(html, "a")] == ["/user/bob"]
    assert mentions("write to bob@example.com or @bob") == {"bob"}


def test_status_links_tags():
    html = render_status("#Flask and #über_cool, not C# or #1 or page#top")
    assert [link.attrs["href"] for link in find(html, "a")] == ["/tag/flask", "/tag/%C3%BCber_cool"]
    assert "C# or #1 or page#top" in html


def test_status_keeps_line_breaks():
    html = render_status("one\r\ntwo\n\nthree")
    assert html == "one<br>\ntwo<br>\n<br>\nthree"


def test_a_url_is_one_link_even_with_mentions_or_tags_inside():
    html = render_status("https://example.com/@bob/#top")
    assert [link.attrs["href"] for link in find(html, "a")] == ["https://example.com/@bob/#top"]
    assert mentions("https://example.com/@bob/#top") == set()
    assert tags("https://example.com/@bob/#top") == set()


def test_mentions_and_tags_helpers():
    text = "@Susan meet @bob_1. #Flask #flask #Python3 #42"
    assert mentions(text) == {"Susan", "bob_1"}
    assert tags(text) == {"flask", "python3"}


def test_excerpt_cuts_between_words():
    text = "The quick brown fox jumps over the lazy dog"
    assert excerpt(text, 20) == "The quick brown fox…"
    assert excerpt(text, 19) == "The quick brown…"
    assert excerpt(text, 100) == text


def test_excerpt_is_plain_text_with_entities_decoded():
    html = render_article("# Fish &amp; chips\n\nSalt *and* vinegar.\n\n- one\n- two")
    assert excerpt(html) == "Fish & chips Salt and vinegar. one two"


def test_excerpt_of_one_long_word_is_cut_inside_it():
    assert excerpt("a" * 50, 10) == "a" * 9 + "…"


@pytest.fixture(scope="module")
def app_for_urls():
    """An app whose routes tell us where /user/<username> really is (no database used)."""
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_an_excerpt_is_whole_only_when_uncut_and_the_article_is_plain_text():
    plain = render_article("One *short* paragraph.\n\nAnd **another**.")
    assert excerpt_is_whole(excerpt(plain), plain)
    assert not excerpt_is_whole(excerpt(plain, 10), plain)  # cut
    for markdown in ("A [link](https://example.com).", "Some `code`.", "- a list",
                     "## A heading", "| a | b |\n|---|---|\n| 1 | 2 |"):
        html = render_article(markdown)
        assert not excerpt_is_whole(excerpt(html), html), markdown
