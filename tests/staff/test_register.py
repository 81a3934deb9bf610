"""Staff register by hand the tickets of marketplaces handled in their own seller portal."""
from datetime import timedelta

import pytest

from portal.models import Channel, Ticket, TicketMessage
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db

URL = "/staff/tickets/new"


@pytest.fixture
def magalu(factory):
    channel = factory.channel("magalu_test", "Magazine Luiza")
    channel.sla_hours, channel.sla_working_days = 24, False
    return channel


@pytest.fixture
def order(factory, shopper, magalu):
    return factory.order(shopper, channel=magalu, marketplace_order_number="MGL-5501", delivery_number="ENT-77")


@pytest.fixture
def register(client, csrf_from, db):
    def _post(**fields):
        db.session.commit()
        html = client.get(URL).get_data(as_text=True)
        data = {"csrf_token": csrf_from(html), "order": "", "channel": "", "marketplace_ticket_code": "MGL-T-1",
                "subject": "Produto não chegou", "message": "A cliente pergunta pela entrega.", **fields}
        return client.post(URL, data=data)
    return _post


def count(db, model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_queue_links_to_the_form(client, login, agent):
    login(agent)
    html = client.get("/staff/").get_data(as_text=True)
    assert f'href="{URL}"' in html and "Register a ticket" in html
    page = client.get(URL)
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)


@pytest.mark.parametrize("reference", ["site", "MGL-5501", "ENT-77"])
def test_register_a_ticket(client, login, agent, db, order, magalu, register, reference):
    login(agent)
    response = register(order=order.number if reference == "site" else reference)
    assert response.status_code == 302
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.marketplace_ticket_code == "MGL-T-1"))
    assert response.headers["Location"].endswith(f"/staff/tickets/{ticket.number}")
    assert ticket.order_id == order.id and ticket.channel_id == magalu.id and ticket.customer_id == order.customer_id
    assert ticket.status.value == "open" and ticket.subject == "Produto não chegou"
    assert ticket.due_at - ticket.open_since == timedelta(hours=24)
    message = db.session.scalars(db.select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)).one()
    assert message.author_id == agent.id and "pergunta pela entrega" in message.body_html
    assert f"Ticket {ticket.number} registered." in client.get(response.headers["Location"]).get_data(as_text=True)
    queue = client.get("/staff/").get_data(as_text=True)
    assert f'data-ticket="{ticket.number}"' in queue and "MGL-T-1" in queue


def test_chosen_channel_overrides_the_orders(client, login, agent, db, factory, order, register):
    other = factory.channel("b2w_test", "B2W")
    other.sla_hours, other.sla_working_days = 6, False
    login(agent)
    assert register(order="ENT-77", channel=str(other.id)).status_code == 302
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.marketplace_ticket_code == "MGL-T-1"))
    assert ticket.channel_id == other.id and ticket.due_at - ticket.open_since == timedelta(hours=6)


def test_same_code_twice_shows_the_existing_ticket(client, login, agent, db, order, magalu, register):
    first = tickets.create_channel_ticket(order, magalu, "Antes", "Já registrado.", "MGL-T-1")
    db.session.commit()
    before = count(db, Ticket), count(db, TicketMessage)
    login(agent)
    response = register(order=order.number)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/tickets/{first.number}")
    assert (count(db, Ticket), count(db, TicketMessage)) == before
    assert "already registered" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_same_code_on_another_channel_is_another_ticket(client, login, agent, db, factory, order, magalu, register):
    other = factory.channel("b2w_test", "B2W")
    tickets.create_channel_ticket(order, other, "Outro", "Outro canal.", "MGL-T-1")
    login(agent)
    assert register(order=order.number).status_code == 302
    same_code = db.select(db.func.count(Ticket.id)).where(Ticket.marketplace_ticket_code == "MGL-T-1")
    assert db.session.scalar(same_code) == 2


@pytest.mark.parametrize(("setup", "fields", "message"), [
    ("none", {"order": "NOPE-1"}, "No order has this number."),
    ("ambiguous", {"order": "SHARED-1"}, "Several orders have this number"),
    ("store", {}, "choose the marketplace the ticket came from"),
    ("none", {"order": "ENT-77", "marketplace_ticket_code": ""}, "This field is required."),
    ("none", {"order": "ENT-77", "subject": ""}, "This field is required."),
    ("none", {"order": "ENT-77", "message": ""}, "This field is required."),
    ("none", {"order": ""}, "This field is required."),
    ("none", {"order": "ENT-77", "channel": "999999"}, "Not a valid choice"),
    ("none", {"order": "ENT-77", "marketplace_ticket_code": "X" * 81}, "Field cannot be longer than 80"),
])
def test_bad_input_writes_nothing(client, login, agent, db, factory, shopper, order, magalu, register, setup,
                                  fields, message):
    if setup == "ambiguous":
        factory.order(shopper, channel=magalu, marketplace_order_number="SHARED-1")
        factory.order(shopper, channel=factory.channel("b2w_test", "B2W"), delivery_number="SHARED-1")
    if setup == "store":
        fields = {"order": factory.order(shopper).number}
    before = count(db, Ticket), count(db, TicketMessage)
    login(agent)
    response = register(**fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    kept = "A cliente pergunta pela entrega." if fields.get("subject") == "" else "Produto não chegou"
    assert kept in html  # the user's input is kept
    if fields.get("order"):
        assert f'value="{fields["order"]}"' in html
    assert (count(db, Ticket), count(db, TicketMessage)) == before


def test_the_marketplace_narrows_an_ambiguous_number(client, login, agent, db, factory, shopper, magalu, register):
    mine = factory.order(shopper, channel=magalu, marketplace_order_number="SHARED-1")
    factory.order(shopper, channel=factory.channel("b2w_test", "B2W"), delivery_number="SHARED-1")
    login(agent)
    assert register(order="SHARED-1", channel=str(magalu.id)).status_code == 302
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.marketplace_ticket_code == "MGL-T-1"))
    assert ticket.order_id == mine.id


def test_without_csrf_token_nothing_is_written(client, login, agent, db, order):
    login(agent)
    db.session.commit()
    response = client.post(URL, data={"order": order.number, "marketplace_ticket_code": "X", "subject": "S",
                                      "message": "M"})
    assert response.status_code == 400
    assert count(db, Ticket) == 0


def test_customers_cannot_register(client, login, shopper, db, order):
    login(shopper)
    assert client.get(URL).status_code == 403


def test_marketplace_choices_leave_out_the_store(client, login, agent, magalu, db):
    login(agent)
    html = client.get(URL).get_data(as_text=True)
    store = db.session.scalar(db.select(Channel).where(Channel.code == Channel.STORE_CODE))
    assert f'value="{magalu.id}"' in html and f'<option value="{store.id}"' not in html


def test_integrated_marketplaces_are_not_registered_by_hand(client, login, agent, db, factory, shopper, register):
    amazon = factory.channel("amazon_hand", "Amazon")
    amazon.integrated, amazon.outbound_url = True, "https://api.example.com/events"
    order = factory.order(shopper, channel=amazon, marketplace_order_number="AMZ-1")
    login(agent)
    html = client.get(URL).get_data(as_text=True)
    assert f'value="{amazon.id}"' not in html
    response = register(order="AMZ-1")
    assert response.status_code == 422
    assert "sends its tickets to the portal by itself" in response.get_data(as_text=True)
    assert count(db, Ticket) == 0 and order.id
    assert register(order="AMZ-1", channel=str(amazon.id)).status_code == 422
    assert count(db, Ticket) == 0
