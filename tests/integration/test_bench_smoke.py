"""The load benchmark (``make bench``) at a tiny size, so the harness cannot rot unnoticed.

It seeds its own PostgreSQL database (the test database's name + ``_bench``) and a
SQLite file, serves each with gunicorn, drives every scenario with wrk for a second in
each of two rounds, and checks the report a person reads: every page answered, none
with an error, each ran SQL, and the chart was drawn. About a minute; no timing is asserted.
The instruction counter (``make bench-instructions``) counts one page under callgrind.
"""

from __future__ import annotations

import json
import shutil

import pytest
import sqlalchemy as sa

from bench import instructions, run
from microblog.extensions import db
from microblog.models.post import Post
from microblog.services import follows, posts
from tests.conftest import IN_CI, PG_URL, ensure_postgres_database

ENDPOINTS = {"home", "home-es", "home_page50", "explore", "profile", "profile_popular", "post",
             "tag", "category", "search", "messages", "conversation", "notifications",
             "write_post", "follow"}


@pytest.fixture
def bench_database_url() -> str:
    url = sa.make_url(PG_URL)
    url = url.set(database=f"{url.database}_bench").render_as_string(hide_password=False)
    problem = ensure_postgres_database(url) or (None if shutil.which("wrk") else
                                                "wrk is not installed (apt-get install wrk)")
    if problem:
        if IN_CI:
            pytest.fail(f"{problem} (CI=true: the benchmark smoke test is required)")
        pytest.skip(problem)
    return url


def test_the_benchmark_measures_every_page_without_errors(bench_database_url, redis_url,
                                                          tmp_path):
    report = run.main([
        "--posts", "200", "--users", "200", "--seconds", "1", "--concurrency", "2",
        "--repeats", "2",
        "--database-url", bench_database_url, "--redis-url", redis_url,
        "--sqlite-url", f"sqlite:///{tmp_path}/bench.db", "--sqlite-posts", "200",
        "--results-dir", str(tmp_path / "results"),
    ])

    saved = json.loads((tmp_path / "results" / "latest.json").read_text())
    assert saved == json.loads(json.dumps(report))
    assert saved["posts"] >= 200
    assert len(list((tmp_path / "results").glob(f"*-{saved['posts']}.json"))) == 1
    assert (tmp_path / "results" / "latest.svg").read_text().startswith("<svg")
    for run_result in (saved, saved["sqlite"]):
        assert run_result["ceiling"]["rps"] > 0
        assert run_result["ceiling"]["errors"] == 0
        assert len(run_result["ceiling"]["rounds_rps"]) == 2  # a median of two rounds
        assert run_result["framework"]["rps"] > 0  # Flask alone, measured beside it
        endpoints = run_result["endpoints"]
        assert set(endpoints) == ENDPOINTS
        for name, figures in endpoints.items():
            assert figures["rps"] > 0, name
            assert figures["queries"] > 0, name
            assert figures["errors"] == 0, (name, figures)
            assert figures["p99_ms"] >= figures["p50_ms"] > 0, name
            assert figures["rss_mb"] > 0, name
        assert endpoints["write_post"]["reads_beside"]["rps"] > 0
        assert 0 <= endpoints["post"]["comments_shown"] <= 50
        # The pages of the data set's busiest tag and category (found in its published posts).
        assert endpoints["tag"]["path"].startswith("/tag/")
        assert endpoints["category"]["path"].startswith("/category/")
    # Flask alone, and every target judged as written and scaled to this machine.
    assert saved["framework"]["rps"] > 0 and saved["framework"]["errors"] == 0
    assert saved["targets"]["speed"] > 0
    judged = {row["target"].split(" ")[0] for row in saved["targets"]["rows"]}
    assert {"home", "home-es", "home_page50", "explore", "profile", "post", "tag", "category",
            "search", "write_post", "follow", "at"} <= judged  # "at most 5 SQL queries per page"
    assert all(isinstance(row["met"], bool) and isinstance(row["met_scaled"], bool)
               for row in saved["targets"]["rows"])


def test_the_instruction_counter_counts_a_warm_page(bench_database_url, redis_url):
    problem = next((f"{tool} is not installed (apt-get install {tool})"
                    for tool in ("valgrind", "gcc") if not shutil.which(tool)), None)
    if problem:
        if IN_CI:
            pytest.fail(f"{problem} (CI=true: the instruction counter is required)")
        pytest.skip(problem)

    counts = instructions.main([
        "explore", "--posts", "200", "--users", "200", "--requests", "2", "--warm", "2",
        "--database-url", bench_database_url, "--redis-url", redis_url,
    ])

    # Millions of instructions per request: a page, not an empty run or Python's start.
    assert set(counts) == {"explore"}
    assert 1e6 < counts["explore"] < 1e9


def test_a_run_leaves_the_data_set_as_it_found_it(make_user):
    """The follow scenario can stop between a follow and its unfollow: undoing its writes
    removes the follow and counts the accounts' followers again, or the next run's
    profiles would show counts no row backs."""
    writer, kept, pooled = make_user("writer"), make_user("kept"), make_user("pooled")
    follows.follow(writer, "kept")
    last_post = posts.create_post(kept, "before the run").id
    follows.follow(writer, "pooled")  # left by the scenario
    posts.create_post(writer, "published by the scenario")
    cast = run.Cast(reader="kept", writer="writer", prolific="kept", popular="kept",
                    post_path="/", post_comments=0, follow_pool=["pooled"], tag="flask",
                    category="notes", conversation=0)

    run.undo_writes(cast, last_post)

    db.session.expire_all()
    assert (writer.following_count, pooled.follower_count, kept.follower_count) == (1, 0, 1)
    assert [post.body for post in db.session.scalars(sa.select(Post))] == ["before the run"]
