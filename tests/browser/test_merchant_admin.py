"""The merchant area in a real browser: from a portal that is not ready to an active one, then the buyer's view."""

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Role, StoreSettings, TrustedHost
from portal.models.settings import DEFAULT_ACCENT, DEFAULT_PRIMARY

from ..factories import PASSWORD, Factory
from .screens import page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ADMIN_EMAIL = "lojista@example.com"
BUYER_EMAIL = "compradora.tema@example.com"
NEW_HOST = "rastreio.minhaloja.test"
TRACKING_URL = f"https://{NEW_HOST}/objetos/510001"
ADDITIONAL = "EM SEPARAÇÃO NA LOJA"
PRIMARY, ACCENT = "#7a1f5c", "#1f5c7a"
PRIMARY_RGB = "rgb(122, 31, 92)"
ACCENT_RGB = "rgb(31, 92, 122)"


@pytest.fixture(scope="module")
def merchant_data(live_server, live_data):
    """Commit an admin, a buyer with an order tracked on a not-yet-trusted host and an untyped status.

    Afterwards the shared live database gets back what other browser tests expect: default colours, the portal
    on, and no extra trusted host.
    """
    app = live_server.app
    with app.app_context():
        make = Factory(_db)
        if _db.session.scalar(_db.select(StoreSettings.id).where(StoreSettings.id == 1)) is None:
            _db.session.add(StoreSettings(id=1))
        make.user(Role.admin, email=ADMIN_EMAIL, name="Lojista")
        buyer = make.user(email=BUYER_EMAIL, name="Clara")
        make.status(ADDITIONAL)
        make.order(buyer, "ENVIADO", paid=True, shipped=True, shipping_code=TRACKING_URL, number="510001")
        _db.session.commit()
    yield
    with app.app_context():
        settings = StoreSettings.get()
        settings.primary_color, settings.accent_color, settings.portal_active = DEFAULT_PRIMARY, DEFAULT_ACCENT, True
        _db.session.execute(_db.delete(TrustedHost).where(TrustedHost.host == NEW_HOST))
        _db.session.commit()


@pytest.fixture
def merchant(live_server, merchant_data):
    """Switch the portal off before the test."""
    with live_server.app.app_context():
        StoreSettings.get().portal_active = False
        _db.session.commit()


def sign_in_as(page, email):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_walk_the_checklist_to_active_and_see_the_buyer_page(merchant, make_context, live_data):
    admin = make_context().new_page()
    sign_in_as(admin, ADMIN_EMAIL)
    admin.goto("/merchant-admin/")
    expect(admin.locator("[data-portal-state]")).to_have_attribute("data-portal-state", "inactive")
    expect(admin.locator("[data-checklist]")).to_have_attribute("data-checklist", "not-ready")
    expect(admin.locator('[data-item="status-types"]')).to_contain_text(ADDITIONAL)

    # Type the additional status.
    admin.locator('[data-item="status-types"] a').click()
    admin.locator(f'tr[data-status="{ADDITIONAL}"] a').click()
    admin.locator("select[name=type]").select_option("in_progress")
    admin.locator("[data-status-form] button[type=submit]").click()
    expect(admin.locator(f'tr[data-status="{ADDITIONAL}"]')).to_have_attribute("data-type", "in_progress")

    # Review the rules.
    admin.goto("/merchant-admin/rules")
    admin.locator("[data-rules-form] button[type=submit]").click()
    expect(admin.locator(".flash--success")).to_be_visible()

    # Trust the carrier's host by pasting a tracking link, then check that link in the test box.
    admin.goto("/merchant-admin/hosts")
    admin.locator("[data-host-form] input[name=host]").fill(TRACKING_URL)
    admin.locator("[data-host-form] button[type=submit]").click()
    expect(admin.locator(".flash--warning")).to_contain_text(NEW_HOST)
    expect(admin.locator(f'[data-host="{NEW_HOST}"]')).to_be_visible()
    admin.locator("[data-test-form] input[name=value]").fill(TRACKING_URL)
    admin.locator("[data-test-form] button[type=submit]").click()
    expect(admin.locator(".test-result")).to_have_attribute("data-kind", "embed")

    # Change the colours: the preview follows before saving.
    admin.goto("/merchant-admin/colours")
    admin.locator("input[name=primary_color]").fill(PRIMARY)
    admin.locator("input[name=accent_color]").fill(ACCENT)
    header = admin.locator(".preview__header")
    expect(header).to_have_css("background-color", PRIMARY_RGB)
    admin.locator("[data-colours-form] button[type=submit]").click()
    expect(admin.locator(".flash--success")).to_be_visible()

    # The checklist is complete: switch on without any confirmation.
    admin.goto("/merchant-admin/")
    expect(admin.locator("[data-checklist]")).to_have_attribute("data-checklist", "ready")
    admin.locator('[data-switch="on"]').click()
    expect(admin.locator("[data-portal-state]")).to_have_attribute("data-portal-state", "active")

    # The buyer sees the new colours and the link opening inside the portal.
    buyer = make_context().new_page()
    sign_in_as(buyer, BUYER_EMAIL)
    buyer.goto("/orders/510001")
    expect(buyer.locator('a[data-tracking="embed"]')).to_be_visible()
    primary = buyer.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--color-primary').trim()")
    assert primary == PRIMARY
    expect(buyer.locator(".site-header")).to_have_css("background-color", PRIMARY_RGB)
    expect(buyer.locator('a[data-tracking="embed"]')).to_have_css("background-color", ACCENT_RGB)


def test_buyers_meet_a_notice_while_the_portal_is_off(merchant, make_context):
    page = make_context().new_page()
    response = page.goto("/orders")
    assert response.status == 503
    expect(page.locator("[data-portal-off]")).to_be_visible()


def test_every_merchant_page_fits_a_phone(merchant_data, make_context, live_server):
    with live_server.app.test_request_context():
        paths = sorted(
            rule.rule
            for rule in live_server.app.url_map.iter_rules()
            if rule.endpoint.startswith("merchant_admin.") and "GET" in rule.methods and not rule.arguments
        )
    page = make_context().new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in_as(page, ADMIN_EMAIL)
    wide = {}
    for path in paths:
        page.goto(path)
        width = page_width(page)
        if width > 375:
            wide[path] = width
    assert len(paths) >= 12 and wide == {}
