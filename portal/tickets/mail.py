"""Ticket e-mails: the store's answer to the shopper, a ticket forwarded to a colleague; in the reader's language.

Every e-mail to the shopper about a ticket carries its threading headers and reply address
(`shopper_headers`); mail to staff does not, so that nobody's answer to a colleague lands on the ticket.
"""
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.routing import BuildError

from ..models import StoreSettings, Ticket, TicketMessage
from .reply_address import reply_address, thread_headers
from .sanitize import clean_message_html, plain_text


def _url(endpoint: str, ticket: Ticket) -> str | None:
    try:
        return url_for(endpoint, ticket_number=ticket.number, _external=True)
    except (BuildError, RuntimeError):
        return None


def shopper_headers(number: str) -> dict[str, str]:
    """Return the headers of an e-mail to the shopper about ticket `number`: its thread, its reply address, and
    X-Loop, which an auto-responder's answer brings back so that it is recognised as a loop."""
    local, _, domain = reply_address(number).rpartition("@")
    return {**thread_headers(number), "X-Loop": f"{local.split('+', 1)[0]}@{domain}"}


def answer_mail(ticket: Ticket, message: TicketMessage) -> dict:
    """Return queue_email's arguments for a store answer addressed to the shopper."""
    settings = StoreSettings.get()
    customer = ticket.customer
    context = {
        "customer": customer, "ticket": ticket, "store_name": settings.store_name,
        "link": _url("customer.ticket", ticket),
        "answer_text": plain_text(message.body_html),
        # The allow-list sanitiser's output is the one HTML a template may trust.
        "answer_html": Markup(clean_message_html(message.body_html)),  # noqa: S704
    }
    with force_locale(customer.locale or settings.default_locale):
        subject = _("Answer to your ticket %(number)s", number=ticket.number)
        text = render_template("email/ticket_answer.txt", subject=subject, **context)
        html = render_template("email/ticket_answer.html", subject=subject, **context)
    return {"to": customer.email, "subject": f"{subject} - {settings.store_name}", "text": text, "html": html,
            "key": f"ticket-answer:{ticket.number}:{message.id}", "headers": shopper_headers(ticket.number)}


def forwarded_mail(ticket: Ticket, by_user, to_user, note: str | None, event_id: int) -> dict:
    """Return queue_email's arguments telling a colleague a ticket was forwarded to them."""
    settings = StoreSettings.get()
    context = {"colleague": to_user, "by_name": by_user.display_name, "ticket": ticket, "note": note or "",
               "store_name": settings.store_name, "link": _url("staff.ticket", ticket)}
    with force_locale(to_user.locale or settings.default_locale):
        subject = _("Ticket %(number)s was forwarded to you", number=ticket.number)
        text = render_template("email/ticket_forwarded.txt", subject=subject, **context)
        html = render_template("email/ticket_forwarded.html", subject=subject, **context)
    return {"to": to_user.email, "subject": f"{subject} - {settings.store_name}", "text": text, "html": html,
            "key": f"ticket-forwarded:{ticket.number}:{event_id}"}


def late_order_mail(order, ticket: Ticket | None = None) -> dict:
    """Return queue_email's arguments telling the shopper their order is late; once per lateness episode."""
    settings = StoreSettings.get()
    customer = order.customer
    try:
        link = url_for("customer.order", number=order.number, _external=True)
    except (BuildError, RuntimeError):
        link = None
    context = {"customer": customer, "order": order, "ticket": ticket, "store_name": settings.store_name,
               "link": link, "carrier_quiet": order.late_reason == "carrier_quiet"}
    with force_locale(customer.locale or settings.default_locale):
        subject = _("Your order %(number)s is running late", number=order.number)
        text = render_template("email/order_late.txt", subject=subject, **context)
        html = render_template("email/order_late.html", subject=subject, **context)
    episode = order.late_since.strftime("%Y%m%d%H%M%S") if order.late_since else "0"
    return {"to": customer.email, "subject": f"{subject} - {settings.store_name}", "text": text, "html": html,
            "key": f"order-late:{order.number}:{episode}",
            "headers": shopper_headers(ticket.number) if ticket is not None else None}


def follow_up_mail(ticket: Ticket, previous: Ticket) -> dict:
    """Return queue_email's arguments telling the shopper their late answer to a closed ticket opened `ticket`.

    It is an automatic answer to their e-mail (Auto-Submitted), in the thread of the new ticket.
    """
    settings = StoreSettings.get()
    customer = ticket.customer
    context = {"customer": customer, "ticket": ticket, "previous": previous, "store_name": settings.store_name,
               "link": _url("customer.ticket", ticket)}
    with force_locale(customer.locale or settings.default_locale):
        subject = _("Your message opened the new ticket %(number)s", number=ticket.number)
        text = render_template("email/ticket_follow_up.txt", subject=subject, **context)
        html = render_template("email/ticket_follow_up.html", subject=subject, **context)
    return {"to": customer.email, "subject": f"{subject} - {settings.store_name}", "text": text, "html": html,
            "key": f"ticket-follow-up:{ticket.number}",
            "headers": {**shopper_headers(ticket.number), "Auto-Submitted": "auto-replied"}}
