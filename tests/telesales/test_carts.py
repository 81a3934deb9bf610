"""The operator's cart: products by SKU, quantities, address, payment, and placing a real order."""
from decimal import Decimal

import pytest

from portal.models import AuditEntry, Cart, CartItem, CartState, CustomerAddress, Order, PriceApproval, Role
from portal.models.statuses import PRICE_APPROVAL
from tests.factories import PASSWORD

pytestmark = pytest.mark.db


@pytest.fixture
def serving(client, login, operator, customer, products, act):
    login(operator)
    act(operator, customer)
    return customer


def _item(db, sku="CAM-001"):
    return db.session.scalar(db.select(CartItem).where(CartItem.sku == sku))


@pytest.mark.parametrize("role", [Role.customer, Role.agent])
def test_shoppers_and_agents_get_403(client, login, factory, role, post):
    login(factory.user(role))
    assert client.get("/telesales/cart").status_code == 403
    assert post("/telesales/cart/place").status_code == 403
    assert client.get("/telesales/approvals").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/telesales/cart")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_names_the_customer_and_finds_products(client, serving, post):
    page = client.get("/telesales/cart?q=camis").get_data(as_text=True)
    assert "Cart for Carla Cliente" in page
    assert 'data-product="CAM-001"' in page and "OLD-003" not in page


def test_add_change_and_remove_lines(client, serving, post, db):
    assert post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "2"}).status_code == 302
    post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "1"})
    assert _item(db).quantity == 3
    assert post(f"/telesales/cart/items/{_item(db).id}/quantity", {"quantity": "5"}).status_code == 302
    assert _item(db).quantity == 5
    for bad in ("0", "1000", "dois", "-1"):
        assert post(f"/telesales/cart/items/{_item(db).id}/quantity", {"quantity": bad}).status_code == 422
    assert _item(db).quantity == 5
    assert post(f"/telesales/cart/items/{_item(db).id}/remove").status_code == 302
    assert _item(db) is None


@pytest.mark.parametrize("sku", ["OLD-003", "NOPE", ""])
def test_inactive_or_unknown_products_are_refused(client, serving, post, db, sku):
    response = post("/telesales/cart/items", {"sku": sku, "quantity": "1"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(CartItem)) is None


def test_only_the_customers_own_addresses_can_be_chosen(client, serving, post, db, factory):
    post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "1"})
    other = factory.user()
    foreign = CustomerAddress(user=other, street="Rua B", city="Rio")
    db.session.add(foreign)
    db.session.flush()
    response = post("/telesales/cart/details", {"address": str(foreign.id), "shipping": "10", "payment_method": "pix"})
    assert response.status_code == 422
    assert post("/telesales/cart/details", {"payment_method": "cheque"}).status_code == 422
    cart = db.session.scalar(db.select(Cart))
    assert cart.address_id is None and cart.payment_method is None


def _fill(post, db, customer, method="pix", shipping="12,50"):
    post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "2"})
    post("/telesales/cart/items", {"sku": "CAN-002", "quantity": "1"})
    address = db.session.scalar(db.select(CustomerAddress).where(CustomerAddress.user_id == customer.id))
    post("/telesales/cart/details", {"address": str(address.id), "shipping": shipping, "payment_method": method})


def test_placing_creates_a_real_order_with_the_operator_and_server_totals(client, serving, post, db, operator):
    _fill(post, db, serving)
    response = post("/telesales/cart/place", {"total": "1,00", "subtotal": "1,00"})
    assert response.status_code == 302
    order = db.session.scalar(db.select(Order))
    assert order.number.startswith("TV-") and order.customer_id == serving.id
    assert order.status.name == "AGUARDANDO PAGAMENTO" and order.paid_at is None
    assert order.subtotal == Decimal("124.80") and order.shipping_total == Decimal("12.50")
    assert order.total == Decimal("137.30")
    assert [(i.sku, i.quantity, i.unit_price, i.list_price) for i in order.items] == [
        ("CAM-001", 2, Decimal("49.90"), None), ("CAN-002", 1, Decimal("25.00"), None)]
    assert order.created_in_portal and order.channel.code == "loja"
    assert (order.placed_by_id, order.placed_by_email) == (operator.id, operator.email)
    assert order.price_approval is PriceApproval.none
    assert order.delivery_address["street"] == "Rua A"
    assert [change.to_status.name for change in order.history] == ["AGUARDANDO PAGAMENTO"]
    cart = db.session.scalar(db.select(Cart))
    assert cart.state is CartState.placed and cart.order_id == order.id
    page = client.get("/telesales/cart").get_data(as_text=True)
    assert "The cart is empty." in page and order.number in page


