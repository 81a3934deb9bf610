"""The signed webhook of integrated marketplaces (docs/integrations.md): one model per event type."""
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, RootModel, TypeAdapter

from ....marketplaces import inbound
from ....models import TicketStatus
from .fields import Moment, choice, text
from .orders import Reply

STATUSES = tuple(status.value for status in TicketStatus)


class Open(BaseModel):
    """An event object: keys this version does not know are ignored, so marketplaces can add fields."""

    model_config = ConfigDict(extra="ignore")


class TicketRef(Open):
    id: text(80, required=True, description="The marketplace's ticket id.")
    order: text(80, required=True, description="Marketplace order number, or the store's.")
    subject: text(200, description="Required when the ticket does not exist yet.") = None


class EventMessage(Open):
    """Text or simple HTML; sanitised."""

    id: text(120, required=True)
    body: text(10_000, required=True, multiline=True)


class _Event(Open):
    event_id: text(120, required=True, description="Unique per channel; a repeat answers duplicate.")
    occurred_at: Moment
    ticket: TicketRef

    def to_event(self) -> inbound.InboundEvent:
        message = getattr(self, "message", None)
        status = getattr(self, "status", None)
        return inbound.InboundEvent(
            event_id=self.event_id, type=self.type, occurred_at=self.occurred_at, ticket_code=self.ticket.id,
            order_ref=self.ticket.order, subject=self.ticket.subject,
            message=inbound.InboundMessage(id=message.id, body=message.body) if message else None,
            status=TicketStatus(status) if status else None,
        )


class TicketCreatedEvent(_Event):
    type: Literal[inbound.TICKET_CREATED]
    message: EventMessage | None = None


class MessageCreatedEvent(_Event):
    type: Literal[inbound.MESSAGE_CREATED]
    message: EventMessage


class StatusChangedEvent(_Event):
    type: Literal[inbound.STATUS_CHANGED]
    status: choice(STATUSES)


EVENTS = {inbound.TICKET_CREATED: TicketCreatedEvent, inbound.MESSAGE_CREATED: MessageCreatedEvent,
          inbound.STATUS_CHANGED: StatusChangedEvent}

EventType = choice(inbound.EVENT_TYPES, message=lambda: _(
    "Unknown event type; expected one of: %(types)s.", types=", ".join(inbound.EVENT_TYPES)))
EVENT_TYPE = TypeAdapter(EventType)


class WebhookEvent(RootModel[Annotated[TicketCreatedEvent | MessageCreatedEvent | StatusChangedEvent,
                                       Field(discriminator="type")]]):
    """One event; `type` says which."""


class WebhookHeaders(BaseModel):
    """The signature headers (docs/integrations.md)."""

    timestamp: Annotated[str, Field(alias="X-Portal-Timestamp", pattern="^[0-9]{1,12}$",
                                    description="Unix time of sending.")]
    signature: Annotated[str, Field(alias="X-Portal-Signature", description=(
        "sha256=<hex HMAC-SHA256(secret, timestamp + '.' + raw body)>; several, comma-separated, while a secret "
        "is rotated. Nothing is written unless it matches."))]


class WebhookResult(Reply):
    result: Literal["applied", "duplicate", "stale"]
    ticket: Annotated[str | None, Field(pattern="^[0-9]{11}$")]
    request_id: str
