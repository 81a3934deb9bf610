"""The demo has a late order: its banner on the shopper's page and its badge in the staff queue."""
import pytest

from portal.demo.data import load_demo_data
from portal.models import Order, Ticket, User


@pytest.fixture
def demo(db):
    load_demo_data()
    db.session.commit()


def _user(db, email):
    return db.session.scalar(db.select(User).where(User.email == email))


def test_the_demo_has_a_late_order_with_a_ticket(db, demo):
    late = db.session.scalars(db.select(Order).where(Order.late_since.is_not(None))).all()
    assert [order.number for order in late] == ["10240"] and late[0].late_reason == "expected_date"
    assert db.session.scalar(db.select(Ticket).where(Ticket.order_id == late[0].id)) is not None


def test_the_demo_shows_the_banner(client, login, db, demo):
    login(_user(db, "maria@demo.test"), password="demo1234")
    assert "data-late-banner" in client.get("/orders/10240").get_data(as_text=True)


def test_the_demo_shows_the_queue_badge(client, login, db, demo):
    login(_user(db, "agente@demo.test"), password="demo1234")
    html = client.get("/staff/?late=1").get_data(as_text=True)
    assert html.count("data-late>") == 1
