"""POST /orders/<number>/status and the /statuses list."""
import pytest

from portal.models import AuditEntry, OrderStatus, OrderStatusChange, StoreSettings
from portal.orders import statuses
from portal.store import settings

from . import ApiClient


@pytest.fixture
def api(client, factory, db):
    raw = factory.api_token()
    db.session.commit()  # an error answer rolls the session back; the token must survive it
    return ApiClient(client, raw)


def test_change_status(api, factory, db):
    order = factory.order(number="7001")
    db.session.commit()
    response = api.post("/orders/7001/status", {"status": "enviado", "note": "Saiu para entrega"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == {"name": "ENVIADO", "type": "in_progress"}
    assert body["history"][-1]["from_status"] == "AGUARDANDO PAGAMENTO"
    assert body["history"][-1]["to_status"] == "ENVIADO"
    assert body["history"][-1]["note"] == "Saiu para entrega"
    db.session.expire_all()
    assert order.status.name == "ENVIADO"


def test_change_status_of_unknown_order_is_404(api, factory):
    response = api.post("/orders/nope/status", {"status": "ENVIADO"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_unknown_status_is_422(api, factory):
    factory.order(number="7002")
    response = api.post("/orders/7002/status", {"status": "VOANDO"})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "status"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "status"), ({"status": 3}, "status"), ({"status": "ENVIADO", "note": ["x"]}, "note"),
    ({"status": "ENVIADO", "extra": 1}, "extra"), ({"status": "ENVIADO", "note": "x" * 2001}, "note"),
])
def test_bad_status_body_names_the_field(api, factory, body, field):
    factory.order(number="7003")
    response = api.post("/orders/7003/status", body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def test_rule_forbids_the_change_and_nothing_changes(api, factory, db):
    order = factory.order(number="7004")
    statuses.add_rule(statuses.get_status("AGUARDANDO PAGAMENTO"), statuses.get_status("A ENVIAR"))
    db.session.commit()
    response = api.post("/orders/7004/status", {"status": "FINALIZADO"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "transition_not_allowed"
    assert "AGUARDANDO PAGAMENTO" in error["message"] and "FINALIZADO" in error["message"]
    db.session.expire_all()
    assert order.status.name == "AGUARDANDO PAGAMENTO"
    count = db.session.scalar(db.select(db.func.count()).where(OrderStatusChange.order_id == order.id))
    assert count == 1
    assert api.post("/orders/7004/status", {"status": "A ENVIAR"}).status_code == 200


def test_list_statuses(api, factory):
    factory.status("AGUARDANDO RETIRADA")
    response = api.get("/statuses")
    assert response.status_code == 200
    by_name = {s["name"]: s for s in response.get_json()}
    assert by_name["FINALIZADO"] == {"name": "FINALIZADO", "type": "completed", "builtin": True, "retired": False}
    assert by_name["CANCELADO"]["type"] == "cancelled"
    assert by_name["AGUARDANDO RETIRADA"] == {
        "name": "AGUARDANDO RETIRADA", "type": None, "builtin": False, "retired": False,
    }


def test_create_status_without_type(api, factory, db):
    response = api.post("/statuses", {"name": "em separação"})
    assert response.status_code == 201
    assert response.get_json() == {"name": "EM SEPARAÇÃO", "type": None, "builtin": False, "retired": False}
    db.session.expire_all()
    assert statuses.get_status("EM SEPARAÇÃO").type is None


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"), ({"name": ""}, "name"), ({"name": 7}, "name"),
    ({"name": "x" * 81}, "name"), ({"name": "OK", "type": "completed"}, "type"), ({"name": "A\x00B"}, "name"),
])
def test_create_status_refuses_bad_names(api, factory, body, field):
    response = api.post("/statuses", body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def test_a_duplicate_status_name_is_a_documented_conflict(api, client, db):
    count = db.session.scalar(db.select(db.func.count()).select_from(OrderStatus))
    response = api.post("/statuses", {"name": " enviado "})
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "name" and "ENVIADO" in response.get_json()["error"]["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(OrderStatus)) == count
    document = client.get("/api/v1/openapi.json").get_json()
    assert "409" in document["paths"]["/api/v1/statuses"]["post"]["responses"]


def test_created_status_asks_for_a_rules_review_and_is_audited(api, db):
    settings.mark_rules_reviewed()
    db.session.commit()
    assert StoreSettings.get().rules_need_review is False
    assert api.post("/statuses", {"name": "em separação"}).status_code == 201
    db.session.expire_all()
    assert StoreSettings.get().rules_need_review is True
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="status.create"))
    assert entry.user_id is None and entry.target == "EM SEPARAÇÃO"
    assert entry.after["source"] == "api:back office" and entry.after["type"] is None
