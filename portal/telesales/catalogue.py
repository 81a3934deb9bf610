"""The store's catalogue: products the back office pushes, and the search operators run over them.

Prices are integer cents. A decimal amount ("19.90", Decimal("19.9"), 20) becomes cents exactly: the value is
read as a Decimal, never as a float, and one with more than two decimals is refused rather than rounded.
"""
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_

from ..core.errors import ValidationError
from ..extensions import db
from ..models import Product

MAX_BATCH = 500
MAX_CENTS = 999_999_999_999  # 9,999,999,999.99, the API's largest amount
MAX_Q = 80
MAX_PAGE = 10_000
_AMOUNT = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?", re.ASCII)


def to_cents(value: Decimal | str | int) -> int:
    """Return the amount in integer cents, exactly; refuse negatives, more than two decimals and non-numbers."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(_l("Send the amount as a decimal string, such as \"19.90\"."), field="price")
    if isinstance(value, str):
        text = value.strip().replace(",", ".") if value.count(",") == 1 and "." not in value else value.strip()
        if not _AMOUNT.fullmatch(text):
            raise ValidationError(_l("Expected an amount of zero or more with at most two decimals, such as "
                                     "\"19.90\"."), field="price")
        value = Decimal(text)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(_l("This value is not valid."), field="price") from None
    cents = amount * 100
    if not amount.is_finite() or amount < 0 or cents != cents.to_integral_value():
        raise ValidationError(_l("Expected an amount of zero or more with at most two decimals, such as "
                                 "\"19.90\"."), field="price")
    if cents > MAX_CENTS:
        raise ValidationError(_l("The amount is too large."), field="price")
    return int(cents)


def cents_text(cents: int) -> str:
    """Return integer cents as the API writes amounts: "19.90"."""
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True)
class ProductData:
    """A product as the back office describes it."""

    sku: str
    name: str
    price_cents: int
    active: bool = True
    stock: int | None = None

    def values(self) -> dict:
        return {"name": self.name, "price_cents": self.price_cents, "active": self.active, "stock": self.stock}


@dataclass(frozen=True)
class Upserted:
    product: Product
    created: bool
    changed: bool


def _check(data: ProductData, prefix: str = "") -> None:
    if data.price_cents <= 0:
        raise ValidationError(_l("The price must be more than zero."), field=f"{prefix}price")
    if data.stock is not None and data.stock < 0:
        raise ValidationError(_l("The stock cannot be negative."), field=f"{prefix}stock")


def _apply(product: Product | None, data: ProductData) -> Upserted:
    if product is None:
        product = Product(sku=data.sku, **data.values())
        db.session.add(product)
        return Upserted(product, created=True, changed=True)
    changed = any(getattr(product, key) != value for key, value in data.values().items())
    if changed:
        for key, value in data.values().items():
            setattr(product, key, value)
    return Upserted(product, created=False, changed=changed)


def upsert_product(data: ProductData) -> Upserted:
    """Create the product or replace it with `data`; the same data again changes nothing."""
    _check(data)
    product = db.session.scalar(db.select(Product).where(Product.sku == data.sku))
    result = _apply(product, data)
    db.session.flush()
    return result


def upsert_products(rows: list[ProductData]) -> list[Upserted]:
    """Create or replace every product, or none: a wrong row names itself as `products[i].<field>`."""
    if len(rows) > MAX_BATCH:
        raise ValidationError(_l("At most %(n)d products per request.", n=MAX_BATCH), field="products")
    seen: dict[str, int] = {}
    for index, data in enumerate(rows):
        _check(data, f"products[{index}].")
        if data.sku in seen:
            raise ValidationError(_l("The SKU %(sku)s is already at position %(i)d of this list.", sku=data.sku,
                                     i=seen[data.sku]), field=f"products[{index}].sku")
        seen[data.sku] = index
    existing = {product.sku: product for product in db.session.scalars(
        db.select(Product).where(Product.sku.in_(list(seen))))} if seen else {}
    results = [_apply(existing.get(data.sku), data) for data in rows]
    db.session.flush()
    return results


@dataclass(frozen=True)
class ProductFilters:
    """What the product list shows, read from and written back to the URL."""

    q: str = ""
    active: bool | None = True
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "ProductFilters":
        q = " ".join((args.get("q") or "").split())[:MAX_Q]
        active = {"": True, "1": True, "0": False, "all": None}.get((args.get("active") or "").strip(), True)
        raw = str(args.get("page") or "").strip()
        page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 1
        return cls(q=q, active=active, page=min(max(page, 1), MAX_PAGE))

    def to_args(self, **changes) -> dict:
        active = {True: None, False: "0", None: "all"}[self.active]
        args = {"q": self.q or None, "active": active, "page": self.page if self.page > 1 else None, **changes}
        return {key: value for key, value in args.items() if value is not None}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_query(filters: ProductFilters):
    """Select the products whose SKU starts with, or whose name contains, the search; active ones by default."""
    query = db.select(Product)
    if filters.active is not None:
        query = query.where(Product.active.is_(filters.active))
    if filters.q:
        needle = _escape_like(filters.q)
        query = query.where(or_(Product.sku.like(f"{needle}%", escape="\\"),
                                func.lower(Product.name).like(f"%{needle.lower()}%", escape="\\")))
    return query.order_by(Product.name, Product.sku)


@dataclass(frozen=True)
class ProductPage:
    items: list[Product]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def product_page(filters: ProductFilters, per_page: int = 25) -> ProductPage:
    """Return one page of the search in one query (one row more than the page tells if another follows)."""
    rows = list(db.session.scalars(search_query(filters).limit(per_page + 1).offset((filters.page - 1) * per_page)))
    return ProductPage(rows[:per_page], filters.page, len(rows) > per_page)
