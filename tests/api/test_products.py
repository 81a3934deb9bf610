"""PUT /api/v1/products[/<sku>] and GET /api/v1/orders: catalogue pushes and the orders list."""
import pytest

from portal.models import Order, PriceApproval, Product

from . import ApiClient

pytestmark = pytest.mark.db


@pytest.fixture
def api(client, factory, db):
    raw = factory.api_token()
    db.session.commit()
    return ApiClient(client, raw)


def _count(db):
    return db.session.scalar(db.select(db.func.count()).select_from(Product))


def test_put_creates_then_repeat_is_unchanged_then_replaces(api, db):
    created = api.put("/products/CAM-01", {"name": "Camiseta", "price": "49.90", "stock": 3})
    assert created.status_code == 201
    assert created.get_json() | {"created_at": None, "updated_at": None} == {
        "sku": "CAM-01", "name": "Camiseta", "price": "49.90", "active": True, "stock": 3,
        "created": True, "changed": True, "created_at": None, "updated_at": None}
    repeat = api.put("/products/CAM-01", {"name": "Camiseta", "price": 49.9, "stock": 3})
    assert repeat.status_code == 200 and repeat.get_json()["changed"] is False
    replaced = api.put("/products/CAM-01", {"name": "Camiseta", "price": "39.90", "active": False})
    assert replaced.status_code == 200 and replaced.get_json()["changed"] is True
    product = db.session.scalar(db.select(Product).filter_by(sku="CAM-01"))
    assert (product.price_cents, product.active, product.stock) == (3990, False, None)


@pytest.mark.parametrize("body, field", [
    ({"name": "X", "price": "0"}, "price"),
    ({"name": "X", "price": "-1"}, "price"),
    ({"name": "X", "price": "abc"}, "price"),
    ({"name": "X", "price": "1.999"}, "price"),
    ({"name": "X", "price": "1", "stock": -1}, "stock"),
    ({"name": "X", "price": "1", "active": "yes"}, "active"),
    ({"name": "X", "price": "1", "sku": "OTHER"}, "sku"),
    ({"price": "1"}, "name"),
])
def test_put_refuses_bad_values_naming_the_field(api, db, body, field):
    response = api.put("/products/CAM-01", body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    assert _count(db) == 0


def test_a_padded_sku_in_the_path_is_refused(api, db):
    response = api.put("/products/%20CAM", {"name": "X", "price": "1"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "sku"


def test_bulk_upsert_is_all_or_nothing_and_names_the_bad_row(api, db):
    rows = [{"sku": f"S-{n}", "name": f"Produto {n}", "price": "10.00"} for n in range(5)]
    rows[3]["price"] = "0"
    response = api.put("/products", {"products": rows})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "products[3].price"
    assert _count(db) == 0
    rows[3]["price"] = "x"
    assert api.put("/products", {"products": rows}).get_json()["error"]["field"] == "products[3].price"


def test_bulk_upsert_writes_and_counts(api, db):
    api.put("/products/S-0", {"name": "Produto 0", "price": "10.00"})
    rows = [{"sku": f"S-{n}", "name": f"Produto {n}", "price": "10.00"} for n in range(3)]
    rows[1]["price"] = "12.50"
    body = api.put("/products", {"products": rows}).get_json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 1)
    assert [p["price"] for p in body["products"]] == ["10.00", "12.50", "10.00"]
    assert _count(db) == 3


def test_bulk_upsert_refuses_more_than_500(api, db):
    rows = [{"sku": f"S-{n}", "name": "x", "price": "1"} for n in range(501)]
    response = api.put("/products", {"products": rows})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "products"
    assert _count(db) == 0


def test_products_need_a_token(client):
    assert client.put("/api/v1/products/X", json={"name": "x", "price": "1"}).status_code == 401


def test_orders_list_filters_orders_placed_in_the_portal_newest_first(api, factory, db):
    factory.order(number="9001")
    factory.order(number="9002", created_in_portal=True, placed_by_email="op@example.com",
                  price_approval=PriceApproval.pending)
    factory.order(number="9003", created_in_portal=True)
    db.session.commit()
    portal = api.get("/orders?created_in_portal=1").get_json()
    assert [o["number"] for o in portal["orders"]] == ["9003", "9002"]
    assert portal["orders"][1]["placed_by_email"] == "op@example.com"
    assert portal["orders"][1]["price_approval"] == "pending"
    others = api.get("/orders?created_in_portal=0").get_json()
    assert [o["number"] for o in others["orders"]] == ["9001"]
    page = api.get("/orders?per_page=2").get_json()
    assert (len(page["orders"]), page["has_next"]) == (2, True)
    last = api.get("/orders?per_page=2&page=2").get_json()
    assert [o["number"] for o in last["orders"]] == ["9001"] and last["has_next"] is False
    assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 3


@pytest.mark.parametrize("query, field", [
    ("created_in_portal=maybe", "created_in_portal"), ("page=0", "page"), ("page=abc", "page"),
    ("per_page=101", "per_page"), ("colour=red", "colour"),
])
def test_orders_list_refuses_bad_query_values_naming_the_parameter(api, query, field):
    response = api.get(f"/orders?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"] == {"code": "validation_error", "field": field,
                                            "message": response.get_json()["error"]["message"]}
    assert response.get_json()["error"]["message"]


def test_the_document_describes_the_query_parameters(client):
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/orders"]["get"]
    names = {p["name"]: p for p in spec["parameters"]}
    assert {"created_in_portal", "page", "per_page"} <= set(names)
    assert all(p["in"] == "query" for p in names.values())
    assert "422" in spec["responses"]
