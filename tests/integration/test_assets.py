"""Every stylesheet and script a page uses is served by the app itself (no CDN)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "microblog" / "templates"
# Stylesheets, icons and scripts; not <link rel="alternate">, which names a feed, not a part.
ASSET = re.compile(r'<(?:link(?![^>]*rel="alternate")[^>]+href|script[^>]+src)="([^"]+)"')


def test_page_assets_are_local_and_served(client):
    page = client.get("/explore").get_data(as_text=True)
    assets = ASSET.findall(page)
    assert any("bootstrap.min.css" in a for a in assets)
    assert any("bootstrap.bundle.min.js" in a for a in assets)
    assert any("local-time.js" in a for a in assets)
    for url in assets:
        assert url.startswith("/static/"), f"{url} is not served by the app"
        response = client.get(url)
        assert response.status_code == 200, f"{url} is missing; run `make assets`"
        assert len(response.data) > 100


def test_no_template_loads_code_or_styles_from_another_host():
    for template in TEMPLATES.rglob("*.html"):
        for url in ASSET.findall(template.read_text()):
            assert not re.match(r"(https?:)?//", url), f"{template.name} loads {url}"
