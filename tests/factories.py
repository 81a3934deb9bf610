"""Factories that build valid objects with as little typing as possible."""
import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from portal.accounts import users as accounts
from portal.models import Channel, Order, OrderItem, OrderStatus, OrderStatusChange, Role, StatusType, TrustedHost, User
from portal.orders import statuses
from portal.store.setup import ensure_defaults

PASSWORD = "correct horse 1"
_seq = itertools.count(1)


class Factory:
    def __init__(self, db):
        self.db = db
        ensure_defaults()

    def user(self, role: Role = Role.customer, email: str | None = None, password: str | None = PASSWORD,
             name: str = "Maria Souza", **kw) -> User:
        n = next(_seq)
        user = User(email=email or f"user{n}@example.com", name=name, role=role, **kw)
        if password:
            user.set_password(password)
        self.db.session.add(user)
        self.db.session.flush()
        return user

    def status(self, name: str, type_: StatusType | None = None) -> OrderStatus:
        existing = statuses.get_status(name)
        return existing or statuses.create_status(name, type_)

    def channel(self, code: str = "mercado_livre", name: str = "Mercado Livre", marketplace: bool = True) -> Channel:
        channel = self.db.session.scalar(self.db.select(Channel).filter_by(code=code))
        if channel is None:
            channel = Channel(code=code, name=name, is_marketplace=marketplace)
            self.db.session.add(channel)
            self.db.session.flush()
        return channel

    def order(self, customer: User | None = None, status: str = "AGUARDANDO PAGAMENTO", *, items: int = 2,
              paid: bool = False, shipped: bool = False, shipping_code: str | None = None,
              invoice_url: str | None = None, number: str | None = None, placed_at: datetime | None = None,
              channel: Channel | None = None, **kw) -> Order:
        n = next(_seq)
        customer = customer or self.user()
        placed = placed_at or datetime(2026, 11, 2, 15, 30, tzinfo=UTC) + timedelta(minutes=n)
        state = self.status(status)
        order = Order(
            number=number or f"{100000 + n}",
            customer=customer,
            channel=channel or self.db.session.scalar(self.db.select(Channel).filter_by(code=Channel.STORE_CODE)),
            status=state,
            placed_at=placed,
            paid_at=placed + timedelta(hours=2) if paid else None,
            shipped_at=placed + timedelta(days=1) if shipped else None,
            shipping_code=shipping_code,
            invoice_url=invoice_url,
            invoice_number="12345" if invoice_url else None,
            subtotal=Decimal("100.00") * items,
            shipping_total=Decimal("15.90"),
            total=Decimal("100.00") * items + Decimal("15.90"),
            payment_method="Pix",
            delivery_address={"name": customer.name, "street": "Rua das Flores, 100", "city": "São Paulo",
                              "state": "SP", "postal_code": "01001-000"},
            billing_address={"name": customer.name, "street": "Rua das Flores, 100", "city": "São Paulo",
                             "state": "SP", "postal_code": "01001-000"},
            **kw,
        )
        order.items = [
            OrderItem(position=i, sku=f"SKU-{i}", name=f"Produto {i}", quantity=1, unit_price=Decimal("100.00"))
            for i in range(items)
        ]
        self.db.session.add(order)
        self.db.session.add(OrderStatusChange(order=order, to_status=state, source="test", changed_at=placed))
        self.db.session.flush()
        return order

    def trusted_host(self, host: str) -> TrustedHost:
        trusted = TrustedHost(host=host)
        self.db.session.add(trusted)
        self.db.session.flush()
        return trusted

    def api_token(self, name: str = "back office") -> str:
        _token, raw = accounts.create_api_token(name)
        return raw


__all__ = ["Factory", "PASSWORD", "Role", "StatusType"]
