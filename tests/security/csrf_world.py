"""A store with one real object behind every URL argument of the URL map, and clients signed in as each persona."""
import time
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select, table

from portal.accounts import credentials
from portal.accounts import users as accounts
from portal.models import (
    CustomerAddress,
    HelpDeflection,
    LoginLinkPurpose,
    OutboxItem,
    OutboxKind,
    OutboxState,
    Product,
    Role,
    SavedView,
    TextModule,
)
from portal.orders import mail as order_mail
from portal.telesales import carts, links
from portal.tickets import inbound_mail, lifecycle, reasons, survey, text_modules

from ..factories import PASSWORD


@dataclass
class World:
    shopper: object
    agent: object
    admin: object
    operator: object
    values: dict = field(default_factory=dict)


def build_world(factory) -> World:
    """Create the personas and one of every object a URL names; commit so that a view's rollback keeps them."""
    db = factory.db
    shopper = factory.user(name="Joana Lima")
    agent = factory.user(Role.agent, name="Ana Agente")
    admin = factory.user(Role.admin, name="Alice Admin")
    operator = factory.user(Role.operator, name="Olga Operadora")
    channel = factory.channel("mercado_livre", "Mercado Livre")
    order = factory.order(shopper)
    address = CustomerAddress(user=shopper, label="Casa", street="Rua A", number="10", city="São Paulo",
                              state="SP", postal_code="01000-000")
    product = Product(sku="SWEEP-1", name="Camiseta", price_cents=4990, active=True)
    db.session.add_all([address, product])
    db.session.flush()
    reason = reasons.create_reason(admin, "Sweep reason")
    ticket = lifecycle.open_ticket(order, shopper, reason.id, "Onde está meu pedido?", "Ainda não chegou.")
    closed = lifecycle.open_ticket(order, shopper, reason.id, "Outro assunto", "Mais uma pergunta.")
    lifecycle.close_ticket(closed, agent)
    asked = survey.pending(closed)
    module = text_modules.create_module(admin, None, "Saudação", "Olá!")
    status = factory.status("SWEEP EXTRA")
    host = factory.trusted_host("rastreio.example.com")
    api_token, _raw = accounts.create_api_token("sweep")
    deflection = HelpDeflection(order_id=order.id, customer_id=shopper.id, reason_id=reason.id)
    delivery = OutboxItem(kind=OutboxKind.marketplace, key="sweep-delivery", state=OutboxState.failed,
                          channel_id=channel.id, ticket_id=ticket.id, payload={})
    saved_view = SavedView(owner_id=agent.id, name="Sweep view", filter_query="tab=open", shared=True)
    db.session.add_all([deflection, delivery, saved_view])
    cart = carts.current_cart(operator, shopper, create=True)
    cart_item = carts.add_item(cart, product.sku, 1)
    shared = carts.current_cart(operator, None, create=True)
    shared_item = carts.add_item(shared, product.sku, 1)
    shared_token = links.share(shared)
    login_token = accounts.issue_login_link(shopper, LoginLinkPurpose.reset)
    _change, email_token = credentials.request_email_change(shopper, "joana.nova@example.com", PASSWORD)
    kept = inbound_mail.receive(b"From: ferias@mail.example\r\nTo: suporte@loja.example\r\n"
                                b"Message-ID: <sweep-kept@mail.example>\r\nAuto-Submitted: auto-replied\r\n\r\nFora")
    db.session.flush()
    db.session.commit()
    assert isinstance(module, TextModule) and asked is not None
    values = {
        "address_id": address.id, "channel_id": channel.id, "customer_id": shopper.id, "deflection_id": deflection.id,
        "host_id": host.id, "mail_id": kept.id, "module_id": module.id, "number": order.number, "reason_id": reason.id,
        "status_id": status.id, "ticket_number": ticket.number, "token_id": api_token.id, "user_id": agent.id,
        "view_id": saved_view.id,
        # Names that mean different things under different routes: the endpoint decides.
        "item_id": {"staff.retry_delivery": delivery.id, "customer.shared_cart_quantity": shared_item.id,
                    "customer.shared_cart_remove": shared_item.id, "telesales.*": cart_item.id},
        "token": {"auth.set_password": login_token, "customer.confirm_email": email_token,
                  "customer.shared_cart_confirm": shared_token, "customer.shared_cart_quantity": shared_token,
                  "customer.shared_cart_remove": shared_token, "customer.survey": survey.token_for(asked),
                  # The one-click unsubscribe is exempt from CSRF (RFC 8058); a post without its body is refused.
                  "customer.unsubscribe": order_mail.token_for(shopper),
                  "customer.unsubscribe_confirm": order_mail.token_for(shopper)},
    }
    return World(shopper, agent, admin, operator, values)


def url_values(world: World, endpoint: str, arguments) -> dict:
    """Fill every argument of a rule with a real object's key; fail on a name nobody declared."""
    filled = {}
    for name in sorted(arguments):
        if name not in world.values:
            raise AssertionError(f"{endpoint}: no object for the URL argument <{name}>; add one to build_world()")
        value = world.values[name]
        if isinstance(value, dict):
            blueprint = endpoint.partition(".")[0]
            value = value.get(endpoint, value.get(f"{blueprint}.*"))
            if value is None:
                raise AssertionError(f"{endpoint}: <{name}> means nothing declared for this route in build_world()")
        filled[name] = value
    return filled


def sign_in(app, csrf_from, user):
    """Return a new client signed in as the user through the real login form (None: an anonymous visitor)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/login")
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.status_code == 302, f"{user.email} could not sign in"
    return client


def act_for(client, operator, customer) -> None:
    """Mark the session as the operator serving the customer, as acting.begin does."""
    with client.session_transaction() as session:
        session["acting"] = {"customer": customer.id, "operator": operator.id, "seen": int(time.time())}


def row_counts(db) -> dict[str, int]:
    """Count the rows of every table in the database."""
    connection = db.session.connection()
    names = inspect(connection).get_table_names()
    return {name: connection.scalar(select(func.count()).select_from(table(name))) for name in sorted(names)}
