"""Tickets registered on an order through the API, and tickets as the API shows them."""
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from .fields import text
from .orders import Closed, Moment, Reply

TicketState = Literal["open", "waiting", "closed"]


class TicketInput(Closed):
    subject: text(200, required=True)
    message: text(10_000, required=True, multiline=True, description="Plain text or simple HTML; sanitised.")
    channel: text(50, description="Channel code; default the order's channel.") = None
    marketplace_ticket_code: text(80, description="The marketplace's own ticket code. Sending a code already "
                                                  "registered on the channel answers that ticket.") = None


class TicketMessage(Reply):
    author: Literal["customer", "staff", "marketplace", "system"]
    visibility: Literal["customer", "marketplace"]
    body_html: str
    created_at: Moment


class Ticket(Reply):
    """A ticket with the messages the customer and the marketplace see; internal notes are never included."""

    model_config = ConfigDict(extra="forbid")

    number: Annotated[str, Field(pattern="^[0-9]{11}$", description="11 digits, Verhoeff check digit.")]
    order: str
    channel: str
    status: TicketState
    subject: str
    marketplace_ticket_code: str | None
    escalated: bool
    open_since: Moment
    due_at: Annotated[Moment, Field(description="When an answer is due; null while waiting or closed.")]
    created_at: Moment
    updated_at: Moment
    closed_at: Moment
    messages: list[TicketMessage]
