"""The buyer's orders list and order page in a real browser: sign-in, timeline and the three tracking actions."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from portal.extensions import db as _db
from portal.models import Order

from .screens import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])

DELIVERED_EVENT = "Objeto entregue ao destinatário"
POSTED_EVENT = "Objeto postado"
DELIVERY_PLACE = re.compile(r"S[AÃ]O PAULO", re.IGNORECASE)
CANNED_EVENTS = 5


def steps_of(page) -> list[tuple[str, str]]:
    """Read the timeline as (step, state) pairs in page order."""
    page.locator("[data-step]").first.wait_for()
    return page.locator("[data-step]").evaluate_all("els => els.map(el => [el.dataset.step, el.dataset.state])")


def csp_directives(header: str) -> dict[str, str]:
    """Split a Content-Security-Policy header into {directive: sources}."""
    pairs = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {pair[0].lower(): (pair[1].strip() if len(pair) > 1 else "") for pair in pairs}


@VIEWPORTS
def test_sign_in_lists_own_orders_and_opens_one(page, live_data, viewport):
    page.set_viewport_size(viewport)
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^pt", re.IGNORECASE))
    page.locator("input[name=email]").fill(live_data.email)
    page.locator("input[name=password]").fill(live_data.password)
    page.locator("input[name=password]").press("Enter")

    for number in live_data.own_orders:
        expect(page.locator(f'a[href="/orders/{number}"]').first).to_be_visible()
    expect(page.locator(f'a[href="/orders/{live_data.someone_elses}"]')).to_have_count(0)

    page.locator(f'a[href="/orders/{live_data.correios}"]').first.click()
    expect(page).to_have_url(re.compile(rf"/orders/{live_data.correios}$"))
    expect(page.locator("[data-step]").first).to_be_visible()


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (
            "awaiting_payment",
            [("placed", "done"), ("paid", "current"), ("shipped", "pending"), ("delivered", "pending")],
        ),
        ("paid", [("placed", "done"), ("paid", "done"), ("shipped", "current"), ("delivered", "pending")]),
        ("correios", [("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "current")]),
        ("delivered", [("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "done")]),
        ("cancelled", [("placed", "done"), ("cancelled", "done")]),
    ],
)
def test_timeline_shows_each_step_with_its_state(shopper, live_server, live_data, order, expected):
    # The store's own steps: a delivery the carrier reported (once another test fetched the history) is not one.
    with live_server.app.app_context():
        _db.session.execute(update(Order).where(Order.number == getattr(live_data, order))
                            .values(carrier_delivered_at=None))
        _db.session.commit()
    shopper.goto(f"/orders/{getattr(live_data, order)}")

    assert [tuple(step) for step in steps_of(shopper)] == expected


def test_cancelled_order_has_cancelled_step_and_no_delivered_step(shopper, live_data):
    shopper.goto(f"/orders/{live_data.cancelled}")

    expect(shopper.locator('[data-step="cancelled"]')).to_have_count(1)
    expect(shopper.locator('[data-step="cancelled"]')).to_be_visible()
    expect(shopper.locator('[data-step="delivered"]')).to_have_count(0)


@VIEWPORTS
def test_correios_tracking_opens_dialog_with_history_and_escape_closes_it(shopper, live_data, viewport):
    shopper.set_viewport_size(viewport)
    shopper.goto(f"/orders/{live_data.correios}")
    link = shopper.locator('a[data-tracking="correios"]')
    dialog = shopper.locator("dialog#tracking-dialog")
    expect(dialog).to_be_hidden()

    link.click()

    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-tracking-event]")).to_have_count(CANNED_EVENTS)
    expect(dialog).to_contain_text(DELIVERED_EVENT)
    expect(dialog).to_contain_text(POSTED_EVENT)
    expect(dialog.locator("[data-tracking-event]").filter(has_text=DELIVERED_EVENT)).to_contain_text(DELIVERY_PLACE)

    shopper.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()


@VIEWPORTS
def test_trusted_https_link_embeds_in_sandboxed_frame(shopper, live_data, viewport):
    shopper.set_viewport_size(viewport)
    response = shopper.goto(f"/orders/{live_data.embed}")
    assert csp_directives(response.headers["content-security-policy"])["frame-src"] == (
        f"https://{live_data.trusted_host}"
    )

    shopper.locator('a[data-tracking="embed"]').click()

    frame = shopper.locator("#tracking-frame iframe[sandbox]")
    expect(frame).to_be_visible()
    expect(frame).to_have_attribute("src", live_data.embed_url)
    sandbox = set((frame.get_attribute("sandbox") or "").split())
    assert not sandbox & {"allow-top-navigation", "allow-popups-to-escape-sandbox"}, sandbox
    # A way out when the carrier's page fails to load: the same address in a new tab, right under the frame.
    way_out = shopper.locator("#tracking-frame iframe + .tracking-frame__out a[data-tracking-new-tab]")
    expect(way_out).to_be_visible()
    expect(way_out).to_have_attribute("href", live_data.embed_url)
    expect(way_out).to_have_attribute("target", "_blank")
    assert {"noopener", "noreferrer"} <= set((way_out.get_attribute("rel") or "").split())


def test_untrusted_https_link_opens_in_new_tab_without_opener(shopper, live_data):
    shopper.goto(f"/orders/{live_data.new_tab}")

    link = shopper.locator('a[data-tracking="new_tab"]')
    expect(link).to_have_attribute("href", live_data.new_tab_url)
    expect(link).to_have_attribute("target", "_blank")
    rel = set((link.get_attribute("rel") or "").lower().split())
    assert {"noopener", "noreferrer"} <= rel, rel
    expect(shopper.locator('a[data-tracking="embed"], #tracking-frame iframe')).to_have_count(0)


def test_correios_link_leads_to_history_page_without_javascript(make_context, sign_in, live_data, live_server):
    page = make_context(java_script_enabled=False).new_page()
    sign_in(page)
    page.goto(f"/orders/{live_data.correios}")
    link = page.locator('a[data-tracking="correios"]')
    href = link.get_attribute("href") or ""
    assert href.startswith("/") or href.startswith(live_server.url + "/"), f"not a portal page: {href!r}"

    link.click()

    expect(page).not_to_have_url(re.compile(rf"/orders/{live_data.correios}$"))
    # While the history is being fetched the page asks to be reloaded; a shopper without JavaScript does so.
    for _ in range(5):
        if not page.locator("[data-tracking-refreshing]").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("body")).to_contain_text(DELIVERED_EVENT)
    expect(page.locator("body")).to_contain_text(POSTED_EVENT)
    expect(page.locator("body")).to_contain_text(DELIVERY_PLACE)
