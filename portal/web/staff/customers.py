"""The call centre's customer search, and starting to act for ("atender") one customer."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...accounts import audit
from ...accounts.documents import format_document
from ...core.errors import DomainError
from ...extensions import db
from ...models import Role, User
from ...telesales import customers as search
from .. import acting
from ..forms import EmptyForm
from . import bp

MAX_PAGE = 100_000


def _require_telesales() -> None:
    if not access.can_use_telesales(current_user):
        abort(403)


def _page() -> int:
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


@bp.route("/customers")
def customers():
    """Find customers by name, e-mail, CPF/CNPJ or an order number, each with the button that starts serving."""
    _require_telesales()
    q = request.args.get("q", "").strip()
    page, error, pagination = _page(), None, None
    try:
        query = search.search_query(q)
    except DomainError as exc:
        error = str(exc.message)
    else:
        pagination = db.paginate(query, page=page, per_page=current_app.config["ORDERS_PER_PAGE"], error_out=False)
    return render_template("staff/customers.html", q=q, error=error, pagination=pagination, form=EmptyForm(),
                           format_document=format_document), 422 if error else 200


@bp.route("/customers/<int:customer_id>/act", methods=["POST"])
def act_for(customer_id: int):
    """Start serving the customer: the customer area then shows their orders, tickets and account."""
    _require_telesales()
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".customers")), 303
    customer = db.session.get(User, customer_id)
    if customer is None or customer.role is not Role.customer or not customer.active:
        message = (_("Only a customer's account can be served.") if customer is not None and customer.role.is_staff
                   else _("This customer does not exist or is no longer active."))
        status = 403 if customer is not None and customer.role.is_staff else 404
        return render_template("errors/error.html", status=status, message=message), status
    previous = db.session.get(User, acting.end() or 0)
    if previous is not None and previous.id != customer.id:
        audit.record(current_user, "acting.end", f"user:{previous.id}", on_behalf_of=previous)
    acting.begin(current_user, customer)
    audit.record(current_user, "acting.begin", f"user:{customer.id}", on_behalf_of=customer)
    db.session.commit()
    flash(_("You are now serving %(name)s.", name=customer.display_name), "info")
    return redirect(url_for("customer.orders"), 303)
