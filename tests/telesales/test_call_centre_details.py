"""Call-centre details: an admin serving a customer, the products page, the link lifetime, the shopper's cart."""
import re
from datetime import timedelta

import pytest

from portal.models import CartItem, OrderStatus, Product, StatusType
from portal.models.statuses import PRICE_APPROVAL

from .helpers import placed_order, shared

pytestmark = pytest.mark.db


def test_an_admin_may_serve_a_customer_too(client, login, admin, customer, act, db):
    login(admin)
    act(admin, customer)
    html = client.get("/account").get_data(as_text=True)
    assert "data-acting-bar" in html and "Carla Cliente" in html and "Ana Admin" in html
    page = client.get("/telesales/cart").get_data(as_text=True)
    assert "Cart for Carla Cliente" in page


def test_the_products_page_lists_searches_and_filters_by_activity(client, login, operator, products, db):
    db.session.add_all([Product(sku=f"LOT-{n:03d}", name=f"Lote {n}", price_cents=100 + n, active=True)
                        for n in range(30)])
    db.session.commit()
    login(operator)
    first = client.get("/staff/products").get_data(as_text=True)
    assert first.count("data-product=") == 25 and 'rel="next"' in first
    assert "OLD-003" not in first
    found = client.get("/staff/products?q=camis").get_data(as_text=True)
    assert re.findall(r'data-product="([^"]+)"', found) == ["CAM-001"]
    assert "R$49.90" in found
    by_sku = client.get("/staff/products?q=CAN-").get_data(as_text=True)
    assert re.findall(r'data-product="([^"]+)"', by_sku) == ["CAN-002"]
    inactive = client.get("/staff/products?active=0").get_data(as_text=True)
    assert re.findall(r'data-product="([^"]+)"', inactive) == ["OLD-003"]
    wildcard = client.get("/staff/products?q=%25").get_data(as_text=True)
    assert "data-product=" not in wildcard


def test_the_merchants_link_lifetime_sets_when_a_shared_cart_expires(db, operator, products, settings):
    settings.cart_link_days = 2
    db.session.commit()
    cart, _raw = shared(db, operator, products)
    assert cart.share_expires_at - cart.shared_at == timedelta(days=2)


def test_the_shopper_removes_a_line_from_a_shared_cart(client, login, customer, db, operator, products, post):
    cart, raw = shared(db, operator, products)
    removed = cart.items[1]
    login(customer)
    response = post(f"/cart/{raw}/items/{removed.id}/remove", page=f"/cart/{raw}")
    assert response.status_code == 302
    assert db.session.get(CartItem, removed.id) is None
    assert "Caneca" not in client.get(f"/cart/{raw}").get_data(as_text=True)
    assert post(f"/cart/{raw}/confirm", page=f"/cart/{raw}").status_code == 302


def test_the_shopper_cannot_touch_a_line_of_another_cart(client, login, customer, db, operator, products, post):
    _cart, raw = shared(db, operator, products)
    other, _other_raw = shared(db, operator, products)
    login(customer)
    foreign = other.items[0]
    assert post(f"/cart/{raw}/items/{foreign.id}/remove", page=f"/cart/{raw}").status_code == 404
    assert db.session.get(CartItem, foreign.id) is not None


def test_the_price_approval_status_is_in_progress_and_before_payment(db, operator, customer, products):
    order = placed_order(db, operator, customer, products, manual=True)
    status = db.session.scalar(db.select(OrderStatus).where(OrderStatus.name == PRICE_APPROVAL))
    assert order.status_id == status.id
    assert status.type is StatusType.in_progress and status.is_before_payment
