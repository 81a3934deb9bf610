"""Marketplace deliveries in the workspace: their states in the thread, and retrying a failed one by hand."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import access
from ...core import outbox
from ...core.errors import DomainError
from ...extensions import db
from ..forms import EmptyForm
from . import bp
from .context import thread_deliveries

# What an action delivery told the marketplace, as the thread lists it.
DELIVERY_EVENTS = {
    "escalated": _l("Escalation"),
    "refunded": _l("Partial refund"),
    "closed": _l("Closing"),
}


@bp.context_processor
def delivery_context():
    """Let the workspace load the thread's delivery states (one query) and build the retry buttons."""
    return {"thread_deliveries": thread_deliveries, "retry_form": EmptyForm, "delivery_events": DELIVERY_EVENTS,
            "delivery_error": outbox.describe_error}


@bp.route("/tickets/<ticket_number>/deliveries/<int:item_id>/retry", methods=["POST"])
def retry_delivery(ticket_number: str, item_id: int):
    """Queue a failed marketplace delivery of this ticket again."""
    ticket = access.get_ticket_or_404(ticket_number, current_user)
    item = access.get_delivery_or_404(ticket, item_id)
    target = url_for(".ticket", ticket_number=ticket.number)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(target)
    try:
        outbox.retry(item)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(target)
    db.session.commit()
    flash(_("The delivery was queued again."), "success")
    return redirect(target)
