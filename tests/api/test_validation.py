"""Bad bodies get a 4xx JSON error naming the field, never a 500 and never a half-written order."""
import json

import pytest

from portal.models import Order

from . import VALID_KEY, ApiClient, order_body

ITEM = {"sku": "A", "name": "Item", "quantity": 1, "unit_price": "1.00"}


@pytest.fixture
def api(client, factory, db):
    raw = factory.api_token()
    db.session.commit()  # an error answer rolls the session back; the token must survive it
    return ApiClient(client, raw)


def _items(**change):
    return [ITEM, ITEM, {**ITEM, **change}]


FIELD_ERRORS = [
    ({"customer": None}, "customer"),
    ({"customer": "ana@example.com"}, "customer"),
    ({"customer": {"name": "Ana"}}, "customer.email"),
    ({"customer": {"email": "not-an-email"}}, "customer.email"),
    ({"customer": {"email": "a@example.com", "phone": "1"}}, "customer.phone"),
    ({"customer": {"email": "a@example.com", "name": "x" * 201}}, "customer.name"),
    ({"channel": "nowhere"}, "channel"),
    ({"channel": 1}, "channel"),
    ({"status": "NO SUCH STATUS"}, "status"),
    ({"status": ["ENVIADO"]}, "status"),
    ({"placed_at": None}, "placed_at"),
    ({"placed_at": "02/11/2026"}, "placed_at"),
    ({"placed_at": "2026-13-40T10:00:00"}, "placed_at"),
    ({"placed_at": 1762000000}, "placed_at"),
    ({"paid_at": "yesterday"}, "paid_at"),
    ({"shipped_at": "0001-01-01T00:00:00+14:00"}, "shipped_at"),
    ({"marketplace_order_number": "x" * 81}, "marketplace_order_number"),
    ({"delivery_number": 12}, "delivery_number"),
    ({"shipping_code": "x" * 2049}, "shipping_code"),
    ({"carrier": "x" * 101}, "carrier"),
    ({"payment_method": "Pix\x00"}, "payment_method"),
    ({"currency": "R$"}, "currency"),
    ({"currency": "EURO"}, "currency"),
    ({"totals": {"total": "-1.00"}}, "totals.total"),
    ({"totals": {"total": -1}}, "totals.total"),
    ({"totals": {"subtotal": "10.001"}}, "totals.subtotal"),
    ({"totals": {"shipping": 1.005}}, "totals.shipping"),
    ({"totals": {"discount": "abc"}}, "totals.discount"),
    ({"totals": {"total": True}}, "totals.total"),
    ({"totals": {"total": 1e20}}, "totals.total"),
    ({"totals": {"total": "1e3"}}, "totals.total"),
    ({"totals": {"tax": "1.00"}}, "totals.tax"),
    ({"totals": [1, 2]}, "totals"),
    ({"invoice": {"access_key": VALID_KEY[:43] + "0"}}, "invoice.access_key"),
    ({"invoice": {"access_key": "123"}}, "invoice.access_key"),
    ({"invoice": {"url": "javascript:alert(1)"}}, "invoice.url"),
    ({"invoice": {"url": "ftp://example.com/nf.pdf"}}, "invoice.url"),
    ({"invoice": {"url": "https://"}}, "invoice.url"),
    ({"invoice": {"url": "http://[::1"}}, "invoice.url"),
    ({"invoice": {"number": "x" * 41}}, "invoice.number"),
    ({"invoice": {"serie": "1"}}, "invoice.serie"),
    ({"items": {"sku": "A"}}, "items"),
    ({"items": _items(quantity=0)}, "items[2].quantity"),
    ({"items": _items(quantity=1.5)}, "items[2].quantity"),
    ({"items": _items(quantity="2")}, "items[2].quantity"),
    ({"items": _items(quantity=10**12)}, "items[2].quantity"),
    ({"items": _items(unit_price="-3")}, "items[2].unit_price"),
    ({"items": _items(name="")}, "items[2].name"),
    ({"items": _items(name="x" * 301)}, "items[2].name"),
    ({"items": _items(sku="x" * 81)}, "items[2].sku"),
    ({"items": _items(color="blue")}, "items[2].color"),
    ({"items": [ITEM, "item"]}, "items[1]"),
    ({"items": [ITEM] * 501}, "items"),
    ({"delivery_address": {"street": "Rua A", "planet": "Mars"}}, "delivery_address.planet"),
    ({"delivery_address": {"street": 12}}, "delivery_address.street"),
    ({"billing_address": "Rua A, 1"}, "billing_address"),
    ({"billing_address": {"city": "x" * 201}}, "billing_address.city"),
    ({"colour": "blue"}, "colour"),
    ({"number": "OTHER"}, "number"),
]


