"""The back office hears of account changes (`customer.updated`) and order address changes, signed and retried."""
import json

import pytest

from portal.core import outbox
from portal.marketplaces import signing
from portal.models import OutboxItem, OutboxKind, OutboxState, StoreSettings

pytestmark = pytest.mark.db

PATH = "/backoffice/events"
SECRET = "whsec_account_test"
ADDRESS = {"label": "Casa", "name": "Joana Lima", "postal_code": "01001000", "street": "Rua das Flores",
           "number": "120", "complement": "", "district": "Centro", "city": "São Paulo", "state": "SP"}


@pytest.fixture
def backoffice(db, factory, httpserver):
    settings = db.session.get(StoreSettings, 1)
    settings.backoffice_url = httpserver.url_for(PATH)
    settings.backoffice_secret = SECRET
    db.session.commit()
    return httpserver


@pytest.fixture
def shopper(factory, login, db):
    user = factory.user(name="Joana Lima", email="joana@example.com", phone="(11) 91234-5678")
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def send(client, csrf_from):
    def _send(url, data, page="/account"):
        return client.post(url, data={**data, "csrf_token": csrf_from(client.get(page).get_data(as_text=True))})
    return _send


def posts(server):
    return [request for request, _response in server.log if request.path == PATH]


def verified(request) -> dict:
    body = request.get_data()
    assert signing.verify([SECRET], request.headers[signing.TIMESTAMP_HEADER],
                          request.headers[signing.SIGNATURE_HEADER], body)
    return json.loads(body)


def test_account_changes_are_posted_signed_as_customer_updated(backoffice, shopper, send):
    backoffice.expect_request(PATH, method="POST").respond_with_data("", status=204)
    assert send("/account", {"name": "Joana Souza", "phone": "(21) 99876-5432", "document": "529.982.247-25"}
                ).status_code == 303
    assert send("/account/addresses/new", ADDRESS, page="/account/addresses/new").status_code == 303
    first, second = (verified(request) for request in posts(backoffice))
    assert first["event"] == second["event"] == "customer.updated" and first["event_id"] != second["event_id"]
    assert first["customer"] == {"id": shopper.id, "email": "joana@example.com", "name": "Joana Souza",
                                 "phone": "(21) 99876-5432", "document": "52998224725", "addresses": []}
    [address] = second["customer"]["addresses"]
    assert (address["street"], address["postal_code"], address["state"], address["default"], address["version"]) == (
        "Rua das Flores", "01001-000", "SP", True, 1)
    assert posts(backoffice)[1].headers[signing.EVENT_HEADER].startswith(f"backoffice:customer.updated:{shopper.id}:")


def test_an_order_address_change_is_posted_as_order_address_changed(backoffice, shopper, factory, client, csrf_from,
                                                                    db):
    backoffice.expect_request(PATH, method="POST").respond_with_data("", status=200)
    order = factory.order(shopper, "A ENVIAR")
    db.session.commit()
    token = csrf_from(client.get(f"/orders/{order.number}/address").get_data(as_text=True))
    response = client.post(f"/orders/{order.number}/address", data={
        **ADDRESS, "address": "new", "postal_code": "20040-020", "city": "Rio de Janeiro", "state": "RJ",
        "version": "1", "csrf_token": token})
    assert response.status_code == 303
    [request] = posts(backoffice)
    data = verified(request)
    assert data["event"] == "order.address_changed"
    assert data["order"]["number"] == order.number and data["order"]["address_version"] == 2
    assert data["order"]["delivery_address"]["city"] == "Rio de Janeiro"
    assert data["order"]["delivery_address"]["postal_code"] == "20040-020"


def test_a_500_is_retried_after_the_back_off(backoffice, shopper, send, db, monkeypatch):
    backoffice.expect_ordered_request(PATH, method="POST").respond_with_data("oops", status=500)
    backoffice.expect_ordered_request(PATH, method="POST").respond_with_data("ok", status=200)
    send("/account", {"name": "Joana Souza", "phone": "", "document": ""})
    item = db.session.scalar(db.select(OutboxItem).where(OutboxItem.kind == OutboxKind.backoffice))
    db.session.refresh(item)
    assert (item.state, item.attempts, item.last_error, item.event) == (
        OutboxState.queued, 1, "http:500", "customer.updated")
    later = item.next_attempt_at
    monkeypatch.setattr(outbox, "utcnow", lambda: later)
    assert outbox.sweep() == 1
    db.session.refresh(item)
    assert item.state is OutboxState.delivered and len(posts(backoffice)) == 2


def test_no_back_office_queues_nothing(shopper, send, db):
    send("/account", {"name": "Joana Souza", "phone": "", "document": ""})
    assert db.session.scalar(db.select(OutboxItem).where(OutboxItem.kind == OutboxKind.backoffice)) is None
