"""The shopper's order page says, in words, when the order is late and what happens next."""
from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.db

LATE = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)


@pytest.fixture
def shopper(factory):
    return factory.user()


def _page(client, login, shopper, order, language="pt-BR"):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    login(shopper)
    return client.get(f"/orders/{order.number}").get_data(as_text=True)


def test_a_late_order_shows_the_banner_in_portuguese(client, login, shopper, factory):
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, late_since=LATE, late_reason="expected_date")
    html = _page(client, login, shopper, order)
    banner = html.split("data-late-banner")[1].split("</div>")[0]
    assert 'role="status"' in html.split("data-late-banner")[0].rsplit("<div", 1)[1]
    assert "Seu pedido está atrasado." in banner and "A data prevista de entrega já passou." in banner
    assert "A loja já foi avisada" in banner and f'href="/orders/{order.number}/help"' in banner


def test_the_banner_says_when_the_carrier_went_quiet(client, login, shopper, factory):
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, late_since=LATE, late_reason="carrier_quiet")
    html = _page(client, login, shopper, order, "en")
    assert "Your order is running late." in html and "has not reported any progress" in html


@pytest.mark.parametrize("status, kw", [
    ("ENVIADO", {}),
    ("FINALIZADO", {"late_since": LATE, "late_reason": "expected_date"}),
    ("ENVIADO", {"late_since": LATE, "late_reason": "expected_date", "carrier_delivered_at": LATE}),
])
def test_no_banner_when_on_time_finished_or_delivered(client, login, shopper, factory, status, kw):
    order = factory.order(shopper, status, paid=True, shipped=True, **kw)
    assert "data-late-banner" not in _page(client, login, shopper, order)