@pytest.mark.parametrize(("changes", "field"), FIELD_ERRORS)
def test_each_validation_error_names_its_field(api, db, changes, field):
    response = api.put("/orders/6001", order_body(**changes))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["field"] == field
    assert error["code"] == "validation_error"
    assert error["message"]
    assert db.session.scalar(db.select(Order).filter_by(number="6001")) is None


def test_too_long_order_number_is_refused(api):
    response = api.put("/orders/" + "9" * 41, order_body())
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "number"


@pytest.mark.parametrize(("data", "content_type"), [
    ("{not json", "application/json"),
    ('{"a": NaN}', "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
    ("[" * 100000 + "]" * 100000, "application/json"),
    (json.dumps(order_body()), "text/plain"),
    (json.dumps(order_body()), "application/x-www-form-urlencoded"),
    ("", "application/json"),
    ("null", "application/json"),
    ("[1, 2]", "application/json"),
    ('"text"', "application/json"),
])
def test_malformed_body_is_400_invalid_json(api, data, content_type):
    response = api.send("PUT", "/orders/6002", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_body_over_one_megabyte_is_413_json(api):
    body = order_body(carrier="x" * (1024 * 1024))
    response = api.put("/orders/6003", body)
    assert response.status_code == 413
    assert response.is_json
    assert response.get_json()["error"]["message"]


def _garbage():
    """Yield bodies of many wrong shapes."""
    yield from (None, [], [1, 2], 0, -1, 1.5, "string", True, {}, {"": ""}, {"customer": {}})
    huge = "ç" * 300_000
    yield {"customer": {"email": huge, "name": huge}, "placed_at": huge}
    yield order_body(number=huge)
    yield order_body(placed_at="2026-11-02T10:15:00-03:00" + "0" * 100)
    yield order_body(customer={"email": "a\x00@example.com"})
    yield order_body(customer={"email": "\ud800@example.com"})
    yield order_body(delivery_address={"street": "\ud83d"})
    yield order_body(totals={"total": "99999999999.99"})
    yield order_body(totals={"total": 10**40})
    yield order_body(totals={"total": "1" * 5000})
    yield order_body(totals={"total": 1e308})
    yield order_body(items=[{"quantity": 2**70, "name": "x", "unit_price": 1}])
    yield order_body(items=[[[[["deep"]]]]])
    yield order_body(items=[None])
    yield order_body(status="\x00")
    yield order_body(status="x" * 10_000)
    yield order_body(channel="\ud800")
    yield order_body(shipping_code={"nested": {"junk": [1, {"x": None}]}})
    yield order_body(invoice={"access_key": "٣" * 44})
    yield order_body(invoice={"url": "https://exa mple.com"})
    yield order_body(placed_at="9999-12-31T23:59:59-14:00")
    yield order_body(placed_at="2026-11-02T10:15:00+25:00")
    yield {key: {"junk": [None, 1, "x"]} for key in order_body()}
    yield {key: "1" for key in order_body()}
    yield {key: None for key in order_body()}
    yield {key: 123 for key in order_body()}


@pytest.mark.parametrize("body", list(_garbage()), ids=lambda b: type(b).__name__)
def test_garbage_never_gives_a_500(api, factory, db, body):
    factory.order(number="6004")
    db.session.commit()
    for method, path in (("PUT", "/orders/6004"), ("PUT", "/orders/6005"), ("POST", "/orders/6004/status"),
                         ("POST", "/statuses")):
        response = api.send(method, path, json=body)
        assert 400 <= response.status_code < 500, (method, path, response.get_json())
        assert response.status_code != 401
        assert "error" in response.get_json()
        assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("path", ["/orders/%00", "/orders/" + "x" * 5000, "/orders/%20x", "/orders/%ED%A0%80"])
def test_strange_numbers_in_the_address_never_give_a_500(api, path):
    for method in ("GET", "PUT", "GET"):
        response = api.send(method, path, json=order_body())
        assert response.status_code < 500
        assert response.is_json
        assert response.status_code != 401
    response = api.post(path + "/status", {"status": "ENVIADO"})
    assert response.status_code < 500
