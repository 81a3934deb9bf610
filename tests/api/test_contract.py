"""Every API route keeps the contract its generated OpenAPI document states.

The bad bodies are derived from the document itself: for each property of each request body, a value of a wrong
type, the property left out when it is required, a string one character too long, an unknown key; and for each
route a malformed body, a body that is not an object, the wrong Content-Type and a body over 1 MB. Each must get
a documented 4xx status with the documented error body naming the field, and write nothing.
"""
import json
import re

import pytest

from portal import create_app
from portal.models import IntegrationEvent, Order, OrderStatus, Product, Ticket
from portal.web.api.openapi import build_document
from portal.web.api.schemas import errors as error_models
from portal.web.api.schemas import events, kpis, orders, products, tickets

from ..marketplaces.conftest import integrate, payload, signed
from . import ApiClient, order_body

pytestmark = pytest.mark.db

EXISTING = "7001"
ROUTES = {  # operationId -> (method, path, valid body)
    "putOrder": ("PUT", "/orders/7002", lambda: order_body()),
    "changeOrderStatus": ("POST", f"/orders/{EXISTING}/status", lambda: {"status": "ENVIADO", "note": "Saiu"}),
    "createTicket": ("POST", f"/orders/{EXISTING}/tickets",
                     lambda: {"subject": "Atraso", "message": "Onde está?", "marketplace_ticket_code": "T-1"}),
    "createStatus": ("POST", "/statuses", lambda: {"name": "EM SEPARAÇÃO"}),
    "postChannelEvent": ("POST", "/channels/amazon/events", lambda: payload(order=EXISTING)),
    "putProduct": ("PUT", "/products/CAM-01", lambda: {"name": "Camiseta", "price": "49.90", "stock": 3}),
    "putProducts": ("PUT", "/products", lambda: {"products": [{"sku": "CAL-02", "name": "Calça", "price": "99.00"}]}),
}
GETS = {"getOrder": f"/orders/{EXISTING}", "listStatuses": "/statuses", "getTicket": None,
        "listOrders": "/orders?created_in_portal=1&page=1", "getKpis": "/kpis?from=2026-11-01&to=2026-11-30"}
REPLIES = {
    "Order": orders.Order, "OrderWritten": orders.OrderWritten, "Status": orders.Status,
    "StatusList": orders.StatusList, "Ticket": tickets.Ticket, "WebhookResult": events.WebhookResult,
    "ProductWritten": products.ProductWritten, "ProductsWritten": products.ProductsWritten,
    "OrderList": products.OrderList, "Kpis": kpis.Kpis, "Error": error_models.Error,
    "WebhookError": error_models.WebhookError,
}
# One value of each JSON type, to find one a property does not accept.
SAMPLES = {"integer": 12345, "string": "texto", "array": [1], "object": {"x": 1}, "boolean": True}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def send(client, factory, db):
    """Send a body to an operation (signing it for the webhook) and return the response."""
    raw = factory.api_token()
    channel = integrate(factory)
    factory.order(number=EXISTING, channel=channel)
    db.session.commit()
    api = ApiClient(client, raw)

    def _send(operation_id: str, body, *, data: bytes | None = None, content_type="application/json"):
        method, path, _valid = ROUTES[operation_id]
        data = json.dumps(body).encode() if data is None else data
        if operation_id == "postChannelEvent":
            headers = {**signed(data), "Content-Type": content_type}
            return client.post("/api/v1" + path, data=data, headers=headers)
        return api.send(method, path, data=data, content_type=content_type)
    _send.api = api
    return _send


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[1]


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][_name(schema["$ref"])]
    return schema


def _body_schema(document: dict, operation_id: str, body: dict) -> dict:
    """Return the object schema of the operation's body; for a choice, the one the body's `type` picks."""
    for methods in document["paths"].values():
        for spec in methods.values():
            if spec["operationId"] == operation_id:
                schema = _resolve(document, spec["requestBody"]["content"]["application/json"]["schema"])
                if "discriminator" in schema:
                    ref = schema["discriminator"]["mapping"][body[schema["discriminator"]["propertyName"]]]
                    schema = _resolve(document, {"$ref": ref})
                return schema
    raise LookupError(operation_id)


def _operation(document: dict, operation_id: str) -> dict:
    return next(spec for methods in document["paths"].values() for spec in methods.values()
                if spec["operationId"] == operation_id)


def _types(document: dict, schema: dict) -> set[str]:
    """Return the JSON types a property accepts."""
    schema = _resolve(document, schema)
    if "anyOf" in schema or "oneOf" in schema:
        return set().union(*(_types(document, option) for option in schema.get("anyOf", schema.get("oneOf"))))
    kind = schema.get("type", "object" if "properties" in schema else None)
    kinds = set(kind if isinstance(kind, list) else [kind]) if kind else set(SAMPLES) | {"null"}
    return kinds | ({"integer"} if "number" in kinds else set())


