"""The operator's cart: for the customer being served, or without a customer to share as a link."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...core.errors import DomainError
from ...extensions import db
from ...models import Cart, Order
from ...telesales import carts, checkout, links
from .. import acting
from ..forms import EmptyForm
from . import bp
from .forms import AddItemForm, DetailsForm, PriceForm, QuantityForm, ShareForm
from .mail import queue_share_mail

RECENT_ORDERS = 10


def _cart(create: bool = False) -> tuple[Cart | None, object]:
    customer = acting.acting_customer()
    return carts.current_cart(current_user, customer, create=create), customer


def _recent_orders() -> list[Order]:
    """Return the orders of this operator's carts, newest first, so that price decisions are seen."""
    return list(db.session.scalars(
        db.select(Order).join(Cart, Cart.order_id == Order.id).where(Cart.operator_id == current_user.id)
        .options(selectinload(Order.status)).order_by(Order.id.desc()).limit(RECENT_ORDERS)))


def _details_form(cart: Cart | None, customer) -> DetailsForm:
    form = DetailsForm(formdata=None)
    form.address.choices = [("", _("No address"))] + [
        (str(address.id), ", ".join(filter(None, [address.label, address.street, address.number, address.city])))
        for address in carts.addresses(customer)]
    form.payment_method.choices = [("", _("Choose…"))] + [(key, str(label))
                                                           for key, label in carts.PAYMENT_METHODS.items()]
    if cart is not None:
        form.address.data = str(cart.address_id or "")
        form.shipping.data = f"{(cart.shipping_cents or 0) / 100:.2f}".replace(".", ",")
        form.payment_method.data = cart.payment_method or ""
    return form


def _page(code: int = 200, error: DomainError | None = None, price_item: int | None = None,
          price_form: PriceForm | None = None, add_form: AddItemForm | None = None):
    cart, customer = _cart()
    query = request.args.get("q", "")
    return render_template(
        "telesales/cart.html", cart=cart, customer=customer, error=error, price_item=price_item,
        price_form=price_form or PriceForm(formdata=None), add_form=add_form or AddItemForm(formdata=None),
        quantity_form=QuantityForm(formdata=None), details_form=_details_form(cart, customer),
        button_form=EmptyForm(), share_form=ShareForm(formdata=None), query=query,
        products=carts.search_products(query),
        subtotal=carts.subtotal_cents(cart) if cart else 0, total=carts.total_cents(cart) if cart else 0,
        payment_labels=carts.PAYMENT_METHODS, recent=_recent_orders(),
    ), code


def _run(form, verb, *, price_item: int | None = None):
    """Validate the form, run one verb on the open cart, commit once; a refusal re-renders the cart with 422."""
    if not form.validate_on_submit():
        return _page(422, DomainError(_("The form expired or was incomplete. Please try again.")),
                     price_item=price_item, price_form=form if price_item else None)
    cart, _customer = _cart(create=True)
    try:
        message = verb(cart)
    except DomainError as error:
        db.session.rollback()
        kept = {"price_form": form} if isinstance(form, PriceForm) else (
            {"add_form": form} if isinstance(form, AddItemForm) else {})
        return _page(422 if error.status_code < 500 else error.status_code, error, price_item=price_item, **kept)
    db.session.commit()
    if message:
        flash(message, "success")
    return redirect(url_for(".cart"))


@bp.route("/cart")
def cart():
    """Show the cart being built, the product search and the checkout details."""
    return _page()


@bp.route("/cart/items", methods=["POST"])
def add_item():
    form = AddItemForm()
    return _run(form, lambda cart: carts.add_item(cart, form.sku.data, form.quantity.data)
                and _("Product added."))


@bp.route("/cart/items/<int:item_id>/quantity", methods=["POST"])
def set_quantity(item_id: int):
    form = QuantityForm()
    return _run(form, lambda cart: carts.set_quantity(cart, item_id, form.quantity.data) and _("Quantity changed."))


@bp.route("/cart/items/<int:item_id>/remove", methods=["POST"])
def remove_item(item_id: int):
    return _run(EmptyForm(), lambda cart: carts.remove_item(cart, item_id) or _("Product removed."))


@bp.route("/cart/items/<int:item_id>/price", methods=["POST"])
def set_price(item_id: int):
    """Set a manual price with its reason; it waits for approval once the order is placed."""
    form = PriceForm()
    return _run(form, lambda cart: carts.set_price(cart, item_id, form.price.data, form.reason.data)
                and _("Price changed: the order will wait for price approval."), price_item=item_id)


@bp.route("/cart/details", methods=["POST"])
def set_details():
    form = DetailsForm()
    return _run(form, lambda cart: carts.set_details(cart, form.address.data, form.shipping.data,
                                                     form.payment_method.data) and _("Delivery and payment saved."))


@bp.route("/cart/place", methods=["POST"])
def place():
    """Place the cart as an order of the customer being served, in the operator's name."""
    def verb(cart):
        order = checkout.place(cart, customer=acting.acting_customer(), operator=current_user)
        if order.price_approval.value == "pending":
            return _("Order %(number)s placed: it waits for price approval.", number=order.number)
        return _("Order %(number)s placed.", number=order.number)
    return _run(EmptyForm(), verb)


@bp.route("/cart/share", methods=["POST"])
def share():
    """Turn the cart into a shared link, e-mailed to the customer when asked; the link is shown this once."""
    cart, customer = _cart()
    form = ShareForm()
    if cart is None or not form.validate_on_submit():
        return _page(422, DomainError(_("Add at least one product before sharing the cart.")))
    try:
        raw = links.share(cart)
    except DomainError as error:
        db.session.rollback()
        return _page(422, error)
    mailed = customer is not None and form.email_customer.data
    if mailed:
        queue_share_mail(cart, customer, raw)
    db.session.commit()
    url = url_for("customer.shared_cart", token=raw, _external=True)
    page = render_template("telesales/shared.html", cart=cart, url=url, qr=links.qr_data_uri(url),
                           total=carts.total_cents(cart), mailed_to=customer.email if mailed else None)
    return page, 200, {"Cache-Control": "no-store"}
