"""Carts an operator builds: products by SKU, quantities, manual prices, address, shipping and payment."""
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..core.errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import Cart, CartItem, CartState, CustomerAddress, Product, User
from ..models.base import utcnow
from . import pricing

MAX_QUANTITY = 999
PROMISSORIA = "promissoria"
# The payment methods an operator may choose; promissória is approved by the operator at once.
PAYMENT_METHODS = {
    "pix": _l("Pix"),
    "boleto": _l("Bank slip (boleto)"),
    "cartao": _l("Credit card"),
    PROMISSORIA: _l("Promissory note (promissória)"),
}


def open_cart_query(operator: User, customer: User | None):
    """Select the operator's open cart for this customer (or the open cart to share, for no customer)."""
    query = (db.select(Cart).where(Cart.operator_id == operator.id, Cart.state == CartState.open,
                                   Cart.share_token_hash.is_(None))
             .options(selectinload(Cart.items), selectinload(Cart.address))
             .order_by(Cart.id.desc()).limit(1))
    if customer is None:
        return query.where(Cart.customer_id.is_(None))
    return query.where(Cart.customer_id == customer.id)


def current_cart(operator: User, customer: User | None, create: bool = False) -> Cart | None:
    """Return the open cart the operator is building for the customer (or to share), creating it if asked."""
    cart = db.session.scalar(open_cart_query(operator, customer))
    if cart is None and create:
        cart = Cart(operator=operator, customer=customer, state=CartState.open, shipping_cents=0)
        db.session.add(cart)
        db.session.flush()
    return cart


def require_open(cart: Cart) -> Cart:
    if cart.state is not CartState.open:
        raise Conflict(_l("This cart was already placed or discarded."), field="cart")
    return cart


def parse_quantity(value) -> int:
    """Return a whole quantity from 1 to 999, or refuse it."""
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(_l("Enter a whole quantity from 1 to 999."), field="quantity") from None
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(_l("Enter a whole quantity from 1 to 999."), field="quantity")
    return quantity


def search_products(text: str, limit: int = 20) -> list[Product]:
    """Return active products whose SKU or name contains the text, by name."""
    words = " ".join(str(text or "").split())[:80]
    if not words:
        return []
    pattern = f"%{words}%"
    return list(db.session.scalars(
        db.select(Product).where(Product.active.is_(True), db.or_(Product.sku.ilike(pattern),
                                                                   Product.name.ilike(pattern)))
        .order_by(Product.name).limit(limit)))


def add_item(cart: Cart, sku: str, quantity) -> CartItem:
    """Add an active product by SKU at its catalogue price; a product already there gets the quantity added."""
    require_open(cart)
    quantity = parse_quantity(quantity)
    product = db.session.scalar(db.select(Product).where(Product.sku == str(sku or "").strip()[:80]))
    if product is None or not product.active:
        raise ValidationError(_l("No active product has this SKU."), field="sku")
    item = next((line for line in cart.items if line.product_id == product.id), None)
    if item is not None:
        item.quantity = parse_quantity(item.quantity + quantity)
    else:
        item = CartItem(product=product, sku=product.sku, name=product.name, quantity=quantity,
                        list_price_cents=product.price_cents, unit_price_cents=product.price_cents)
        cart.items.append(item)
    _touch(cart)
    return item


def get_item(cart: Cart, item_id: int) -> CartItem:
    item = next((line for line in cart.items if line.id == item_id), None)
    if item is None:
        raise NotFound(_l("This line is not in the cart."), field="item")
    return item


def set_quantity(cart: Cart, item_id: int, quantity) -> CartItem:
    require_open(cart)
    item = get_item(cart, item_id)
    item.quantity = parse_quantity(quantity)
    _touch(cart)
    return item


def remove_item(cart: Cart, item_id: int) -> None:
    require_open(cart)
    cart.items.remove(get_item(cart, item_id))
    _touch(cart)


def set_price(cart: Cart, item_id: int, price_text, reason: str) -> CartItem:
    """Set a manual price on a line (only operators reach this)."""
    require_open(cart)
    item = pricing.set_manual_price(get_item(cart, item_id), price_text, reason)
    _touch(cart)
    return item


def set_details(cart: Cart, address_id, shipping_text, payment_method: str | None) -> Cart:
    """Choose the delivery address (one of the customer's), the shipping amount and the payment method."""
    require_open(cart)
    if address_id not in (None, ""):
        address = _customer_address(cart, address_id)
        cart.address = address
    shipping = str(shipping_text or "").strip()
    cart.shipping_cents = pricing.parse_cents(shipping, field="shipping", allow_zero=True) if shipping else 0
    if payment_method:
        if payment_method not in PAYMENT_METHODS:
            raise ValidationError(_l("Choose one of the payment methods."), field="payment_method")
        cart.payment_method = payment_method
    _touch(cart)
    return cart


def _customer_address(cart: Cart, address_id) -> CustomerAddress:
    try:
        address = db.session.get(CustomerAddress, int(address_id))
    except (TypeError, ValueError):
        address = None
    if address is None or cart.customer_id is None or address.user_id != cart.customer_id:
        raise ValidationError(_l("Choose one of the customer's addresses."), field="address")
    return address


def addresses(customer: User | None) -> list[CustomerAddress]:
    if customer is None:
        return []
    return list(db.session.scalars(db.select(CustomerAddress).where(CustomerAddress.user_id == customer.id)
                                   .order_by(CustomerAddress.id)))


def subtotal_cents(cart: Cart) -> int:
    return sum(item.line_cents for item in cart.items)


def total_cents(cart: Cart) -> int:
    return subtotal_cents(cart) + (cart.shipping_cents or 0)


def has_manual_price(cart: Cart) -> bool:
    return any(item.is_manual for item in cart.items)


def _touch(cart: Cart) -> None:
    """Flush the change; the cart's version moves so that a stale tab cannot place an old cart."""
    cart.updated_at = utcnow()
    db.session.flush()
