"""Fixtures for end-to-end tests: the app served over real HTTP, and a real Chromium.

The server runs the backend's ``app`` (SQLite file or PostgreSQL, see
``tests/conftest.py``) in a background thread on a free loopback port. The
browser is Debian's Chromium driven by Playwright; nothing is downloaded.
Without Chromium the tests are skipped with the reason, except with
``CI=true``, where that is a failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from playwright.sync_api import Error, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"
# Chromium's background calls (updates, sync, QUIC probes) are refused here: turn them off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEZONE = "Asia/Kolkata"  # UTC+05:30: a half-hour offset catches sloppy conversions
LOCALE = "en-US"


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 in a background thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (each test gets its own context)."""
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Error as error:
        playwright.stop()
        _unavailable(f"Chromium at {CHROMIUM} cannot be launched: {error.message.splitlines()[0]}")
    yield chromium
    chromium.close()
    playwright.stop()


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the end-to-end tests are required)")
    pytest.skip(reason)


@dataclass
class PageProblems:
    """What went wrong in the page that a user could notice, collected during a test."""

    origin: str
    script_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def on_page_error(self, error) -> None:
        self.script_errors.append(f"{error.name}: {error.message}")

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        # Requests we blocked on purpose (Gravatar) are reported as failed loads: ignore those.
        if message.text.startswith("Failed to load resource") and not source.startswith(
            self.origin
        ):
            return
        # The badges' catch-up poll of a page whose session a test has just ended (it
        # logged out in another tab or the next step) is answered 401, as designed
        # (errors/handlers.py); the browser logs every 4xx a script fetched.
        if "status of 401" in message.text and "/notifications?since=" in source:
            return
        self.console_errors.append(f"{message.text} ({source})")

    def on_response(self, response) -> None:
        if not response.url.startswith(self.origin) or response.status < 400:
            return
        # The same badge poll as above: a session ended under a page still open.
        if response.status == 401 and "/notifications?since=" in response.url:
            return
        self.failed_responses.append(f"{response.status} {response.url}")


@pytest.fixture
def new_page(browser, live_server: str):
    """Open more browsers: ``new_page()`` is a page in a fresh context (its own cookies,
    as another person's computer), set up as :func:`page` says; closed after the test."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server,
            timezone_id=TIMEZONE,
            locale=LOCALE,
            viewport={"width": 1280, "height": 800},
        )
        contexts.append(context)
        context.set_default_timeout(5_000)
        context.route(lambda url: not url.startswith(live_server + "/"),
                      lambda route: route.abort())
        page = context.new_page()
        problems = PageProblems(origin=live_server)
        page.on("pageerror", problems.on_page_error)
        page.on("console", problems.on_console)
        page.on("response", problems.on_response)
        page.problems = problems
        return page

    yield open_page
    for context in contexts:
        context.close()  # before the server stops, so no keep-alive connection is left open


@pytest.fixture
def page(new_page):
    """A fresh page in Asia/Kolkata, en-US, that can reach only the live server.

    Requests to anywhere else are aborted so the test never touches
    the network. ``page.problems`` collects script errors, console errors and
    our own responses with an error status.
    """
    return new_page()


def log_in(page, username: str) -> None:
    """Sign in through the login form, as a person would, and wait until it took."""
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    page.goto("/auth/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator("nav").get_by_role("button", name="Logout")).to_be_visible()


def wait_until(page, expression: str, seconds: float = 5) -> None:
    """Wait until ``expression`` is true in the page, failing after ``seconds``.

    Not ``page.wait_for_function``: when its first look is false, it polls by evaluating
    the string inside the page, which the app's CSP (no ``'unsafe-eval'``) refuses.
    ``page.evaluate`` goes through the browser's debugging protocol, which the CSP
    does not govern."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(20)
