"""The performance issue's targets, and where a run of ``make bench`` stands against them.

The targets were set on another machine, where a one-route Flask app under the same
gunicorn and wrk settings served :data:`REFERENCE_HELLO_RPS` requests/s. That app is
``bench/hello.py``; measured in the same run here, it says how fast this machine is
next to that one (``speed``: 0.5 is half as fast). Each target is judged as written,
and also scaled to this machine: a throughput target times ``speed``, a latency
target divided by it. Both verdicts are reported; neither replaces the other.

The scaling target compares two data sizes measured minutes apart, so its scaled
verdict divides each size's requests/s by Flask alone's at that size first: a
machine that slowed down between the two is not taken for a page that did.
"""

from __future__ import annotations

REFERENCE_HELLO_RPS = 9300
# scenario: (requests/s at least, p99 in ms at most), at the largest data size. Search's
# is a floor to hold while the code is restructured (issue 22), not a goal reached.
PAGE_TARGETS = {
    "home": (300, 100), "home-es": (300, 100), "home_page50": (300, 100),
    "explore": (400, 80), "profile": (400, 80), "profile_popular": (400, 80),
    "post": (400, 80), "tag": (300, 100), "category": (300, 100),
    "search": (150, 250),
    # Issue 25: the reader has 1,000 conversations and 10,000 notifications (bench/inbox.py).
    "messages": (300, 100), "conversation": (300, 100), "notifications": (300, 100),
}
WRITE_SCENARIOS = ("write_post", "follow")
WRITE_P99_MS = 100
MAX_QUERIES = 5
MIN_SCALING = 0.8  # requests/s at the largest size over those at the smallest
MAX_PAGE50_SLOWDOWN = 1.5  # home page 50's p99 over page 1's
MAX_TRANSLATED_SLOWDOWN = 0.05  # home in Spanish: at most this much below home's req/s
READ_SCENARIOS = tuple(PAGE_TARGETS)


def verdicts(report: dict) -> dict:
    """``{"speed": ..., "rows": [{"target", "measured", "met", "met_scaled"}, ...]}``."""
    speed = report["framework"]["rps"] / REFERENCE_HELLO_RPS
    endpoints = report["endpoints"]
    rows = []

    def row(target: str, measured: str, met: bool, met_scaled: bool | None = None) -> None:
        rows.append({"target": target, "measured": measured, "met": met,
                     "met_scaled": met if met_scaled is None else met_scaled})

    for name, (rps, p99) in PAGE_TARGETS.items():
        if name in endpoints:
            e = endpoints[name]
            row(f"{name} >= {rps} req/s, p99 <= {p99} ms",
                f"{e['rps']:,.0f} req/s, p99 {e['p99_ms']:.0f} ms",
                e["rps"] >= rps and e["p99_ms"] <= p99,
                e["rps"] >= rps * speed and e["p99_ms"] <= p99 / speed)
    for name in WRITE_SCENARIOS:
        if name in endpoints:
            p99 = endpoints[name]["p99_ms"]
            row(f"{name} p99 < {WRITE_P99_MS} ms beside reads", f"p99 {p99:.0f} ms",
                p99 < WRITE_P99_MS, p99 < WRITE_P99_MS / speed)
    queries = [e["queries"] for name, e in endpoints.items() if name in READ_SCENARIOS]
    if queries:
        row(f"at most {MAX_QUERIES} SQL queries per page", f"{min(queries)}-{max(queries)}",
            max(queries) <= MAX_QUERIES)
    sizes = report.get("sizes", [])
    if len(sizes) > 1:
        small, large = sizes[0]["endpoints"], sizes[-1]["endpoints"]
        # A page that shows more at the larger size (the busiest post's comments) is
        # not the same page: it is left out, and the row says so.
        unlike = [name for name in READ_SCENARIOS if name in small and name in large
                  and small[name].get("comments_shown") != large[name].get("comments_shown")]
        ratios = {name: large[name]["rps"] / small[name]["rps"] for name in READ_SCENARIOS
                  if name in small and name in large and small[name]["rps"]
                  and name not in unlike}
        if ratios:
            worst = min(ratios, key=ratios.get)
            drift = sizes[-1]["framework"]["rps"] / sizes[0]["framework"]["rps"]
            scaled = {name: ratio / drift for name, ratio in ratios.items()}
            scaled_worst = min(scaled, key=scaled.get)
            left_out = "".join(
                f"; {name} left out: {small[name]['comments_shown']} comments on its page "
                f"at {sizes[0]['posts']:,} posts, {large[name]['comments_shown']} at "
                f"{sizes[-1]['posts']:,}" for name in unlike)
            row(f"req/s at {sizes[-1]['posts']:,} posts >= {MIN_SCALING} x at "
                f"{sizes[0]['posts']:,}", f"{min(ratios.values()):.2f}-"
                f"{max(ratios.values()):.2f} (lowest: {worst}); over Flask alone at each "
                f"size ({drift:.2f} x): {scaled[scaled_worst]:.2f} (lowest: {scaled_worst})"
                f"{left_out}",
                ratios[worst] >= MIN_SCALING, scaled[scaled_worst] >= MIN_SCALING)
    if "home" in endpoints and "home_page50" in endpoints:
        slowdown = endpoints["home_page50"]["p99_ms"] / endpoints["home"]["p99_ms"]
        row(f"home page 50 p99 <= {MAX_PAGE50_SLOWDOWN} x page 1", f"{slowdown:.2f} x",
            slowdown <= MAX_PAGE50_SLOWDOWN)
    if "home" in endpoints and "home-es" in endpoints and endpoints["home"]["rps"]:
        ratio = endpoints["home-es"]["rps"] / endpoints["home"]["rps"]
        row(f"home-es req/s >= {1 - MAX_TRANSLATED_SLOWDOWN:.0%} of home's",
            f"{ratio:.1%} ({endpoints['home-es']['rps']:,.0f} / "
            f"{endpoints['home']['rps']:,.0f} req/s)", ratio >= 1 - MAX_TRANSLATED_SLOWDOWN)
    return {"speed": round(speed, 3), "reference_hello_rps": REFERENCE_HELLO_RPS,
            "rows": rows}


def print_verdicts(verdict: dict) -> None:
    print(f"Targets (this machine's speed: {verdict['speed']:.2f} x the machine they were "
          f"set on, by bench/hello.py)")
    for item in verdict["rows"]:
        print(f"  {'met' if item['met'] else 'NOT met':>7} | scaled: "
              f"{'met' if item['met_scaled'] else 'NOT met':>7} | {item['target']}: "
              f"{item['measured']}")
