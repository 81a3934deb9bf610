"""The demo shows a populated full history: an order with stored Correios events and ticket messages."""
import pytest

from portal.demo.data import DEMO_PASSWORD, load_demo_data
from portal.models import Order, Ticket, TicketMessage, TrackingSnapshot, User, Visibility

pytestmark = pytest.mark.db


@pytest.fixture
def demo(db):
    load_demo_data()
    db.session.commit()


def _orders_with_events_and_messages(db) -> list[Order]:
    codes = {s.code for s in db.session.scalars(db.select(TrackingSnapshot)) if s.events and not s.error}
    talked = set(db.session.scalars(db.select(Ticket.order_id).join(TicketMessage).where(
        TicketMessage.visibility == Visibility.customer)))
    return [order for order in db.session.scalars(db.select(Order).where(Order.shipping_code.in_(codes)))
            if order.id in talked]


def test_the_demo_has_an_order_with_carrier_events_and_ticket_messages(db, demo):
    assert _orders_with_events_and_messages(db)


def test_its_order_page_shows_them_in_the_full_history(client, login, db, demo):
    order = _orders_with_events_and_messages(db)[0]
    login(order.customer, password=DEMO_PASSWORD)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert 'data-history-entry="carrier"' in html and 'data-history-entry="message"' in html
    assert "Objeto postado" in html and "data-carrier-refreshing" not in html


def test_the_demo_agent_sees_its_internal_note_there(client, login, db, demo):
    order = _orders_with_events_and_messages(db)[0]
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.order_id == order.id))
    login(db.session.scalar(db.select(User).where(User.email == "agente@demo.test")), password=DEMO_PASSWORD)
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert 'data-history-entry="carrier"' in html and 'data-mark="internal"' in html
