"""The webhook to which integrated marketplaces post new tickets, messages and status changes (signed, no token)."""
import logging
import random
import time

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from ...core import races
from ...core.errors import Conflict, DomainError
from ...core.request_id import current_request_id
from ...extensions import db
from ...marketplaces import inbound, signing
from ...models import Channel
from ...tickets.common import StaleTicket
from . import bp
from .schemas.events import EVENT_TYPE, EVENTS, WebhookEvent, WebhookHeaders, WebhookResult
from .spec import json_object, operation, validate

log = logging.getLogger("portal.webhooks")

WEBHOOK_ERRORS = {
    400: "The body is not a JSON object (invalid_json).",
    401: "Signature or timestamp missing (signature_missing), timestamp more than 300 s off "
         "(timestamp_out_of_range), or wrong signature or no integrated marketplace channel with this code "
         "(signature_invalid: the two are answered alike).",
    404: "No such order on this channel (unknown_order).",
    409: "Lost a race with parallel deliveries several times (conflict); send it again.",
    413: "The body exceeds 1 MB (too_large).",
    422: "A field is wrong; `field` names it (validation_error).",
}
# The first try and up to three more after losing a race with a parallel delivery (unique constraint, version).
ATTEMPTS = 4


class Refused(DomainError):
    """A webhook request refused before its payload is looked at (signature, size)."""

    def __init__(self, status_code: int, code: str, message):
        super().__init__(message)
        self.status_code = status_code
        self.code = code


@bp.post("/channels/<code>/events")
@operation("postChannelEvent", "Deliver a marketplace event (signed webhook)", body=WebhookEvent, validate=False,
           responses={200: (WebhookResult, "Applied, or a repeat that changed nothing.")},
           errors=(400, 401, 404, 409, 413, 422), error_descriptions=WEBHOOK_ERRORS, error_model="WebhookError",
           security="webhook", headers=WebhookHeaders,
           path_parameters={"code": ("The channel's code.", 50)})
def channel_events(code: str):
    """Apply a signed event of an integrated marketplace to its ticket; a repeated delivery changes nothing."""
    rid = current_request_id()
    channel = None
    try:
        channel = inbound.integrated_channel(code)
        event = parse_event(signed_body(channel))
        result, number = _apply_and_commit(channel, event, rid)
    except DomainError as error:
        db.session.rollback()
        log.warning("webhook refused: request_id=%s channel=%r known=%s status=%s code=%s field=%s reason=%s",
                    rid, code[:50], channel is not None, error.status_code, error.code, error.field, error.message)
        response = jsonify(error={"code": error.code, "message": str(error.message), "field": error.field,
                                  "request_id": rid})
        return response, error.status_code
    return jsonify(result=result, ticket=number, request_id=rid)


def _apply_and_commit(channel: Channel, event: inbound.InboundEvent, rid: str) -> tuple[str, str | None]:
    """Apply and commit, returning the result and the ticket's number; after losing a race to a parallel
    delivery, roll back and apply again."""
    for attempt in range(ATTEMPTS):
        try:
            races.start_attempt(attempt)
            outcome = inbound.apply_event(channel, event, rid)
            number = outcome.ticket.number if outcome.ticket else None  # read before the commit expires it
            db.session.commit()
            return outcome.result, number
        except (IntegrityError, StaleTicket, OperationalError) as error:
            db.session.rollback()
            if not isinstance(error, StaleTicket) and not races.lost_a_race(error):
                raise
            log.info("webhook retry: request_id=%s event=%r attempt=%d %s", rid, event.event_id, attempt + 1,
                     type(error).__name__)
            if attempt + 1 < ATTEMPTS:
                time.sleep(random.uniform(0.02, 0.06) * 2 ** attempt)
    raise Conflict(_("A parallel delivery changed this ticket; send the event again."))


def signed_body(channel: Channel | None) -> bytes:
    """Return the raw body if one of the channel's accepted secrets signed it just now, else raise Refused.

    No channel (an unknown code) is refused exactly as a wrong signature, after the same HMAC work.
    """
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
    verified = signing.verify(inbound.webhook_secrets(channel), timestamp, header, body)
    if not verified or channel is None:
        raise Refused(401, "signature_invalid", _("The signature does not match the body and timestamp."))
    return body


def parse_event(body: bytes) -> inbound.InboundEvent:
    """Read the event from the body, naming the field of the first problem; unknown fields are ignored."""
    data = json_object(body)
    kind = validate(EVENT_TYPE, data.get("type"), field="type")
    return validate(EVENTS[kind], data).to_event()