def test_an_order_placed_while_serving_is_audited_and_shown_to_the_customer(app, client, serving, post, db,
                                                                            operator, csrf_from):
    _fill(post, db, serving)
    post("/telesales/cart/place")
    order = db.session.scalar(db.select(Order))
    [entry] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "order.place")).all()
    assert (entry.user_id, entry.on_behalf_of_id, entry.target) == (operator.id, serving.id, order.number)
    assert entry.after["total_cents"] == 13730 and entry.after["payment_method"] == "pix"
    staff_page = client.get(f"/staff/orders/{order.number}").get_data(as_text=True)
    assert 'data-audit="order.place"' in staff_page
    shopper = app.test_client()
    shopper.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(shopper.get("/login").get_data(as_text=True))
    shopper.post("/login", data={"email": serving.email, "password": PASSWORD, "csrf_token": token})
    shopper_view = shopper.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "data-placed-by-service" in shopper_view and "customer service" in shopper_view
    assert operator.email not in shopper_view and operator.name not in shopper_view


def test_promissoria_is_paid_at_once_and_goes_to_be_sent(client, serving, post, db):
    _fill(post, db, serving, method="promissoria")
    post("/telesales/cart/place")
    order = db.session.scalar(db.select(Order))
    assert order.status.name == "A ENVIAR" and order.paid_at is not None


def test_a_manual_price_makes_the_order_wait_for_approval(client, serving, post, db):
    _fill(post, db, serving, method="promissoria")
    post(f"/telesales/cart/items/{_item(db).id}/price", {"price": "39,90", "reason": "cliente fiel"})
    post("/telesales/cart/place")
    order = db.session.scalar(db.select(Order))
    assert order.status.name == PRICE_APPROVAL and order.price_approval is PriceApproval.pending
    assert order.paid_at is None
    line = order.items[0]
    assert (line.unit_price, line.list_price, line.manual_price_reason) == (
        Decimal("39.90"), Decimal("49.90"), "cliente fiel")
    assert order.total == Decimal("39.90") * 2 + Decimal("25.00") + Decimal("12.50")


def test_a_cart_without_payment_or_customer_is_not_placed(client, login, operator, products, post, db):
    login(operator)
    post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "1"})
    assert post("/telesales/cart/place").status_code == 422
    assert db.session.scalar(db.select(Order)) is None


OPERATOR_ONLY_STAFF = {"staff.act_for", "staff.all_orders_csv", "staff.all_orders_page", "staff.customers",
                       "staff.order_page", "staff.products"}


def _operator_routes(app):
    """Every telesales route, and the operator-only pages of the staff area, with made-up arguments."""
    for rule in app.url_map.iter_rules():
        if not (rule.endpoint.startswith("telesales.") or rule.endpoint in OPERATOR_ONLY_STAFF):
            continue
        values = {name: 1 if "int" in str(rule._converters[name].__class__).lower() else "TV-000001"
                  for name in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("role", [Role.customer, Role.agent])
def test_every_operator_route_answers_403_to_shoppers_and_agents_and_writes_nothing(app, client, login, factory,
                                                                                   role, db, csrf_from):
    from portal.models import AuditEntry, Cart, Order

    login(factory.user(role))
    token = csrf_from(client.get("/orders" if role is Role.customer else "/staff/").get_data(as_text=True))
    before = [db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (Cart, Order, AuditEntry)]
    routes = list(_operator_routes(app))
    assert len(routes) >= 17
    for method, path in routes:
        response = client.open(path, method=method, data={"csrf_token": token, "sku": "CAM-001", "quantity": "1"}
                               if method == "POST" else None)
        assert response.status_code == 403, (method, path, response.status_code)
    after = [db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (Cart, Order, AuditEntry)]
    assert after == before
