"""Products the back office pushes, and the orders list: what the API accepts and answers."""
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import Field, PlainValidator, WithJsonSchema

from ....telesales import catalogue
from .fields import PositiveMoney, fail, text, whole
from .orders import Amount, Closed, CustomerRef, Moment, Reply, StatusRef, Totals
from .orders import ChannelRef as Channel


def _flag(value) -> bool:
    if not isinstance(value, bool):
        fail(_("Expected true or false."))
    return value


def _stock(value) -> int | None:
    if value is None:
        return None
    value = whole(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000_000:
        fail(_("Expected a whole number of zero or more, or null."))
    return value


Flag = Annotated[bool, PlainValidator(_flag), WithJsonSchema({"type": "boolean"})]
Stock = Annotated[int | None, PlainValidator(_stock), WithJsonSchema({
    "type": ["integer", "null"], "minimum": 0, "maximum": 1_000_000_000,
    "description": "Units in stock; null when the store does not count them."})]


class ProductInput(Closed):
    """The whole product; `active` defaults to true and `stock` to null (not counted)."""

    sku: text(80, description="Optional; must equal the SKU in the path.") = None
    name: text(300, required=True)
    price: PositiveMoney
    active: Flag = True
    stock: Stock = None

    def to_data(self, sku: str) -> catalogue.ProductData:
        return catalogue.ProductData(sku=sku, name=self.name, price_cents=catalogue.to_cents(self.price),
                                     active=self.active, stock=self.stock)


class BulkProductInput(ProductInput):
    sku: text(80, required=True)


class ProductsInput(Closed):
    """Up to 500 products, written all together or not at all."""

    products: Annotated[list[BulkProductInput], Field(max_length=catalogue.MAX_BATCH)]


class Product(Reply):
    sku: str
    name: str
    price: Amount
    active: bool
    stock: int | None
    created_at: Moment
    updated_at: Moment


class ProductWritten(Product):
    created: bool
    changed: bool = Field(description="False when the body matched the stored product.")


class ProductsWritten(Reply):
    products: list[ProductWritten]
    created: int
    updated: int
    unchanged: int


def _query_flag(value) -> bool | None:
    if value is None:
        return None
    text_value = str(value).strip().lower()
    if text_value not in ("0", "1", "true", "false"):
        fail(_("Expected 1 or 0."))
    return text_value in ("1", "true")


def _query_int(maximum: int):
    def check(value) -> int:
        text_value = str(value).strip()
        if not (text_value.isascii() and text_value.isdigit()) or not 1 <= int(text_value[:12]) <= maximum:
            fail(_("Expected a whole number from 1 to %(n)d.", n=maximum))
        return int(text_value)
    return check


class OrdersQuery(Closed):
    created_in_portal: Annotated[bool | None, PlainValidator(_query_flag), WithJsonSchema({
        "type": "string", "enum": ["1", "0", "true", "false"],
        "description": "1: only orders placed in the portal; 0: only the others; left out: all."})] = None
    page: Annotated[int, PlainValidator(_query_int(100_000)), WithJsonSchema({
        "type": "integer", "minimum": 1, "maximum": 100_000, "default": 1})] = 1
    per_page: Annotated[int, PlainValidator(_query_int(100)), WithJsonSchema({
        "type": "integer", "minimum": 1, "maximum": 100, "default": 50})] = 50


class OrderSummary(Reply):
    number: str
    channel: Channel
    customer: CustomerRef
    status: StatusRef
    placed_at: Moment
    totals: Totals
    created_in_portal: bool
    placed_by_email: str | None = Field(description="The operator who placed it; null when the customer did.")
    price_approval: Literal["none", "pending", "approved", "rejected"]


class OrderList(Reply):
    """One page of orders, newest first."""

    orders: list[OrderSummary]
    page: int
    per_page: int
    has_next: bool
