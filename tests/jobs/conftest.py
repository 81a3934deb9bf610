"""Fixtures for background work: a real local SMTP server, a settable outbox clock, an integrated marketplace."""
import email
import socket
import threading
import time
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from flask_babel import force_locale

from portal.core import outbox
from portal.marketplaces import signing
from portal.models import OutboxItem, Role
from portal.models.base import utcnow
from portal.tickets import lifecycle as tickets


def reason_text(reason: str) -> str:
    """Return what the workspace says, in English, for a stored last_error."""
    with force_locale("en"):
        return outbox.describe_error(reason)


def free_port() -> int:
    """Return a port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.1)
        return list(self.messages)


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    @property
    def messages(self):
        return self.inbox.messages

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_config(app):
    """Send through SMTP on a free local port for this test; the app's mail settings are restored afterwards."""
    keys = ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT", "MAIL_USE_TLS", "MAIL_USERNAME")
    saved = {key: app.config[key] for key in keys}
    server = SmtpServer(free_port())
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5,
                      MAIL_USE_TLS=False, MAIL_USERNAME="")
    yield server
    server.stop()
    app.config.update(saved)


@pytest.fixture
def smtp(smtp_config):
    """A local SMTP server the app sends to, already listening."""
    return smtp_config.start()


class Clock:
    """The outbox's idea of now, starting at the real time; tests move it forward."""

    def __init__(self, monkeypatch):
        self.now = utcnow()
        monkeypatch.setattr(outbox, "utcnow", lambda: self.now)

    def advance(self, **delta):
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def agent(factory):
    return factory.user(Role.agent, name="Ana Agente")


@pytest.fixture
def colleague(factory):
    return factory.user(Role.agent, name="Bruno Colega", locale="en")


@pytest.fixture
def shopper(factory):
    return factory.user(Role.customer, name="Maria Souza")


@pytest.fixture
def marketplace_config(app):
    saved = {key: app.config.get(key) for key in ("MARKETPLACE_CONNECT_TIMEOUT", "MARKETPLACE_READ_TIMEOUT",
                                                    "MARKETPLACE_TOTAL_TIMEOUT")}
    yield app.config
    for key, value in saved.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value


@pytest.fixture
def integrated(factory, httpserver):
    """An integrated marketplace whose delivery endpoint is a local pytest-httpserver."""
    channel = factory.channel("carrefour", "Carrefour", marketplace=True)
    channel.integrated = True
    channel.outbound_url = httpserver.url_for("/portal-events")
    channel.webhook_secret = signing.new_secret()
    factory.db.session.flush()
    return channel


@pytest.fixture
def mkt_ticket(factory, shopper, integrated):
    """A ticket the marketplace opened (as the inbound webhook does), committed into the test's transaction."""
    order = factory.order(shopper, channel=integrated, marketplace_order_number="MKT-ORDER-1")
    ticket = tickets.create_channel_ticket(order, integrated, "Pedido atrasado", "Cadê meu pedido?", "MKT-778")
    factory.db.session.commit()
    return ticket


@pytest.fixture
def items(db):
    """Return the outbox rows (fresh from the database), optionally only those of a ticket."""
    def _items(ticket=None, kind=None):
        db.session.expire_all()
        query = db.select(OutboxItem).order_by(OutboxItem.id)
        if ticket is not None:
            query = query.where(OutboxItem.ticket_id == ticket.id)
        if kind is not None:
            query = query.where(OutboxItem.kind == kind)
        return list(db.session.scalars(query))
    return _items
