"""Price approvals: orders with manual prices, approved or rejected by someone other than their operator."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.errors import DomainError
from ...extensions import db
from ...models import Order
from ...telesales import approval
from ..forms import EmptyForm
from . import bp
from .forms import RejectForm

MAX_PAGE = 10_000


def _pending_page(code: int = 200, error: DomainError | None = None, reject_form=None, reject_number=None):
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 5 else 0
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    pagination = db.paginate(approval.pending_query(), page=page,
                             per_page=current_app.config.get("ORDERS_PER_PAGE", 20), error_out=False)
    return render_template("telesales/approvals.html", pagination=pagination, error=error,
                           button_form=EmptyForm(), reject_form=reject_form or RejectForm(formdata=None),
                           reject_number=reject_number, me=current_user), code


def _pending_order_or_404(number: str) -> Order:
    order = db.session.scalar(db.select(Order).where(Order.number == str(number)[:40]))
    if order is None or not order.created_in_portal:
        abort(404)
    return order


def _decide(number: str, form, verb):
    order = _pending_order_or_404(number)
    if not form.validate_on_submit():
        return _pending_page(422, DomainError(_("The form expired or was incomplete. Please try again.")),
                             reject_form=form if isinstance(form, RejectForm) else None, reject_number=number)
    try:
        verb(order)
    except DomainError as error:
        db.session.rollback()
        return _pending_page(error.status_code, error, reject_form=form if isinstance(form, RejectForm) else None,
                             reject_number=number)
    db.session.commit()
    flash(_("Order %(number)s: %(state)s.", number=order.number,
            state=_("prices approved") if order.price_approval.value == "approved" else _("prices rejected")),
          "success")
    return redirect(url_for(".approvals"))


@bp.route("/approvals")
def approvals():
    """List the orders waiting for a price decision, with their manual lines."""
    return _pending_page()


@bp.route("/approvals/<number>/approve", methods=["POST"])
def approve(number: str):
    return _decide(number, EmptyForm(), lambda order: approval.approve(current_user, order))


@bp.route("/approvals/<number>/reject", methods=["POST"])
def reject(number: str):
    form = RejectForm()
    return _decide(number, form, lambda order: approval.reject(current_user, order, form.reason.data))
