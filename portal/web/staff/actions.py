"""The workspace's "Escolher uma ação" menu: one small CSRF-protected POST per action."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...core.errors import DomainError
from ...extensions import db
from ...tickets import lifecycle as tickets
from ..ticket_forms import csrf_failed
from . import bp
from .context import build_forms, load_ticket
from .workspace import failed, render_workspace


def _act(ticket_number: str, posted: str, call, done: str):
    """Validate the posted form, run one service verb, commit once; re-render in place when anything is off."""
    ticket = load_ticket(ticket_number)
    forms = build_forms(ticket, ticket.order, posted)
    form = forms[posted]
    if not form.validate_on_submit():
        return render_workspace(ticket, posted, status=400 if csrf_failed(form) else 422, forms=forms)
    try:
        call(ticket, form)
    except DomainError as error:
        return failed(ticket_number, posted, form, error, forms)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".ticket", ticket_number=ticket.number))


@bp.route("/tickets/<ticket_number>/refund", methods=["POST"])
def refund(ticket_number: str):
    """Refund part of the order's amount, with the reason."""
    def call(ticket, form):
        tickets.refund(ticket, current_user, form.amount.decimal, form.reason.data,
                       expected_version=form.version.data)
    return _act(ticket_number, "refund", call, _("Refund recorded."))


@bp.route("/tickets/<ticket_number>/escalate", methods=["POST"])
def escalate(ticket_number: str):
    """Hand the ticket to customer service with one of the listed reasons."""
    def call(ticket, form):
        tickets.escalate_ticket(ticket, current_user, form.reason.data, form.note.data or "",
                                expected_version=form.version.data)
    return _act(ticket_number, "escalate", call, _("Ticket escalated to customer service."))


@bp.route("/tickets/<ticket_number>/cancel-unit", methods=["POST"])
def cancel_unit(ticket_number: str):
    """Cancel one item, or a quantity of it, with the reason."""
    def call(ticket, form):
        tickets.cancel_unit(ticket, current_user, form.item.data, form.quantity.data, form.reason.data,
                            expected_version=form.version.data)
    return _act(ticket_number, "cancel_unit", call, _("Purchase unit cancelled."))


@bp.route("/tickets/<ticket_number>/forward", methods=["POST"])
def forward(ticket_number: str):
    """Make a colleague the assignee, with an optional note they will see as "Recebido de"."""
    def call(ticket, form):
        colleague = access.get_staff_user_or_404(form.to_user.data)
        tickets.forward_ticket(ticket, current_user, colleague, form.note.data or "",
                               expected_version=form.version.data)
    return _act(ticket_number, "forward", call, _("Ticket forwarded."))


@bp.route("/tickets/<ticket_number>/take", methods=["POST"])
def take(ticket_number: str):
    """Become the ticket's assignee."""
    def call(ticket, form):
        tickets.take_ticket(ticket, current_user, expected_version=form.version.data)
    return _act(ticket_number, "version", call, _("You took the ticket."))


@bp.route("/tickets/<ticket_number>/close", methods=["POST"])
def close(ticket_number: str):
    """Close the ticket."""
    def call(ticket, form):
        tickets.close_ticket(ticket, current_user, expected_version=form.version.data)
    return _act(ticket_number, "version", call, _("Ticket closed."))


@bp.route("/tickets/<ticket_number>/reopen", methods=["POST"])
def reopen(ticket_number: str):
    """Reopen a closed ticket so that it can be answered again."""
    def call(ticket, form):
        tickets.reopen_ticket(ticket, current_user, expected_version=form.version.data)
    return _act(ticket_number, "version", call, _("Ticket reopened."))
