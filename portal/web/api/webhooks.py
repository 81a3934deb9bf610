"""The webhook to which integrated marketplaces post new tickets, messages and status changes (signed, no token)."""
import json
import logging
import random
import time
from datetime import UTC, datetime, timedelta

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from ...core import races
from ...core.errors import Conflict, DomainError, ValidationError
from ...core.request_id import current_request_id
from ...extensions import db
from ...marketplaces import inbound, signing
from ...marketplaces import secrets as channel_secrets
from ...models import Channel, TicketStatus
from ...tickets.common import StaleTicket
from . import bp
from .schemas import InvalidJSON, text

log = logging.getLogger("portal.webhooks")

# The first try and up to three more after losing a race with a parallel delivery (unique constraint, version).
ATTEMPTS = 4
# An event dated further ahead than this would make every later event look stale.
MAX_FUTURE = timedelta(hours=1)
STATUSES = tuple(status.value for status in TicketStatus)


class Refused(DomainError):
    """A webhook request refused before its payload is looked at (signature, size)."""

    def __init__(self, status_code: int, code: str, message):
        super().__init__(message)
        self.status_code = status_code
        self.code = code


@bp.post("/channels/<code>/events")
def channel_events(code: str):
    """Apply a signed event of an integrated marketplace to its ticket; a repeated delivery changes nothing."""
    rid = current_request_id()
    try:
        channel = inbound.integrated_channel(code)
        event = parse_event(signed_body(channel))
        outcome = _apply_and_commit(channel, event, rid)
    except DomainError as error:
        db.session.rollback()
        log.warning("webhook refused: request_id=%s channel=%r status=%s code=%s field=%s reason=%s",
                    rid, code[:50], error.status_code, error.code, error.field, error.message)
        response = jsonify(error={"code": error.code, "message": str(error.message), "field": error.field,
                                  "request_id": rid})
        return response, error.status_code
    return jsonify(result=outcome.result, ticket=outcome.ticket.number if outcome.ticket else None, request_id=rid)


def _apply_and_commit(channel: Channel, event: inbound.InboundEvent, rid: str) -> inbound.Outcome:
    """Apply and commit; after losing a race to a parallel delivery, roll back and apply again."""
    for attempt in range(ATTEMPTS):
        try:
            races.start_over()
            outcome = inbound.apply_event(channel, event, rid)
            db.session.commit()
            return outcome
        except (IntegrityError, StaleTicket, OperationalError) as error:
            db.session.rollback()
            if not isinstance(error, StaleTicket) and not races.lost_a_race(error):
                raise
            log.info("webhook retry: request_id=%s event=%r attempt=%d %s", rid, event.event_id, attempt + 1,
                     type(error).__name__)
            if attempt + 1 < ATTEMPTS:
                time.sleep(random.uniform(0.02, 0.06) * 2 ** attempt)
    raise Conflict(_("A parallel delivery changed this ticket; send the event again."))


def signed_body(channel: Channel) -> bytes:
    """Return the raw body if one of the channel's accepted secrets signed it just now, else raise Refused."""
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise Refused(413, "too_large", _("The request body exceeds 1 MB.")) from None
    timestamp = request.headers.get(signing.TIMESTAMP_HEADER)
    header = request.headers.get(signing.SIGNATURE_HEADER)
    if not timestamp or not header:
        raise Refused(401, "signature_missing", _("Sign the request with the %(ts)s and %(sig)s headers.",
                                                  ts=signing.TIMESTAMP_HEADER, sig=signing.SIGNATURE_HEADER))
    if not signing.timestamp_ok(timestamp):
        raise Refused(401, "timestamp_out_of_range",
                      _("The timestamp is not a Unix time within 5 minutes of ours."))
    if not signing.verify(channel_secrets.accepted_secrets(channel), timestamp, header, body):
        raise Refused(401, "signature_invalid", _("The signature does not match the body and timestamp."))
    return body


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _load(body: bytes) -> dict:
    if not request.is_json:
        raise InvalidJSON(_("Send a JSON object with the header Content-Type: application/json."))
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InvalidJSON(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidJSON(_("The request body must be a JSON object."))
    return data


def _block(value, path: str) -> dict:
    if value is None:
        raise ValidationError(_("This field is required."), field=path)
    if not isinstance(value, dict):
        raise ValidationError(_("Expected an object."), field=path)
    return value


def _moment(value) -> datetime:
    message = _("Expected an ISO 8601 date and time with an offset, such as 2026-12-01T10:00:00Z.")
    if value is None:
        raise ValidationError(_("This field is required."), field="occurred_at")
    try:
        parsed = datetime.fromisoformat(value.strip()) if isinstance(value, str) and len(value) <= 64 else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or not 2000 <= parsed.year <= 2999:
        raise ValidationError(message, field="occurred_at")
    parsed = parsed.astimezone(UTC)
    if parsed > datetime.now(UTC) + MAX_FUTURE:
        raise ValidationError(_("The event is dated in the future."), field="occurred_at")
    return parsed


def parse_event(body: bytes) -> inbound.InboundEvent:
    """Read the event from the body, naming the field of the first problem; unknown fields are ignored."""
    data = _load(body)
    event_id = text(data.get("event_id"), "event_id", 120, required=True)
    kind = text(data.get("type"), "type", 40, required=True)
    if kind not in inbound.EVENT_TYPES:
        raise ValidationError(_("Unknown event type; expected one of: %(types)s.",
                                types=", ".join(inbound.EVENT_TYPES)), field="type")
    occurred_at = _moment(data.get("occurred_at"))
    ticket = _block(data.get("ticket"), "ticket")
    ticket_code = text(ticket.get("id"), "ticket.id", 80, required=True)
    order_ref = text(ticket.get("order"), "ticket.order", 80, required=True)
    subject = text(ticket.get("subject"), "ticket.subject", 200)
    message = status = None
    if kind == inbound.MESSAGE_CREATED or (kind == inbound.TICKET_CREATED and data.get("message") is not None):
        block = _block(data.get("message"), "message")
        message = inbound.InboundMessage(id=text(block.get("id"), "message.id", 120, required=True),
                                         body=text(block.get("body"), "message.body", 10_000, required=True,
                                                   multiline=True))
    if kind == inbound.STATUS_CHANGED:
        value = text(data.get("status"), "status", 20, required=True)
        if value not in STATUSES:
            raise ValidationError(_("Expected one of: %(values)s.", values=", ".join(STATUSES)), field="status")
        status = TicketStatus(value)
    return inbound.InboundEvent(event_id=event_id, type=kind, occurred_at=occurred_at, ticket_code=ticket_code,
                                order_ref=order_ref, subject=subject, message=message, status=status)