def _max_length(document: dict, schema: dict) -> int | None:
    schema = _resolve(document, schema)
    if "maxLength" in schema:
        return schema["maxLength"]
    lengths = [_max_length(document, option) for option in schema.get("anyOf", ())]
    return next((length for length in lengths if length), None)


def _mutations(document: dict, schema: dict, body: dict, prefix: str = ""):
    """Yield (label, changed body, field the error must name, expected status) for every property."""
    required = set(schema.get("required", ()))
    for key, prop in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        wrong = next((value for kind, value in SAMPLES.items() if kind not in _types(document, prop)), None)
        if wrong is not None:
            yield f"{path}:wrong-type", {**body, key: wrong}, path, 422
        if key in required:
            yield f"{path}:missing", {k: v for k, v in body.items() if k != key}, path, 422
        length = _max_length(document, prop)
        if length and length < 100_000:
            yield f"{path}:too-long", {**body, key: "x" * (length + 1)}, path, 422
        options = [_resolve(document, option) for option in prop.get("anyOf", [prop])]
        nested = next((option for option in options if "properties" in option), None)
        if nested and isinstance(body.get(key), dict) and not prefix:
            for label, changed, field, status in _mutations(document, nested, body[key], f"{path}."):
                yield label, {**body, key: changed}, field, status
    status = 422 if schema.get("additionalProperties") is False else None
    yield f"{prefix}unknown-field", {**body, "unexpected_field": 1}, f"{prefix}unexpected_field", status


def _assert_documented_error(document, operation_id, response, status, field=None):
    spec = _operation(document, operation_id)
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert str(status) in spec["responses"], (operation_id, status)
    model = _name(spec["responses"][str(status)]["content"]["application/json"]["schema"]["$ref"])
    error = REPLIES[model].model_validate(response.get_json()).error
    assert error.message
    if field is not None:
        assert error.field == field


def _written(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (Order, OrderStatus, Ticket, IntegrationEvent, Product))


def _cases():
    return [pytest.param(operation_id, id=operation_id) for operation_id in ROUTES]


@pytest.mark.parametrize("operation_id", _cases())
def test_every_kind_of_bad_body_gets_the_documented_error_and_writes_nothing(db, document, send, operation_id):
    valid = ROUTES[operation_id][2]()
    schema = _body_schema(document, operation_id, valid)
    before = _written(db)
    tried = 0
    for label, body, field, status in _mutations(document, schema, valid):
        response = send(operation_id, body)
        if status is None:  # an open object: keys it does not know are ignored
            assert response.status_code < 300, (label, response.get_json())
            before = _written(db)
            continue
        _assert_documented_error(document, operation_id, response, status, field)
        assert _written(db) == before, label
        tried += 1
    assert tried >= 3
    for data, content_type in ((b"{not json", "application/json"), (b"[1, 2]", "application/json"),
                               (b"null", "application/json"), (json.dumps(valid).encode(), "text/plain"),
                               (b'{"a": NaN}', "application/json")):
        _assert_documented_error(document, operation_id, send(operation_id, None, data=data,
                                                              content_type=content_type), 400)
    huge = json.dumps({**valid, "padding": "x" * (1024 * 1024)}).encode()
    _assert_documented_error(document, operation_id, send(operation_id, None, data=huge), 413)
    assert _written(db) == before


@pytest.mark.parametrize("operation_id", _cases())
def test_the_valid_body_is_accepted_and_the_answer_matches_its_model(db, document, send, operation_id):
    response = send(operation_id, ROUTES[operation_id][2]())
    assert response.status_code in (200, 201), response.get_json()
    answer = _operation(document, operation_id)["responses"][str(response.status_code)]
    REPLIES[_name(answer["content"]["application/json"]["schema"]["$ref"])].model_validate(response.get_json())


def test_every_get_answer_matches_its_model(db, document, send):
    created = send("createTicket", ROUTES["createTicket"][2]()).get_json()
    for operation_id, path in {**GETS, "getTicket": f"/tickets/{created['number']}"}.items():
        response = send.api.get(path)
        assert response.status_code == 200, (operation_id, response.get_json())
        answer = _operation(document, operation_id)["responses"]["200"]
        REPLIES[_name(answer["content"]["application/json"]["schema"]["$ref"])].model_validate(response.get_json())


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_every_url_under_api_v1_is_in_the_document_with_its_methods(app, document):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]
    assert len(rules) >= 8
    served: dict[str, set] = {}
    for rule in rules:
        served.setdefault(_openapi_path(rule.rule), set()).update(
            method.lower() for method in rule.methods - {"HEAD", "OPTIONS"})
    assert set(served) == set(document["paths"])
    for path, methods in served.items():
        operations = document["paths"][path]
        assert set(operations) == methods, path
        for spec in operations.values():
            assert spec["responses"], rule.rule
            if "requestBody" in spec:
                assert "422" in spec["responses"] and "400" in spec["responses"] and "413" in spec["responses"]


def test_a_route_without_a_declaration_stops_the_document(database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    app.add_url_rule("/api/v1/undeclared", "api.undeclared", lambda: "x")
    with pytest.raises(LookupError, match="api.undeclared"):
        build_document(app)
