"""Shared cart links: sign-in first, the cart's prices, quantities only, one order, and clear pages when over."""
import re
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


def test_a_tampered_link_says_it_is_not_valid(client, login, customer, db, operator, products):
    _cart, raw = shared(db, operator, products)
    login(customer)
    for token in (f"{raw}x", raw[:-1], "A" * 500):
        response = client.get(f"/cart/{token}")
        page = response.get_data(as_text=True)
        assert response.status_code == 404, token
        assert "This cart link is not valid." in page and "Camiseta azul" not in page, token


def test_confirming_an_expired_link_is_refused_and_places_no_order(client, login, customer, db, operator, products,
                                                                 csrf_from):
    cart, raw = shared(db, operator, products)
    login(customer)
    token = csrf_from(client.get(f"/cart/{raw}").get_data(as_text=True))
    cart.share_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(f"/cart/{raw}/confirm", data={"csrf_token": token})
    assert response.status_code == 410
    assert "This cart link has expired. Ask the store for a new one." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
    db.session.refresh(cart)
    assert cart.order_id is None


def test_staff_cannot_confirm_a_shoppers_link(client, login, admin, db, operator, products):
    _cart, raw = shared(db, operator, products)
    login(admin)
    assert client.get(f"/cart/{raw}").status_code == 403


def _mails(directory):
    import email
    import email.policy
    if not directory.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in directory.glob("*.eml")]


@pytest.fixture
def mail_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    return tmp_path / "mail"


def _share_while_serving(client, login, operator, customer, act, post, data):
    login(operator)
    act(operator, customer)
    assert post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "2"}).status_code == 302
    return post("/telesales/cart/share", data)


def test_a_link_shared_while_serving_is_mailed_to_the_customer(client, login, operator, customer, act, post, db,
                                                               products, mail_dir):
    response = _share_while_serving(client, login, operator, customer, act, post, {"email_customer": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The link was sent to cliente@example.com." in page
    [mail] = _mails(mail_dir)
    assert mail["To"] == customer.email
    text = mail.get_body(("plain",)).get_content()
    link = re.search(r"http://portal\.test/cart/\S+", text).group(0)
    assert link in page  # the same link the operator sees
    assert "/access/" not in text  # the customer has a password: no first-access link
    assert "1 item, total" in text and "R$" in text and operator.email not in text


def test_the_operator_may_share_without_mailing(client, login, operator, customer, act, post, db, products,
                                                mail_dir):
    response = _share_while_serving(client, login, operator, customer, act, post, {})
    assert response.status_code == 200 and "data-mailed-to" not in response.get_data(as_text=True)
    assert _mails(mail_dir) == []


def test_a_customer_without_a_password_gets_a_first_access_link_that_leads_to_the_cart(
        app, client, login, operator, factory, act, post, db, products, mail_dir, csrf_from):
    newcomer = factory.user(email="nova@example.com", name="Nina Nova", password=None)
    db.session.commit()
    _share_while_serving(client, login, operator, newcomer, act, post, {"email_customer": "y"})
    [mail] = _mails(mail_dir)
    text = mail.get_body(("plain",)).get_content()
    access = re.search(r"http://portal\.test/access/\S+", text).group(0)
    cart_path = re.search(r"http://portal\.test(/cart/\S+)", text).group(1)
    shopper = app.test_client()
    shopper.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = shopper.get(access)
    assert form.status_code == 200
    token = csrf_from(form.get_data(as_text=True))
    assert 'action="/access/' in form.get_data(as_text=True) and "next=" in form.get_data(as_text=True)
    done = shopper.post(access, data={"password": "uma senha nova 1", "confirm": "uma senha nova 1",
                                      "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"] == cart_path
    cart_page = shopper.get(cart_path)
    assert cart_page.status_code == 200 and "Camiseta azul" in cart_page.get_data(as_text=True)


def test_the_first_access_link_never_leads_outside_the_portal(app, client, factory, db, csrf_from):
    from portal.accounts.users import issue_login_link
    from portal.models import LoginLinkPurpose
    user = factory.user(password=None)
    raw = issue_login_link(user, LoginLinkPurpose.first_access)
    db.session.commit()
    url = f"/access/{raw}?next=//evil.example/cart"
    token = csrf_from(client.get(url).get_data(as_text=True))
    done = client.post(url, data={"password": "uma senha nova 1", "confirm": "uma senha nova 1",
                                  "csrf_token": token})
    assert done.status_code == 302 and "evil.example" not in done.headers["Location"]
