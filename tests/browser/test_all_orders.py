"""An operator works "Todos os pedidos" in a real browser: filters the list, exports it, opens an order."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import PriceApproval, Role

from ..factories import PASSWORD, Factory
from .screens import DESKTOP, PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OPERATOR = "operadora.lista@example.com"


@pytest.fixture(scope="module")
def call_centre(live_server):
    """Commit an operator and three orders: one she placed (awaiting approval), two the customers placed."""
    with live_server.app.app_context():
        make = Factory(_db)
        make.user(role=Role.operator, email=OPERATOR, password=PASSWORD, name="Olga Operadora")
        buyer = make.user(email="cliente.lista@example.com", name="Carla Cliente", document="52998224725")
        make.order(buyer, number="880001", placed_at=datetime(2026, 10, 1, 12, tzinfo=UTC))
        placed = make.order(
            buyer,
            number="880002",
            placed_at=datetime(2026, 10, 2, 12, tzinfo=UTC),
            created_in_portal=True,
            placed_by_email=OPERATOR,
            price_approval=PriceApproval.pending,
        )
        placed.items[0].list_price = Decimal("150.00")
        placed.items[0].manual_price_reason = "Desconto de fidelidade"
        make.order(
            make.user(email="outro.lista@example.com"), number="880003", placed_at=datetime(2026, 10, 3, 12, tzinfo=UTC)
        )
        _db.session.commit()
    return {"operator": OPERATOR}


def _sign_in_as_operator(page):
    page.goto("/login")
    page.locator("input[name=email]").fill(OPERATOR)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_operator_filters_the_list_and_opens_an_order(page, call_centre, viewport):
    page.set_viewport_size(viewport)
    _sign_in_as_operator(page)
    page.goto("/staff/orders")
    expect(page.locator('[data-order="880003"]')).to_be_visible()

    page.locator("#o-placed-by").fill(OPERATOR)
    page.locator("#o-awaiting").check()
    page.locator("[data-order-filters] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/orders\?.*awaiting=1"))
    rows = page.locator("[data-order]")
    expect(rows).to_have_count(1)
    expect(page.locator('[data-order="880002"] [data-placed-by]')).to_have_text(OPERATOR)
    expect(page.locator('[data-order="880002"] [data-awaiting="yes"]')).to_be_visible()
    assert page_width(page) <= viewport["width"]

    page.reload()  # the URL alone brings the same list back
    expect(page.locator("#o-awaiting")).to_be_checked()
    expect(rows).to_have_count(1)

    page.locator('[data-order="880002"] a').first.click()
    expect(page).to_have_url(re.compile(r"/staff/orders/880002$"))
    expect(page.locator('[data-approval="pending"]')).to_be_visible()
    expect(page.locator("[data-manual-price]").first).to_contain_text("Desconto de fidelidade")
    expect(page.locator('[data-step="placed"]')).to_have_attribute("data-state", "done")


def test_search_by_formatted_cpf_and_a_bad_date_gets_a_message(page, call_centre):
    _sign_in_as_operator(page)
    page.goto("/staff/orders")
    page.locator("#o-q").fill("529.982.247-25")
    page.locator("#o-q").press("Enter")
    expect(page.locator("[data-order]")).to_have_count(2)
    page.goto("/staff/orders?date_from=2026-02-31")
    expect(page.locator('[data-filter-error="date_from"]')).to_be_visible()
    expect(page.locator("#o-from")).to_have_attribute("aria-invalid", "true")


def test_keyboard_reaches_the_filters_and_the_csv_export(page, call_centre):
    _sign_in_as_operator(page)
    page.goto("/staff/orders?placed_by=cliente")
    with page.expect_download() as download:
        page.locator("[data-export-csv]").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert "880001" in text and "880003" in text and "880002" not in text
    page.locator("#o-q").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#o-status")).to_be_focused()
