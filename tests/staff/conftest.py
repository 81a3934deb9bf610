"""Staff-area fixtures: personas, a ticket opened through the real service, and form helpers."""
import re

import pytest
from flask import g, request_started

from portal.models import Role, TicketReason
from portal.tickets import lifecycle as tickets


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English, the language of the msgids these tests look for."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """Give every request an empty `g`, as a real server does (the db fixture keeps one app context pushed)."""
    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@pytest.fixture
def shopper(factory):
    return factory.user(name="Joana Lima")


@pytest.fixture
def agent(factory):
    return factory.user(role=Role.agent, name="Ana Agente")


@pytest.fixture
def colleague(factory):
    return factory.user(role=Role.agent, name="Bruno Colega")


@pytest.fixture
def reason(db):
    return db.session.scalars(db.select(TicketReason).order_by(TicketReason.position)).first()


@pytest.fixture
def make_ticket(factory, shopper, reason):
    """Open a ticket through the service, as the shopper would."""
    def _make(order=None, subject="Onde está meu pedido?", body="Meu pedido não chegou.", **order_kw):
        order = order or factory.order(shopper, **order_kw)
        ticket = tickets.open_ticket(order, order.customer, reason.id, subject, body)
        # Committed into the test's outer transaction, so that a view's rollback cannot undo the setup.
        factory.db.session.commit()
        return ticket
    return _make


@pytest.fixture
def ticket(make_ticket):
    return make_ticket()


@pytest.fixture
def form_of(client, csrf_from):
    """Return the CSRF token and the ticket version shown on the workspace."""
    def _form(number):
        html = client.get(f"/staff/tickets/{number}").get_data(as_text=True)
        version = re.search(r'name="version"[^>]*value="(\d+)"', html)
        return {"csrf_token": csrf_from(html), "version": version.group(1) if version else ""}
    return _form
