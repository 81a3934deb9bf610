"""The demo's call centre: an operator, customers findable by CPF, products, an order awaiting approval, a link."""
import pytest

from portal.accounts.documents import is_valid_cpf
from portal.demo.data import load_demo_data
from portal.demo.telesales import DEMO_CART_TOKEN
from portal.models import AuditEntry, Order, PriceApproval, Product, Role, User
from portal.models.statuses import PRICE_APPROVAL
from portal.telesales import links

pytestmark = pytest.mark.db


def test_the_demo_has_what_the_call_centre_needs(db, app):
    load_demo_data()
    operator = db.session.scalar(db.select(User).filter_by(role=Role.operator))
    assert operator is not None and operator.check_password("demo1234")
    customers = db.session.scalars(db.select(User).filter_by(role=Role.customer)).all()
    assert customers and all(is_valid_cpf(c.document or "") and c.phone for c in customers)
    assert db.session.scalar(db.select(db.func.count()).select_from(Product).where(Product.active)) >= 3
    pending = db.session.scalars(db.select(Order).filter_by(price_approval=PriceApproval.pending)).all()
    assert len(pending) == 1 and pending[0].placed_by_email == operator.email
    assert pending[0].status.name == PRICE_APPROVAL
    placed = db.session.scalar(db.select(AuditEntry).filter_by(action="order.place"))
    assert placed.user_id == operator.id and placed.on_behalf_of_id == pending[0].customer_id
    cart = links.get_shared_cart(DEMO_CART_TOKEN)
    assert cart.items and cart.customer_id is None


def test_the_operator_finds_a_demo_customer_by_cpf(db, app, client, login):
    load_demo_data()
    operator = db.session.scalar(db.select(User).filter_by(role=Role.operator))
    maria = db.session.scalar(db.select(User).filter_by(email="maria@demo.test"))
    login(operator, "demo1234")
    html = client.get("/staff/customers", query_string={"q": "529.982.247-25"}).get_data(as_text=True)
    assert f'data-customer="{maria.id}"' in html


def test_the_printed_logins_name_the_operator_and_a_cart_link_that_opens(db, app, client, login, capsys):
    from portal.demo.devrun import _print_logins

    load_demo_data()
    _print_logins("127.0.0.1", "5000")
    printed = capsys.readouterr().out
    operator = db.session.scalar(db.select(User).filter_by(role=Role.operator))
    assert f"operator  {operator.email} / demo1234" in printed
    assert "Answers to ticket e-mails: SMTP 127.0.0.1:2525" in printed
    link = next(line for line in printed.splitlines() if line.startswith("Shared cart link"))
    path = link.split("http://127.0.0.1:5000", 1)[1]
    login(db.session.scalar(db.select(User).filter_by(email="maria@demo.test")), "demo1234")
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
