"""The API reference page in a real browser: nothing blocked by the CSP, readable on a phone, keyboard-reachable."""

import pytest
from playwright.sync_api import expect

from .screens import PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_api_reference_loads_cleanly_and_fits_a_phone(page):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(request.url))
    page.set_viewport_size(PHONE)
    response = page.goto("/api/v1/docs")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Referência da API")
    expect(page.locator("#op-putOrder")).to_contain_text("PUT /api/v1/orders/{number}")
    assert page_width(page) <= PHONE["width"]
    assert problems == []

    page.get_by_role("link", name="PUT /api/v1/orders/{number}").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(page.url.split("#")[0] + "#op-putOrder")
    page.locator("#op-putOrder").get_by_role("link", name="OrderInput").click()
    expect(page.locator("#schema-OrderInput")).to_be_in_viewport()
