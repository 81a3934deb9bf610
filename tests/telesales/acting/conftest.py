"""Telesales fixtures: an operator, an agent, a served customer and the form helpers."""
import pytest

from portal.models import Role, TicketReason


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def operator(factory):
    return factory.user(role=Role.operator, name="Otávio Operador", email="operador@example.com")


@pytest.fixture
def agent(factory):
    return factory.user(role=Role.agent, name="Ana Agente")


@pytest.fixture
def customer(factory):
    return factory.user(name="Joana Lima", email="joana@example.com", document="52998224725", phone="(11) 91234-5678")


@pytest.fixture
def reason(db):
    return db.session.scalars(db.select(TicketReason).order_by(TicketReason.position)).first()


@pytest.fixture
def token(client, csrf_from):
    """Return a fresh CSRF token from a page of the signed-in session."""
    return lambda path="/orders": csrf_from(client.get(path).get_data(as_text=True))


@pytest.fixture
def act(client, token):
    """Start serving `customer` through the search page's form; returns the response."""
    def _act(customer):
        return client.post(f"/staff/customers/{customer.id}/act", data={"csrf_token": token("/staff/customers")})
    return _act
