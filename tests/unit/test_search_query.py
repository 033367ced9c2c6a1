"""Reading the search box: what people type becomes words, phrases, exclusions and a prefix,
and nothing they type can reach a backend as an operator."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microblog.search.query import (
    MAX_QUERY_LENGTH,
    MAX_WORDS,
    MIN_PREFIX_LENGTH,
    SearchQuery,
    parse,
)


def test_plain_words_must_all_match_and_the_last_is_also_a_prefix():
    assert parse("flask blog tutorial") == SearchQuery(
        required=(("flask",), ("blog",)), prefix="tutorial")


def test_a_quoted_phrase_keeps_its_words_together_and_in_order():
    query = parse('"app factory" pattern')
    assert query.required == (("app", "factory"),)
    assert query.prefix == "pattern"


def test_a_phrase_is_never_a_prefix():
    assert parse('"app factory"') == SearchQuery(required=(("app", "factory"),))
    # One quoted word is exact too: the quotes say "this word, as typed".
    assert parse('"flask"') == SearchQuery(required=(("flask",),))


def test_an_unterminated_quote_is_a_phrase_up_to_the_end():
    assert parse('blueprints "app fact') == SearchQuery(
        required=(("blueprints",), ("app", "fact")))


def test_a_minus_excludes_a_word_or_a_phrase():
    assert parse('flask -django -"class based" views') == SearchQuery(
        required=(("flask",),), excluded=(("django",), ("class", "based")), prefix="views")


def test_exclusions_alone_ask_for_nothing():
    query = parse('-django -"class based"')
    assert query.excluded == (("django",), ("class", "based"))
    assert query.is_empty


def test_only_the_last_plain_word_is_a_prefix():
    # "flas" in the middle was finished: it must match as a whole word.
    assert parse("flas tutorial") == SearchQuery(required=(("flas",),), prefix="tutorial")
    # An exclusion or a phrase at the end leaves no word being typed.
    assert parse("flask -dj").prefix is None
    assert parse('flask "app"').prefix is None


def test_a_prefix_needs_at_least_min_prefix_length_letters():
    assert MIN_PREFIX_LENGTH == 2
    assert parse("f") == SearchQuery(required=(("f",),))
    assert parse("fl") == SearchQuery(prefix="fl")
    assert parse("flask f") == SearchQuery(required=(("flask",), ("f",)))


def test_words_past_max_words_are_dropped_and_the_query_says_so():
    typed = " ".join(f"w{n}" for n in range(MAX_WORDS + 5))
    query = parse(typed)
    assert query.truncated
    assert len(query.words) == MAX_WORDS
    assert query.words == [f"w{n}" for n in range(MAX_WORDS)]
    assert not parse(" ".join(f"w{n}" for n in range(MAX_WORDS))).truncated


def test_a_phrase_crossing_max_words_is_cut_at_the_limit():
    filler = " ".join(f"w{n}" for n in range(MAX_WORDS - 2))
    query = parse(f'{filler} "one two three four"')
    assert query.truncated
    assert query.required[-1] == ("one", "two")
    assert len(query.words) == MAX_WORDS


def test_only_the_first_max_query_length_characters_are_read():
    query = parse("a" * (MAX_QUERY_LENGTH - 1) + " overflow")
    assert query.words == ["a" * (MAX_QUERY_LENGTH - 1)]


@pytest.mark.parametrize(("typed", "words"), [
    ("NEAR(flask, blog)", ["near", "flask", "blog"]),
    ("flask* OR blog^2 AND NOT x:y", ["flask", "or", "blog", "2", "and", "not", "x", "y"]),
    ("{title}: (flask) [blog] + ~ | & ! < > =", ["title", "flask", "blog"]),
    ("🎉 flask 🐍🐍 blog ✨", ["flask", "blog"]),
    ("'; DROP TABLE posts; --", ["drop", "table", "posts"]),
    ("under_score", ["under", "score"]),
])
def test_operators_punctuation_and_emoji_are_dropped_leaving_the_words(typed, words):
    assert parse(typed).words == words


def test_a_word_joined_by_punctuation_is_a_phrase():
    # As a search engine reads "x-ray" or "node.js": those words, next to each other.
    assert parse("x-ray machine").required == (("x", "ray"),)
    assert parse("node.js").required == (("node", "js"),)


@pytest.mark.parametrize("typed", ["", "   ", None, "-", '"', '""', "***", "🎉🎉", "- - -", "_"])
def test_nothing_to_look_for_is_an_empty_query(typed):
    assert parse(typed).is_empty
    assert parse(typed).words == []


def test_text_is_nfkc_normalised_and_lower_cased():
    assert parse("ＦＬＡＳＫ").words == ["flask"]  # full-width letters
    assert parse("ﬁne").words == ["fine"]  # the "fi" ligature
    assert parse("CAFÉ").words == ["café"]  # accents stay; the backends fold them
    assert parse("Cafe\u0301").words == ["café"]  # a combining accent is composed


def test_words_in_any_script_are_words():
    assert parse("Müller 東京 москва").words == ["müller", "東京", "москва"]


def test_the_same_word_or_phrase_twice_asks_nothing_more():
    assert parse('"app factory" "APP factory" x') == parse('"app factory" x')
    assert parse("-django -django flask").excluded == (("django",),)
    # Typed whole once, a word must match whole: the same word again as a prefix adds nothing.
    assert parse("flask blog flask") == SearchQuery(required=(("flask",), ("blog",)))
    assert parse("flask flask") == SearchQuery(required=(("flask",),))


@settings(database=None)
@given(st.text(max_size=2000) | st.lists(st.sampled_from(
    ['"', "-", "*", ":", "(", ")", "NEAR", "OR", " ", "flask", "x", "é", "🎉", "_"])).map("".join))
def test_any_text_parses_to_letters_and_digits_only(text):
    """What reaches a backend is words of letters and digits: never an operator."""
    query = parse(text)
    phrases = [*query.required, *query.excluded]
    assert all(re.fullmatch(r"[^\W_]+", word) for phrase in phrases for word in phrase)
    assert query.prefix is None or (
        re.fullmatch(r"[^\W_]+", query.prefix) and len(query.prefix) >= MIN_PREFIX_LENGTH)
    assert len(query.words) <= MAX_WORDS
    assert len(set(query.required)) == len(query.required)
    assert len(set(query.excluded)) == len(query.excluded)
    assert all(phrase for phrase in phrases)
