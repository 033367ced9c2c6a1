"""What search engines and link previews read: canonical links, descriptions, OpenGraph
and Twitter card tags, robots.txt, and /favicon.ico."""

from __future__ import annotations

import pytest

from microblog.services import posts
from tests.pages import parse


def meta(response) -> dict[str, str]:
    """The page's canonical link and its meta tags, by name or property."""
    assert response.status_code == 200
    head = parse(response).find("head")
    found = {tag.attrs.get("name") or tag.attrs.get("property"): tag.attrs["content"]
             for tag in head.find_all("meta") if "content" in tag.attrs}
    canonical = list(head.find_all("link", rel="canonical"))
    if canonical:
        found["canonical"] = canonical[0].attrs["href"]
    return found


@pytest.fixture
def site(app):
    app.config["SITE_URL"] = "https://blog.example"
    return app


def test_an_article_tells_a_link_preview_its_title_summary_and_one_address(site, client,
                                                                          make_user):
    author = make_user("susan")
    article = posts.create_article(author, "Growing tomatoes", "Sun, water and **patience**. " * 20)

    # Reached by an old spelling of its slug, a different host, a page of comments:
    tags = meta(client.get(f"/post/{article.id}/growing-tomatoes?page=1",
                           base_url="http://127.0.0.1:8000"))

    assert tags["canonical"] == f"https://blog.example/post/{article.id}/growing-tomatoes"
    assert tags["og:url"] == tags["canonical"]
    assert tags["og:type"] == "article"
    assert tags["og:title"] == "Growing tomatoes"
    assert tags["og:site_name"] == "Microblog"
    assert tags["description"].startswith("Sun, water and patience.")
    assert "**" not in tags["description"] and len(tags["description"]) <= 200
    assert tags["og:description"] == tags["description"]
    assert tags["twitter:card"] == "summary"


def test_a_status_is_described_by_its_text_without_its_links(site, client, make_user):
    make_user("amy")
    status = posts.create_post(make_user("susan"), "Red at last <3 thanks @amy #garden")
    tags = meta(client.get(f"/post/{status.id}"))
    assert tags["og:title"] == "susan on Microblog"
    assert tags["description"] == "Red at last <3 thanks @amy #garden"


def test_a_draft_asks_not_to_be_indexed_and_has_no_preview(site, client, make_user):
    author = make_user("susan")
    draft = posts.create_article(author, "Not yet", "Soon.", publish=False)
    client.login("susan")
    tags = meta(client.get(f"/post/{draft.id}/not-yet"))
    assert tags["robots"] == "noindex"
    assert "canonical" not in tags and "og:title" not in tags


def test_a_profile_and_its_tab_each_have_their_own_address(site, client, make_user):
    make_user("susan", about_me="Gardener and reader")
    tags = meta(client.get("/user/susan"))
    assert tags["canonical"] == "https://blog.example/user/susan"
    assert tags["og:type"] == "profile"
    assert tags["og:title"] == "susan on Microblog"
    assert tags["description"] == "Gardener and reader"
    assert "og:image" not in tags  # the identicon is an SVG, which previews do not show
    assert meta(client.get("/user/susan/liked"))["canonical"] == (
        "https://blog.example/user/susan/liked")


def test_robots_txt_keeps_crawlers_out_of_forms_and_points_at_the_sitemap(site, client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /auth/", "Disallow: /settings", "Disallow: /admin/"} <= set(lines)
    assert "Sitemap: https://blog.example/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert client.get(response.headers["Location"]).mimetype == "image/svg+xml"
