"""Deliveries to integrated marketplaces: queued in the outbox, signed, posted only to checked public addresses.

`outbound` decides what a marketplace is told; this module queues it as an outbox row of its own kind and
is that kind's transport: it reads the channel's address and secret, signs the exact bytes it posts, and
sorts the marketplace's answer into delivered, worth another try, or refused for good.
"""
import json
from dataclasses import replace

import requests
from flask import current_app

from ..core import outbox
from ..core.outbox import DeliveryError, Work
from ..extensions import db
from ..models import OutboxItem, OutboxKind, Ticket, TicketMessage
from . import address_guard, signing

# Marketplace answers that are worth trying again; any other 4xx refuses the delivery for good.
RETRY_STATUSES = frozenset({408, 429})


def queue_marketplace(ticket: Ticket, event: str, payload: dict, message: TicketMessage | None = None) -> OutboxItem:
    """Add a delivery to the ticket's marketplace; the payload's event_id is its key."""
    return outbox.add(OutboxKind.marketplace, payload["event_id"], payload, event=event, channel_id=ticket.channel_id,
                      ticket_id=ticket.id, message_id=message.id if message else None)


def prepare(item: OutboxItem, work: Work) -> Work:
    """Add the channel's address and secret to the work, or the problem that keeps it from being sent."""
    channel = item.channel
    if channel is None or not channel.is_integrated or not channel.outbound_url:
        return replace(work, problem="no_address")
    if not channel.webhook_secret:
        return replace(work, problem="no_secret")
    return replace(work, url=channel.outbound_url, secret=channel.webhook_secret)


def body_bytes(payload: dict) -> bytes:
    """Return the exact bytes posted (and signed) for a payload."""
    return json.dumps(payload, separators=(",", ":")).encode()


def send(work: Work) -> None:
    """Post the signed payload; raise DeliveryError with the reason when it did not go through."""
    cfg = current_app.config
    connect, read = float(cfg.get("MARKETPLACE_CONNECT_TIMEOUT", 3)), float(cfg.get("MARKETPLACE_READ_TIMEOUT", 10))
    total = float(cfg.get("MARKETPLACE_TOTAL_TIMEOUT", 15))
    try:
        # The address was checked when it was saved; it is checked again here, for what it resolves to now.
        route = address_guard.resolve(work.url, allow_local=cfg.get("PORTAL_ENV") != "production")
    except address_guard.Blocked as blocked:
        raise DeliveryError("blocked", blocked.address, permanent=True) from None
    except address_guard.Unresolved:
        raise DeliveryError("unresolved") from None
    body = body_bytes(work.payload)
    headers = {**signing.signed_headers(work.secret, body), signing.EVENT_HEADER: work.key,
               "Content-Type": "application/json"}
    try:
        status = address_guard.post(work.url, route, body, headers, connect=connect, read=read, total=total)
    except address_guard.DeadlineExceeded:
        raise DeliveryError("deadline", f"{total:g}") from None
    except requests.exceptions.ConnectTimeout:
        raise DeliveryError("connect_timeout", f"{connect:g}") from None
    except requests.exceptions.ReadTimeout:
        raise DeliveryError("timeout", f"{read:g}") from None
    except requests.exceptions.ConnectionError as error:
        raise DeliveryError("refused" if "refused" in str(error).lower() else "connection_failed") from None
    except requests.exceptions.RequestException as error:
        raise DeliveryError("error", type(error).__name__) from None
    if 200 <= status < 300:
        return
    raise DeliveryError("http", str(status), permanent=400 <= status < 500 and status not in RETRY_STATUSES)


def ticket_deliveries(ticket_id: int) -> list[OutboxItem]:
    """Return the ticket's marketplace deliveries, oldest first, in one query."""
    return list(db.session.scalars(
        db.select(OutboxItem).where(OutboxItem.ticket_id == ticket_id, OutboxItem.kind == OutboxKind.marketplace)
        .order_by(OutboxItem.id)))


outbox.register_transport(OutboxKind.marketplace, prepare, send)
