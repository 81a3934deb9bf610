"""People and orders for the call centre's tests."""
import pytest

from portal.models import Role


@pytest.fixture
def operator(factory):
    return factory.user(role=Role.operator, name="Otávio Operador", email="otavio@example.com")


@pytest.fixture
def admin(factory):
    return factory.user(role=Role.admin, name="Alice Admin", email="alice@example.com")


@pytest.fixture
def agent(factory):
    return factory.user(role=Role.agent, name="Ana Agente")


@pytest.fixture
def shopper(factory):
    return factory.user(name="Joana Lima", email="joana@example.com", document="12345678909")


@pytest.fixture
def client_for(app, csrf_from):
    """Return a new test client signed in as `user` (one per persona, so sessions never mix)."""
    def _client_for(user, password="correct horse 1"):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        token = csrf_from(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
        return client
    return _client_for
