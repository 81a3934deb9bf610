"""Ticket e-mails: the store's answer to the shopper, a ticket forwarded to a colleague; in the reader's language.

Every e-mail to the shopper about a ticket carries its threading headers and reply address
(`shopper_headers`); mail to staff does not, so that nobody's answer to a colleague lands on the ticket.
"""
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.routing import BuildError

from ..models import StoreSettings, Ticket, TicketMessage, TicketSurvey
from ..models.tickets import REOPEN_DAYS
from ..orders.mail import order_mail
from . import survey
from .reply_address import shopper_headers
from .sanitize import clean_message_html, plain_text


def _url(endpoint: str, ticket: Ticket) -> str | None:
    try:
        return url_for(endpoint, ticket_number=ticket.number, _external=True)
    except (BuildError, RuntimeError):
        return None


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


def shopper_mailed(ticket: Ticket) -> bool:
    """Tell whether the portal writes to the ticket's shopper itself: on the store's own channels only.

    A marketplace speaks to its buyers (whose address it often masks) about their tickets; there the store's
    answers still go (answer_mail) but not the portal's own receipts and closings.
    """
    return not ticket.channel.is_marketplace and bool(ticket.customer and ticket.customer.email)


def _ticket_mail(ticket: Ticket, kind: str, subject_text, event_id: int, **extra) -> dict:
    settings = StoreSettings.get()
    customer = ticket.customer
    context = {"customer": customer, "ticket": ticket, "store_name": settings.store_name,
               "link": _url("customer.ticket", ticket), "kind": kind, "reopen_days": REOPEN_DAYS,
               "ratings": None, **extra}
    with force_locale(customer.locale or settings.default_locale):
        subject = str(subject_text) % {"number": ticket.number}
        text = render_template("email/ticket_status.txt", subject=subject, **context)
        html = render_template("email/ticket_status.html", subject=subject, **context)
    return {"to": customer.email, "subject": f"{subject} - {settings.store_name}", "text": text, "html": html,
            "key": f"ticket-{kind}:{ticket.number}:{event_id}", "headers": shopper_headers(ticket.number)}


def received_mail(ticket: Ticket, event_id: int) -> dict:
    """Return queue_email's arguments confirming the ticket (its number and link) to the shopper."""
    return _ticket_mail(ticket, "received", _l("We received your ticket %(number)s"), event_id)


def closed_mail(ticket: Ticket, event_id: int, asked: TicketSurvey | None = None) -> dict:
    """Return queue_email's arguments telling the shopper the ticket was closed, how to reopen it, and the
    survey's question when one was asked (one mail per closing)."""
    extra = {}
    if asked is not None:
        link = survey.link_for(asked)
        extra = {"ratings": [(value, f"{link}?rating={value}" if link else None) for value in survey.RATINGS],
                 "survey_days": survey.SURVEY_DAYS}
    return _ticket_mail(ticket, "closed", _l("Your ticket %(number)s was closed"), event_id, **extra)


def late_order_mail(order, ticket: Ticket | None = None) -> dict:
    """Return queue_email's arguments telling the shopper their order is late; once per lateness episode."""
    args = order_mail(order, "late", ticket=ticket)
    if ticket is not None:
        args["headers"] = {**(args.get("headers") or {}), **shopper_headers(ticket.number)}
    return args


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
