"""A picture in an article, in a real browser: chosen in the editor, uploaded by
``static/js/image-upload.js``, its Markdown put at the cursor, and shown to readers
under the Content-Security-Policy."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in, wait_until
from tests.e2e.test_accessibility import axe_source, blocking_violations  # noqa: F401
from tests.e2e.test_content_security_policy import LISTEN_FOR_VIOLATIONS, violations


def png_file(tmp_path, size=(120, 80)):
    path = tmp_path / "harbour-at-dusk.png"
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.e2e
def test_an_uploaded_picture_appears_in_the_published_article(page: Page, make_user, tmp_path):
    make_user("susan")
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    log_in(page, "susan")
    page.goto("/write")
    page.wait_for_load_state("load")
    page.get_by_label("Title").fill("The harbour")
    body = page.get_by_label("Article")
    body.fill("Before.\n\nAfter.")
    body.evaluate("(area) => area.setSelectionRange(8, 8)")  # on the empty line

    page.get_by_label("Add a picture").set_input_files(png_file(tmp_path))

    status = page.locator("#image-upload-status")
    expect(status).to_have_text("The picture is in your article, where the cursor was.")
    expect(body).to_have_value(re.compile(
        r"^Before\.\n!\[harbour at dusk\]\(/uploads/[0-9a-f]{64}\.png\)\nAfter\.$"))
    expect(page.locator("#article-preview img")).to_have_attribute(
        "src", re.compile(r"^/uploads/[0-9a-f]{64}\.png$"))

    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/post/\d+/the-harbour$"))
    picture = page.locator(".article-body img")
    expect(picture).to_have_attribute("alt", "harbour at dusk")
    wait_until(
        page, "(() => { const img = document.querySelector('.article-body img');"
        " return img && img.complete; })()")
    assert picture.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [120, 80]
    assert violations(page) == []
    assert page.problems.script_errors == [] and page.problems.failed_responses == []


@pytest.mark.e2e
def test_a_file_that_is_not_a_picture_is_refused_in_place(page: Page, make_user, tmp_path):
    make_user("susan")
    log_in(page, "susan")
    page.goto("/write")
    page.wait_for_load_state("load")
    body = page.get_by_label("Article")
    body.fill("Nothing to lose.")
    fake = tmp_path / "notes.png"
    fake.write_text("just some text")

    page.get_by_label("Add a picture").set_input_files(fake)

    expect(page.locator("#image-upload-status")).to_have_text(
        "That file is not a picture we can read. Upload a JPEG, PNG, GIF or WebP image.")
    expect(page.get_by_label("Add a picture")).to_have_attribute("aria-invalid", "true")
    expect(body).to_have_value("Nothing to lose.")


@pytest.mark.e2e
def test_without_javascript_the_upload_opens_in_a_new_tab_and_the_article_stays(
    browser, live_server, make_user, tmp_path
):
    make_user("susan")
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    context.set_default_timeout(5_000)
    context.route(lambda url: not url.startswith(live_server + "/"), lambda route: route.abort())
    try:
        page = context.new_page()
        log_in(page, "susan")
        page.goto("/write")
        page.get_by_label("Article").fill("Half an article, typed before the picture.")
        page.get_by_label("Add a picture").set_input_files(png_file(tmp_path))

        with context.expect_page() as opened:
            page.get_by_role("button", name="Upload", exact=True).click()
        result = opened.value
        result.wait_for_load_state()

        markdown = result.locator("#upload-markdown")
        expect(markdown).to_have_value(
            re.compile(r"^!\[harbour at dusk\]\(/uploads/[0-9a-f]{64}\.png\)$"))
        url = markdown.input_value().split("(", 1)[1].rstrip(")")
        shown = result.locator(f'img[src="{url}"]')
        expect(shown).to_be_visible()
        assert shown.evaluate("(img) => img.naturalWidth") == 120
        expect(page.get_by_label("Article")).to_have_value(
            "Half an article, typed before the picture.")
    finally:
        context.close()


@pytest.mark.e2e
def test_the_picture_pages_pass_axe(page: Page, make_user, tmp_path, axe_source):  # noqa: F811
    make_user("susan")
    log_in(page, "susan")
    page.goto("/settings/avatar")
    page.get_by_label("Your picture").set_input_files(png_file(tmp_path))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("Your picture is saved")
    expect(page.locator("#current-avatar")).to_have_attribute(
        "src", re.compile(r"^/uploads/[0-9a-f]{64}\.png$"))
    found = {"/settings/avatar": blocking_violations(page, axe_source)}

    page.goto("/uploads/new")
    found["/uploads/new"] = blocking_violations(page, axe_source)
    page.goto("/write")
    page.wait_for_load_state("load")
    fake = tmp_path / "notes.png"
    fake.write_text("just some text")
    page.get_by_label("Add a picture").set_input_files(fake)
    expect(page.get_by_label("Add a picture")).to_have_attribute("aria-invalid", "true")
    found["/write with a refused picture"] = blocking_violations(page, axe_source)

    assert {where: problems for where, problems in found.items() if problems} == {}
