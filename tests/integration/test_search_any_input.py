"""Whatever is typed in the search box, the search page answers: never a 500, never a 503
(a control character no keyboard types is the 400 page).

Property-based (Hypothesis): arbitrary text, the syntax of both backends'
query languages (FTS5's quotes, NEAR, ``*``, ``:`` and ``^``; tsquery's ``&``,
``|``, ``!``, ``<->`` and ``:*``), SQL fragments, emoji and strings up to
10,000 characters, on SQLite and on PostgreSQL. A query that reached a backend
as an operator would fail there as a syntax error, which the page would show
as a 503.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from microblog.middleware.control_characters import CONTROL_BUT_WHITESPACE
from microblog.services import comments, posts

SYNTAX = [
    '"', "'", "(", ")", "[", "]", "{", "}", "*", ":", "^", "-", "+", "~", ",", ".", "NEAR",
    "NEAR(", "AND", "OR", "NOT", "&", "|", "!", "<->", "<2>", ":*", ":A", "\\", ";", "--", "/*",
    "*/", "%", "_", "$$", "'; DROP TABLE posts; --", "' OR 1=1 --", "🎉", "👩‍🔬", "é", "ß",
    "İ", "東京", "ﬁ", "²", " ", "\t", "\n", "\x00", "\u200b", "\ue000", "\ue001", "\ue002",
    "the", "a", "body:", "title:", "rowid", "posts_search",
]
# Words of the corpus below, so that many queries do find rows and ask for snippets.
WORDS = ["flask", "tulips", "tulip", "fl", "tu", "gardener", "bulbs", "quotes", "daffodils"]
# Text of any kind, corpus words wrapped in syntax, the backends' syntax run together or
# spaced out, and long inputs.
QUERIES = st.one_of(
    st.text(),
    st.builds("{}{}{}".format, st.sampled_from(SYNTAX), st.sampled_from(WORDS),
              st.sampled_from(SYNTAX)),
    st.lists(st.sampled_from(SYNTAX + WORDS), max_size=4).map(" ".join),
    st.lists(st.sampled_from(SYNTAX + WORDS), max_size=40).map("".join),
    st.lists(st.sampled_from(SYNTAX + WORDS), max_size=40).map(" ".join),
    st.tuples(st.text(min_size=1, max_size=12), st.integers(1, 10_000)).map(
        lambda repeated: (repeated[0] * repeated[1])[:10_000]),
)
KINDS = st.sampled_from(["posts", "people", "comments"])


@pytest.fixture
def corpus(make_user):
    """A few rows of each kind, so that queries reach real matches and real snippets."""
    susan = make_user("susan", about_me="Gardener; Flask <b>fan</b> \"quoted\" 🎉")
    bob = make_user("bob", about_me="Tulips and SQL: SELECT * FROM posts;")
    status = posts.create_post(susan, "Planting tulips: NEAR the river, OR not? #flask 🌷")
    article = posts.create_article(
        bob, "Flask & tsquery <-> FTS5 \"syntax\"",
        "Quotes \" and * and : and ^ and 'apostrophes'; tulip bulbs in **Markdown**.",
        tags="flask, tulips")
    posts.create_article(susan, "Tulip draft", "Not published.", publish=False)
    comments.add(bob, status.id, "Tulips! (and daffodils) -- said the gardener \\o/")
    comments.add(susan, article.id, "Flask* AND NOT 'x' OR \"y\"")


@settings(max_examples=500, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=QUERIES, kind=KINDS)
@example(text='"', kind="posts")
@example(text='tulips NEAR("flask" AND -)', kind="posts")
@example(text="fl*", kind="people")
@example(text="'; DROP TABLE comments; --", kind="comments")
@example(text="\x00tulips", kind="posts")
@example(text="é" * 10_000, kind="posts")
@example(text="the a of", kind="posts")  # stop words only (PostgreSQL drops them all)
def test_any_text_typed_gets_a_page_never_an_error(client, corpus, text, kind):
    response = client.get("/search", query_string={"q": text, "type": kind})
    # A control character other than whitespace is refused at the edge, before the search
    # (microblog/middleware/control_characters.py); anything else gets results.
    expected = 400 if CONTROL_BUT_WHITESPACE.search(text) else 200
    assert response.status_code == expected, (text, response.status_code)
    # Shown by --hypothesis-show-statistics: how many examples reached real rows.
    event("matched" if b"<mark>" in response.data else "no match")
