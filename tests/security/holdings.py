"""Shoppers who own one of every object the buyer's portal names in a URL, with the text that is theirs alone."""
import io
from dataclasses import dataclass, field

from werkzeug.datastructures import FileStorage

from portal.accounts import credentials, profile
from portal.accounts import users as accounts
from portal.models import Cart, CartItem, CartState, LoginLinkPurpose, Product, Role, TicketReason
from portal.orders import mail as order_mail
from portal.telesales import links
from portal.tickets import deflection as deflections
from portal.tickets import lifecycle as tickets
from portal.tickets import survey as surveys

from ..factories import PASSWORD
from ..test_attachments import png_1x1


@dataclass
class Holdings:
    """One shopper and everything of theirs a URL can name."""

    user: object
    order: object
    ticket: object
    closed_ticket: object
    attachment_id: int
    address_id: int
    deflection_id: int
    cart_token: str
    cart_item_id: int
    email_token: str
    survey_token: str
    login_token: str
    unsubscribe_token: str
    # Text that is this shopper's alone: no answer to anybody else may carry any of it.
    secrets: list[str] = field(default_factory=list)


def _product(db, sku: str) -> Product:
    product = db.session.scalar(db.select(Product).filter_by(sku=sku))
    if product is None:
        product = Product(sku=sku, name="Camiseta azul", price_cents=4990, active=True)
        db.session.add(product)
        db.session.flush()
    return product


def _shared_cart(db, operator, user) -> tuple[str, int]:
    cart = Cart(operator=operator, customer=user, state=CartState.open, payment_method="promissoria",
                shipping_cents=0)
    cart.items.append(CartItem(product=_product(db, "SEC-001"), sku="SEC-001", name="Camiseta azul", quantity=2,
                               list_price_cents=4990, unit_price_cents=4990))
    db.session.add(cart)
    db.session.flush()
    return links.share(cart), cart.items[0].id


def holdings(factory, operator, tag: str) -> Holdings:
    """Give a new shopper an order with an invoice, tickets (one with an attachment, one closed and surveyed),
    an address, a shared cart, a pending e-mail change, a help answer and a login link; `tag` keeps texts apart."""
    db = factory.db
    name, street, new_email = f"Cliente{tag} Sobrenome{tag}", f"Rua Escondida{tag}", f"novo-{tag.lower()}@example.com"
    user = factory.user(name=name, email=f"shopper-{tag.lower()}@example.com")
    order = factory.order(user, status="ENVIADO", paid=True, shipped=True, shipping_code="AA123456785BR",
                          invoice_url=f"https://nfe.example.com/nota-{tag}.pdf", number=f"9{ord(tag[0])}{user.id:06d}")
    order.delivery_address = {**order.delivery_address, "name": name, "street": street}
    order.billing_address = {**order.billing_address, "name": name, "street": street}
    reason = db.session.scalars(db.select(TicketReason).order_by(TicketReason.position)).first()
    photo = FileStorage(io.BytesIO(png_1x1()), f"foto-{tag}.png")
    subject, body = f"Assunto{tag} secreto", f"Mensagem{tag} confidencial"
    ticket = tickets.open_ticket(order, user, reason.id, subject, body, uploads=[photo])
    closed = tickets.open_ticket(order, user, reason.id, f"Outro{tag} assunto", f"Outra{tag} mensagem")
    tickets.close_ticket(closed, user)
    address = profile.add_address(user, {"label": "Casa", "name": name, "street": street, "number": "42",
                                         "city": "Campinas", "state": "SP", "postal_code": "13010-000"})
    shown = deflections.record_shown(order, user, reason, deflections.answer_for(order))
    cart_token, cart_item_id = _shared_cart(db, operator, user)
    _change, email_token = credentials.request_email_change(user, new_email, PASSWORD)
    login_token = accounts.issue_login_link(user, LoginLinkPurpose.reset)
    db.session.flush()
    return Holdings(
        user=user, order=order, ticket=ticket, closed_ticket=closed,
        attachment_id=ticket.messages[0].attachments[0].id, address_id=address.id, deflection_id=shown.id,
        cart_token=cart_token, cart_item_id=cart_item_id, email_token=email_token,
        survey_token=surveys.token_for(surveys.pending(closed)), login_token=login_token,
        unsubscribe_token=order_mail.token_for(user),
        secrets=[order.number, name, user.email, new_email, subject, body, street, f"foto-{tag}.png",
                 f"nota-{tag}.pdf", ticket.number, closed.number, f"Outro{tag} assunto"],
    )


def staff(factory) -> dict:
    return {"agent": factory.user(role=Role.agent, name="Agente Ana"),
            "operator": factory.user(role=Role.operator, name="Operador Otto"),
            "admin": factory.user(role=Role.admin, name="Admin Alice")}
