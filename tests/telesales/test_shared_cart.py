"""Shared cart links: sign-in first, the cart's prices, quantities only, one order, and clear pages when over."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.core.errors import Conflict
from portal.models import Cart, Order, PriceApproval
from portal.models.base import utcnow
from portal.models.statuses import PRICE_APPROVAL
from portal.telesales import checkout, links

from .helpers import shared

pytestmark = pytest.mark.db


def test_only_the_tokens_hash_is_kept(db, operator, products):
    cart, raw = shared(db, operator, products)
    assert len(raw) >= 40 and cart.share_token_hash == links.hash_token(raw) and raw not in cart.share_token_hash
    assert cart.share_expires_at - cart.shared_at == timedelta(days=7)


def test_the_operator_gets_the_link_with_a_qr_code(client, login, operator, products, post, db):
    login(operator)
    post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "1"})
    response = post("/telesales/cart/share")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "http://portal.test/cart/" in page and 'src="data:image/svg+xml;base64,' in page
    assert "data-copy=" in page


def test_anonymous_visitors_sign_in_first_with_a_safe_next(client, db, operator, products):
    _cart, raw = shared(db, operator, products)
    response = client.get(f"/cart/{raw}")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"] and raw in response.headers["Location"]


def test_the_shopper_changes_quantities_and_confirms_an_order_of_their_own(client, login, customer, db, operator,
                                                                           products, post):
    cart, raw = shared(db, operator, products, manual=True)
    login(customer)
    page = client.get(f"/cart/{raw}").get_data(as_text=True)
    assert "R$39.90" in page and 'name="price"' not in page
    item = cart.items[1]
    assert post(f"/cart/{raw}/items/{item.id}/quantity", {"quantity": "3"}, page=f"/cart/{raw}").status_code == 302
    assert post(f"/cart/{raw}/items/{item.id}/price", {"price": "1"}, page=f"/cart/{raw}").status_code in (404, 405)
    response = post(f"/cart/{raw}/confirm", page=f"/cart/{raw}")
    assert response.status_code == 302
    order = db.session.scalar(db.select(Order))
    assert order.customer_id == customer.id and order.placed_by_email is None and order.placed_by_id is None
    assert order.created_in_portal and order.price_approval is PriceApproval.pending
    assert order.status.name == PRICE_APPROVAL
    assert [(i.sku, i.quantity) for i in order.items] == [("CAM-001", 2), ("CAN-002", 3)]


def test_a_used_link_answers_410_and_a_second_confirm_makes_no_second_order(client, login, customer, db, operator,
                                                                            products, post):
    _cart, raw = shared(db, operator, products)
    login(customer)
    token = client.get(f"/cart/{raw}").get_data(as_text=True)
    post(f"/cart/{raw}/confirm", page=f"/cart/{raw}")
    from tests.conftest import _csrf_from
    again = client.post(f"/cart/{raw}/confirm", data={"csrf_token": _csrf_from(token)})
    assert again.status_code == 410
    assert client.get(f"/cart/{raw}").status_code == 410
    assert "already used" in client.get(f"/cart/{raw}").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 1


def test_of_two_confirmations_at_once_only_one_places_the_cart(app, db, customer, operator, products):
    cart, _raw = shared(db, operator, products)
    # The other request won: it placed the cart after this one had read it.
    db.session.execute(update(Cart).where(Cart.id == cart.id).values(version=Cart.version + 1)
                       .execution_options(synchronize_session=False))
    with app.test_request_context(), pytest.raises(Conflict):
        checkout.place(cart, customer=customer)
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0


def test_expired_and_tampered_links_answer_clear_pages(client, login, customer, db, operator, products):
    cart, raw = shared(db, operator, products)
    login(customer)
    assert client.get(f"/cart/{raw}x").status_code == 404
    assert client.get("/cart/" + "A" * 500).status_code == 404
    cart.share_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(f"/cart/{raw}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_staff_cannot_confirm_a_shoppers_link(client, login, admin, db, operator, products):
    _cart, raw = shared(db, operator, products)
    login(admin)
    assert client.get(f"/cart/{raw}").status_code == 403
