"""Who may see and do what: predicates and loaders, the one place for permissions."""
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from .extensions import db
from .models import (
    ApiToken,
    Channel,
    HelpDeflection,
    InboundMail,
    Order,
    OrderStatus,
    OrderStatusChange,
    OutboxItem,
    OutboxKind,
    Role,
    TextModule,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TicketReason,
    TrustedHost,
    User,
    Visibility,
)


def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role.is_staff


def can_see_order(user: User, order: Order) -> bool:
    """A customer sees their own orders; staff see every order."""
    if not getattr(user, "is_authenticated", False):
        return False
    return order.customer_id == user.id or user.role.is_staff


def can_manage_store(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role is Role.admin


def can_use_telesales(user) -> bool:
    """The call centre's tools (acting for a customer, carts, all orders) are for operators and admins."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in (Role.operator, Role.admin)


def can_approve_prices(user) -> bool:
    """The "aprovar preços" permission: every admin, and staff the merchant granted it to."""
    if not getattr(user, "is_authenticated", False) or not user.role.is_staff or not user.active:
        return False
    return user.role is Role.admin or user.can_approve_prices


# Loader options are built once: SQLAlchemy then reuses their paths and the compiled statements.
# Each to-one relation rides on its parent's query; each collection costs one query, whatever its length.
ORDER_SUMMARY = (joinedload(Order.status), joinedload(Order.channel))
ORDER_DETAILS = (
    *ORDER_SUMMARY,
    selectinload(Order.items),
    selectinload(Order.history).options(
        joinedload(OrderStatusChange.to_status), joinedload(OrderStatusChange.from_status)
    ),
)
ORDER_PEOPLE = (joinedload(Order.customer), joinedload(Order.placed_by), joinedload(Order.price_decided_by))


def customer_orders_query(user: User):
    """Select the orders a customer may list, newest first."""
    return (
        db.select(Order)
        .where(Order.customer_id == user.id)
        .options(*ORDER_SUMMARY)
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )


def get_order_or_404(number: str, user: User, *, people: bool = False) -> Order:
    """Return the order with everything its page shows, if the user may see it.

    `people` also loads the customer and the staff who placed it or decided its prices.
    Raises 404 both when the order does not exist and when it is not the user's,
    so that nobody can learn which order numbers exist.
    """
    order = db.session.scalar(
        db.select(Order)
        .where(Order.number == str(number)[:40])
        .options(*ORDER_DETAILS, *(ORDER_PEOPLE if people else ()))
    )
    if order is None or not can_see_order(user, order):
        abort(404)
    return order


def is_buyer(user) -> bool:
    """Anyone who is not signed-in staff: the people the portal switch applies to."""
    return not is_staff(user)


def get_status_or_404(status_id: int) -> OrderStatus:
    """Return the status for the merchant area; 404 when it does not exist."""
    return db.get_or_404(OrderStatus, status_id)


def get_staff_user_or_404(user_id: int) -> User:
    """Return a staff user for the merchant area; customers answer 404 like missing users."""
    user = db.session.get(User, user_id)
    if user is None or not user.role.is_staff:
        abort(404)
    return user


def get_api_token_or_404(token_id: int) -> ApiToken:
    return db.get_or_404(ApiToken, token_id)


def get_trusted_host_or_404(host_id: int) -> TrustedHost:
    return db.get_or_404(TrustedHost, host_id)


def can_see_ticket(user, ticket: Ticket) -> bool:
    """A customer sees the tickets of their own orders; staff see every ticket."""
    if not getattr(user, "is_authenticated", False):
        return False
    return ticket.customer_id == user.id or user.role.is_staff


def can_write_as_customer(user, customer_id: int) -> bool:
    """Only the shopper writes in their own name; staff answer in the staff area, never as the customer."""
    return bool(getattr(user, "is_authenticated", False)) and not user.role.is_staff and user.id == customer_id


def require_customer_of(user, customer_id: int) -> None:
    """Refuse a shopper-side write to anyone but that shopper: 403 for staff, who may see but not write here."""
    if not can_write_as_customer(user, customer_id):
        abort(403 if is_staff(user) else 404)


def get_deflection_or_404(deflection_id: int | None, user, order: Order) -> HelpDeflection:
    """Return the help answer shown to this shopper on this order; 404 when it is missing or anyone else's."""
    deflection = db.session.get(HelpDeflection, deflection_id) if deflection_id else None
    if deflection is None or deflection.order_id != order.id or not can_write_as_customer(user, deflection.customer_id):
        abort(404)
    return deflection


def can_see_message(user, message: TicketMessage) -> bool:
    """Customers see only what was addressed to them; internal and marketplace-only messages are staff's."""
    return is_staff(user) or message.visibility is Visibility.customer


def visible_messages(ticket: Ticket, user) -> list[TicketMessage]:
    """Return the thread as the user may read it, oldest first."""
    return [message for message in ticket.messages if can_see_message(user, message)]


def customer_tickets_query(user: User):
    """Select the tickets on a customer's orders, most recently changed first."""
    return (
        db.select(Ticket)
        .where(Ticket.customer_id == user.id)
        .options(joinedload(Ticket.order), joinedload(Ticket.channel))
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
    )


TICKET_PEOPLE = (
    joinedload(Ticket.channel), joinedload(Ticket.reason), joinedload(Ticket.customer),
    joinedload(Ticket.assignee), joinedload(Ticket.forwarded_by),
)
TICKET_THREAD = (
    joinedload(Ticket.order), *TICKET_PEOPLE,
    selectinload(Ticket.messages).selectinload(TicketMessage.attachments),
)
# The staff workspace: the order panel's order, every author and actor, and the history, in five queries
# (the messages come with their attachments, which are few, in one statement).
TICKET_WORKSPACE = (
    joinedload(Ticket.order).options(*ORDER_DETAILS), *TICKET_PEOPLE, joinedload(Ticket.opened_by_operator),
    selectinload(Ticket.messages).options(joinedload(TicketMessage.attachments), joinedload(TicketMessage.author)),
    selectinload(Ticket.events).joinedload(TicketEvent.actor),
)


def get_ticket_or_404(number: str, user, *, workspace: bool = False) -> Ticket:
    """Return the ticket with its order and thread, if the user may see it.

    `workspace` also loads what the staff workspace shows: the order's details, authors and history.
    Raises 404 both when the ticket does not exist and when it belongs to another shopper.
    """
    ticket = db.session.scalar(
        db.select(Ticket)
        .where(Ticket.number == str(number)[:11])
        .options(*(TICKET_WORKSPACE if workspace else TICKET_THREAD))
    )
    if ticket is None or not can_see_ticket(user, ticket):
        abort(404)
    return ticket


def visible_tickets(numbers, user) -> dict[str, Ticket]:
    """Return, by number, those of the given tickets the user may see, in one query with what a list shows.

    A number that does not exist and a ticket the user may not see are both simply absent.
    """
    wanted = sorted({str(number)[:11] for number in numbers})
    if not wanted:
        return {}
    rows = db.session.scalars(
        db.select(Ticket).where(Ticket.number.in_(wanted))
        .options(joinedload(Ticket.order), joinedload(Ticket.channel), joinedload(Ticket.customer),
                 joinedload(Ticket.assignee))
    )
    return {ticket.number: ticket for ticket in rows if can_see_ticket(user, ticket)}


def get_attachment_or_404(attachment_id: int, user) -> TicketAttachment:
    """Return an attachment of a message the user may read; 404 for anything else, missing or not."""
    attachment = db.session.scalar(
        db.select(TicketAttachment).where(TicketAttachment.id == attachment_id)
        .options(joinedload(TicketAttachment.message).joinedload(TicketMessage.ticket))
    )
    if attachment is None or not can_see_ticket(user, attachment.message.ticket) \
            or not can_see_message(user, attachment.message):
        abort(404)
    return attachment


def can_handle_inbound_mail(user) -> bool:
    """Staff (agents and up) read the mail kept aside and discard it; shoppers never see it."""
    return is_staff(user)


def get_inbound_mail_or_404(mail_id: int, user) -> InboundMail:
    """Return a received e-mail for staff; 404 for anyone else and for one that does not exist."""
    mail = db.session.get(InboundMail, mail_id) if can_handle_inbound_mail(user) else None
    if mail is None:
        abort(404)
    return mail


def get_delivery_or_404(ticket: Ticket, item_id: int) -> OutboxItem:
    """Return a marketplace delivery of this ticket; 404 for another ticket's, an e-mail, or none at all."""
    item = db.session.get(OutboxItem, item_id)
    if item is None or item.ticket_id != ticket.id or item.kind is not OutboxKind.marketplace:
        abort(404)
    return item


def get_text_module_or_404(module_id: int) -> TextModule:
    """Return a text module for the merchant area; 404 when it does not exist."""
    return db.get_or_404(TextModule, module_id)


def get_ticket_reason_or_404(reason_id: int) -> TicketReason:
    """Return a ticket reason for the merchant area; 404 when it does not exist."""
    return db.get_or_404(TicketReason, reason_id)


def get_channel_or_404(channel_id: int) -> Channel:
    """Return a sales channel for the merchant area; 404 when it does not exist."""
    return db.get_or_404(Channel, channel_id)
