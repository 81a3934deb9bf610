"""Fixtures for telesales: a catalogue, an operator acting for a customer, and helpers to post forms."""
import time

import pytest

from portal.models import CustomerAddress, Product, Role, StoreSettings


@pytest.fixture
def products(db):
    rows = [Product(sku="CAM-001", name="Camiseta azul", price_cents=4990, active=True),
            Product(sku="CAN-002", name="Caneca", price_cents=2500, active=True),
            Product(sku="OLD-003", name="Produto antigo", price_cents=1000, active=False)]
    db.session.add_all(rows)
    db.session.flush()
    return {row.sku: row for row in rows}


@pytest.fixture
def operator(factory):
    return factory.user(Role.operator, email="operador@example.com", name="Olga Operadora")


@pytest.fixture
def admin(factory):
    return factory.user(Role.admin, email="chefe@example.com", name="Ana Admin")


@pytest.fixture
def customer(factory, db):
    user = factory.user(Role.customer, email="cliente@example.com", name="Carla Cliente")
    db.session.add(CustomerAddress(user=user, label="Casa", street="Rua A", number="10", city="São Paulo",
                                   state="SP", postal_code="01000-000"))
    db.session.flush()
    return user


@pytest.fixture
def settings(db):
    row = db.session.get(StoreSettings, 1)
    return row


@pytest.fixture
def act(client):
    """Set the session as acting.begin does: the operator serves the customer."""
    def _act(operator, customer):
        with client.session_transaction() as session:
            session["acting"] = {"customer": customer.id, "operator": operator.id, "seen": int(time.time())}
    return _act


@pytest.fixture
def post(client, csrf_from):
    """Post a form with a CSRF token taken from a page."""
    def _post(url, data=None, page="/telesales/cart", **kw):
        token = csrf_from(client.get(page).get_data(as_text=True))
        return client.post(url, data={**(data or {}), "csrf_token": token}, **kw)
    return _post
