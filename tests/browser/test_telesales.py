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
    """Commit an operator, an admin, a catalogue and two orders waiting for price approval (once per server:
    pytest may set a module fixture up again when the browser parametrisation changes)."""
    if getattr(live_server.app, "telesales_numbers", None):
        return live_server.app.telesales_numbers
    with live_server.app.app_context():
        make = Factory(_db)
        operator = make.user(Role.operator, email="op-browser@example.com")
        make.user(Role.admin, email="admin-browser@example.com")
        customer = make.user(email="cliente-browser@example.com")
        products = {
            sku: Product(sku=sku, name=name, price_cents=price, active=True)
            for sku, name, price in (("CAM-001", "Camiseta azul", 4990), ("CAN-002", "Caneca", 2500))
        }
        _db.session.add_all(products.values())
        _db.session.flush()
        numbers = []
        for _ in range(2):
            cart = cart_with_items(_db, operator, products, customer, manual=True)
            numbers.append(checkout.place(cart, customer=customer, operator=operator).number)
        _db.session.commit()
    live_server.app.telesales_numbers = numbers
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
    page.wait_for_load_state("load")  # the price editor's script is deferred: it runs only now
    page.bring_to_front()  # focus follows only the active page; other tests' pages may be open
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
    page.wait_for_load_state("load")  # likewise the copy button's
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


def _session(base: str, email: str):
    import re

    import requests

    session = requests.Session()
    page = session.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    session.post(base + "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, timeout=10)
    return session


def test_two_confirms_at_once_make_exactly_one_order(live_server, telesales_data):
    """Two signed-in sessions of the shopper confirm the same link at the same moment: one order, one 410."""
    import re
    import threading

    from portal.models import Order, User
    from portal.telesales import links
    from tests.telesales.helpers import cart_with_items

    with live_server.app.app_context():
        make = Factory(_db)
        make.user(email="corrida@example.com")
        operator = _db.session.scalar(_db.select(User).where(User.email == "op-browser@example.com"))
        products = {p.sku: p for p in _db.session.scalars(_db.select(Product))}
        raw = links.share(cart_with_items(_db, operator, products))
        _db.session.commit()
    url = f"{live_server.url}/cart/{raw}"
    sessions = [_session(live_server.url, "corrida@example.com") for _ in range(2)]
    tokens = [
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', s.get(url, timeout=10).text).group(1) for s in sessions
    ]
    barrier, answers = threading.Barrier(2), []

    def confirm(session, token):
        barrier.wait()
        answers.append(
            session.post(url + "/confirm", data={"csrf_token": token}, allow_redirects=False, timeout=20).status_code
        )

    threads = [threading.Thread(target=confirm, args=pair) for pair in zip(sessions, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [302, 410]
    with live_server.app.app_context():
        orders = _db.session.scalars(
            _db.select(Order).join(Order.customer).where(Order.customer.has(email="corrida@example.com"))
        ).all()
        assert len(orders) == 1 and orders[0].placed_by_email is None
