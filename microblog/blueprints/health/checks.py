"""Readiness checks: can we reach each service a request may need?

Each check is a function that returns when the service answers and raises
when it does not. ``run_checks`` runs them side by side in threads and waits
at most ``HEALTH_CHECK_TIMEOUT`` seconds: a service that hangs instead of
refusing (a firewall dropping packets) must not hang the probe, because the
load balancer asking would give up and mark us down for the wrong reason.

Not every service is *required*. Without the database nothing can be served, so
its failure answers 503 and the load balancer sends traffic elsewhere. Without
Redis the app still serves every page (the cache computes afresh, the rate limits
count in each process's memory), and every instance shares the one Redis: failing
readiness for it would take them all out of the load balancer at once. So Redis
down is reported as ``degraded``, with a 200 (:func:`verdict`).
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

import redis
import sqlalchemy as sa
from flask import Flask

from microblog.redis_client import client_options

logger = logging.getLogger("microblog.health")

Check = Callable[[], None]

# Services whose failure degrades the app rather than stopping it.
OPTIONAL = {"redis"}


def checks_for(app: Flask, engine: sa.Engine) -> dict[str, Check]:
    """The database always; Redis and the mail server only when configured."""
    config = app.config
    timeout = config["HEALTH_CHECK_TIMEOUT"]
    checks: dict[str, Check] = {"database": lambda: check_database(engine)}
    if config.get("REDIS_URL"):
        checks["redis"] = lambda: check_redis(config["REDIS_URL"], timeout, config)
    if config.get("MAIL_SERVER"):
        checks["mail"] = lambda: check_mail(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout, bool(config.get("MAIL_USE_SSL"))
        )
    return checks


def check_database(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def check_redis(url: str, timeout: float, config) -> None:
    """PING once (the app's clients never retry), waiting ``timeout`` at most."""
    options = {**client_options(config), "socket_connect_timeout": timeout,
               "socket_timeout": timeout}
    client = redis.Redis.from_url(url, **options)
    try:
        client.ping()
    finally:
        client.close()


def check_mail(host: str, port: int, timeout: float, use_ssl: bool = False) -> None:
    """Connect and say NOOP: the server answers, without sending anything."""
    smtp_class = smtplib.SMTP_SSL if use_ssl else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        code, _ = smtp.noop()
        if code != 250:
            raise smtplib.SMTPResponseException(code, "NOOP refused")


def verdict(results: dict[str, dict[str, object]]) -> tuple[str, int]:
    """``("ok", 200)``; ``("degraded", 200)`` when only optional services failed;
    ``("fail", 503)`` when a required one did."""
    failed = {name for name, result in results.items() if result["status"] != "ok"}
    if failed - OPTIONAL:
        return "fail", 503
    return ("degraded", 200) if failed else ("ok", 200)


def run_checks(checks: dict[str, Check], timeout: float) -> dict[str, dict[str, object]]:
    """``{name: {"status": "ok" | "fail", "ms": …, "required": …}}``; a failure also says
    why, briefly."""
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="health")
    futures = {name: pool.submit(_timed, name, check) for name, check in checks.items()}
    wait(futures.values(), timeout=timeout)
    # A check still running is abandoned, not waited for: it ends on its own timeout.
    pool.shutdown(wait=False, cancel_futures=True)
    results = {}
    for name, future in futures.items():
        if future.done():
            results[name] = future.result()
        else:
            logger.warning("Readiness check %s timed out after %s s", name, timeout)
            results[name] = {"status": "fail", "ms": round(timeout * 1000), "error": "timed out"}
        results[name]["required"] = name not in OPTIONAL
    return results


def _timed(name: str, check: Check) -> dict[str, object]:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:
        # Only the exception's type goes in the public answer: its message can
        # name hosts, users and ports. The log gets the whole story.
        logger.warning("Readiness check %s failed: %s", name, error)
        return {"status": "fail", "ms": _ms_since(started), "error": type(error).__name__}
    return {"status": "ok", "ms": _ms_since(started)}


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
