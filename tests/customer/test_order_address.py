"""Changing an order's delivery address: a saved or a new address, only before shipping, 409 when stale."""
import pytest

from portal.models import AuditEntry, CustomerAddress, Order, StatusType

pytestmark = pytest.mark.db

NEW = {"address": "new", "name": "Joana Lima", "postal_code": "20040-020", "street": "Rua Nova", "number": "7",
       "complement": "", "district": "Centro", "city": "Rio de Janeiro", "state": "RJ"}


@pytest.fixture
def shopper(factory, login, db):
    user = factory.user(name="Joana Lima", email="joana@example.com")
    db.session.add(CustomerAddress(user=user, label="Casa", street="Rua das Flores", number="120", city="São Paulo",
                                   state="SP", postal_code="01001-000", country="BR", is_default=True))
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def order(factory, shopper, db):
    row = factory.order(shopper, "A ENVIAR", paid=True)
    db.session.commit()
    return row


def page_of(order):
    return f"/orders/{order.number}/address"


def post(client, csrf_from, order, data, version=1):
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    return client.post(page_of(order), data={**data, "version": str(version), "csrf_token": csrf_from(html)})


def fresh(db, order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def test_the_order_page_links_to_the_change_and_a_saved_address_is_taken(client, shopper, order, csrf_from, db):
    assert "data-change-delivery-address" in client.get(f"/orders/{order.number}").get_data(as_text=True)
    page = client.get(page_of(order)).get_data(as_text=True)
    saved = db.session.scalar(db.select(CustomerAddress).where(CustomerAddress.user_id == shopper.id))
    assert f'value="{saved.id}"' in page and "checked" in page and 'name="version" type="hidden" value="1"' in page
    response = post(client, csrf_from, order, {"address": str(saved.id)})
    assert response.status_code == 303
    row = fresh(db, order)
    assert row.delivery_address == saved.as_order_address() and row.address_version == 2
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="order.address"))
    assert entry.user_id == shopper.id and entry.target == f"order:{order.number}"
    assert "was changed" in client.get(f"/orders/{order.number}").get_data(as_text=True)


def test_a_new_address_is_checked_and_written(client, shopper, order, csrf_from, db):
    response = post(client, csrf_from, order, {**NEW, "postal_code": "2004"})
    assert response.status_code == 422 and "eight digits" in response.get_data(as_text=True)
    assert fresh(db, order).address_version == 1
    response = post(client, csrf_from, order, {**NEW, "state": "ZZ"})
    assert response.status_code == 422 and "Choose the state (UF)" in response.get_data(as_text=True)
    assert post(client, csrf_from, order, NEW).status_code == 303
    assert fresh(db, order).delivery_address == {
        "city": "Rio de Janeiro", "country": "BR", "district": "Centro", "name": "Joana Lima", "number": "7",
        "postal_code": "20040-020", "state": "RJ", "street": "Rua Nova"}


def test_a_stale_form_gets_409_with_its_text_kept(client, shopper, order, csrf_from, db):
    assert post(client, csrf_from, order, {**NEW, "street": "Rua Primeira"}).status_code == 303
    response = post(client, csrf_from, order, {**NEW, "street": "Rua Segunda"}, version=1)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed meanwhile" in html and 'value="Rua Segunda"' in html and "Rua Primeira" in html
    assert 'name="version" type="hidden" value="2"' in html
    assert fresh(db, order).delivery_address["street"] == "Rua Primeira"
    assert post(client, csrf_from, order, {**NEW, "street": "Rua Segunda"}, version=2).status_code == 303


@pytest.mark.parametrize("status, shipped, message", [
    ("ENVIADO", True, "already been shipped"),
    ("A ENVIAR", True, "already been shipped"),
    ("FINALIZADO", True, "completed"),
    ("CANCELADO", False, "cancelled"),
])
def test_a_shipped_finished_or_cancelled_order_keeps_its_address(client, shopper, factory, csrf_from, db, status,
                                                                 shipped, message):
    order = factory.order(shopper, status, paid=True, shipped=shipped)
    db.session.commit()
    assert "data-change-delivery-address" not in client.get(f"/orders/{order.number}").get_data(as_text=True)
    page = client.get(page_of(order))
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert "data-order-address-form" not in page.get_data(as_text=True)
    response = post(client, csrf_from, order, NEW)
    assert response.status_code == 409 and message in response.get_data(as_text=True)
    assert fresh(db, order).address_version == 1 and fresh(db, order).delivery_address["street"] != "Rua Nova"


def test_an_additional_completed_status_keeps_the_address(client, shopper, factory, csrf_from, db):
    factory.status("ENTREGUE NA PORTARIA", StatusType.completed)
    order = factory.order(shopper, "ENTREGUE NA PORTARIA", paid=True)
    db.session.commit()
    assert post(client, csrf_from, order, NEW).status_code == 409


def test_another_shoppers_order_and_address_are_404(client, shopper, order, factory, csrf_from, db):
    other = factory.user()
    theirs = factory.order(other, "A ENVIAR")
    their_address = CustomerAddress(user=other, street="Rua Secreta", city="Recife", state="PE",
                                    postal_code="50000-000", country="BR")
    db.session.add(their_address)
    db.session.commit()
    assert client.get(page_of(theirs)).status_code == 404
    assert post(client, csrf_from, theirs, NEW).status_code == 404
    response = post(client, csrf_from, order, {"address": str(their_address.id)})
    assert response.status_code == 404
    assert fresh(db, order).address_version == 1 and fresh(db, theirs).address_version == 1
