"""Back-office events: order.created / approved / rejected, signed, posted through the outbox, retried on 500."""
import json

import pytest

from portal.core import outbox
from portal.marketplaces import signing
from portal.models import OutboxItem, OutboxKind, OutboxState
from portal.telesales import approval

from .helpers import placed_order

pytestmark = pytest.mark.db

PATH = "/backoffice/events"
SECRET = "whsec_backoffice_test"


@pytest.fixture
def backoffice(db, settings, httpserver):
    settings.backoffice_url = httpserver.url_for(PATH)
    settings.backoffice_secret = SECRET
    db.session.commit()
    return httpserver


def _posts(server):
    return [request for request, _response in server.log if request.path == PATH]


def test_a_placed_order_is_announced_signed(db, backoffice, operator, customer, products, admin, app):
    backoffice.expect_request(PATH, method="POST").respond_with_data("", status=204)
    order = placed_order(db, operator, customer, products, manual=True)
    (request,) = _posts(backoffice)
    body = request.get_data()
    assert signing.verify([SECRET], request.headers[signing.TIMESTAMP_HEADER],
                          request.headers[signing.SIGNATURE_HEADER], body)
    data = json.loads(body)
    assert data["event"] == "order.created"
    assert request.headers[signing.EVENT_HEADER] == f"backoffice:order.created:{order.number}"
    assert data["order"]["number"] == order.number and data["order"]["price_approval"] == "pending"
    assert data["order"]["placed_by_email"] == operator.email
    assert data["order"]["items"][0] == {"sku": "CAM-001", "name": "Camiseta azul", "quantity": 2,
                                         "unit_price_cents": 3990, "list_price_cents": 4990,
                                         "manual_price_reason": "cliente fiel"}
    with app.test_request_context():
        approval.approve(admin, order)
    db.session.commit()
    events = [json.loads(r.get_data())["event"] for r in _posts(backoffice)]
    assert events == ["order.created", "order.approved"]


def test_a_500_is_retried_after_the_back_off(db, backoffice, operator, customer, products, monkeypatch):
    backoffice.expect_ordered_request(PATH, method="POST").respond_with_data("oops", status=500)
    backoffice.expect_ordered_request(PATH, method="POST").respond_with_data("ok", status=200)
    placed_order(db, operator, customer, products, manual=False)
    item = db.session.scalar(db.select(OutboxItem).where(OutboxItem.kind == OutboxKind.backoffice))
    db.session.refresh(item)
    assert (item.state, item.attempts, item.last_error) == (OutboxState.queued, 1, "http:500")
    later = item.next_attempt_at
    monkeypatch.setattr(outbox, "utcnow", lambda: later)
    assert outbox.sweep() == 1
    db.session.refresh(item)
    assert item.state is OutboxState.delivered and len(_posts(backoffice)) == 2


def test_no_back_office_configured_queues_nothing(db, operator, customer, products):
    placed_order(db, operator, customer, products)
    assert db.session.scalar(db.select(OutboxItem).where(OutboxItem.kind == OutboxKind.backoffice)) is None
