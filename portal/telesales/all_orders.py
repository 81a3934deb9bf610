"""The call centre's "Todos os pedidos": every order of the store, filtered, sorted and paginated from the URL.

A page costs one query whatever its size: the orders with their customer, channel and status joined in. It has
no total (counting a million orders for every page would cost more than the page); it reads one row more than
it shows to know whether a next page follows. Each filter has an index to start from (docs/performance.md).
"""
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, union
from sqlalchemy.orm import contains_eager

from ..core.templating import store_settings
from ..extensions import db
from ..models import Channel, Order, OrderStatus, PriceApproval, User

SORTS = {"date": Order.placed_at, "total": Order.total, "number": Order.number}
DIRECTIONS = ("desc", "asc")
# Who placed the order: the customer themselves (no operator e-mail recorded).
CUSTOMER_WORDS = ("cliente", "customer")
MAX_Q = 80
MAX_PAGE = 10_000
EXPORT_BATCH = 500
# Sorted by total or number with filters that leave at most this many orders, the matching orders are found
# first through the filters' own indexes and sorted after: walking the sort's index would read most of the table
# when few orders match (docs/performance.md).
SELECTIVE_ROWS = 10_000


def _int(raw) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _date(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def document_digits(text: str) -> str | None:
    """Return the digits of a CPF (11) or CNPJ (14) typed with or without its dots, dashes and slash."""
    stripped = "".join(ch for ch in text if ch not in " .-/")
    return stripped if stripped.isascii() and stripped.isdigit() and len(stripped) in (11, 14) else None


@dataclass
class OrderFilters:
    """What the list shows; everything comes from and goes back to the query string."""

    status: int | None = None
    channel: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    placed_by: str = ""
    awaiting: bool = False
    q: str = ""
    sort: str = "date"
    direction: str = "desc"
    page: int = 1
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> "OrderFilters":
        """Read the filters; a malformed value is left out and explained in `errors`, never an error page."""
        errors = {}
        values = {name: _int(args.get(name)) for name in ("status", "channel")}
        for name in ("status", "channel"):
            if str(args.get(name) or "").strip() and values[name] is None:
                errors[name] = _l("Choose a value from the list.")
        dates = {name: _date(args.get(name)) for name in ("date_from", "date_to")}
        for name, value in dates.items():
            if str(args.get(name) or "").strip() and value is None:
                errors[name] = _l("Type a date such as 2026-11-23.")
        if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
            errors["date_to"] = _l("The end of the period is before its start.")
            dates["date_to"] = None
        placed_by = str(args.get("placed_by") or "").strip().lower()[:254]
        if placed_by and placed_by not in CUSTOMER_WORDS and "@" not in placed_by:
            errors["placed_by"] = _l("Type an operator's e-mail, or “cliente” for orders the customer placed.")
            placed_by = ""
        sort, direction = args.get("sort") or "date", args.get("dir") or "desc"
        if sort not in SORTS or direction not in DIRECTIONS:
            errors["sort"] = _l("Sort by date, total or number, ascending or descending.")
            sort, direction = ("date", "desc") if sort not in SORTS else (sort, "desc")
        return cls(status=values["status"], channel=values["channel"], placed_by=placed_by,
                   awaiting=str(args.get("awaiting") or "") == "1",
                   q=" ".join(str(args.get("q") or "").split())[:MAX_Q], sort=sort, direction=direction,
                   page=min(max(_int(args.get("page")) or 1, 1), MAX_PAGE), errors=errors, **dates)

    def to_args(self, **changes) -> dict:
        """Return the query-string arguments that reproduce these filters (defaults left out)."""
        args = {
            "status": self.status, "channel": self.channel,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "placed_by": self.placed_by or None, "awaiting": "1" if self.awaiting else None, "q": self.q or None,
            "sort": None if self.sort == "date" else self.sort, "dir": None if self.direction == "desc" else "asc",
            "page": self.page if self.page > 1 else None,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value is not None}

    def with_page(self, page: int) -> "OrderFilters":
        return replace(self, page=page)

    def placed_range(self) -> tuple[datetime | None, datetime | None]:
        """Return the period as moments: from the first day's local midnight to the one after the last day."""
        if not (self.date_from or self.date_to):
            return None, None
        zone = ZoneInfo(store_settings().timezone)
        start = datetime.combine(self.date_from, time(), tzinfo=zone) if self.date_from else None
        end = datetime.combine(self.date_to + timedelta(days=1), time(), tzinfo=zone) if self.date_to else None
        return start, end


def _search(q: str):
    """Select the ids of the orders a search names: by number, by the customer's e-mail or CPF/CNPJ.

    Each kind looks through its own index (orders.number, users.email, users.document then
    orders.customer_id) and UNION joins the hits, so that no kind makes the others scan.
    """
    customers = []
    if "@" in q:
        customers.append(db.select(User.id).where(User.email == q.lower()))
    digits = document_digits(q)
    if digits:
        customers.append(db.select(User.id).where(User.document == digits))
    parts = [db.select(Order.id).where(Order.number == q)]
    parts += [db.select(Order.id).where(Order.customer_id.in_(customer.scalar_subquery())) for customer in customers]
    return union(*parts) if len(parts) > 1 else parts[0]


def _conditions(filters: OrderFilters) -> list:
    conditions = []
    if filters.status is not None:
        conditions.append(Order.status_id == filters.status)
    if filters.channel is not None:
        conditions.append(Order.channel_id == filters.channel)
    start, end = filters.placed_range()
    if start is not None:
        conditions.append(Order.placed_at >= start)
    if end is not None:
        conditions.append(Order.placed_at < end)
    if filters.placed_by in CUSTOMER_WORDS:
        conditions.append(Order.placed_by_email.is_(None))
    elif filters.placed_by:
        conditions.append(Order.placed_by_email == filters.placed_by)
    if filters.awaiting:
        conditions.append(Order.price_approval == PriceApproval.pending)
    if filters.q:
        conditions.append(Order.id.in_(_search(filters.q)))
    return conditions


def orders_query(filters: OrderFilters, conditions: list | None = None):
    """Select the filtered orders in the chosen order, with the customer, channel and status of each row."""
    conditions = _conditions(filters) if conditions is None else conditions
    column = SORTS[filters.sort]
    ordering = (column.asc(), Order.id.asc()) if filters.direction == "asc" else (column.desc(), Order.id.desc())
    return (
        db.select(Order)
        .join(Order.customer).join(Order.channel).join(Order.status)
        .where(*conditions)
        .options(contains_eager(Order.customer), contains_eager(Order.channel), contains_eager(Order.status))
        .order_by(*ordering)
    )


@dataclass(frozen=True)
class OrderPage:
    items: list[Order]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _few_match(conditions: list) -> bool:
    """Tell, reading at most SELECTIVE_ROWS + 1 index entries, whether few orders pass the filters."""
    probe = db.select(Order.id).where(*conditions).limit(SELECTIVE_ROWS + 1).subquery()
    return db.session.scalar(db.select(func.count()).select_from(probe)) <= SELECTIVE_ROWS


def _selective_ids(filters: OrderFilters, conditions: list, limit: int, offset: int):
    """Select one page's ids: the matching orders first (a MATERIALIZED CTE), then sorted."""
    column = SORTS[filters.sort]
    hits = db.select(Order.id, column.label("key")).where(*conditions).cte("hits").prefix_with("MATERIALIZED")
    ordering = (hits.c.key.asc(), hits.c.id.asc()) if filters.direction == "asc" else \
        (hits.c.key.desc(), hits.c.id.desc())
    return db.select(hits.c.id).order_by(*ordering).limit(limit).offset(offset).scalar_subquery()


def order_page(filters: OrderFilters, per_page: int = 25) -> OrderPage:
    """Return one page, reading one row more than it shows to tell whether another follows.

    One query, or two when the list is sorted by total or number under filters (the probe of `_few_match`).
    """
    offset = (filters.page - 1) * per_page
    conditions = _conditions(filters)
    query = orders_query(filters, conditions)
    if filters.sort != "date" and conditions and _few_match(conditions):
        query = query.where(Order.id.in_(_selective_ids(filters, conditions, per_page + 1, offset)))
    else:
        query = query.limit(per_page + 1).offset(offset)
    rows = list(db.session.scalars(query))
    return OrderPage(rows[:per_page], filters.page, len(rows) > per_page)


EXPORT_COLUMNS = (Order.id, Order.number, Order.placed_at, User.name.label("customer_name"),
                  User.email.label("customer_email"), User.document.label("customer_document"),
                  Channel.name.label("channel"), OrderStatus.name.label("status"), Order.total, Order.currency,
                  Order.placed_by_email, Order.price_approval)


def export_rows(filters: OrderFilters, batch: int = EXPORT_BATCH) -> Iterator:
    """Yield every filtered order as a row of plain columns, in the list's order, `batch` rows per query.

    Each batch starts after the last row of the one before (keyset on the sort column and the id), so the
    thousandth batch costs what the first did; plain rows keep the session from holding every order.
    """
    column = SORTS[filters.sort]
    descending = filters.direction == "desc"
    ordering = (column.desc(), Order.id.desc()) if descending else (column.asc(), Order.id.asc())
    base = (db.select(*EXPORT_COLUMNS).join(Order.customer).join(Order.channel).join(Order.status)
            .where(*_conditions(filters)).order_by(*ordering))
    last = None
    while True:
        query = base
        if last is not None:
            value, last_id = last
            after = (column < value) if descending else (column > value)
            same = db.and_(column == value, (Order.id < last_id) if descending else (Order.id > last_id))
            query = query.where(db.or_(after, same))
        rows = db.session.execute(query.limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = (getattr(rows[-1], column.key), rows[-1].id)


def filter_choices() -> tuple[list[OrderStatus], list[Channel]]:
    """Return the statuses and channels the filters offer, in one query."""
    statuses = db.select(OrderStatus.id.label("id"), OrderStatus.name.label("name"), db.literal("s").label("kind"))
    channels = db.select(Channel.id, Channel.name, db.literal("c"))
    rows = db.session.execute(union(statuses, channels).order_by("kind", "name")).all()
    return ([row for row in rows if row.kind == "s"], [row for row in rows if row.kind == "c"])
