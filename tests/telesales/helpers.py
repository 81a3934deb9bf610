"""Building carts and orders in the domain directly, for tests that are about what comes after."""
from portal.models import Cart, CartItem, CartState
from portal.telesales import checkout, links


def cart_with_items(db, operator, products, customer=None, manual: bool = False, method: str = "promissoria"):
    cart = Cart(operator=operator, customer=customer, state=CartState.open, payment_method=method, shipping_cents=0)
    cart.items.append(CartItem(product=products["CAM-001"], sku="CAM-001", name="Camiseta azul", quantity=2,
                               list_price_cents=4990, unit_price_cents=3990 if manual else 4990,
                               manual_reason="cliente fiel" if manual else None))
    cart.items.append(CartItem(product=products["CAN-002"], sku="CAN-002", name="Caneca", quantity=1,
                               list_price_cents=2500, unit_price_cents=2500))
    db.session.add(cart)
    db.session.flush()
    return cart


def placed_order(db, operator, customer, products, manual=True, method="promissoria"):
    cart = cart_with_items(db, operator, products, customer, manual=manual, method=method)
    order = checkout.place(cart, customer=customer, operator=operator)
    db.session.commit()
    return order


def shared(db, operator, products, manual=False):
    cart = cart_with_items(db, operator, products, manual=manual)
    raw = links.share(cart)
    db.session.commit()
    return cart, raw
