"""Fixtures for the marketplace webhook: an integrated channel with an order, and helpers that sign and post."""
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db as _db
from portal.models import Channel, IntegrationEvent, Ticket, TicketMessage
from tests.conftest import _database_url
from tests.factories import Factory

from ..live import serve

SECRET = "whsec_current_secret_for_tests"
CHANNEL = "amazon"
ORDER = "AMZ-2001"
# Events happened a while ago: one dated more than an hour ahead is refused.
BASE = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)


def at(minutes: int = 0) -> str:
    """Return the ISO 8601 time `minutes` after BASE, as a marketplace writes it."""
    return (BASE + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """Sign as a marketplace would, written out here rather than taken from the code under test."""
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signed(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    moment = int(time.time()) if timestamp is None else timestamp
    return {"Content-Type": "application/json", "X-Portal-Timestamp": str(moment),
            "X-Portal-Signature": sign(secret, moment, body)}


def payload(kind: str = "ticket.created", event_id: str = "evt-1", *, ticket: str = "MKT-778", order: str = ORDER,
            subject: str | None = "Pedido atrasado", message: tuple | None = ("msg-1", "Onde está?"),
            status: str | None = None, occurred_at: str | None = None) -> dict:
    """Return an event as the contract describes it."""
    body = {"event_id": event_id, "type": kind, "occurred_at": occurred_at or at(),
            "ticket": {"id": ticket, "order": order, **({"subject": subject} if subject else {})}}
    if message is not None:
        body["message"] = {"id": message[0], "body": message[1]}
    if status is not None:
        body["status"] = status
    return body


def integrate(factory: Factory, code: str = CHANNEL, secret: str = SECRET) -> Channel:
    channel = factory.channel(code, code.title())
    channel.integrated = True
    channel.webhook_secret = secret
    channel.sla_hours, channel.sla_working_days = 24, False
    factory.db.session.flush()
    return channel


@dataclass
class Marketplace:
    channel: Channel
    order: object


@pytest.fixture
def marketplace(factory) -> Marketplace:
    """An integrated marketplace channel with one order on it."""
    channel = integrate(factory)
    market = Marketplace(channel, factory.order(channel=channel, marketplace_order_number=ORDER))
    factory.db.session.commit()  # an error answer rolls the session back; the set-up must survive it
    return market


@pytest.fixture
def deliver(client):
    """Post an event (a dict, or raw bytes) signed with the secret; `headers` replaces or adds headers."""
    def _deliver(event, *, code: str = CHANNEL, secret: str = SECRET, timestamp: int | None = None,
                 headers: dict | None = None):
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        sent = {**signed(body, secret, timestamp), **(headers or {})}
        return client.post(f"/api/v1/channels/{code}/events", data=body,
                           headers={key: value for key, value in sent.items() if value is not None})
    return _deliver


def counts(db) -> tuple[int, int, int]:
    """Return how many tickets, messages and recorded events there are."""
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (Ticket, TicketMessage, IntegrationEvent))


@dataclass(frozen=True)
class LivePortal:
    url: str
    app: object
    errors: list


@pytest.fixture(scope="module")
def live_portal(worker_id):
    """Serve a portal from a thread, with its own migrated database (PostgreSQL when TEST_DATABASE_URL is set)."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "webhook-tests", "SERVER_NAME": None, "RATELIMIT_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": _database_url(f"{worker_id}_webhooks"), "MAIL_BACKEND": "file",
    })
    with app.app_context():
        upgrade()
        make = Factory(_db)
        integrate(make)
        make.order(channel=_db.session.scalar(_db.select(Channel).filter_by(code=CHANNEL)),
                   marketplace_order_number=ORDER)
        _db.session.commit()
    with serve(app, "live-webhooks") as served:
        yield LivePortal(url=served.url, app=app, errors=served.errors)
    with app.app_context():
        _db.engine.dispose()
