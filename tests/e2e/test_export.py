"""Exporting your data in Chromium: start it, watch the bar move to 100 %, download the ZIP.

The page follows the task by itself (``static/js/task-progress.js`` polls
``/tasks/<id>``): the test never reloads it. To see the bar part-way, the task is held
at half-way (its progress written, then a wait for the test) until the page shows it.
"""

from __future__ import annotations

import json
import threading
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from microblog import jobs
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.post import Post
from tests.e2e.conftest import log_in

POSTS = 50


@pytest.mark.e2e
def test_export_progress_reaches_100_and_the_download_is_the_zip(page: Page, make_user,
                                                                  monkeypatch):
    susan = make_user("susan")
    start = utcnow() - timedelta(days=1)
    db.session.execute(sa.insert(Post), [
        {"user_id": susan.id, "body": f"Post {n}", "body_html": f"<p>Post {n}</p>",
         "published_at": start + timedelta(minutes=n)} for n in range(POSTS)])
    db.session.commit()

    halfway, go_on = threading.Event(), threading.Event()
    set_progress = jobs.set_progress

    def held_at_half(percent):
        set_progress(percent)
        if percent >= 50 and not halfway.is_set():
            halfway.set()
            go_on.wait(20)

    monkeypatch.setattr(jobs, "set_progress", held_at_half)
    log_in(page, "susan")
    page.goto("/settings")
    page.get_by_role("link", name="Export data").click()
    expect(page.get_by_role("heading", name="Export your data")).to_be_visible()
    page.get_by_role("button", name="Export my data").click()

    bar = page.locator("#export-progress progress")
    expect(page.locator("#export-progress")).to_be_visible()
    assert halfway.wait(20)
    expect(page.locator("#export-progress .task-percent")).to_have_text("50 %")
    expect(page.locator("#export-progress .task-message")).to_have_text("In progress…")
    assert bar.evaluate("bar => bar.value") == 50
    expect(page.locator(".task-reload")).to_be_hidden()  # the script follows it instead
    go_on.set()

    # Done: the page shows the full bar and the Download link, with no reload by us.
    done = page.locator("#export progress")
    expect(done).to_have_attribute("value", "100", timeout=20_000)
    link = page.get_by_role("link", name="Download")
    expect(link).to_be_visible()
    expect(page.locator("#export")).to_contain_text("available until")

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("microblog-susan-")
    with zipfile.ZipFile(download.path()) as archive:
        assert json.loads(archive.read("profile.json"))["username"] == "susan"
        exported = json.loads(archive.read("posts.json"))
    assert sorted(post["body_markdown"] for post in exported) == sorted(
        f"Post {n}" for n in range(POSTS))
    assert not page.problems.script_errors and not page.problems.failed_responses
