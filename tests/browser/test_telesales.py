"""Telesales in a real browser: the double-click price edit, the copy-link button, approving and rejecting."""
import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Product, Role
from portal.telesales import checkout
from tests.factories import PASSWORD, Factory
from tests.telesales.helpers import cart_with_items

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def telesales_data(live_server):
    """Commit an operator, an admin, a catalogue and two orders waiting for price approval."""
    with live_server.app.app_context():
        make = Factory(_db)
        operator = make.user(Role.operator, email="op-browser@example.com")
        make.user(Role.admin, email="admin-browser@example.com")
        customer = make.user(email="cliente-browser@example.com")
        products = {sku: Product(sku=sku, name=name, price_cents=price, active=True)
                    for sku, name, price in (("CAM-001", "Camiseta azul", 4990), ("CAN-002", "Caneca", 2500))}
        _db.session.add_all(products.values())
        _db.session.flush()
        numbers = []
        for _ in range(2):
            cart = cart_with_items(_db, operator, products, customer, manual=True)
            numbers.append(checkout.place(cart, customer=customer, operator=operator).number)
        _db.session.commit()
    return numbers


def _sign_in(page, email):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("input[name=password]")).to_have_count(0)


def test_double_click_edits_the_price_and_the_link_is_copied(make_context, telesales_data):
    context = make_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    _sign_in(page, "op-browser@example.com")
    page.goto("/telesales/cart")
    page.locator("#sku").fill("CAN-002")
    page.locator("#sku").press("Enter")
    price = page.locator('[data-line="CAN-002"] [data-price-display]')
    expect(price).to_be_visible()
    price.dblclick()
    field = page.locator('[data-line="CAN-002"] [data-price-input]')
    expect(field).to_be_focused()
    field.fill("19,90")
    page.locator('[data-line="CAN-002"] input[name=reason]').fill("Brinde de fidelidade")
    page.locator('[data-line="CAN-002"] input[name=reason]').press("Enter")
    expect(page.locator('[data-line="CAN-002"]')).to_contain_text("Brinde de fidelidade")
    expect(price).to_contain_text("19,90")
    page.locator("form[action$='/telesales/cart/share'] button").click()
    link = page.locator("[data-share-link]").input_value()
    assert "/cart/" in link
    expect(page.locator("img.telesales-qr")).to_be_visible()
    page.locator("button[data-copy]").click()
    status = page.locator("[data-copy-status]")
    expect(status).to_have_text(status.get_attribute("data-copied"))
    assert page.evaluate("() => navigator.clipboard.readText()") == link


def test_an_admin_approves_one_order_and_rejects_another(page, telesales_data):
    approved, rejected = telesales_data
    _sign_in(page, "admin-browser@example.com")
    page.goto("/telesales/approvals")
    page.locator(f'form[action$="/approvals/{approved}/approve"] button').click()
    expect(page.locator(f'[data-pending="{approved}"]')).to_have_count(0)
    section = page.locator(f'[data-pending="{rejected}"]')
    section.locator("textarea[name=reason]").fill("Desconto acima do permitido")
    section.locator(f'form[action$="/approvals/{rejected}/reject"] button').click()
    expect(page.locator(f'[data-pending="{rejected}"]')).to_have_count(0)
    expect(page.locator(".flash")).to_contain_text(rejected)
