"""Demo telesales: a small catalogue, an address book, an order awaiting price approval and a shared cart link."""
from datetime import timedelta

from ..extensions import db
from ..models import Cart, CartItem, CartState, CustomerAddress, Product, User
from ..models.base import utcnow
from ..telesales import carts, checkout, links

# Published like the demo password: `make run` prints the link, so the demo's token cannot be random.
DEMO_CART_TOKEN = "demo-carrinho-compartilhado-1131ddda"  # noqa: S105
DEMO_PRODUCTS = (
    ("CAM-AZUL-M", "Camiseta azul M", 4990),
    ("CAN-500", "Caneca 500 ml", 2990),
    ("MOC-URB", "Mochila urbana", 18990),
    ("GAR-TER", "Garrafa térmica", 8990),
)


def shared_cart_path() -> str:
    return f"/cart/{DEMO_CART_TOKEN}"


def _cart(operator: User, customer: User | None, lines: list[tuple[Product, int, int | None]]) -> Cart:
    cart = Cart(operator=operator, customer=customer, state=CartState.open, shipping_cents=1500,
                payment_method=carts.PROMISSORIA)
    for product, quantity, manual in lines:
        cart.items.append(CartItem(product=product, sku=product.sku, name=product.name, quantity=quantity,
                                   list_price_cents=product.price_cents,
                                   unit_price_cents=manual or product.price_cents,
                                   manual_reason="Cliente antigo: desconto combinado por telefone" if manual else None))
    db.session.add(cart)
    db.session.flush()
    return cart


def load_demo_telesales(users: dict[str, User]) -> None:
    """Create the catalogue, Maria's address, an order placed by the operator with a manual price, and a link."""
    products = [Product(sku=sku, name=name, price_cents=price, active=True, stock=50)
                for sku, name, price in DEMO_PRODUCTS]
    db.session.add_all(products)
    maria, operator = users["maria@demo.test"], users["operador@demo.test"]
    address = CustomerAddress(user=maria, label="Casa", name=maria.name, street="Rua das Flores", number="120",
                              district="Centro", city="São Paulo", state="SP", postal_code="01001-000")
    db.session.add(address)
    db.session.flush()
    cart = _cart(operator, maria, [(products[0], 2, 3990), (products[1], 1, None)])
    cart.address = address
    checkout.place(cart, customer=maria, operator=operator)
    shared = _cart(operator, None, [(products[2], 1, None), (products[3], 2, None)])
    shared.share_token_hash = links.hash_token(DEMO_CART_TOKEN)
    shared.shared_at = utcnow()
    shared.share_expires_at = shared.shared_at + timedelta(days=7)
    db.session.flush()
