"""A cache for reads that are the same for every visitor, and its invalidation.

What is cached: answers that cost queries and do not depend on who is asking
(popular posts, category counts, feeds, the sitemap), as plain data (ids,
strings, numbers), never ORM objects and never a page rendered for one user.

How it stays fresh: each entry belongs to one or more *namespaces* ("posts",
"engagement", "categories"), and its key includes each namespace's current
*version*, a random token. The service that changes the data calls
:func:`invalidate`, which gives the namespace a new token: every key built on
the old one is never read again, and expires on its own. So a new comment or an
edit is visible on the very next request, without listing every key it touches.

Where it lives: Redis at ``REDIS_URL`` when that is set (every worker shares it,
so an invalidation in one worker reaches the others), else this process's
memory. If Redis stops answering, reads compute afresh and nothing breaks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar
from uuid import uuid4

from flask import Flask, g, has_request_context

from microblog.extensions import cache

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
        settings = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": app.config["REDIS_URL"],
            # A Redis that stops answering costs a request at most a second.
            "CACHE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache.init_app(app, config={**app.config, **settings})


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
    """The tokens of ``names`` from the cache, giving one to any that has none yet."""
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


def cached(key: str, compute: Callable[[], T], depends_on: Iterable[str],
           timeout: int | None = None) -> T:
    """``compute()``, or its stored result while none of ``depends_on`` has changed."""
    try:
        full_key = ":".join([key, *_versions(depends_on)])
        value = cache.get(full_key)
    except Exception as error:  # the cache is down: the page must not be
        logger.warning("cache unavailable (%s); computing %s afresh", error, key)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(full_key, value, timeout=timeout)
        except Exception as error:
            logger.warning("cache unavailable (%s); %s not stored", error, key)
    return value


def invalidate(*namespaces: str) -> None:
    """Forget everything cached under ``namespaces``: call it after the change commits."""
    known = _request_versions()
    for name in namespaces:
        if known is not None:
            known.pop(name, None)  # this request's next read asks for the new token
        try:
            cache.set(_version_key(name), uuid4().hex, timeout=0)
        except Exception as error:
            # Entries under the old version live until CACHE_DEFAULT_TIMEOUT: say so loudly.
            logger.error("cache unavailable (%s); could not invalidate %s", error, name)
