"""Demo data: a store with orders at every step and every kind of tracking link."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import trackers
from trackers import correios_standin

from ..extensions import db
from ..marketplaces.secrets import rotate_secret
from ..models import Channel, Order, OrderStatusChange, Role, StatusType, TrackingSnapshot, TrustedHost, User
from ..orders import statuses
from ..orders.intake import ItemInput, OrderInput, upsert_order
from ..store.setup import ensure_defaults
from .marketplace_standin import demo_outbound_url

DEMO_PASSWORD = "demo1234"  # noqa: S105 (published demo login)
DEMO_USERS = (
    ("maria@demo.test", "Maria Souza", Role.customer),
    ("joao@demo.test", "João Lima", Role.customer),
    ("agente@demo.test", "Ana Atendente", Role.agent),
    ("operador@demo.test", "Otávio Operador", Role.operator),
    ("admin@demo.test", "Alice Admin", Role.admin),
)
DEMO_CHANNELS = (
    ("mercado_livre", "Mercado Livre"),
    ("amazon", "Amazon"),
    ("b2w", "B2W"),
    ("magazine_luiza", "Magazine Luiza"),
)
# Integrated marketplaces receive the answers at their hub; the others are worked in their own seller portal.
DEMO_CHANNEL_SETTINGS = {
    # Deliveries go to the stand-in marketplace that `make run` starts (portal.demo.marketplace_standin).
    "mercado_livre": {"integrated": True, "outbound_url": demo_outbound_url("mercado-livre")},
    "amazon": {"integrated": True, "outbound_url": demo_outbound_url("amazon")},
    "b2w": {"seller_portal_url": "https://sellercenter.b2w.example/entregas/{delivery_number}"},
    "magazine_luiza": {"seller_portal_url":
                       "https://parceiros.magalu.example/pedidos/{order_number}?entrega={delivery_number}"},
}
# The demo customers' CPF (valid check digits) and phone, so that the call centre can find them by either.
DEMO_PROFILES = {
    "maria@demo.test": ("52998224725", "(11) 98765-4321"),
    "joao@demo.test": ("11144477735", "(21) 99876-5432"),
}
TRUSTED_HOST = "rastreio.transportadora-demo.com.br"


def correios_code(serial: int, service: str = "QB") -> str:
    digits = f"{serial:08d}"
    return f"{service}{digits}{trackers.check_digit(digits)}BR"


def demo_logins() -> list[tuple[str, str, str]]:
    return [(email, DEMO_PASSWORD, role.value) for email, _name, role in DEMO_USERS]


def _users() -> dict[str, User]:
    users = {}
    for email, name, role in DEMO_USERS:
        document, phone = DEMO_PROFILES.get(email, (None, None))
        user = User(email=email, name=name, role=role, document=document, phone=phone)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users[email] = user
    db.session.flush()
    return users


def _scenarios(now: datetime) -> list[dict]:
    """Describe one order per situation a shopper can meet."""
    day = timedelta(days=1)
    return [
        dict(status="AGUARDANDO PAGAMENTO", placed=now - 2 * timedelta(hours=3)),
        dict(status="A ENVIAR", placed=now - 2 * day, paid=True, invoice=True),
        dict(status="EM SEPARAÇÃO", placed=now - 3 * day, paid=True, invoice=True),
        dict(status="ENVIADO", placed=now - 4 * day, paid=True, invoice=True, shipped=correios_code(47300051)),
        dict(status="ENVIADO", placed=now - 5 * day, paid=True, shipped=f"https://{TRUSTED_HOST}/r/DEMO123",
             channel="mercado_livre"),
        dict(status="ENVIADO", placed=now - 6 * day, paid=True, shipped="https://rastreio.exemplo.net/?c=XYZ987",
             channel="amazon"),
        dict(status="ENVIADO", placed=now - 7 * day, paid=True, shipped="TRANSP-000123"),
        dict(status="FINALIZADO", placed=now - 15 * day, paid=True, invoice=True, shipped=correios_code(47300110)),
        dict(status="ENTREGUE AO CLIENTE", placed=now - 20 * day, paid=True, shipped=correios_code(12345678, "SS"),
             channel="b2w"),
        dict(status="CANCELADO", placed=now - 25 * day, paid=True),
        # Late: the expected delivery date (8 days after the order) passed four days ago (docs/tickets.md).
        dict(status="ENVIADO", placed=now - 12 * day, paid=True, invoice=True, shipped="TRANSP-000456"),
    ]


def _order_input(n: int, customer: User, spec: dict, now: datetime) -> OrderInput:
    placed = spec["placed"]
    items = (
        ItemInput(sku=f"CAM-{n:03d}", name="Camiseta algodão orgânico", quantity=2, unit_price=Decimal("59.90")),
        ItemInput(sku=f"TEN-{n:03d}", name="Tênis de corrida", quantity=1, unit_price=Decimal("299.00")),
    )
    subtotal = sum((i.unit_price * i.quantity for i in items), Decimal("0"))
    address = {"name": customer.name, "street": "Rua Augusta", "number": "1500", "district": "Consolação",
               "city": "São Paulo", "state": "SP", "postal_code": "01304-001", "country": "BR"}
    channel = spec.get("channel", Channel.STORE_CODE)
    return OrderInput(
        number=f"{10230 + n}",
        customer_email=customer.email,
        customer_name=customer.name,
        placed_at=placed,
        channel=channel,
        status="AGUARDANDO PAGAMENTO",
        marketplace_order_number=f"MP-{2000000 + n}" if channel != Channel.STORE_CODE else None,
        delivery_number=f"ENT-{n:05d}" if channel != Channel.STORE_CODE else None,
        paid_at=placed + timedelta(hours=1) if spec.get("paid") else None,
        shipped_at=placed + timedelta(days=1) if spec.get("shipped") else None,
        expected_delivery_on=(placed + timedelta(days=8)).date() if spec.get("shipped") else None,
        shipping_code=spec.get("shipped"),
        carrier="Correios" if str(spec.get("shipped", "")).endswith("BR") else None,
        payment_method="Pix" if n % 2 else "Cartão de crédito",
        subtotal=subtotal,
        shipping_total=Decimal("19.90"),
        discount_total=Decimal("10.00"),
        total=subtotal + Decimal("19.90") - Decimal("10.00"),
        invoice_number=f"{5000 + n}" if spec.get("invoice") else None,
        invoice_url=f"https://nfe.demo-loja.com.br/danfe/{5000 + n}.pdf" if spec.get("invoice") else None,
        delivery_address=address,
        billing_address=address,
        items=items,
    )


def load_demo_data(if_empty: bool = False):
    """Create the demo store; return the logins, or None when skipped because orders exist."""
    ensure_defaults()
    if if_empty and db.session.scalar(db.select(Order.id).limit(1)) is not None:
        return None
    for code, name in DEMO_CHANNELS:
        if db.session.scalar(db.select(Channel.id).filter_by(code=code)) is None:
            channel = Channel(code=code, name=name, is_marketplace=True, **DEMO_CHANNEL_SETTINGS.get(code, {}))
            if channel.integrated:
                rotate_secret(channel, overlap_hours=0)
            db.session.add(channel)
    if statuses.get_status("EM SEPARAÇÃO") is None:
        statuses.create_status("EM SEPARAÇÃO")
    if statuses.get_status("ENTREGUE AO CLIENTE") is None:
        statuses.create_status("ENTREGUE AO CLIENTE", StatusType.completed)
    if db.session.scalar(db.select(TrustedHost.id).filter_by(host=TRUSTED_HOST)) is None:
        db.session.add(TrustedHost(host=TRUSTED_HOST))
    users = _users()
    now = datetime.now(UTC).replace(microsecond=0)
    customers = [users["maria@demo.test"], users["joao@demo.test"]]
    for n, spec in enumerate(_scenarios(now)):
        result = upsert_order(_order_input(n, customers[0], spec, now), source="demo")
        _move_to(result.order, spec["status"], spec["placed"])
    _store_snapshot(correios_code(47300051), now)
    upsert_order(_order_input(99, customers[1], dict(status="ENVIADO", placed=now - timedelta(days=1)), now),
                 source="demo")
    db.session.flush()
    from .tickets import load_demo_tickets

    load_demo_tickets(users)
    from .telesales import load_demo_telesales

    load_demo_telesales(users)
    from ..tickets import late_orders

    # Mark the late order now (the worker does it hourly) so that its banner and queue badge show at once.
    late_orders.scan()
    return demo_logins()


def _move_to(order: Order, name: str, placed: datetime) -> None:
    """Record a plausible history for the demo order, ending in `name`."""
    target = statuses.get_status(name)
    if order.status_id == target.id:
        return
    when = placed + timedelta(hours=2)
    db.session.add(OrderStatusChange(order=order, from_status_id=order.status_id, to_status=target,
                                     source="demo", changed_at=when))
    order.status = target


def _store_snapshot(code: str, now: datetime) -> None:
    """Store the stand-in's history of a demo parcel, so that its order's full history shows carrier events at once."""
    if db.session.get(TrackingSnapshot, code) is None:
        db.session.add(TrackingSnapshot(code=code, events=correios_standin.canned_history(code, now), error=None,
                                        fetched_at=now))
