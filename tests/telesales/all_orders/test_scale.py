"""The bulk filler makes orders placed in the portal, and the all-orders measurement runs on them."""
import pytest

from portal.demo import scale_orders
from portal.demo.scale import PENDING_EVERY, PORTAL_EVERY, fill
from portal.models import Order, PriceApproval, Role, User

pytestmark = pytest.mark.db


def test_fill_adds_portal_orders_with_operators_and_pending_approvals(db):
    fill(PENDING_EVERY * 2, 0)
    orders = db.session.scalars(db.select(Order)).all()
    portal = [o for o in orders if o.created_in_portal]
    assert len(portal) == len(orders) // PORTAL_EVERY
    by_operator = [o for o in portal if o.placed_by_email]
    assert 0 < len(by_operator) < len(portal)  # some came from shared carts: no operator on them
    operators = {u.email for u in db.session.scalars(db.select(User).where(User.role == Role.operator))}
    assert {o.placed_by_email for o in by_operator} <= operators
    assert all(o.placed_by_id for o in by_operator)
    assert sum(o.price_approval is PriceApproval.pending for o in orders) == 2
    assert not any(o.placed_by_email for o in orders if not o.created_in_portal)
    assert all(o.customer.document and len(o.customer.document) == 11 for o in orders[:10])


def test_measure_runs_every_scenario_within_five_queries(db):
    fill(PENDING_EVERY, 0)
    results = scale_orders.measure(runs=1, echo=lambda _line: None)
    assert len(results) >= 15
    for name, _ms, queries, _page_ms, page_queries, _shown in results:
        assert queries <= 3 and page_queries <= 5, name  # the period reads the store's time zone
    assert next(r for r in results if r[0] == "search order number")[5] == 1
