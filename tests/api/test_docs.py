"""The API reference page: generated from the same document, public, self-contained, translated."""
import re

import pytest


@pytest.fixture
def page(client):
    response = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response


def test_the_page_names_every_operation_and_schema_of_the_document(client, page):
    document = client.get("/api/v1/openapi.json").get_json()
    html = page.get_data(as_text=True)
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            assert f"{method.upper()} {path}" in html, (method, path)
            assert f'id="op-{spec["operationId"]}"' in html
            for status in spec["responses"]:
                assert f"<td>{status}</td>" in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html, name
    for target in set(re.findall(r'href="#([^"]+)"', html)):
        assert f'id="{target}"' in html, target


def test_the_page_needs_no_token_and_loads_nothing_from_elsewhere(page):
    html = page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for attribute in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert not re.match(r"(?:[a-z]+:)?//", attribute), attribute
    assert "<style" not in html and " style=" not in html and "<script>" not in html


def test_the_page_shows_fields_limits_and_required_marks(page):
    html = page.get_data(as_text=True)
    section = html[html.index('id="schema-OrderInput"'):]
    section = section[:section.index("</section>")]
    assert "<code>placed_at</code> <span class=\"api-docs__required\">(required)</span>" in section
    assert "at most 500 items" in section and 'href="#schema-ItemInput"' in section
    assert "Other fields are refused." in section


def test_the_page_speaks_the_callers_language(client):
    html = client.get("/api/v1/docs", headers={"Accept-Language": "pt-BR"}).get_data(as_text=True)
    assert "Referência da API" in html and "Respostas" in html and "(obrigatório)" in html
    assert "API reference" not in html


def test_the_document_is_built_once_per_app(app, client):
    first = client.get("/api/v1/openapi.json").get_json()
    assert app.extensions["api_openapi"] is not None
    cached = app.extensions["api_openapi"]
    client.get("/api/v1/docs")
    assert app.extensions["api_openapi"] is cached
    assert client.get("/api/v1/openapi.json").get_json() == first
