"""What the ticket workspace shows: the forms, the order panel, the text modules, the colleagues, the deliveries."""
import re
from dataclasses import dataclass, field

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_

from ... import access
from ...core.templating import money
from ...extensions import db
from ...marketplaces import delivery
from ...models import (
    ESCALATION_REASONS,
    OutboxItem,
    TextModule,
    Ticket,
    Visibility,
)
from ...orders.timeline import build_timeline
from ...store import lookups
from ...tickets import lifecycle as tickets
from ...tickets import text_modules as module_texts
from ...tickets.order_history import build_history
from ..ticket_forms import CancelUnitForm, EscalateForm, ForwardForm, RefundForm, StaffReplyForm, VersionedForm

# The "Escolher uma ação" menu: the value posted, its label, and whether it has a form of its own.
ACTIONS = (
    ("details", _l("Show order details")),
    ("refund", _l("Refund part of the amount")),
    ("escalate", _l("Escalate to customer service")),
    ("cancel_unit", _l("Cancel a purchase unit")),
    ("forward", _l("Forward to a colleague")),
    ("take", _l("Take the ticket")),
    ("close", _l("Close the ticket")),
    ("reopen", _l("Reopen the ticket")),
)
ACTION_CODES = frozenset(code for code, _label in ACTIONS)


MISSING_MARK = re.compile(r"«\{(\w+)\}»")

