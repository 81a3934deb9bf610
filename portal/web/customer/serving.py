"""The customer area while an operator serves a customer: whose area it is, the toolbar, and ending it."""
from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...accounts import audit
from ...extensions import db
from ...models import User
from .. import acting
from ..forms import EmptyForm
from . import bp


def resolve_customer():
    """Set `g.customer`: the served customer while acting, else the signed-in user; end an idle session."""
    if acting.expired():
        _end(idle=True)
        db.session.commit()
        flash(_("The service ended after 30 minutes without activity."), "warning")
        return redirect(url_for("staff.customers") if access.can_use_telesales(current_user) else url_for(".orders"))
    g.customer = acting.acting_customer() or current_user
    return None


def _end(idle: bool = False) -> None:
    """Stop acting and audit it, with the operator as the actor and the customer served as on_behalf_of."""
    served_id = acting.end()
    customer = db.session.get(User, served_id) if isinstance(served_id, int) else None
    if customer is not None:
        audit.record(current_user, "acting.end", f"user:{customer.id}", after={"idle": idle} if idle else None,
                     on_behalf_of=customer)


def operator() -> User | None:
    """The signed-in operator while they act for `g.customer`, else None."""
    return current_user if acting.acting_customer() is not None else None


@bp.context_processor
def inject_acting():
    """Tell the customer area's templates for whom the page is served (the toolbar) and whose area it is."""
    served = acting.acting_customer() if current_user.is_authenticated else None
    return {"acting_for": served, "customer": g.get("customer", current_user)}


@bp.route("/acting/end", methods=["POST"])
def end_acting():
    """Encerrar atendimento: stop serving the customer and return to the customer search."""
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".orders")), 303
    _end()
    db.session.commit()
    flash(_("Service ended."), "info")
    target = url_for("staff.customers") if access.can_use_telesales(current_user) else url_for(".orders")
    return redirect(target, 303)
