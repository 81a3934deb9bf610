"""A cart an operator shared as a link: the signed-in shopper sees it, changes quantities, and confirms it."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError

from ... import access
from ...core.error_pages import error_response
from ...core.errors import Conflict, DomainError
from ...core.races import lost_a_race
from ...extensions import db
from ...telesales import carts, checkout, links
from ..forms import EmptyForm
from ..telesales.forms import QuantityForm
from . import bp


def _load(token: str):
    """Return the link's cart for this shopper; raise the link's DomainError, 403 for staff, 404 for another's."""
    if access.is_staff(current_user):
        abort(403)
    cart = links.get_shared_cart(token)
    if cart.customer_id is not None and cart.customer_id != current_user.id:
        abort(404)
    return cart


def _gone(error: DomainError):
    return error_response(error.status_code, error.code, str(error.message))


def _page(token: str, code: int = 200, error: DomainError | None = None):
    try:
        cart = _load(token)
    except DomainError as gone:
        return _gone(gone)
    page = render_template("customer/shared_cart.html", cart=cart, token=token, error=error,
                           button_form=EmptyForm(), quantity_form=QuantityForm(formdata=None),
                           subtotal=carts.subtotal_cents(cart), total=carts.total_cents(cart),
                           payment_labels=carts.PAYMENT_METHODS)
    return page, code, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _change(token: str, form, verb):
    """Run one change on the shared cart; quantities and lines only, never prices."""
    if not form.validate_on_submit():
        return _page(token, 422, DomainError(_("The form expired or was incomplete. Please try again.")))
    try:
        verb(_load(token))
    except DomainError as error:
        db.session.rollback()
        return _page(token, 422, error) if error.status_code not in (404, 410) else _gone(error)
    db.session.commit()
    return redirect(url_for(".shared_cart", token=token))


@bp.route("/cart/<token>")
def shared_cart(token: str):
    """Show the shared cart at the prices the operator set."""
    return _page(token)


@bp.route("/cart/<token>/items/<int:item_id>/quantity", methods=["POST"])
def shared_cart_quantity(token: str, item_id: int):
    form = QuantityForm()
    return _change(token, form, lambda cart: carts.set_quantity(cart, item_id, form.quantity.data))


@bp.route("/cart/<token>/items/<int:item_id>/remove", methods=["POST"])
def shared_cart_remove(token: str, item_id: int):
    return _change(token, EmptyForm(), lambda cart: carts.remove_item(cart, item_id))


@bp.route("/cart/<token>/confirm", methods=["POST"])
def shared_cart_confirm(token: str):
    """Place the order as the shopper's own (no operator on it); of two confirmations at once, one wins."""
    if not EmptyForm().validate_on_submit():
        return _page(token, 422, DomainError(_("The form expired or was incomplete. Please try again.")))
    try:
        order = checkout.place(_load(token), customer=current_user)
        db.session.commit()
    except Conflict:
        db.session.rollback()
        return _gone(links.LinkGone(_("This cart link was already used.")))
    except DomainError as error:
        db.session.rollback()
        return _page(token, 422, error) if error.status_code not in (404, 410) else _gone(error)
    except (IntegrityError, OperationalError) as error:
        db.session.rollback()
        if not lost_a_race(error):
            raise
        return _gone(links.LinkGone(_("This cart link was already used.")))
    flash(_("Thank you! Your order %(number)s was placed.", number=order.number), "success")
    return redirect(url_for(".order", number=order.number))