EVENT_LABELS = {
    "opened": _l("Ticket opened"),
    "details_viewed": _l("Order details viewed"),
    "message": _l("Message added"),
    "status_changed": _l("Status changed"),
    "forwarded": _l("Forwarded"),
    "taken": _l("Taken"),
    "escalated": _l("Escalated to customer service"),
    "refunded": _l("Partial refund"),
    "unit_cancelled": _l("Purchase unit cancelled"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
}


def event_summary(event, currency: str = "BRL", channel=None) -> str:
    """Say in a few words what an event changed, from the data its constructor recorded."""
    data = event.data or {}
    if event.kind == "forwarded":
        parts = [str(_l("to %(name)s", name=data.get("to_name", "")))]
    elif event.kind == "escalated":
        parts = [str(dict(ESCALATION_REASONS).get(data.get("reason"), data.get("reason", "")))]
    elif event.kind == "refunded":
        parts = [money(data.get("amount") or 0, currency), data.get("reason", "")]
    elif event.kind == "unit_cancelled":
        parts = [f"{data.get('quantity', '')} × {data.get('sku', '')}", data.get("reason", "")]
    elif event.kind == "message":
        visibility = data.get("visibility")
        parts = [str(Visibility(visibility).label_for(channel)) if visibility in Visibility.__members__ else ""]
    else:
        parts = []
    note = data.get("note")
    return " · ".join(str(part) for part in [*parts, f"“{note}”" if note else ""] if part)


@dataclass(frozen=True)
class FilledModule:
    id: int
    title: str
    text: str
    missing: tuple[str, ...]
    store_wide: bool
    translated: bool = False  # the module's own text in the language asked for (else its main text)

    @property
    def parts(self) -> list[tuple[str, bool]]:
        """Split the text into (piece, is_missing_placeholder) for a preview that highlights the gaps."""
        pieces, last = [], 0
        for match in MISSING_MARK.finditer(self.text):
            pieces += [(self.text[last:match.start()], False), (match.group(0), True)]
            last = match.end()
        return [*pieces, (self.text[last:], False)]


def mark_missing(text: str, missing) -> str:
    """Leave each unfilled placeholder visibly in the text as «{name}», so it is never sent empty."""
    for name in missing:
        if f"«{{{name}}}»" not in text:
            text = text.replace(f"{{{name}}}", f"«{{{name}}}»")
    return text


def visibility_choices(ticket: Ticket) -> list[tuple[str, str]]:
    """Offer "no (marketplace only)" only on marketplace tickets; an internal note always."""
    choices = [(Visibility.customer.value, _l("Yes"))]
    if ticket.channel.is_marketplace:
        choices.append((Visibility.marketplace.value, _l("No (marketplace only)")))
    choices.append((Visibility.internal.value, _l("No: internal note for the staff")))
    return choices


def build_forms(ticket: Ticket, order, posted: str | None = None) -> dict:
    """Build every form of the workspace; only the posted one reads the request."""
    def make(name, cls, **defaults):
        return cls() if posted == name else cls(formdata=None, version=ticket.version, **defaults)

    forms = {
        "reply": make("reply", StaffReplyForm, visibility=Visibility.customer.value),
        "refund": make("refund", RefundForm),
        "escalate": make("escalate", EscalateForm),
        "cancel_unit": make("cancel_unit", CancelUnitForm),
        "forward": make("forward", ForwardForm),
        "version": make("version", VersionedForm),
    }
    forms["reply"].visibility.choices = visibility_choices(ticket)
    forms["escalate"].reason.choices = [("", _l("Choose a reason"))] + list(ESCALATION_REASONS)
    forms["cancel_unit"].item.choices = [(item.id, f"{item.name} ({item.sku}) × {item.quantity}")
                                         for item in order.items]
    forms["forward"].to_user.choices = [(user.id, user.display_name) for user in colleagues()]
    return forms


def colleagues() -> list[lookups.StaffItem]:
    """Return the active staff a ticket can be forwarded to, the current user excluded."""
    return lookups.colleagues(current_user)


def text_modules(ticket: Ticket, locale: str | None = None) -> list[FilledModule]:
    """Return the channel's and the store-wide text modules in the ticket's language (or `locale`), filled."""
    locale = locale or module_texts.ticket_language(ticket)
    rows = db.session.scalars(
        db.select(TextModule)
        .where(TextModule.retired.is_(False),
               or_(TextModule.channel_id == ticket.channel_id, TextModule.channel_id.is_(None)))
        .order_by(TextModule.channel_id.is_(None), TextModule.position, TextModule.id))
    filled = []
    for module in rows:
        title, body, translated = module.text_in(locale)
        text, missing = tickets.fill_placeholders(body, ticket)
        filled.append(FilledModule(module.id, title, mark_missing(text, missing), tuple(missing),
                                   module.channel_id is None, translated))
    return filled


def other_tickets(ticket: Ticket) -> list:
    """The order's other tickets, newest first, as the rows the order panel lists (number, status, subject)."""
    return list(db.session.execute(
        db.select(Ticket.number, Ticket.status, Ticket.subject)
        .where(Ticket.order_id == ticket.order_id, Ticket.id != ticket.id)
        .order_by(Ticket.created_at.desc()).limit(20)))


def order_panel(ticket: Ticket) -> dict:
    """Return the ticket's order (loaded with the ticket) with its timeline, tracking link, refunds and siblings."""
    order = ticket.order
    if not access.can_see_order(current_user, order):
        abort(404)
    steps, link = order_timeline(order)
    cancelled = tickets.cancelled_units(order)
    return {"order": order, "steps": steps, "link": link, "refunded": tickets.refunded_total(order),
            "cancelled": cancelled, "other_tickets": other_tickets(ticket),
            "history": build_history(order, steps, staff=True, cancelled=cancelled)}


def order_timeline(order) -> tuple[list, object]:
    """Return the order's timeline steps and its tracking link, if any."""
    steps = build_timeline(order, lookups.trusted_hosts())
    return steps, next((step.tracking for step in steps if step.tracking is not None), None)


def load_ticket(number: str) -> Ticket:
    """Load a ticket with its thread, history and order for the workspace (any ticket: staff only reach here)."""
    return access.get_ticket_or_404(number, current_user, workspace=True)


@dataclass
class ThreadDeliveries:
    """The ticket's marketplace deliveries: per message, and those of actions (escalation, refund, closing)."""

    by_message: dict[int, OutboxItem] = field(default_factory=dict)
    actions: list[OutboxItem] = field(default_factory=list)

    def for_message(self, message_id: int) -> OutboxItem | None:
        return self.by_message.get(message_id)


def thread_deliveries(ticket: Ticket) -> ThreadDeliveries:
    """Load the delivery state of every message and action of the ticket, in one query."""
    found = ThreadDeliveries()
    if not ticket.channel.is_integrated:
        return found
    for item in delivery.ticket_deliveries(ticket.id):
        if item.message_id is not None:
            found.by_message[item.message_id] = item
        else:
            found.actions.append(item)
    return found
