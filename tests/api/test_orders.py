"""PUT and GET /orders/<number>: create, update, idempotent repeat, rule checks."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.models import Order, OrderStatusChange, User
from portal.orders import statuses

from . import VALID_KEY, ApiClient, order_body


@pytest.fixture
def api(client, factory, db):
    raw = factory.api_token()
    db.session.commit()  # an error answer rolls the session back; the token must survive it
    return ApiClient(client, raw)


def _order(db, number: str) -> Order:
    db.session.expire_all()
    return db.session.scalar(db.select(Order).filter_by(number=number))


def _history_count(db, order: Order) -> int:
    return db.session.scalar(db.select(db.func.count()).where(OrderStatusChange.order_id == order.id))


def test_create_answers_201_and_creates_the_customer(api, db):
    response = api.put("/orders/5001", order_body())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"] == "5001"
    assert body["customer_created"] is True
    assert body["warnings"] == []
    assert body["status"] == {"name": "AGUARDANDO PAGAMENTO", "type": "in_progress"}
    user = db.session.scalar(db.select(User).filter_by(email="ana.lima@example.com"))
    assert user is not None and user.name == "Ana Lima" and user.password_hash is None
    order = _order(db, "5001")
    assert order.customer_id == user.id
    assert order.total == Decimal("215.90") and order.shipping_total == Decimal("15.90")
    assert order.invoice_key == VALID_KEY
    assert [(i.sku, i.quantity) for i in order.items] == [("CAM-01", 2), ("CAL-02", 1)]
    assert order.placed_at == datetime(2026, 11, 2, 13, 15, tzinfo=UTC)


def test_existing_customer_is_reused(api, factory):
    factory.user(email="ana.lima@example.com")
    response = api.put("/orders/5002", order_body())
    assert response.status_code == 201
    assert response.get_json()["customer_created"] is False


def test_update_answers_200_and_records_the_status_change(api, db):
    api.put("/orders/5003", order_body())
    response = api.put("/orders/5003", order_body(status="a enviar", carrier="Loggi"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"]["name"] == "A ENVIAR"
    assert body["carrier"] == "Loggi"
    assert body["changed"] is True
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [
        (None, "AGUARDANDO PAGAMENTO"), ("AGUARDANDO PAGAMENTO", "A ENVIAR"),
    ]
    assert body["history"][1]["source"].startswith("api:")


def test_same_body_twice_changes_nothing(api, db):
    body = order_body(status="A ENVIAR")
    first = api.put("/orders/5004", body)
    assert first.status_code == 201
    order = _order(db, "5004")
    updated_at, history = order.updated_at, _history_count(db, order)
    second = api.put("/orders/5004", body)
    assert second.status_code == 200
    assert second.get_json()["changed"] is False
    assert second.get_json()["updated_at"] == first.get_json()["updated_at"]
    order = _order(db, "5004")
    assert order.updated_at == updated_at
    assert _history_count(db, order) == history == 1


def test_get_returns_the_order_json(api, factory):
    factory.trusted_host("rastreio.example.com")
    body = order_body(shipping_code="https://rastreio.example.com/x/1", shipped_at="2026-11-03T09:00:00Z")
    assert api.put("/orders/5005", body).status_code == 201
    response = api.get("/orders/5005")
    assert response.status_code == 200
    body = response.get_json()
    assert body["channel"]["code"] == "loja"
    assert body["placed_at"] == "2026-11-02T10:15:00-03:00"
    assert body["shipped_at"] == "2026-11-03T06:00:00-03:00"
    assert body["totals"] == {"subtotal": "200.00", "shipping": "15.90", "discount": "0.00", "total": "215.90"}
    assert body["invoice"] == {"number": "123", "access_key": VALID_KEY, "url": "https://nfe.example.com/123"}
    assert body["items"][0] == {"sku": "CAM-01", "name": "Camiseta", "quantity": 2, "unit_price": "50.00",
                                "line_total": "100.00"}
    assert body["delivery_address"]["city"] == "São Paulo"
    assert body["tracking"] == {"kind": "embed", "url": "https://rastreio.example.com/x/1", "code": None}
    assert len(body["history"]) == 1


def test_correios_code_is_classified(api):
    body = api.put("/orders/5006", order_body()).get_json()
    assert body["tracking"]["kind"] == "correios"
    assert body["tracking"]["code"] == "SS987654326BR"


def test_get_unknown_order_is_404(api):
    response = api.get("/orders/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_bad_s10_check_digit_is_accepted_with_a_warning(api, db):
    response = api.put("/orders/5007", order_body(shipping_code="ss987654321br"))
    assert response.status_code == 201
    warnings = response.get_json()["warnings"]
    assert [(w["field"], w["code"]) for w in warnings] == [("shipping_code", "s10_check_digit")]
    assert warnings[0]["message"]
    assert response.get_json()["tracking"]["kind"] == "none"
    assert _order(db, "5007").shipping_code == "ss987654321br"


def test_date_without_offset_is_read_in_the_store_timezone(api, db):
    api.put("/orders/5008", order_body(placed_at="2026-11-02T10:15:00", paid_at=None))
    assert _order(db, "5008").placed_at == datetime(2026, 11, 2, 13, 15, tzinfo=UTC)


def test_changing_only_the_items_moves_updated_at(api, db):
    assert api.put("/orders/5010", order_body()).status_code == 201
    order = _order(db, "5010")
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    order.updated_at = long_ago
    db.session.commit()
    items = [{"sku": "CAM-01", "name": "Camiseta", "quantity": 3, "unit_price": "50.00"}]
    response = api.put("/orders/5010", order_body(items=items))
    assert response.status_code == 200
    assert response.get_json()["changed"] is True
    order = _order(db, "5010")
    assert [(i.sku, i.quantity) for i in order.items] == [("CAM-01", 3)]
    assert order.updated_at > long_ago
    assert datetime.fromisoformat(response.get_json()["updated_at"]) == order.updated_at


def test_put_refused_by_the_rules_changes_nothing(api, db):
    api.put("/orders/5009", order_body())
    statuses.add_rule(statuses.get_status("AGUARDANDO PAGAMENTO"), statuses.get_status("A ENVIAR"))
    db.session.commit()
    order = _order(db, "5009")
    before = (order.updated_at, order.carrier, _history_count(db, order))
    response = api.put("/orders/5009", order_body(status="ENVIADO", carrier="Jadlog", items=[]))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "transition_not_allowed"
    assert "AGUARDANDO PAGAMENTO" in error["message"] and "ENVIADO" in error["message"]
    order = _order(db, "5009")
    assert (order.updated_at, order.carrier, _history_count(db, order)) == before
    assert order.status.name == "AGUARDANDO PAGAMENTO"
    assert len(order.items) == 2


def test_put_allowed_by_the_rules(api, db):
    api.put("/orders/5010", order_body())
    statuses.add_rule(statuses.get_status("AGUARDANDO PAGAMENTO"), statuses.get_status("A ENVIAR"))
    db.session.commit()
    response = api.put("/orders/5010", order_body(status="A ENVIAR"))
    assert response.status_code == 200
    assert response.get_json()["status"]["name"] == "A ENVIAR"


def test_failed_create_leaves_no_customer_behind(api, db):
    response = api.put("/orders/5011", order_body(customer={"email": "new.person@example.com"}, status="NOPE"))
    assert response.status_code == 422
    assert db.session.scalar(db.select(User).filter_by(email="new.person@example.com")) is None
    assert _order(db, "5011") is None
