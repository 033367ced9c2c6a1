"""A cache for reads that are the same for every visitor, and its invalidation.

What is cached: answers that cost queries and do not depend on who is asking
(popular posts, category counts, feeds, the sitemap, search answers), as plain
data (ids, strings, numbers), never ORM objects. Rendered HTML is the render
cache's, in :mod:`microblog.fragments`.

How it stays fresh: each entry belongs to one or more *namespaces* ("posts",
"engagement", "categories"), and its key includes each namespace's current
*version*, a random token. The service that changes the data calls
:func:`invalidate`, which gives the namespace a new token: every key built on
the old one is never read again, and expires on its own. So a new comment or an
edit is visible on the very next request, without listing every key it touches.

Where it lives: Redis at ``REDIS_URL`` when that is set (every worker shares it,
so an invalidation in one worker reaches the others), else this process's
memory.

When Redis stops answering, nothing breaks, and it costs little: the client
waits a quarter of a second at most (:mod:`microblog.redis_client`), and a
:class:`~microblog.circuit_breaker.CircuitBreaker` then skips Redis for
``CACHE_BREAKER_SECONDS`` in this process, so one request pays the timeout and
the others do not. Meanwhile each process keeps what it computes for that long
(:func:`_unshared`): its own changes show at once, another worker's within those
seconds. An invalidation Redis missed is remembered and delivered when it answers
again, so no list stays stale after the outage.

A copy in each worker, too: a key names the versions its answer was computed
under, so the answer under a key never changes, and a worker that has read it
once may keep it (:data:`~microblog.extensions.cache_copies`, a
:class:`MemoryLRU`). Each request still reads the current versions from Redis
(one round trip); the answers themselves then come from memory. An answer
carries the moment it expires (:class:`Entry`), so every worker's copy expires
when the shared one does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import uuid4

import redis
from flask import Flask, current_app, g, has_request_context
from flask_caching.backends.base import BaseCache

from microblog.circuit_breaker import CircuitBreaker, Unavailable
from microblog.extensions import cache, cache_copies
from microblog.redis_client import client_options

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What changes each namespace, so a reader knows what a cached value depends on:
POSTS = "posts"  # publishing, editing, deleting, featuring posts; renamed or deleted authors
ENGAGEMENT = "engagement"  # likes and comments (written, edited, deleted)
CATEGORIES = "categories"  # the admin's list of categories
NAMESPACES = (POSTS, ENGAGEMENT, CATEGORIES)


def init_cache(app: Flask) -> None:
    """Redis when ``REDIS_URL`` is set, else memory; chosen here, once."""
    if app.config.get("REDIS_URL"):
        client = GuardedRedis.from_url(app.config["REDIS_URL"], **client_options(app.config))
        client.breaker = CircuitBreaker(
            "Redis (the cache)", app.config["CACHE_BREAKER_SECONDS"], logger,
            failures=(redis.ConnectionError, redis.TimeoutError),
        )
        # Flask-Caching's RedisCache takes a ready client in place of a host name.
        settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_HOST": client}
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache.init_app(app, config={**app.config, **settings})
    cache_copies.init_app(app, config={
        "CACHE_TYPE": "microblog.caching.MemoryLRU",
        "CACHE_THRESHOLD": app.config["CACHE_MEMORY_SIZE"],
        "CACHE_DEFAULT_TIMEOUT": 0,
    })


def _version_key(namespace: str) -> str:
    return f"version:{namespace}"


def _versions(namespaces: Iterable[str]) -> list[str]:
    """The current token of each namespace.

    A request reads every namespace's token in one round trip the first time it
    needs any, and keeps them: a page with four cached lists then costs five trips
    to Redis, not eight. (Outside a request, each call asks afresh.)
    """
    names = list(namespaces)
    known = _request_versions()
    if known is None:
        return list(_fetch_versions(names).values())
    if not known.keys() >= set(names):
        known.update(_fetch_versions(list(dict.fromkeys([*NAMESPACES, *names]))))
    return [known[name] for name in names]


def _fetch_versions(names: list[str]) -> dict[str, str]:
    """The tokens of ``names`` from the cache, giving one to any that has none yet
    (and first the new tokens of invalidations the cache missed while it was down)."""
    _deliver_missed_invalidations()
    tokens = dict(zip(names, cache.get_many(*map(_version_key, names)), strict=True))
    for name, token in tokens.items():
        if token is None:
            # add() keeps a token another worker set in the meantime; read back the winner.
            cache.add(_version_key(name), uuid4().hex, timeout=0)
            tokens[name] = cache.get(_version_key(name))
    return tokens


def _request_versions() -> dict[str, str] | None:
    """This request's copy of the namespace tokens, or None outside a request."""
    if not has_request_context():
        return None
    return g.setdefault("cache_versions", {})


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A cached answer and when it expires (seconds since the epoch; None: never)."""

    value: T
    expires: float | None

    @property
    def fresh(self) -> bool:
        return self.expires is None or time.time() < self.expires


def cached(key: str, compute: Callable[[], T], depends_on: Iterable[str],
           timeout: int | None = None) -> T:
    """``compute()``, or its stored result while none of ``depends_on`` has changed
    (and for ``timeout`` seconds at most; CACHE_DEFAULT_TIMEOUT when None)."""
    try:
        full_key = ":".join([key, *_versions(depends_on)])
    except Unavailable:  # Redis is down (its breaker has said so): the page must not be
        return _unshared(key, compute, depends_on, timeout)
    except Exception as error:
        logger.warning("cache unavailable (%s); computing %s afresh", error, key)
        return compute()
    entry = cache_copies.get(full_key)
    if entry is None or not entry.fresh:
        entry = _shared(full_key, key, compute, timeout)
        if entry is None:  # the cache stopped answering: no copy of what it did not say
            return compute()
        cache_copies.set(full_key, entry)
    return entry.value


def _shared(full_key: str, key: str, compute: Callable[[], T],
            timeout: int | None) -> Entry[T] | None:
    """The entry under ``full_key`` in the shared cache, computed and stored if missing;
    None if the cache does not answer (one timeout, not a second one for storing)."""
    try:
        entry = cache.get(full_key)
    except Unavailable:
        return None
    except Exception as error:
        logger.warning("cache unavailable (%s); computing %s afresh", error, key)
        return None
    if isinstance(entry, Entry) and entry.fresh:
        return entry
    seconds = cache.cache.default_timeout if timeout is None else timeout
    entry = Entry(compute(), time.time() + seconds if seconds else None)
    try:
        cache.set(full_key, entry, timeout=seconds)
    except Unavailable:
        pass
    except Exception as error:
        logger.warning("cache unavailable (%s); %s not stored", error, key)
    return entry


def _unshared(key: str, compute: Callable[[], T], depends_on: Iterable[str],
              timeout: int | None) -> T:
    """While Redis is down: ``compute()``, kept in this process for CACHE_BREAKER_SECONDS
    at most (or ``timeout``), under tokens of this process's own that :func:`invalidate`
    replaces, so a change made here shows at once and one made elsewhere within seconds."""
    tokens = current_app.extensions.setdefault("microblog.unshared_versions", {})
    full_key = ":".join(["unshared", key, *(tokens.setdefault(name, uuid4().hex)
                                            for name in depends_on)])
    entry = cache_copies.get(full_key)
    if entry is None or not entry.fresh:
        seconds = current_app.config["CACHE_BREAKER_SECONDS"]
        entry = Entry(compute(), time.time() + min(seconds, timeout or seconds))
        cache_copies.set(full_key, entry)
    return entry.value


def invalidate(*namespaces: str) -> None:
    """Forget everything cached under ``namespaces``: call it after the change commits.

    If the cache does not take the new token, this process remembers the namespace
    and gives it one as soon as the cache answers (:func:`_fetch_versions`): Redis
    still holds the old token, and every worker would go on reading the old lists.
    """
    known = _request_versions()
    unshared = current_app.extensions.get("microblog.unshared_versions", {})
    for name in namespaces:
        if known is not None:
            known.pop(name, None)  # this request's next read asks for the new token
        unshared.pop(name, None)
        try:
            cache.set(_version_key(name), uuid4().hex, timeout=0)
        except Unavailable:
            _missed_invalidations().add(name)
        except Exception as error:
            _missed_invalidations().add(name)
            logger.error("cache unavailable (%s); %s invalidated once it answers", error, name)


def _missed_invalidations() -> set[str]:
    """The namespaces this process invalidated while the cache was not answering."""
    return current_app.extensions.setdefault("microblog.missed_invalidations", set())


def _deliver_missed_invalidations() -> None:
    """Give each namespace whose invalidation the cache missed a new token, now."""
    missed = _missed_invalidations()
    for name in list(missed):
        cache.set(_version_key(name), uuid4().hex, timeout=0)  # raises while it is down
        missed.discard(name)
        logger.info("cache invalidation of %s delivered after an outage", name)


class GuardedRedis(redis.Redis):
    """The cache's Redis client: each command goes through the process's circuit breaker,
    so while Redis is not answering, commands fail at once with ``Unavailable``."""

    breaker: CircuitBreaker

    def execute_command(self, *args, **options):
        return self.breaker.call(super().execute_command, *args, **options)


class MemoryLRU(BaseCache):
    """At most ``threshold`` entries in this process; a full cache drops the one read
    longest ago. It holds the render cache's pieces (``microblog/fragments/``) and each worker's
    copies of cached answers. (Flask-Caching's SimpleCache sorts every entry on each
    insert once it is full, which a worker adding cards at every miss cannot afford.)"""

    def __init__(self, threshold: int, default_timeout: int = 0) -> None:
        super().__init__(default_timeout=default_timeout)
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._threshold = threshold
        self._lock = threading.Lock()  # OrderedDict is not safe across threads

    @classmethod
    def factory(cls, app: Flask, config: dict, args: list, kwargs: dict) -> MemoryLRU:
        return cls(config["CACHE_THRESHOLD"])

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        """Keep ``value`` (``timeout`` is ignored: entries leave by age of use only)."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._threshold:
                self._entries.popitem(last=False)
        return True

    def get_many(self, *keys: str) -> list[Any]:
        with self._lock:
            found = [self._entries.get(key) for key in keys]
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    self._entries.move_to_end(key)
            return found

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        with self._lock:
            if key in self._entries:
                return False
        return self.set(key, value)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._entries.pop(key, None) is not None

    def has(self, key: str) -> bool:
        with self._lock:
            return key in self._entries

    def clear(self) -> bool:
        with self._lock:
            self._entries.clear()
        return True

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        """The keys held, the one read longest ago first (a snapshot)."""
        with self._lock:
            return iter(list(self._entries))
