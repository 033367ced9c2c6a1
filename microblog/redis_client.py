"""How every Redis client the app makes talks to the server: briefly, and only once.

Redis answers a healthy request in well under a millisecond, so a client that has
waited ``REDIS_SOCKET_TIMEOUT`` (a quarter of a second by default) has learnt that
the server is down or hung, and waiting longer only holds the visitor's request.
A command is also sent once: redis-py's ``Redis(...)`` constructor retries a
timed-out command three times with growing sleeps (11 seconds on a paused server
here), while ``from_url`` does not; saying so keeps the choice from depending on
how a client happens to be built. What to do when Redis does not answer is each
user's decision (the cache's circuit breaker in :mod:`microblog.caching`, the rate
limiter's memory fallback in :mod:`microblog.rate_limits`, the readiness check's
verdict).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis.backoff import NoBackoff
from redis.retry import Retry


def client_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``redis.Redis.from_url`` (and what passes them on)."""
    return {
        "socket_connect_timeout": config["REDIS_CONNECT_TIMEOUT"],
        "socket_timeout": config["REDIS_SOCKET_TIMEOUT"],
        "retry": Retry(NoBackoff(), 0),
    }
