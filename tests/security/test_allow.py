"""Every 405 answer, HTML or JSON, names the methods the URL does take in an `Allow` header (RFC 9110, 15.5.6).

Swept over every rule of app.url_map with a method the rule does not take; the router decides nothing about
ownership, so any value of the right type fills the URL.
"""
import re

import pytest

pytestmark = pytest.mark.db

TRIED = ("DELETE", "PATCH", "PUT", "POST", "GET")
SAMPLE = {"int": "1", "path": "css/portal.css"}
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def sample_url(rule) -> str:
    """Build the rule's URL with a value of each argument's type."""
    values = {name: SAMPLE.get(converter or "string", "x1") for converter, name in _ARGUMENT.findall(rule.rule)}
    return rule.build(values, append_unknown=False)[1]


def refused_methods(app):
    """Yield (url, method, allowed) for a method each rule's URL does not take."""
    adapter = app.url_map.bind("portal.test")
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        url = sample_url(rule)
        allowed = set(adapter.allowed_methods(url))
        method = next((method for method in TRIED if method not in allowed), None)
        if method is not None:
            yield url, method, allowed


def test_every_405_names_the_allowed_methods(app, client):
    wrong = []
    tried = 0
    for url, method, allowed in refused_methods(app):
        response = client.open(url, method=method, headers={"Accept": "text/html"})
        tried += 1
        given = {part.strip() for part in response.headers.get("Allow", "").split(",") if part.strip()}
        if response.status_code != 405 or given != allowed:
            wrong.append(f"{method} {url}: {response.status_code}, Allow {sorted(given)} (expected {sorted(allowed)})")
    assert tried >= 100
    assert wrong == []


@pytest.mark.parametrize("url, method, kind, allowed", [
    ("/logout", "GET", "text/html", {"POST", "OPTIONS"}),
    ("/orders", "DELETE", "text/html", {"GET", "HEAD", "OPTIONS"}),
    ("/api/v1/products", "GET", "application/json", {"PUT", "OPTIONS"}),
    ("/api/v1/orders/1", "DELETE", "application/json", {"GET", "HEAD", "PUT", "OPTIONS"}),
])
def test_html_and_api_405_answers_carry_allow(client, url, method, kind, allowed):
    response = client.open(url, method=method)
    assert response.status_code == 405 and response.mimetype == kind
    assert {part.strip() for part in response.headers["Allow"].split(",")} == allowed
