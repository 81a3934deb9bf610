"""The promised delivery date: sent through the API, shown to the shopper, used by tickets and text modules."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.models import Order, TicketReason, User
from portal.tickets import lifecycle as tickets

from . import ApiClient, order_body

pytestmark = pytest.mark.db


@pytest.fixture
def api(client, factory, db):
    raw = factory.api_token()
    db.session.commit()  # an error answer rolls the session back; the token must survive it
    return ApiClient(client, raw)


def _order(db, number: str) -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).filter_by(number=number))


def test_expected_delivery_is_stored_returned_and_cleared(api, db):
    created = api.put("/orders/6001", order_body(expected_delivery_on="2026-11-20"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["expected_delivery_on"] == "2026-11-20"
    assert _order(db, "6001").expected_delivery_on == date(2026, 11, 20)
    assert api.get("/orders/6001").get_json()["expected_delivery_on"] == "2026-11-20"

    repeat = api.put("/orders/6001", order_body(expected_delivery_on="2026-11-20"))
    assert repeat.get_json()["changed"] is False
    moved = api.put("/orders/6001", order_body(expected_delivery_on="2026-11-25"))
    assert moved.get_json()["changed"] is True and moved.get_json()["expected_delivery_on"] == "2026-11-25"
    cleared = api.put("/orders/6001", order_body(expected_delivery_on=None))
    assert cleared.status_code == 200 and cleared.get_json()["expected_delivery_on"] is None
    assert _order(db, "6001").expected_delivery_on is None


@pytest.mark.parametrize("value", ["2026-02-30", "20/11/2026", "2026-11-20T10:00:00", "amanhã", "", 20261120,
                                   ["2026-11-20"], "0999-01-01"])
def test_a_bad_expected_delivery_date_is_422_naming_the_field(api, db, value):
    response = api.put("/orders/6002", order_body(expected_delivery_on=value))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["field"] == "expected_delivery_on"
    assert _order(db, "6002") is None


def test_the_openapi_document_describes_the_field(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["Order"]["properties"]["expected_delivery_on"]["format"] == "date"
    assert schemas["OrderInput"]["properties"]["expected_delivery_on"]["format"] == "date"


@pytest.fixture
def shopper_order(api, db, client, login):
    """A shipped order sent through the API with a promised date, and its shopper signed in."""
    body = order_body(expected_delivery_on="2026-11-20", shipped_at="2026-11-03T09:00:00-03:00")
    assert api.put("/orders/6003", body).status_code == 201
    shopper = db.session.scalar(select(User).filter_by(email="ana.lima@example.com"))
    shopper.set_password("correct horse 1")
    db.session.commit()
    login(shopper)
    return _order(db, "6003")


@pytest.mark.parametrize(("language", "label", "shown"), [
    ("pt-BR", "Previsão de entrega", "20 de nov. de 2026"),
    ("en", "Expected delivery", "Nov 20, 2026"),
])
def test_the_order_page_shows_the_expected_delivery(client, shopper_order, language, label, shown):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    html = client.get("/orders/6003").get_data(as_text=True)
    assert "data-expected-delivery" in html
    assert f'{label}:\n    <time datetime="2026-11-20">{shown}</time>' in html


def test_the_order_page_without_a_promised_date_says_nothing_about_it(api, client, login, db):
    api.put("/orders/6004", order_body())
    shopper = db.session.scalar(select(User).filter_by(email="ana.lima@example.com"))
    shopper.set_password("correct horse 1")
    db.session.commit()
    login(shopper)
    assert "data-expected-delivery" not in client.get("/orders/6004").get_data(as_text=True)


def test_the_help_page_shows_the_date_sent_through_the_api(client, shopper_order, db):
    delivery = db.session.scalar(select(TicketReason).filter_by(code="onde_esta_meu_pedido"))
    html = client.get(f"/orders/6003/help?reason={delivery.id}").get_data(as_text=True)
    block = html[html.index("data-expected-delivery"):]
    assert block.index("Nov 20, 2026") < block.index("</div>")
    assert "Not informed by the carrier" not in block[:block.index("</div>")]


def test_the_previsao_entrega_placeholder_is_filled_from_the_api_date(shopper_order, db):
    reason = db.session.scalar(select(TicketReason).order_by(TicketReason.position))
    ticket = tickets.open_ticket(shopper_order, shopper_order.customer, reason.id, "Atraso", "Onde está?")
    text, missing = tickets.fill_placeholders("Seu pedido {pedido} chega até {previsao_entrega}.", ticket)
    assert missing == []
    assert text == "Seu pedido 6003 chega até 20 de nov. de 2026."
