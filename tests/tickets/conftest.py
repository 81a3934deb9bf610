"""Fixtures for the ticket domain: a settable clock, staff and shoppers, and tickets opened through the services."""
import io
from datetime import UTC, datetime

import pytest

from portal.models import Channel, Role, TicketReason
from portal.tickets import common as tickets_common
from portal.tickets import lifecycle as tickets

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


class Upload:
    """The little of werkzeug's FileStorage that the services use."""

    def __init__(self, data: bytes = PNG, filename: str = "photo.png"):
        self.stream = io.BytesIO(data)
        self.filename = filename


class Clock:
    def __init__(self, monkeypatch):
        self.now = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)  # a Wednesday, 10:00 in São Paulo
        monkeypatch.setattr(tickets_common, "utcnow", lambda: self.now)

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def advance(self, **delta) -> datetime:
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def attachments_dir(app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    yield tmp_path / "attachments"
    app.config.pop("ATTACHMENTS_DIR", None)


@pytest.fixture
def agent(factory):
    return factory.user(Role.agent, name="Ana Agente")


@pytest.fixture
def agent2(factory):
    return factory.user(Role.agent, name="Bruno Agente")


@pytest.fixture
def shopper(factory):
    return factory.user(Role.customer, name="Maria Souza")


@pytest.fixture
def reason(db):
    return db.session.scalar(db.select(TicketReason).order_by(TicketReason.position))


@pytest.fixture
def marketplace(factory):
    channel = factory.channel("amazon", "Amazon", marketplace=True)
    channel.sla_hours, channel.sla_working_days = 24, False
    return channel


@pytest.fixture
def store_channel(db):
    return db.session.scalar(db.select(Channel).filter_by(code=Channel.STORE_CODE))


@pytest.fixture
def open_ticket(factory, shopper, reason, clock, attachments_dir):
    """Open a ticket through the service: on a new order of the shopper, or on the order given."""
    def _open(order=None, customer=None, channel=None, body="Onde está meu pedido?", uploads=(), **order_kw):
        customer = customer or shopper
        order = order or factory.order(customer, channel=channel, **order_kw)
        return tickets.open_ticket(order, customer, reason.id, "Meu pedido", body, uploads=uploads)
    return _open


@pytest.fixture(autouse=True)
def english_messages(request):
    """Read service messages in English, whatever the catalogs hold, when the test has an app context."""
    if "db" not in request.fixturenames:
        yield
        return
    from flask_babel import force_locale

    request.getfixturevalue("db")
    with force_locale("en"):
        yield
