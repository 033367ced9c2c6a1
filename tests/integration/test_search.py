"""Full-text search, the same behaviour on SQLite FTS5 and PostgreSQL tsvector.

Every test runs on both backends. The corpora are crafted so that what is
asserted holds in both: no assertion depends on a stop word ("the", "a"),
which PostgreSQL's English configuration drops and FTS5 keeps.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from microblog import search as search_index
from microblog.caching import POSTS, invalidate
from microblog.errors import NotFound
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.post import Post
from microblog.search import database as search_database
from microblog.seed import bulk_seed
from microblog.services import accounts, comments, moderation, posts
from microblog.services import search as searching
from tests.conftest import PASSWORD

NOW = utcnow()


def found_posts(text: str, page: int = 1, per_page: int = 10) -> list[int]:
    return [result.post.id for result in searching.posts(searching.parse(text), page,
                                                         per_page).items]


def found_comments(text: str) -> list[int]:
    return [result.comment.id for result in searching.comments(searching.parse(text), 1,
                                                               10).items]


def found_people(text: str) -> list[str]:
    return [result.user.username for result in searching.people(searching.parse(text), 1,
                                                                10).items]


def published(post: Post, days_ago: float) -> Post:
    """Date ``post`` ``days_ago`` days back: "newest first" then means something ids do not."""
    post.published_at = NOW - timedelta(days=days_ago)
    db.session.commit()
    return post


@pytest.fixture
def susan(make_user):
    return make_user("susan")


# Matching ----------------------------------------------------------------------

def test_every_word_typed_must_match(susan):
    both = posts.create_post(susan, "Sourdough starter notes from my kitchen")
    posts.create_post(susan, "Sourdough only, nothing else here")
    posts.create_post(susan, "My kitchen is small")

    assert found_posts("sourdough kitchen") == [both.id]
    assert found_posts("kitchen sourdough") == [both.id]


def test_other_forms_of_a_word_match_through_stemming(susan):
    gardens = posts.create_post(susan, "My gardens are full of tomatoes")
    running = posts.create_post(susan, "Went running along the river")

    assert found_posts("gardening") == [gardens.id]
    assert found_posts("garden tomato") == [gardens.id]
    assert found_posts("runs river") == [running.id]


def test_case_and_accents_do_not_matter(susan):
    cafe = posts.create_post(susan, "Un café crème à Montréal")
    plain = posts.create_post(susan, "Naive CAFE owners resume business")

    assert set(found_posts("cafe")) == {cafe.id, plain.id}
    assert set(found_posts("CAFÉ")) == {cafe.id, plain.id}
    assert found_posts("creme montreal") == [cafe.id]
    assert found_posts("naïve résumé") == [plain.id]


def test_a_quoted_phrase_needs_its_words_together_and_in_order(susan):
    together = posts.create_post(susan, "Using an app factory pattern in Flask")
    apart = posts.create_post(susan, "A factory for every app")

    assert set(found_posts("app factory")) == {together.id, apart.id}
    assert found_posts('"app factory"') == [together.id]
    assert found_posts('"factory app"') == []


def test_a_minus_leaves_out_a_word_or_a_phrase(susan):
    flask_only = posts.create_post(susan, "Flask views explained")
    with_django = posts.create_post(susan, "Flask versus Django views")
    class_based = posts.create_post(susan, "Flask class based views")

    assert set(found_posts("flask")) == {flask_only.id, with_django.id, class_based.id}
    assert set(found_posts("flask -django")) == {flask_only.id, class_based.id}
    assert set(found_posts('flask -"class based"')) == {flask_only.id, with_django.id}
    assert found_posts('views -django -"class based"') == [flask_only.id]


def test_exclusions_alone_find_nothing(susan):
    posts.create_post(susan, "Flask views explained")
    results = searching.posts(searching.parse("-django"), 1, 10)
    assert results.items == [] and results.total == 0


def test_the_word_being_typed_matches_as_a_prefix(susan):
    flask = posts.create_post(susan, "Flask tutorial, chapter one")

    assert found_posts("fl") == [flask.id]
    assert found_posts("flas") == [flask.id]
    assert found_posts("tutorial flas") == [flask.id]
    # Only the last word: a word followed by another was finished, and must match whole.
    assert found_posts("flas tutorial") == []
    # One letter is not a prefix: it would match nearly everything.
    assert found_posts("f") == []


def test_operators_and_punctuation_are_just_text(susan):
    post = posts.create_post(susan, "Pasta near Naples, or not?")

    for typed in ["pasta NEAR naples", "pasta OR", 'pasta "naples', "pasta* (naples)",
                  "pasta: naples", "{naples} NOT pasta", "^pasta + naples", "naples'; --"]:
        assert found_posts(typed) == [post.id], typed


# Ranking -----------------------------------------------------------------------

def test_a_title_match_ranks_above_a_body_match_even_when_older(susan):
    titled = published(posts.create_article(
        susan, "Sourdough basics", "Flour, water and salt. Patience helps."), days_ago=30)
    mentioned = published(posts.create_post(
        susan, "Baked sourdough today with friends"), days_ago=1)

    assert found_posts("sourdough") == [titled.id, mentioned.id]


def test_a_tag_match_ranks_above_a_body_match(susan):
    tagged = published(posts.create_article(
        susan, "Weekend loaf", "Flour, water and salt. Patience helps.", tags="sourdough"),
        days_ago=30)
    mentioned = published(posts.create_post(
        susan, "Baked sourdough today with friends"), days_ago=1)

    assert found_posts("sourdough") == [tagged.id, mentioned.id]


def test_among_equal_matches_the_newest_comes_first(susan):
    # Written in an order that is neither the dates' nor its reverse: ids cannot explain it.
    middle = published(posts.create_post(susan, "Kombucha brewing journal"), days_ago=2)
    oldest = published(posts.create_post(susan, "Kombucha brewing journal"), days_ago=3)
    newest = published(posts.create_post(susan, "Kombucha brewing journal"), days_ago=1)

    assert found_posts("kombucha") == [newest.id, middle.id, oldest.id]


# Highlighting ------------------------------------------------------------------

def test_the_matched_words_are_marked_in_the_title_and_the_snippet(susan):
    posts.create_article(susan, "Sourdough basics", "Feed your sourdough starter daily.")
    [result] = searching.posts(searching.parse("sourdough"), 1, 10).items

    assert result.title == "<mark>Sourdough</mark> basics"
    assert "Feed your <mark>sourdough</mark> starter daily." in result.snippet


def test_a_stemmed_match_marks_the_word_as_written(susan):
    posts.create_post(susan, "My gardens are full of tomatoes")
    [result] = searching.posts(searching.parse("gardening"), 1, 10).items

    assert "<mark>gardens</mark>" in result.snippet
    assert result.title is None  # a status has no title


def test_user_html_in_a_snippet_is_escaped(susan):
    posts.create_post(susan, "Beware <script>alert(1)</script> in pancakes & <b>waffles</b>")
    [result] = searching.posts(searching.parse("pancakes"), 1, 10).items

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.snippet
    assert "&lt;b&gt;waffles&lt;/b&gt;" in result.snippet
    assert "&amp;" in result.snippet
    assert "<script>" not in result.snippet and "<b>" not in result.snippet
    assert "<mark>pancakes</mark>" in result.snippet


def test_an_article_title_with_html_is_escaped_too(susan):
    posts.create_article(susan, "Why <b>bold</b> pancakes?", "Batter.")
    [result] = searching.posts(searching.parse("pancakes"), 1, 10).items

    assert result.title == "Why &lt;b&gt;bold&lt;/b&gt; <mark>pancakes</mark>?"


def test_an_article_snippet_reads_as_text_not_markdown(susan):
    posts.create_article(susan, "Notes", "Read **the [pancake guide](https://example.com/x)** "
                                         "before `cooking`.")
    [result] = searching.posts(searching.parse("pancake"), 1, 10).items

    assert "<mark>pancake</mark> guide" in result.snippet
    assert "https://example.com" not in result.snippet
    assert "**" not in result.snippet and "`" not in result.snippet


def test_a_long_body_gives_a_short_snippet_around_the_match(susan):
    filler = " ".join(f"word{n}" for n in range(300))
    posts.create_article(susan, "Long read", f"{filler} zucchini {filler}")
    [result] = searching.posts(searching.parse("zucchini"), 1, 10).items

    assert "<mark>zucchini</mark>" in result.snippet
    assert len(result.snippet) < 1000


def test_marker_characters_typed_in_a_post_never_unbalance_the_page(susan):
    """The backends mark matches with private-use characters; a post holding them
    must not leave an unclosed <mark> on the page."""
    posts.create_post(susan, "Stray \ue001 marks \ue000 around pancakes \ue000\ue001\ue000")
    [result] = searching.posts(searching.parse("pancakes"), 1, 10).items

    depth = 0
    for tag in re.findall(r"</?mark>", result.snippet):
        depth += 1 if tag == "<mark>" else -1
        assert depth in (0, 1), result.snippet
    assert depth == 0, result.snippet
    assert "<mark>pancakes</mark>" in result.snippet


# Pagination --------------------------------------------------------------------

def test_pages_of_results_have_the_right_totals_and_next_links(susan):
    written = [published(posts.create_post(susan, f"Marathon training, week {n}"), days_ago=n)
               for n in range(1, 8)]

    first = searching.posts(searching.parse("marathon"), 1, 3)
    assert (first.total, first.pages, first.has_next, first.has_prev) == (7, 3, True, False)
    second = searching.posts(searching.parse("marathon"), 2, 3)
    assert (second.total, second.has_next, second.has_prev) == (7, True, True)
    last = searching.posts(searching.parse("marathon"), 3, 3)
    assert (last.total, last.has_next, len(last.items)) == (7, False, 1)

    seen = [result.post.id for page in (first, second, last) for result in page.items]
    assert seen == [post.id for post in written]  # newest first, none twice, none missed

    with pytest.raises(NotFound):
        searching.posts(searching.parse("marathon"), 4, 3)
    with pytest.raises(NotFound):
        searching.posts(searching.parse("marathon"), 0, 3)


def test_no_match_is_an_empty_first_page_not_an_error(susan):
    posts.create_post(susan, "Marathon training")
    results = searching.posts(searching.parse("triathlon"), 1, 10)
    assert (results.items, results.total, results.pages, results.has_next) == ([], 0, 1, False)
    with pytest.raises(NotFound):
        searching.posts(searching.parse("triathlon"), 2, 10)


def test_a_word_in_very_many_posts_is_ranked_among_the_newest_matches_only(
        susan, monkeypatch):
    """Past MAX_RANKED matches the count stops and only the newest are ranked, so a
    word in most posts costs a bounded time; the page says there are more."""
    monkeypatch.setattr(search_database, "MAX_RANKED", 3)
    best_but_oldest = posts.create_article(susan, "Compost", "Compost, compost, compost.",
                                           publish=True)
    newest = [posts.create_post(susan, f"Compost heap, day {n}") for n in range(4)]

    results = searching.posts(searching.parse("compost"), 1, 2)
    assert (results.total, results.more, results.pages, results.has_next) == (3, True, 2, True)
    second = searching.posts(searching.parse("compost"), 2, 2)
    shown = [result.post.id for page in (results, second) for result in page.items]
    assert len(shown) == 3 and set(shown) <= {post.id for post in newest}
    assert best_but_oldest.id not in shown
    with pytest.raises(NotFound):
        searching.posts(searching.parse("compost"), 3, 2)
    assert searching.posts(searching.parse("compost heap"), 1, 10).more is True
    narrower = searching.posts(searching.parse("compost day 2"), 1, 10)
    assert (narrower.total, narrower.more) == (1, False)
    monkeypatch.setattr(search_database, "MAX_RANKED", 10)
    every = searching.posts(searching.parse("compost"), 1, 10)
    assert (every.total, every.more, every.items[0].post.id) == (5, False, best_but_oldest.id)


# What can be found -------------------------------------------------------------

def test_drafts_are_never_found_until_published(susan):
    draft = posts.create_article(susan, "Secret rhubarb plans", "Rhubarb everywhere.",
                                 publish=False)
    assert found_posts("rhubarb") == []
    assert searching.posts(searching.parse("rhubarb"), 1, 10).total == 0

    posts.publish(susan, draft)
    assert found_posts("rhubarb") == [draft.id]


def test_an_edited_post_is_found_by_its_new_words_only_on_the_next_request(susan):
    status = posts.create_post(susan, "Cycling to work in the rain")
    article = posts.create_article(susan, "Kayak trips", "Paddling on lakes.", tags="outdoors")

    posts.edit_post(susan, status, body="Walking to work in the snow")
    posts.edit_post(susan, article, title="Canoe trips", body="Rowing on rivers.",
                    tags="boats")

    assert found_posts("cycling") == [] and found_posts("rain") == []
    assert found_posts("walking snow") == [status.id]
    assert found_posts("kayak") == [] and found_posts("paddling") == []
    assert found_posts("outdoors") == []
    assert found_posts("canoe rowing") == [article.id]
    assert found_posts("boats") == [article.id]


def test_a_deleted_post_is_gone_from_results_at_once(susan):
    post = posts.create_post(susan, "Quinoa salad recipe")
    assert found_posts("quinoa") == [post.id]

    posts.delete_post(susan, post)
    assert found_posts("quinoa") == []
    assert searching.posts(searching.parse("quinoa"), 1, 10).total == 0


def test_an_articles_tags_are_searchable(susan):
    article = posts.create_article(susan, "Weekend loaf", "Flour and water.",
                                   tags="fermentation, baking")
    assert found_posts("fermentation") == [article.id]
    assert found_posts("baking loaf") == [article.id]


# Comments ----------------------------------------------------------------------

def test_a_repeated_search_is_answered_from_the_cache_until_posts_change(susan, count_queries):
    first = posts.create_post(susan, "Planting tulips today")
    assert found_posts("tulips") == [first.id]

    with count_queries() as statements:
        assert found_posts("tulips") == [first.id]
    assert len(statements) == 1  # loading the post: the search itself was remembered

    second = posts.create_post(susan, "More tulips")
    with count_queries() as statements:
        assert found_posts("tulips") == [second.id, first.id]
    assert len(statements) == 2  # a new post: searched again


def test_comments_are_searchable_and_edits_show_at_once(susan, make_user):
    post = posts.create_post(susan, "What should I cook tonight?")
    bob = make_user("bob")
    comment = comments.add(bob, post.id, "Try a mushroom risotto")

    assert found_comments("risotto") == [comment.id]
    [result] = searching.comments(searching.parse("mushroom"), 1, 10).items
    assert "<mark>mushroom</mark>" in result.snippet
    assert result.comment.post.id == post.id

    comments.edit(bob, comment, "Try a lentil curry")
    assert found_comments("risotto") == []
    assert found_comments("lentil curry") == [comment.id]

    comments.delete(bob, comment)
    assert found_comments("lentil") == []


def test_comments_are_found_only_on_published_posts(susan, make_user):
    post = posts.create_article(susan, "Dinner ideas", "Anything goes.")
    comment = comments.add(make_user("bob"), post.id, "Try a mushroom risotto")
    assert found_comments("risotto") == [comment.id]

    post.published_at = None  # back to a draft: its conversation is private again
    db.session.commit()
    invalidate(POSTS)  # as every change made behind the services' back must
    assert found_comments("risotto") == []
    assert searching.comments(searching.parse("risotto"), 1, 10).total == 0


def test_comments_go_with_their_deleted_post(susan, make_user):
    post = posts.create_post(susan, "What should I cook tonight?")
    comments.add(make_user("bob"), post.id, "Try a mushroom risotto")

    posts.delete_post(susan, post)
    assert found_comments("risotto") == []


def test_posts_and_comments_are_searched_apart(susan, make_user):
    post = posts.create_post(susan, "Cooking with saffron")
    comment = comments.add(make_user("bob"), post.id, "Saffron is pricey")

    assert found_posts("saffron") == [post.id]
    assert found_comments("saffron") == [comment.id]


# People ------------------------------------------------------------------------

def test_people_are_found_by_username_and_about_me(make_user):
    make_user("susan", about_me="Gardener and occasional Python programmer")
    make_user("bob", about_me="Backend developer, coffee first")

    assert found_people("susan") == ["susan"]
    assert found_people("gardening") == ["susan"]
    assert found_people("developers") == ["bob"]
    assert found_people("programmer coffee") == []


def test_a_username_that_is_also_a_word_is_found_with_other_words(make_user):
    """A username is stemmed like the query is, or "james python" could not find james."""
    make_user("james", about_me="Python programmer")
    make_user("runner", about_me="Python too")

    assert found_people("james") == ["james"]
    assert found_people("james python") == ["james"]
    assert found_people("python james") == ["james"]
    assert found_people("runner python") == ["runner"]


def test_a_username_match_ranks_above_an_about_me_match(make_user):
    named = make_user("gardener")
    described = make_user("susan", about_me="Gardener")
    named.last_seen = NOW - timedelta(days=30)  # recency alone would put susan first
    described.last_seen = NOW
    db.session.commit()

    first = searching.people(searching.parse("gardener"), 1, 1)
    assert [result.user.username for result in first.items] == ["gardener"]
    assert (first.total, first.has_next) == (2, True)
    second = searching.people(searching.parse("gardener"), 2, 1)
    assert [result.user.username for result in second.items] == ["susan"]


def test_a_person_is_marked_in_their_about_me(make_user):
    make_user("susan", about_me="Gardener <and> reader")
    [result] = searching.people(searching.parse("reader"), 1, 10).items

    assert result.about_me == "Gardener &lt;and&gt; <mark>reader</mark>"


def test_profile_changes_show_in_people_at_once(make_user):
    susan = make_user("susan", about_me="Gardener")
    accounts.update_profile(susan, "susanna", "Beekeeper")

    assert found_people("gardener") == []
    assert found_people("susan") == ["susanna"]  # the prefix of the new name
    assert found_people("beekeeper") == ["susanna"]
    assert found_people("susanna beekeeper") == ["susanna"]


def test_disabled_accounts_are_not_in_people(make_user):
    make_user("susan", about_me="Gardener")
    make_user("sophie", about_me="Gardener too")

    moderation.disable(moderation.COMMAND_LINE, "susan")
    assert found_people("gardener") == ["sophie"]
    assert searching.people(searching.parse("gardener"), 1, 10).total == 1

    moderation.enable(moderation.COMMAND_LINE, "susan")
    assert sorted(found_people("gardener")) == ["sophie", "susan"]


# The index kept in step with the tables --------------------------------------

def index_in_sync() -> dict[str, bool]:
    return {index.name: index.in_sync for index in search_index.backend().stats()}


def test_raw_sql_updates_and_deletes_reach_the_index(susan):
    post = posts.create_post(susan, "Cycling to work in the rain")

    db.session.execute(sa.text("UPDATE posts SET body = 'Skating past frozen ponds' "
                               "WHERE id = :id"), {"id": post.id})
    db.session.commit()
    assert found_posts("cycling") == []
    assert found_posts("skating ponds") == [post.id]

    db.session.execute(sa.text("DELETE FROM posts WHERE id = :id"), {"id": post.id})
    db.session.commit()
    assert found_posts("skating") == []
    assert all(index_in_sync().values())


def test_bulk_seeded_posts_are_searchable_at_once(app):
    bulk_seed(users=5, posts_count=60, follows_per_user=2, rng=random.Random(7))
    assert all(index_in_sync().values())

    bodies = db.session.execute(sa.select(Post.id, Post.body).order_by(Post.id)).all()
    assert len(bodies) == 60
    for post_id, body in random.Random(3).sample(bodies, 5):
        words = re.findall(r"\w+", body)[:10]
        assert post_id in found_posts('"' + " ".join(words) + '"', per_page=100), body


def test_deleting_an_account_takes_its_posts_comments_and_profile_out(susan, make_user):
    accounts.update_profile(susan, "susan", "Gardener")
    bob = make_user("bob", about_me="Gardener too")
    hers = posts.create_post(susan, "Planting tulips today")
    his = posts.create_post(bob, "Tulips or daffodils?")
    comments.add(susan, his.id, "Tulips, always")
    reply_id = comments.add(bob, hers.id, "Lovely tulips").id

    accounts.delete_account(susan, PASSWORD, True)
    assert found_people("gardener") == ["bob"]
    assert found_posts("tulips") == [his.id]
    assert found_comments("tulips") == []
    assert reply_id not in found_comments("lovely")
    assert all(index_in_sync().values())


# flask search reindex / stats ------------------------------------------------

def empty_posts_index_by_hand() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("UPDATE posts SET search_vector = NULL"))
    else:
        db.session.execute(sa.text("DELETE FROM posts_search"))
    db.session.commit()


def stats_lines(output: str) -> dict[str, int]:
    """``{index name: document count}`` from ``flask search stats``."""
    return {name: int(count.replace(",", "")) for name, count in
            re.findall(r"^\s+(\S+)\s+([\d,]+) documents", output, re.MULTILINE)}


def test_reindex_brings_back_an_index_emptied_by_hand(app, susan, make_user):
    post = posts.create_post(susan, "Planting tulips today")
    posts.create_article(susan, "Bulbs", "Tulips again.", publish=False)
    comments.add(make_user("bob"), post.id, "Lovely tulips")
    empty_posts_index_by_hand()
    assert found_posts("tulips") == []

    runner = app.test_cli_runner()
    before = runner.invoke(args=["search", "stats"])
    assert before.exit_code == 0, before.output
    assert "OUT OF SYNC" in before.output

    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt" in result.output
    assert found_posts("tulips") == [post.id]
    assert all(index_in_sync().values())


def test_stats_prints_each_index_with_its_document_count(app, susan, make_user):
    post = posts.create_post(susan, "Planting tulips today")
    posts.create_article(susan, "Bulbs", "A draft is not indexed.", publish=False)
    comments.add(make_user("bob"), post.id, "Lovely tulips")

    result = app.test_cli_runner().invoke(args=["search", "stats"])
    assert result.exit_code == 0, result.output
    if db.engine.dialect.name == "postgresql":
        expected = {"posts.search_vector": 1, "comments.search_vector": 1,
                    "users.search_vector": 2}
    else:
        expected = {"posts_search": 1, "comments_search": 1, "users_search": 2}
    assert stats_lines(result.output) == expected
    assert "OUT OF SYNC" not in result.output
