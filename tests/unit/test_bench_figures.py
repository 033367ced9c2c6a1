"""How ``make bench`` turns rounds of wrk runs into the figures it reports and judges."""

import datetime
import json

import pytest

from bench.run import SCENARIOS, median_of, settings_from, write_results
from bench.targets import verdicts


def sample(rps: float, p99_ms: float, errors: int = 0) -> dict:
    return {"rps": rps, "p50_ms": round(16_000 / rps, 1), "p99_ms": p99_ms,
            "requests": int(rps * 10), "errors": errors, "non_2xx_3xx": errors,
            "rss_mb": 80 + rps / 100}


def test_one_slow_round_does_not_move_the_reported_figures():
    figures = median_of([sample(200, 110), sample(120, 190), sample(210, 100)])

    assert figures["rps"] == 200
    assert figures["p99_ms"] == 110
    assert figures["rounds_rps"] == [200, 120, 210]  # the spread stays readable


def test_an_error_in_any_round_is_reported_and_memory_is_the_peak():
    figures = median_of([sample(200, 110), sample(190, 120, errors=3), sample(210, 100)])

    assert figures["errors"] == 3
    assert figures["requests"] == 2000 + 1900 + 2100
    assert figures["rss_mb"] == 82.1


def size(posts: int, flask_alone_rps: float, page_rps: float) -> dict:
    page = {"rps": page_rps, "p50_ms": 50.0, "p99_ms": 90.0, "queries": 4}
    return {"posts": posts, "framework": {"rps": flask_alone_rps},
            "endpoints": {"home": page, "explore": page}}


def scaling_row(report: dict) -> dict:
    return next(row for row in verdicts(report)["rows"] if row["target"].startswith("req/s at"))


def test_a_machine_that_slowed_between_sizes_is_not_taken_for_a_slower_page():
    small, large = size(10_000, 5000, 200), size(1_000_000, 3500, 140)  # both 30% slower
    row = scaling_row({**large, "sizes": [small, large]})

    assert row["met"] is False  # as written: 0.70 of the 10k throughput
    assert row["met_scaled"] is True  # over Flask alone at each size: 1.00
    assert "0.70" in row["measured"] and "1.00" in row["measured"]


def test_a_page_that_slows_with_the_data_fails_both_verdicts():
    small, large = size(10_000, 5000, 200), size(1_000_000, 5000, 140)
    row = scaling_row({**large, "sizes": [small, large]})

    assert row["met"] is False and row["met_scaled"] is False


def test_a_second_run_on_the_same_day_keeps_the_first_runs_dated_copy(tmp_path):
    page = {"rps": 200.0, "p50_ms": 80.0, "p99_ms": 110.0, "queries": 3}
    morning = {"posts": 1000, "ceiling": page, "endpoints": {"home": page},
               "sizes": [{"posts": 1000, "ceiling": page, "endpoints": {"home": page}}]}
    evening = {**morning, "endpoints": {"home": {**page, "rps": 250.0}}}

    write_results(morning, tmp_path, now=datetime.datetime(2026, 11, 21, 9, 30))
    write_results(evening, tmp_path, now=datetime.datetime(2026, 11, 21, 18, 5))

    dated = sorted(path.name for path in tmp_path.glob("2026-11-21-*.json"))
    assert dated == ["2026-11-21-0930-1000.json", "2026-11-21-1805-1000.json"]
    assert json.loads((tmp_path / "2026-11-21-0930-1000.json").read_text()) == morning
    assert json.loads((tmp_path / "latest.json").read_text()) == evening


def judged(endpoints: dict) -> dict[str, dict]:
    report = {"posts": 1_000_000, "framework": {"rps": 9300}, "endpoints": endpoints}
    return {row["target"]: row for row in verdicts(report)["rows"]}


def test_the_tag_and_category_pages_and_search_are_judged_by_their_own_targets():
    rows = judged({
        "tag": {"rps": 310.0, "p50_ms": 40.0, "p99_ms": 95.0, "queries": 2},
        "category": {"rps": 290.0, "p50_ms": 40.0, "p99_ms": 80.0, "queries": 3},
        "search": {"rps": 160.0, "p50_ms": 90.0, "p99_ms": 260.0, "queries": 3},
    })

    assert rows["tag >= 300 req/s, p99 <= 100 ms"]["met"] is True
    assert rows["category >= 300 req/s, p99 <= 100 ms"]["met"] is False  # 290 req/s
    assert rows["search >= 150 req/s, p99 <= 250 ms"]["met"] is False  # p99 260 ms
    assert rows["at most 5 SQL queries per page"]["measured"] == "2-3"  # search counts too


def test_a_run_can_be_restricted_to_some_scenarios():
    assert settings_from(["--scenarios", "tag, category"]).scenarios == ["tag", "category"]
    assert settings_from([]).scenarios == []  # every one
    assert {"tag", "category", "search", "home"} <= set(SCENARIOS)
    with pytest.raises(SystemExit):
        settings_from(["--scenarios", "tags"])
