"""Telling a post's language from its words (microblog/language_detection.py): long enough text
is told right, text too short to tell is "unknown", and code, URLs and mentions do not
count as words."""

import pytest

from microblog.language_detection import MIN_LETTERS, UNKNOWN, detect, plain_text
from microblog.markdown import render_article, render_comment, render_status


@pytest.mark.parametrize(("text", "language"), [
    ("Hoy fui al mercado y compré fruta fresca para toda la semana.", "es"),
    ("Heute habe ich endlich meinen ersten Blogeintrag mit Flask geschrieben.", "de"),
    ("Just deployed my first Flask app to production, feeling great.", "en"),
    ("Je suis très content de mon nouveau vélo, il roule vraiment bien.", "fr"),
])
def test_a_sentence_is_told_its_language(text, language):
    assert detect(render_status(text)) == language


@pytest.mark.parametrize("text", ["ok", "lol", "Hola", "Danke!", "nice", "Thanks!",
                                  "👍👍👍", "12345 678", ""])
def test_text_too_short_to_tell_is_unknown(text):
    # Any detector names a language for "Hola" (py3langid says Serbian): a guess that
    # would offer a useless translation.
    assert detect(render_status(text)) == UNKNOWN


def test_the_threshold_counts_letters_not_characters():
    short = "Guten Tag, ja!"  # 11 letters
    assert sum(c.isalpha() for c in short) < MIN_LETTERS
    assert detect(render_status(short)) == UNKNOWN
    assert detect(render_status("Guten Tag, ich bin müde und gehe schlafen.")) == "de"


def test_code_urls_and_mentions_are_not_words():
    # An English code block and URL in a German comment: still German.
    body = ("Das funktioniert bei mir nicht, leider bekomme ich immer einen Fehler:\n\n"
            "```python\nfor post in user.posts.order_by(Post.timestamp.desc()).all():\n"
            "    print(post.body, post.author.username, 'is the best thing in the world')\n"
            "```\n\nSee https://example.com/the-english-documentation-about-this-thing")
    assert detect(render_comment(body)) == "de"
    assert plain_text(render_status("@susan hola https://example.com/x #fiesta")) == \
        "hola fiesta"


def test_code_alone_is_unknown():
    html = render_article("```python\nfor post in posts:\n    print(post.body)\n```")
    assert detect(html) == UNKNOWN


def test_an_article_is_told_by_its_title_and_body_together():
    assert detect("Mi primer artículo", render_article(
        "Escribo sobre *bases de datos* y sobre las personas que las usan cada día.")) == "es"
