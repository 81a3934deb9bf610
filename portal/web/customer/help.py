"""Help with an order: pick a reason, read the order's answer for delivery questions, else open a ticket.

Without JavaScript: `/orders/<n>/help` asks for the reason (a GET form); `?reason=<id>` answers a reason about
delivery first and shows the ticket form for any other; the answer's buttons post their outcome, and "I still
need help" leads to `?reason=<id>&need_help=1&deflection=<id>`, the form prefilled and tied to that answer.
"""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import HiddenField

from ... import access
from ...core.errors import DomainError
from ...extensions import db
from ...models import DeflectionOutcome, TicketReason
from ...tickets import deflection as deflections
from ...tickets import lifecycle as tickets
from ..forms import EmptyForm
from ..ticket_forms import ATTACHMENTS_HINT, NewTicketForm, csrf_failed
from . import bp
from .serving import operator as acting_operator
from .tickets import attach_error, audit_acting, uploads


class HelpTicketForm(NewTicketForm):
    # The answer shown before this form, when the shopper came through one ("I still need help").
    deflection = HiddenField()


def _reasons() -> list[TicketReason]:
    return list(db.session.scalars(db.select(TicketReason).where(TicketReason.active.is_(True))
                                   .order_by(TicketReason.position, TicketReason.id)))


def _ticket_form(reasons, **defaults) -> HelpTicketForm:
    form = HelpTicketForm(**defaults)
    form.reason.choices = [(reason.id, reason.shown_label) for reason in reasons]
    return form


def _number(raw) -> int | None:
    text = str(raw or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _page(order, step: str, reasons, code: int = 200, **context):
    return render_template("customer/tickets/help.html", order=order, step=step, reasons=reasons,
                           attachments_hint=ATTACHMENTS_HINT, **context), code


@bp.route("/orders/<number>/help", methods=["GET", "POST"])
def order_help(number: str):
    """Ask what the help is about; answer a delivery question first, else (or still) offer the ticket form."""
    order = access.get_order_or_404(number, g.customer)
    access.require_customer_of(g.customer, order.customer_id)
    reasons = _reasons()
    if request.method == "POST":
        return _open_ticket(order, reasons)
    reason = deflections.offered_reason(_number(request.args.get("reason")))
    if reason is None:
        return _page(order, "pick", reasons, 422 if "reason" in request.args else 200,
                     bad_choice="reason" in request.args)
    if deflections.is_about_delivery(reason) and not request.args.get("need_help"):
        answer = deflections.answer_for(order)
        shown = deflections.record_shown(order, g.customer, reason, answer)
        db.session.commit()
        return _page(order, "answer", reasons, answer=answer, deflection=shown, reason=reason,
                     outcome_form=EmptyForm())
    came_from = None
    if "deflection" in request.args:
        came_from = access.get_deflection_or_404(_number(request.args["deflection"]), g.customer, order)
    form = _ticket_form(reasons, formdata=None, reason=reason.id, subject=reason.shown_label,
                        deflection=came_from.id if came_from else "")
    return _page(order, "form", reasons, form=form, came_from=came_from)


def _open_ticket(order, reasons):
    """Open the ticket from the posted form; one that follows an answer is tied to it."""
    form = _ticket_form(reasons)
    came_from = None
    if form.deflection.data:
        came_from = access.get_deflection_or_404(_number(form.deflection.data), g.customer, order)
    if not form.validate_on_submit():
        return _page(order, "form", reasons, 400 if csrf_failed(form) else 422, form=form, came_from=came_from)
    try:
        ticket = tickets.open_ticket(order, g.customer, form.reason.data, form.subject.data, form.body.data,
                                     uploads=uploads(), operator=acting_operator())
        if came_from is not None:
            deflections.link_ticket(came_from, ticket)
        audit_acting("ticket.open", ticket)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _page(order, "form", reasons, error.status_code, form=form, came_from=came_from)
    db.session.commit()
    flash(_("Ticket %(number)s opened. We will answer by e-mail and here.", number=ticket.number), "success")
    return redirect(url_for(".ticket", ticket_number=ticket.number))


@bp.route("/orders/<number>/help/answers/<int:deflection_id>", methods=["POST"])
def help_answer(number: str, deflection_id: int):
    """Record whether the answer was enough: "This solved it" ends here, "I still need help" opens the form."""
    order = access.get_order_or_404(number, g.customer)
    access.require_customer_of(g.customer, order.customer_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    shown = access.get_deflection_or_404(deflection_id, g.customer, order)
    try:
        outcome = DeflectionOutcome(request.form.get("outcome", ""))
    except ValueError:
        abort(400)
    deflections.decide(shown, outcome)
    db.session.commit()
    if outcome is DeflectionOutcome.resolved:
        flash(_("Glad it is sorted. You can come back here whenever you need."), "success")
        return redirect(url_for(".order", number=order.number), 303)
    return redirect(url_for(".order_help", number=order.number, reason=shown.reason_id, need_help=1,
                            deflection=shown.id, _anchor="ticket-form"), 303)
