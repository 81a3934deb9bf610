"""Static files: fingerprinted URLs kept for a year, others revalidated, compressed once; JSON compressed, HTML not."""
import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli
import pytest

from portal.models import StoreSettings

STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"
YEAR = "max-age=31536000"


def _digest(relative: str) -> str:
    return hashlib.sha256((STATIC / relative).read_bytes()).hexdigest()[:12]


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_every_static_url_on_a_page_names_the_file_content(client, factory, login):
    login(factory.user())
    html = client.get("/orders").get_data(as_text=True)
    urls = _static_urls(html)
    assert any("css/portal.css" in url for url in urls)
    for url in urls:
        path, _, query = url.partition("?")
        assert query == f"v={_digest(path.removeprefix('/static/'))}", url


def test_the_current_fingerprint_is_kept_for_a_year(client):
    response = client.get(f"/static/css/portal.css?v={_digest('css/portal.css')}")
    assert response.status_code == 200
    assert YEAR in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.data == (STATIC / "css/portal.css").read_bytes()


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"], ids=["no fingerprint", "an old fingerprint"])
def test_any_other_url_is_revalidated_with_its_etag(client, query):
    response = client.get(f"/static/css/portal.css{query}")
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert YEAR not in response.headers["Cache-Control"]
    again = client.get(f"/static/css/portal.css{query}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


@pytest.mark.parametrize("coding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_text_assets_are_sent_compressed_to_browsers_that_accept_it(client, coding, decode):
    original = (STATIC / "css/portal.css").read_bytes()
    response = client.get("/static/css/portal.css", headers={"Accept-Encoding": coding})
    assert response.headers["Content-Encoding"] == coding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < len(original) / 2
    assert decode(response.data) == original
    # A compressed form has its own validator: a cache must not answer 304 with the other form.
    plain = client.get("/static/css/portal.css")
    assert plain.headers.get("Content-Encoding") is None
    assert plain.headers["ETag"] != response.headers["ETag"]


def test_brotli_is_preferred_and_a_refused_coding_is_never_sent(client):
    both = client.get("/static/js/staff_workspace.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert both.headers["Content-Encoding"] == "br"
    no_br = client.get("/static/js/staff_workspace.js", headers={"Accept-Encoding": "gzip, br;q=0"})
    assert no_br.headers["Content-Encoding"] == "gzip"
    neither = client.get("/static/js/staff_workspace.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in neither.headers


def test_static_responses_carry_the_security_headers(client):
    response = client.get("/static/js/attachments.js")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype in ("text/javascript", "application/javascript")


@pytest.mark.parametrize("path", ["/static/../config.py", "/static/%2e%2e/config.py", "/static/css/missing.css",
                                  "/static/css", "/static/css/../../__init__.py"])
def test_nothing_outside_the_static_folder_or_missing_is_served(client, path):
    assert client.get(path).status_code == 404


def test_json_is_compressed_and_html_is_not(client, factory, login):
    document = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "br, gzip"})
    assert document.headers["Content-Encoding"] == "br"
    assert "paths" in json.loads(brotli.decompress(document.data))

    login(factory.user())
    page = client.get("/orders", headers={"Accept-Encoding": "br, gzip"})
    assert page.status_code == 200
    # Pages hold the CSRF token beside text users typed: compressing them would expose it to BREACH.
    assert "Content-Encoding" not in page.headers
    assert page.get_data(as_text=True).lstrip().lower().startswith("<!doctype html")


def test_theme_css_is_kept_while_the_colours_stay_and_changes_url_with_them(client, factory, login, db):
    login(factory.user())
    first = re.search(r'href="(/theme\.css\?v=[0-9a-f]+)"', client.get("/orders").get_data(as_text=True)).group(1)
    cached = client.get(first)
    assert YEAR in cached.headers["Cache-Control"] and "immutable" in cached.headers["Cache-Control"]

    settings = StoreSettings.get()
    settings.primary_color = "#123456"
    db.session.commit()
    second = re.search(r'href="(/theme\.css\?v=[0-9a-f]+)"', client.get("/orders").get_data(as_text=True)).group(1)
    assert second != first
    assert "#123456" in client.get(second).get_data(as_text=True)
    # The old URL still answers the current colours, but only until revalidated.
    stale = client.get(first)
    assert "#123456" in stale.get_data(as_text=True)
    assert "no-cache" in stale.headers["Cache-Control"]
