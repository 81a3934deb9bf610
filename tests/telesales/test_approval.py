"""Price approval: someone allowed, never the operator behind the prices, approves or rejects; all audited."""
import pytest

from portal.models import AuditEntry, Order, PriceApproval, Role

from ..api import order_body
from .helpers import placed_order, shared

pytestmark = pytest.mark.db


@pytest.fixture
def pending(db, operator, customer, products):
    return placed_order(db, operator, customer, products, manual=True, method="promissoria")


def _order(db, number):
    db.session.expire_all()
    return db.session.scalar(db.select(Order).where(Order.number == number))


def test_the_list_shows_pending_orders_with_their_manual_lines(client, login, admin, pending):
    login(admin)
    page = client.get("/telesales/approvals").get_data(as_text=True)
    assert f'data-pending="{pending.number}"' in page
    assert "cliente fiel" in page and "R$49.90" in page and "R$39.90" in page


def test_an_admin_approves_and_the_order_moves_on_paid(client, login, admin, pending, post, db):
    login(admin)
    response = post(f"/telesales/approvals/{pending.number}/approve", page="/telesales/approvals")
    assert response.status_code == 302
    order = _order(db, pending.number)
    assert order.price_approval is PriceApproval.approved and order.status.name == "A ENVIAR"
    assert order.paid_at is not None and order.price_decided_by_id == admin.id and order.price_decided_at
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "order.price_approved"))
    assert entry.user_id == admin.id and entry.target == order.number
    assert entry.before == {"1:CAM-001": "49.90"} and entry.after["1:CAM-001"] == "39.90"
    assert [c.to_status.name for c in order.history][-1] == "A ENVIAR"


def test_approving_another_payment_waits_for_payment(client, login, admin, db, operator, customer, products, post):
    order = placed_order(db, operator, customer, products, manual=True, method="boleto")
    login(admin)
    post(f"/telesales/approvals/{order.number}/approve", page="/telesales/approvals")
    order = _order(db, order.number)
    assert order.status.name == "AGUARDANDO PAGAMENTO" and order.paid_at is None


def test_a_rejection_needs_a_reason_cancels_and_shows_the_reason_to_the_operator(client, login, admin, pending,
                                                                                post, db, operator):
    login(admin)
    assert post(f"/telesales/approvals/{pending.number}/reject", {"reason": " "},
                page="/telesales/approvals").status_code == 422
    assert _order(db, pending.number).price_approval is PriceApproval.pending
    response = post(f"/telesales/approvals/{pending.number}/reject", {"reason": "Desconto acima do permitido"},
                    page="/telesales/approvals")
    assert response.status_code == 302
    order = _order(db, pending.number)
    assert order.status.name == "CANCELADO" and order.price_approval is PriceApproval.rejected
    assert order.price_decision_note == "Desconto acima do permitido"
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "order.price_rejected"))
    assert post(f"/telesales/approvals/{pending.number}/approve", page="/telesales/approvals").status_code == 409
    post("/logout", page="/telesales/approvals")
    login(operator)
    assert "Desconto acima do permitido" in client.get("/telesales/cart").get_data(as_text=True)


def _refused_to_decide(post, db, number):
    response = post(f"/telesales/approvals/{number}/approve", page="/telesales/approvals")
    assert response.status_code == 403
    assert "someone else must approve" in response.get_data(as_text=True)
    assert post(f"/telesales/approvals/{number}/reject", {"reason": "não"},
                page="/telesales/approvals").status_code == 403
    assert _order(db, number).price_approval is PriceApproval.pending


def test_the_operator_who_placed_it_can_never_decide(client, login, db, factory, customer, products, post):
    boss = factory.user(Role.admin, email="boss@example.com")
    order = placed_order(db, boss, customer, products, manual=True)
    login(boss)
    _refused_to_decide(post, db, order.number)


def test_the_operator_who_built_a_shared_cart_cannot_decide_but_another_approver_can(client, login, db, factory,
                                                                                     customer, admin, products,
                                                                                     post):
    builder = factory.user(Role.operator, email="montou@example.com", can_approve_prices=True)
    _cart, raw = shared(db, builder, products, manual=True)
    login(customer)
    assert post(f"/cart/{raw}/confirm", page=f"/cart/{raw}").status_code == 302
    order = db.session.scalar(db.select(Order))
    assert order.placed_by_id is None and order.customer_id == customer.id
    assert order.price_approval is PriceApproval.pending
    post("/logout", page="/orders")
    login(builder)
    assert f'data-pending="{order.number}"' in client.get("/telesales/approvals").get_data(as_text=True)
    _refused_to_decide(post, db, order.number)
    post("/logout", page="/telesales/approvals")
    login(admin)
    assert post(f"/telesales/approvals/{order.number}/approve", page="/telesales/approvals").status_code == 302
    decided = _order(db, order.number)
    assert decided.price_approval is PriceApproval.approved and decided.price_decided_by_id == admin.id


def test_the_permission_is_needed_and_can_be_granted_to_staff(client, login, factory, pending, post, db):
    agent = factory.user(Role.agent, email="aprovador@example.com")
    login(agent)
    assert client.get("/telesales/approvals").status_code == 403
    agent.can_approve_prices = True
    db.session.commit()
    assert client.get("/telesales/approvals").status_code == 200
    assert post(f"/telesales/approvals/{pending.number}/approve", page="/telesales/approvals").status_code == 302


def test_an_operator_without_the_permission_gets_403(client, login, operator, pending):
    login(operator)
    assert client.get("/telesales/approvals").status_code == 403


def test_the_back_office_cannot_move_or_rewrite_an_order_awaiting_approval(client, factory, pending, db):
    headers = {"Authorization": f"Bearer {factory.api_token()}"}
    db.session.commit()
    moved = client.post(f"/api/v1/orders/{pending.number}/status", json={"status": "A ENVIAR"}, headers=headers)
    assert moved.status_code == 409
    assert "approval" in moved.get_json()["error"]["message"]
    body = order_body(customer={"email": pending.customer.email, "name": pending.customer.name}, invoice=None,
                      items=[{"sku": "CAM-001", "name": "Camiseta", "quantity": 1, "unit_price": "49.90"}])
    rewritten = client.put(f"/api/v1/orders/{pending.number}", json=body, headers=headers)
    assert rewritten.status_code == 409, rewritten.get_json()
    order = _order(db, pending.number)
    assert order.status.name == "AGUARDANDO APROVAÇÃO DE PREÇO" and order.price_approval is PriceApproval.pending
    assert str(order.items[0].unit_price) == "39.90" and order.items[0].manual_price_reason
