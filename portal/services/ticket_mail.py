"""The e-mail that tells a shopper the store answered their ticket, in the shopper's language."""
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.routing import BuildError

from ..models import StoreSettings, Ticket, TicketMessage
from ..sanitize import clean_message_html, plain_text


def _ticket_url(ticket: Ticket) -> str | None:
    try:
        return url_for("customer.ticket", ticket_number=ticket.number, _external=True)
    except (BuildError, RuntimeError):
        return None


def answer_mail(ticket: Ticket, message: TicketMessage) -> dict:
    """Return send_email's arguments for a store answer addressed to the shopper."""
    settings = StoreSettings.get()
    customer = ticket.customer
    context = {
        "customer": customer, "ticket": ticket, "store_name": settings.store_name, "link": _ticket_url(ticket),
        "answer_text": plain_text(message.body_html),
        # The allow-list sanitiser's output is the one HTML a template may trust.
        "answer_html": Markup(clean_message_html(message.body_html)),  # noqa: S704
    }
    with force_locale(customer.locale or settings.default_locale):
        subject = _("Answer to your ticket %(number)s", number=ticket.number)
        text = render_template("email/ticket_answer.txt", subject=subject, **context)
        html = render_template("email/ticket_answer.html", subject=subject, **context)
    return {"to": customer.email, "subject": f"{subject} - {settings.store_name}", "text": text, "html": html,
            "key": f"ticket-answer:{ticket.number}:{message.id}"}
