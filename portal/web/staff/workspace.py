"""The ticket workspace: thread, order panel, reply box, and the printable order page."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...core.errors import DomainError
from ...extensions import db
from ...models import Visibility
from ...tickets import deflection as deflections
from ...tickets import events as ticket_events
from ...tickets import lifecycle as tickets
from ...tickets import survey as surveys
from ...tickets import text_modules as module_texts
from ..customer.tickets import send_attachment
from ..forms import EmptyForm
from ..ticket_forms import allow_uploads, csrf_failed
from . import bp
from .context import (
    ACTION_CODES,
    ACTIONS,
    EVENT_LABELS,
    build_forms,
    event_summary,
    load_ticket,
    order_panel,
    order_timeline,
    text_modules,
)

bp.url_value_preprocessor(allow_uploads({"staff.reply"}))


def attach_error(form, error: DomainError) -> None:
    """Show a service error on its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors") and error.field != "version":
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def render_workspace(ticket, posted: str | None = None, error: DomainError | None = None, status: int = 200,
                     forms: dict | None = None):
    """Render the workspace; a failed post keeps its form's input and opens it in place."""
    panel = order_panel(ticket)
    forms = forms or build_forms(ticket, panel["order"], posted)
    if error is not None and posted in forms:
        attach_error(forms[posted], error)
    chosen = posted if posted in ACTION_CODES else request.args.get("action", "")
    ticket_locale = module_texts.ticket_language(ticket)
    asked = request.args.get("modules_lang", "")
    modules_locale = asked if asked in current_app.config["LANGUAGES"] else ticket_locale
    return render_template(
        "staff/ticket.html", ticket=ticket, forms=forms, modules=text_modules(ticket, modules_locale),
        actions=ACTIONS, ticket_locale=ticket_locale, modules_locale=modules_locale,
        chosen_action=chosen if chosen in ACTION_CODES else "", posted=posted,
        event_labels=EVENT_LABELS, event_summary=event_summary, surveys=surveys.of_ticket(ticket),
        shown_before=deflections.shown_before(ticket), **panel,
    ), status


@bp.route("/tickets/<ticket_number>")
def ticket(ticket_number: str):
    """Show a ticket to the staff: everything in the thread, the order and the actions."""
    return render_workspace(load_ticket(ticket_number))


@bp.route("/tickets/<ticket_number>/details", methods=["POST"])
def details(ticket_number: str):
    """Open the order's printable details from the ticket, and note in its history that they were looked at."""
    ticket = access.get_ticket_or_404(ticket_number, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ticket_events.details_viewed(ticket, current_user)
    db.session.commit()
    return redirect(url_for(".order_print", number=ticket.order.number))


@bp.route("/tickets/<ticket_number>/reply", methods=["POST"])
def reply(ticket_number: str):
    """Answer the customer, the marketplace only, or leave an internal note."""
    ticket = load_ticket(ticket_number)
    forms = build_forms(ticket, ticket.order, "reply")
    form = forms["reply"]
    if not form.validate_on_submit():
        return render_workspace(ticket, "reply", status=400 if csrf_failed(form) else 422, forms=forms)
    try:
        tickets.reply_as_staff(ticket, current_user, form.body.data, Visibility(form.visibility.data),
                               uploads=uploads(), expected_version=form.version.data)
    except DomainError as error:
        return failed(ticket_number, "reply", form, error, forms)
    db.session.commit()
    flash(_("Internal note saved.") if form.visibility.data == Visibility.internal else _("Answer sent."),
          "success")
    return redirect(url_for(".ticket", ticket_number=ticket.number))


def uploads():
    return [f for f in request.files.getlist("attachments") if f and f.filename]


def failed(ticket_number: str, posted: str, form, error: DomainError, forms: dict):
    """Undo the attempt and re-render with the user's input; after a conflict the form carries the new version."""
    db.session.rollback()
    ticket = load_ticket(ticket_number)
    stale = isinstance(error, tickets.StaleTicket)
    if stale:
        form.keep_version(ticket.version)
        form.form_errors.append(_("This ticket changed since you opened it. Your text is kept below: check "
                                  "what changed, then send again."))
    else:
        attach_error(form, error)
    for name, other in build_forms(ticket, ticket.order).items():
        if name != posted:
            forms[name] = other
    response = render_workspace(ticket, posted, status=error.status_code, forms=forms)
    return response[0], 409 if stale else response[1]


@bp.route("/orders/<number>/print")
def order_print(number: str):
    """Show the order's details on one printable page, in the seed's sections."""
    order = access.get_order_or_404(number, current_user)
    steps, link = order_timeline(order)
    return render_template("staff/order_print.html", order=order, steps=steps, link=link,
                           refunded=tickets.refunded_total(order), cancelled=tickets.cancelled_units(order))


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    """Send any ticket attachment to the staff, as a download."""
    found = access.get_attachment_or_404(attachment_id, current_user)
    if found is None:
        abort(404)
    return send_attachment(found)
