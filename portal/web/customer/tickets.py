"""The shopper's tickets: the list, the thread, replies, closing and downloads."""
from flask import current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ... import access
from ...accounts import audit
from ...core.errors import DomainError, NotFound
from ...extensions import db
from ...models.tickets import REOPEN_DAYS
from ...tickets import lifecycle as tickets
from ...tickets import survey as surveys
from ...tickets.attachments import open_stored
from ...tickets.sanitize import clean_message_html
from ..forms import EmptyForm
from ..ticket_forms import ATTACHMENTS_HINT, MessageForm, SurveyForm, allow_uploads, csrf_failed
from . import bp
from .serving import operator as acting_operator

MAX_PAGE = 100_000

bp.url_value_preprocessor(allow_uploads({"customer.order_help", "customer.reply"}))


@bp.app_template_filter("message_html")
def message_html(body: str | None) -> Markup:
    """Render a stored message body, sanitising it again so no template trusts the database blindly."""
    return Markup(clean_message_html(body))  # noqa: S704 - bleach's allow-list output is the safe HTML


def attach_error(form, error: DomainError) -> None:
    """Show a service error on its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def audit_acting(action: str, ticket) -> None:
    """Record what an operator did on a ticket while acting, in the customer's name."""
    if (operator := acting_operator()) is not None:
        audit.record(operator, action, f"ticket:{ticket.number}", on_behalf_of=g.customer)


def uploads():
    return [f for f in request.files.getlist("attachments") if f and f.filename]


@bp.route("/tickets")
def tickets_list():
    """List the shopper's tickets on all their orders, most recently changed first."""
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
    if not 1 <= page <= MAX_PAGE:
        return render_template("errors/error.html", status=404, message=_("We could not find this page.")), 404
    pagination = db.paginate(access.customer_tickets_query(g.customer), page=page,
                             per_page=current_app.config["ORDERS_PER_PAGE"], error_out=True)
    return render_template("customer/tickets/list.html", pagination=pagination)


def thread_page(ticket, form, code: int = 200, survey_form=None):
    """Render the thread; a closed ticket whose question waits shows it (not to an operator serving the shopper)."""
    pending = surveys.pending(ticket) if acting_operator() is None else None
    return render_template(
        "customer/tickets/thread.html", ticket=ticket, messages=access.visible_messages(ticket, g.customer),
        form=form, close_form=EmptyForm(), can_reply=tickets.can_reopen_by_reply(ticket),
        attachments_hint=ATTACHMENTS_HINT, survey=pending,
        survey_form=survey_form or SurveyForm(formdata=None), max_comment=surveys.MAX_COMMENT,
    ), code


@bp.route("/tickets/<ticket_number>")
def ticket(ticket_number: str):
    """Show one ticket as a chat thread with the reply box."""
    return thread_page(access.get_ticket_or_404(ticket_number, g.customer), MessageForm())


@bp.route("/tickets/<ticket_number>/reply", methods=["POST"])
def reply(ticket_number: str):
    """Add the shopper's message; it reopens a waiting or recently closed ticket."""
    ticket = access.get_ticket_or_404(ticket_number, g.customer)
    access.require_customer_of(g.customer, ticket.customer_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return thread_page(ticket, form, 400 if csrf_failed(form) else 422)
    try:
        tickets.reply_as_customer(ticket, g.customer, form.body.data, uploads=uploads(), operator=acting_operator())
        audit_acting("ticket.reply", ticket)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return thread_page(access.get_ticket_or_404(ticket_number, g.customer), form, error.status_code)
    db.session.commit()
    flash(_("Your message was sent."), "success")
    return redirect(url_for(".ticket", ticket_number=ticket.number, _anchor="reply"))


@bp.route("/tickets/<ticket_number>/close", methods=["POST"])
def close_ticket(ticket_number: str):
    """Close the shopper's ticket when their question is settled."""
    ticket = access.get_ticket_or_404(ticket_number, g.customer)
    access.require_customer_of(g.customer, ticket.customer_id)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".ticket", ticket_number=ticket.number)), 303
    try:
        tickets.close_ticket(ticket, g.customer)
        audit_acting("ticket.close", ticket)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Ticket closed. You can reply within %(days)d days to reopen it.", days=REOPEN_DAYS), "success")
    return redirect(url_for(".ticket", ticket_number=ticket_number))


@bp.route("/tickets/attachments/<int:attachment_id>")
def ticket_attachment(attachment_id: int):
    """Send an attachment of a message the shopper may see, as a download."""
    return send_attachment(access.get_attachment_or_404(attachment_id, g.customer))


def send_attachment(attachment):
    """Stream a stored attachment as a download under its cleaned name."""
    try:
        stream = open_stored(tickets.attachments_dir(), attachment.storage_key)
    except NotFound:
        return render_template("errors/error.html", status=404, message=_("We could not find this page.")), 404
    response = send_file(stream, mimetype=attachment.mime, as_attachment=True, download_name=attachment.filename,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response
