"""A circuit breaker: stop asking a service that has stopped answering, for a while.

A short timeout bounds what one call to a hung server costs, but a page that makes
five calls would still pay it five times, and every request would pay it again. A
breaker remembers the failure instead. It is *closed* while the service answers;
the first call that fails *opens* it, and for ``open_seconds`` every call fails at
once with :class:`Unavailable`, without going near the network, so the caller
falls back (the cache computes its answer afresh). Then one call is let through to
probe (*half-open*): if it succeeds the breaker closes, if not it opens again.

It is kept per process: each gunicorn worker finds out on its own, which costs one
timeout per worker per ``open_seconds``. It logs twice per outage, once when it
opens and once when it closes, however many requests it turned away in between.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Unavailable(Exception):
    """The service did not answer just now, or did not a moment ago and was not asked."""


class CircuitBreaker:
    """Guards calls to one service; ``failures`` are the exceptions that mean it is down."""

    def __init__(self, service: str, open_seconds: float, logger: logging.Logger,
                 failures: tuple[type[BaseException], ...] = (OSError,)) -> None:
        self.service = service
        self.open_seconds = open_seconds
        self.failures = failures
        self._logger = logger
        self._lock = threading.Lock()
        self._retry_at: float | None = None  # None: closed
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._retry_at is not None

    def call(self, function: Callable[..., T], *args, **kwargs) -> T:
        """``function(*args, **kwargs)`` while the service answers; else :class:`Unavailable`."""
        if not self._may_call():
            raise Unavailable(f"{self.service} is skipped after a failure")
        try:
            result = function(*args, **kwargs)
        except self.failures as error:
            self._opened(error)
            raise Unavailable(f"{self.service} did not answer: {error}") from error
        except BaseException:
            self._answered()  # it answered, with an error of another kind
            raise
        self._answered()
        return result

    def _may_call(self) -> bool:
        if self._retry_at is None:  # closed: the common case takes no lock
            return True
        with self._lock:
            if self._retry_at is None:
                return True
            if self._probing or time.monotonic() < self._retry_at:
                return False
            self._probing = True  # this call probes; the others keep skipping meanwhile
            return True

    def _opened(self, error: BaseException) -> None:
        with self._lock:
            was_closed = self._retry_at is None
            self._retry_at = time.monotonic() + self.open_seconds
            self._probing = False
        if was_closed:
            self._logger.warning("%s is not answering (%s); skipping it for %g s at a time",
                                 self.service, error, self.open_seconds)

    def _answered(self) -> None:
        if self._retry_at is None:
            return
        with self._lock:
            was_open = self._retry_at is not None
            self._retry_at = None
            self._probing = False
        if was_open:
            self._logger.warning("%s answers again; using it", self.service)
