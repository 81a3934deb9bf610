"""The catalogue: exact cents, idempotent upserts, all-or-nothing batches, the operators' search."""
from decimal import Decimal

import pytest

from portal.core.errors import ValidationError
from portal.models import Product
from portal.telesales import catalogue
from portal.telesales.catalogue import ProductData, ProductFilters

pytestmark = pytest.mark.db


@pytest.mark.parametrize("value, cents", [
    ("19.90", 1990), ("19.9", 1990), ("0.01", 1), ("20", 2000), (Decimal("1234567.89"), 123456789),
    (Decimal("0.10"), 10), (7, 700), ("19,90", 1990), ("9999999999.99", 999_999_999_999),
])
def test_amounts_become_cents_exactly(value, cents):
    assert catalogue.to_cents(value) == cents


@pytest.mark.parametrize("value", ["-1", "1.999", "abc", "", "1e3", 19.9, True, Decimal("0.001"), Decimal("NaN"),
                                   "10000000000.00", Decimal("-0.01")])
def test_amounts_that_are_not_exact_cents_are_refused(value):
    with pytest.raises(ValidationError) as caught:
        catalogue.to_cents(value)
    assert caught.value.field == "price" and str(caught.value.message)


def test_upsert_creates_then_replaces_and_a_repeat_changes_nothing(db):
    first = catalogue.upsert_product(ProductData("CAM-01", "Camiseta", 4990, stock=3))
    assert first.created and first.changed
    again = catalogue.upsert_product(ProductData("CAM-01", "Camiseta", 4990, stock=3))
    assert not again.created and not again.changed
    updated = catalogue.upsert_product(ProductData("CAM-01", "Camiseta azul", 5990, active=False))
    assert updated.changed and not updated.created
    product = db.session.scalar(db.select(Product).filter_by(sku="CAM-01"))
    assert (product.name, product.price_cents, product.active, product.stock) == ("Camiseta azul", 5990, False, None)


def test_a_price_of_zero_is_refused(db):
    with pytest.raises(ValidationError) as caught:
        catalogue.upsert_product(ProductData("X", "X", 0))
    assert caught.value.field == "price"


def test_a_batch_with_one_bad_row_writes_nothing_and_names_the_row(db):
    rows = [ProductData("A-1", "A", 100), ProductData("B-1", "B", 200), ProductData("C-1", "C", 0)]
    with pytest.raises(ValidationError) as caught:
        catalogue.upsert_products(rows)
    assert caught.value.field == "products[2].price"
    assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == 0


def test_a_batch_with_the_same_sku_twice_is_refused(db):
    with pytest.raises(ValidationError) as caught:
        catalogue.upsert_products([ProductData("A-1", "A", 100), ProductData("A-1", "A", 200)])
    assert caught.value.field == "products[1].sku"


def test_a_batch_over_the_limit_is_refused(db):
    rows = [ProductData(f"S-{n}", "x", 100) for n in range(catalogue.MAX_BATCH + 1)]
    with pytest.raises(ValidationError):
        catalogue.upsert_products(rows)


def test_a_batch_updates_existing_and_creates_new_in_one_pass(db, count_queries):
    catalogue.upsert_product(ProductData("A-1", "A", 100))
    with count_queries() as statements:
        results = catalogue.upsert_products([ProductData("A-1", "A", 150), ProductData("B-1", "B", 200)])
    assert [(r.created, r.changed) for r in results] == [(False, True), (True, True)]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1


def _skus(filters):
    return [product.sku for product in catalogue.product_page(filters, per_page=2).items]


def test_search_by_sku_prefix_or_name_and_active_filter(db):
    catalogue.upsert_products([
        ProductData("CAM-01", "Camiseta básica", 100), ProductData("CAM-02", "Camiseta polo", 100),
        ProductData("CAL-01", "Calça jeans", 100), ProductData("XCAM", "Boné 100%", 100, active=False),
    ])
    assert _skus(ProductFilters(q="CAM")) == ["CAM-01", "CAM-02"]
    assert _skus(ProductFilters(q="jeans")) == ["CAL-01"]
    assert _skus(ProductFilters(q="POLO")) == ["CAM-02"]
    assert _skus(ProductFilters(q="100%")) == []  # inactive by default, and % is no wildcard
    assert _skus(ProductFilters(q="100%", active=None)) == ["XCAM"]
    assert _skus(ProductFilters(q="%")) == []
    first = catalogue.product_page(ProductFilters(active=None), per_page=2)
    second = catalogue.product_page(ProductFilters(active=None, page=2), per_page=2)
    assert first.has_next and not second.has_next and second.has_prev
    assert {p.sku for p in first.items + second.items} == {"CAM-01", "CAM-02", "CAL-01", "XCAM"}


def test_filters_round_trip_through_the_url():
    filters = ProductFilters.from_args({"q": "  cam  ", "active": "all", "page": "3"})
    assert filters == ProductFilters(q="cam", active=None, page=3)
    assert ProductFilters.from_args(filters.to_args()) == filters
    assert ProductFilters.from_args({"page": "-1", "active": "bogus"}) == ProductFilters()
