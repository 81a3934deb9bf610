"""Layout and keyboard checks: no sideways scrolling on a phone, a visible skip link first in tab order."""

import pytest
from playwright.sync_api import expect

from .screens import DESKTOP, PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_no_horizontal_scroll_on_a_phone(shopper, live_data):
    shopper.set_viewport_size(PHONE)
    wide = {}
    width = page_width(shopper)
    if width > PHONE["width"]:
        wide[shopper.url] = width
    for number in live_data.own_orders:
        shopper.goto(f"/orders/{number}")
        shopper.locator("[data-step]").first.wait_for()
        width = page_width(shopper)
        if width > PHONE["width"]:
            wide[f"/orders/{number}"] = width

    assert wide == {}, f"pages wider than {PHONE['width']} px"


def test_no_horizontal_scroll_on_a_phone_with_tracking_open(shopper, live_data):
    shopper.set_viewport_size(PHONE)
    shopper.goto(f"/orders/{live_data.embed}")
    shopper.locator('a[data-tracking="embed"]').click()
    expect(shopper.locator("#tracking-frame iframe")).to_be_visible()
    assert page_width(shopper) <= PHONE["width"]

    shopper.goto(f"/orders/{live_data.correios}")
    shopper.locator('a[data-tracking="correios"]').click()
    expect(shopper.locator("dialog#tracking-dialog [data-tracking-event]").first).to_be_visible()
    assert page_width(shopper) <= PHONE["width"]


def _assert_skip_link_first(page, viewport):
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_count(1)
    tag, href = focused.evaluate("el => [el.tagName.toLowerCase(), el.getAttribute('href') || '']")
    assert tag == "a" and href.startswith("#") and len(href) > 1, f"first Tab stop is <{tag} href={href!r}>"
    expect(page.locator(href)).to_have_count(1)
    expect(focused).to_be_visible()
    expect(focused).not_to_have_text("")
    box = focused.bounding_box()
    assert box and box["width"] >= 8 and box["height"] >= 8, f"skip link is not visible when focused: {box}"
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"], box


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_skip_link_is_first_tab_stop_and_visible_on_order_page(shopper, live_data, viewport):
    shopper.set_viewport_size(viewport)
    shopper.goto(f"/orders/{live_data.correios}")

    _assert_skip_link_first(shopper, viewport)
