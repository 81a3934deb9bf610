"""Orders and statuses: what the back office sends and what the API answers."""
from datetime import tzinfo
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from ....models import Channel
from ....orders import intake
from .fields import AccessKey, Currency, Day, Money, Quantity, Url, local_datetime, text

MAX_ITEMS = 500
MAX_NOTE = 2000
ADDRESS_KEYS = ("name", "street", "number", "complement", "district", "city", "state", "postal_code", "country")


class Closed(BaseModel):
    """A request object: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class Reply(BaseModel):
    """A response object: tests hold every answer to its model, so a field added without documenting it fails."""

    model_config = ConfigDict(extra="forbid")


class Customer(Closed):
    email: text(254, required=True, format="email")
    name: text(200) = None


class Address(Closed):
    name: text(200) = None
    street: text(200) = None
    number: text(200) = None
    complement: text(200) = None
    district: text(200) = None
    city: text(200) = None
    state: text(200) = None
    postal_code: text(200) = None
    country: text(200) = None

    def stored(self) -> dict | None:
        """Return the filled parts in key order, or None when nothing is filled."""
        parts = self.model_dump(exclude_none=True)
        return {key: parts[key] for key in sorted(parts)} or None


class TotalsInput(Closed):
    subtotal: Money = Decimal("0")
    shipping: Money = Decimal("0")
    discount: Money = Decimal("0")
    total: Money = Decimal("0")


class Invoice(Closed):
    number: text(40) = None
    access_key: AccessKey = None
    url: Url = None


class ItemInput(Closed):
    sku: text(80) = None
    name: text(300, required=True)
    quantity: Quantity
    unit_price: Money


class OrderInput(Closed):
    """The whole order; fields left out become empty. A repeat of the same body changes nothing."""

    number: text(40, description="Optional; must equal the number in the path.") = None
    customer: Customer
    channel: text(50, description="Channel code; default loja.") = None
    status: text(80, description="Status name; default AGUARDANDO PAGAMENTO on create, unchanged on update.") = None
    marketplace_order_number: text(80) = None
    delivery_number: text(80) = None
    placed_at: local_datetime(required=True)
    paid_at: local_datetime() = None
    shipped_at: local_datetime() = None
    expected_delivery_on: Day = None
    shipping_code: text(2048, description="Correios code or tracking URL.") = None
    carrier: text(100) = None
    payment_method: text(100) = None
    currency: Currency = "BRL"
    totals: TotalsInput | None = None
    invoice: Invoice | None = None
    items: Annotated[list[ItemInput] | None, Field(max_length=MAX_ITEMS)] = None
    delivery_address: Address | None = None
    billing_address: Address | None = None

    def to_input(self, number: str, zone: tzinfo) -> intake.OrderInput:
        """Return the service input, reading times without an offset in the store's time zone."""
        def local(moment):
            return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=zone)

        totals = self.totals or TotalsInput()
        invoice = self.invoice or Invoice()
        return intake.OrderInput(
            number=number, customer_email=self.customer.email, customer_name=self.customer.name or "",
            channel=self.channel or Channel.STORE_CODE, status=self.status,
            marketplace_order_number=self.marketplace_order_number, delivery_number=self.delivery_number,
            placed_at=local(self.placed_at), paid_at=local(self.paid_at), shipped_at=local(self.shipped_at),
            expected_delivery_on=self.expected_delivery_on, shipping_code=self.shipping_code, carrier=self.carrier,
            payment_method=self.payment_method, currency=self.currency,
            subtotal=totals.subtotal, shipping_total=totals.shipping, discount_total=totals.discount,
            total=totals.total,
            invoice_number=invoice.number, invoice_key=invoice.access_key, invoice_url=invoice.url,
            delivery_address=self.delivery_address.stored() if self.delivery_address else None,
            billing_address=self.billing_address.stored() if self.billing_address else None,
            items=tuple(intake.ItemInput(name=item.name, quantity=item.quantity, unit_price=item.unit_price,
                                  sku=item.sku or "") for item in self.items or ()),
        )


class StatusChangeInput(Closed):
    status: text(80, required=True)
    note: text(MAX_NOTE, multiline=True) = None


class StatusInput(Closed):
    name: text(80, required=True)


# What the API answers.
Amount = Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]{2}$", examples=["19.90"])]
Moment = Annotated[str | None, Field(json_schema_extra={"format": "date-time"}, description="ISO 8601 with offset.")]
StatusType = Literal["in_progress", "completed", "cancelled"] | None


class ChannelRef(Reply):
    code: str
    name: str
    is_marketplace: bool


class CustomerRef(Reply):
    email: str
    name: str | None


class StatusRef(Reply):
    name: str
    type: StatusType


class Tracking(Reply):
    kind: Literal["correios", "embed", "new_tab", "none"]
    url: str | None
    code: str | None


class Totals(Reply):
    subtotal: Amount
    shipping: Amount
    discount: Amount
    total: Amount


class InvoiceRef(Reply):
    number: str | None
    access_key: str | None
    url: str | None


class Item(Reply):
    sku: str
    name: str
    quantity: int
    unit_price: Amount
    line_total: Amount


class HistoryEntry(Reply):
    from_status: str | None
    to_status: str
    changed_at: Moment
    source: str
    note: str | None


class Order(Reply):
    number: str
    channel: ChannelRef
    customer: CustomerRef
    status: StatusRef
    marketplace_order_number: str | None
    delivery_number: str | None
    placed_at: Moment
    paid_at: Moment
    shipped_at: Moment
    expected_delivery_on: Annotated[str | None, Field(json_schema_extra={"format": "date"})]
    shipping_code: str | None
    tracking: Tracking
    carrier: str | None
    payment_method: str | None
    currency: str
    totals: Totals
    invoice: InvoiceRef
    items: list[Item]
    delivery_address: dict[str, str] | None
    billing_address: dict[str, str] | None
    history: list[HistoryEntry]
    created_at: Moment
    updated_at: Moment


class OrderWarning(Reply):
    """Accepted but looks wrong, such as a Correios code with a bad check digit."""

    model_config = ConfigDict(extra="forbid", title="Warning")

    field: str
    code: str
    message: str


class OrderWritten(Order):
    warnings: list[OrderWarning]
    customer_created: bool
    changed: bool = Field(description="False when the body matched the stored order.")


class Status(Reply):
    name: str
    type: StatusType
    builtin: bool
    retired: bool


class StatusList(RootModel[list[Status]]):
    """Every status, built-in and additional."""
