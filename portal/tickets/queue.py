"""The staff queue: filters read from the URL, the page query, and every tab's count in one query.

A page costs a fixed number of queries whatever its size: the page itself (order, channel, customer,
assignee and forwarder joined in) and the tab counts, which also give the page its total. A count stops at
COUNT_CAP: past SELECTIVE_ROWS tickets a tab says "more than 10,000" and pages through its first 10,000
(narrower filters reach the rest), so that no page reads a whole tab's index to count it. The search looks at
each kind of number through its own index and joins the hits with UNION, so no kind makes the others scan.
"""
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, literal_column, union
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import QUEUE_TABS, Channel, Order, StoreSettings, Ticket, TicketStatus, User
from ..store import lookups
from .numbers import LENGTH, normalise_ticket_number

ASSIGNEES = ("any", "me", "unassigned")  # or a colleague's id
SORTS = ("due", "due_desc", "newest", "oldest")
MAX_Q = 80
MAX_PAGE = 100_000
# Up to this many matching rows, filtering first and sorting after beats walking the tab in sort order.
SELECTIVE_ROWS = 10_000
# Tabs are counted up to here; a count of COUNT_CAP means "more than SELECTIVE_ROWS".
COUNT_CAP = SELECTIVE_ROWS + 1


def is_capped(count: int) -> bool:
    """Tell whether a tab count stopped at the cap (the tab holds more than SELECTIVE_ROWS tickets)."""
    return count >= COUNT_CAP


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _looks_like_ticket_number(q: str) -> bool:
    digits = "".join(ch for ch in q if ch not in " .-")
    return digits.isascii() and digits.isdigit() and len(digits) == LENGTH


@dataclass
class QueueFilters:
    """What the queue shows; everything comes from and goes back to the URL's query string."""

    tab: TicketStatus = TicketStatus.open
    channel: int | None = None
    reason: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    assignee: str = "any"
    q: str = ""
    page: int = 1
    sort: str = "due"
    # Only tickets whose order is late (docs/tickets.md, "Late orders").
    late: bool = False
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> "QueueFilters":
        """Read the filters, ignoring what is malformed and explaining what the user should fix."""
        errors = {}
        tab = args.get("tab", "open")
        q = " ".join((args.get("q") or "").split())[:MAX_Q]
        date_from, date_to = _date(args.get("date_from")), _date(args.get("date_to"))
        for name in ("date_from", "date_to"):
            if (args.get(name) or "").strip() and _date(args.get(name)) is None:
                errors[name] = _l("Type a date such as 2026-11-23.")
        if date_from and date_to and date_from > date_to:
            errors["date_to"] = _l("The end of the period is before its start.")
            date_to = None
        if q and _looks_like_ticket_number(q) and normalise_ticket_number(q) is None:
            errors["q"] = _l("%(q)s is not a valid ticket number: a digit is probably mistyped or swapped. "
                             "Only order numbers and marketplace codes were searched.", q=q)
        page = _int(args.get("page")) or 1
        channel, reason = _int(args.get("channel")), _int(args.get("reason"))
        assignee = (args.get("assignee") or "any").strip()
        sort = args.get("sort") or "due"
        for name, value in (("channel", channel), ("reason", reason)):
            if (args.get(name) or "").strip() and value is None:
                errors[name] = _l("Choose one of the listed values.")
        if assignee not in ASSIGNEES and _int(assignee) is None:
            errors["assignee"] = _l("Choose one of the listed values.")
            assignee = "any"
        if sort not in SORTS:
            errors["sort"] = _l("This sort order does not exist.")
            sort = "due"
        if tab not in TicketStatus.__members__:
            errors["tab"] = _l("This tab does not exist.")
        return cls(
            tab=TicketStatus(tab) if tab in TicketStatus.__members__ else TicketStatus.open,
            channel=channel, reason=reason, date_from=date_from, date_to=date_to,
            assignee=str(_int(assignee)) if _int(assignee) is not None else assignee,
            q=q, page=min(max(page, 1), MAX_PAGE), sort=sort, late=args.get("late") == "1",
            errors=errors,
        )

    @property
    def invalid(self) -> dict:
        """Return the errors that make the request wrong (a mistyped ticket number only narrows the search)."""
        return {name: message for name, message in self.errors.items() if name != "q"}

    @property
    def assignee_id(self) -> int | None:
        """Return the colleague whose tickets are asked for, when the assignee filter names one."""
        return _int(self.assignee)

    def to_args(self) -> dict:
        """Return the query-string arguments that reproduce these filters (defaults left out)."""
        args = {
            "tab": self.tab.value, "channel": self.channel, "reason": self.reason,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "assignee": None if self.assignee == "any" else self.assignee,
            "q": self.q or None, "sort": None if self.sort == "due" else self.sort, "late": "1" if self.late else None,
            "page": self.page if self.page > 1 else None,
        }
        return {key: value for key, value in args.items() if value is not None}

    def with_page(self, page: int) -> "QueueFilters":
        return replace(self, page=page)

    @cached_property
    def created_range(self) -> tuple[datetime | None, datetime | None]:
        """Return the period as moments: from the first day's local midnight to the one after the last day."""
        if not (self.date_from or self.date_to):
            return None, None
        zone = ZoneInfo(StoreSettings.get().timezone)
        start = datetime.combine(self.date_from, time(), tzinfo=zone) if self.date_from else None
        end = datetime.combine(self.date_to + timedelta(days=1), time(), tzinfo=zone) if self.date_to else None
        return start, end


def _search_ids(q: str):
    """Select the ids of tickets whose ticket, order, marketplace order or marketplace ticket number is q."""
    parts = [
        db.select(Ticket.id).where(Ticket.marketplace_ticket_code == q),
        db.select(Ticket.id).join(Order, Ticket.order_id == Order.id).where(Order.number == q),
        db.select(Ticket.id).join(Order, Ticket.order_id == Order.id).where(Order.marketplace_order_number == q),
        db.select(Ticket.id).join(Order, Ticket.order_id == Order.id).where(Order.delivery_number == q),
    ]
    number = normalise_ticket_number(q)
    if number:
        parts.insert(0, db.select(Ticket.id).where(Ticket.number == number))
    return union(*parts)


def _conditions(filters: QueueFilters, user) -> list:
    """Return the WHERE conditions of every filter except the tab."""
    conditions = []
    if not user.is_staff:
        conditions.append(Ticket.customer_id == user.id)
    if filters.channel is not None:
        conditions.append(Ticket.channel_id == filters.channel)
    if filters.reason is not None:
        conditions.append(Ticket.reason_id == filters.reason)
    start, end = filters.created_range
    if start:
        conditions.append(Ticket.created_at >= start)
    if end:
        conditions.append(Ticket.created_at < end)
    if filters.assignee == "me":
        conditions.append(Ticket.assignee_id == user.id)
    elif filters.assignee == "unassigned":
        conditions.append(Ticket.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        conditions.append(Ticket.assignee_id == filters.assignee_id)
    if filters.q:
        conditions.append(Ticket.id.in_(_search_ids(filters.q)))
    if filters.late:
        # The late orders are few and indexed (ix_orders_late_since); their tickets come by ix_tickets_order_id.
        conditions.append(Ticket.order_id.in_(db.select(Order.id).where(Order.late_since.is_not(None))))
    return conditions


def _ordering(sort: str, table=Ticket.__table__) -> tuple:
    if sort == "newest":
        return (table.c.created_at.desc(), table.c.id.desc())
    if sort == "oldest":
        return (table.c.created_at.asc(), table.c.id.asc())
    if sort == "due_desc":
        # The exact reverse of the ascending order, so that ix_tickets_status_due is read backwards.
        return (table.c.due_at.desc().nulls_first(), table.c.id.desc())
    return (table.c.due_at.asc().nulls_last(), table.c.id.asc())


# The channel, assignee and forwarder a row shows come from the kept lists (`row_names`): each table joined in
# costs PostgreSQL planning time on every run of the statement, which plans it anew for its parameters.
# Of the order and the customer, only what a row shows is read: their other columns would be fetched and loaded
# for nothing, 25 times a page.
_ROW_OPTIONS = (
    joinedload(Ticket.order).load_only(Order.number, Order.marketplace_order_number, Order.late_since),
    joinedload(Ticket.customer).load_only(User.name, User.email),
)


@dataclass(frozen=True)
class RowNames:
    """The names the rows show for the ids they hold: channels, and staff (assignees and forwarders)."""

    channels: dict[int, str]
    people: dict[int, str]


def row_names(items: list[Ticket]) -> RowNames:
    """Return the rows' channel and staff names: from the kept lists; any other person in one statement."""
    kept = lookups.lists()
    people = {person.id: person.display_name for person in kept.staff}
    wanted = {i for t in items for i in (t.assignee_id, t.forwarded_by_id) if i is not None and i not in people}
    if wanted:  # no longer staff, or not yet in the lists
        people |= {row.id: row.name or row.email for row in db.session.execute(
            db.select(User.id, User.name, User.email).where(User.id.in_(wanted)))}
    channels = {channel.id: channel.name for channel in kept.channels}
    if any(t.channel_id not in channels for t in items):
        channels |= dict(db.session.execute(db.select(Channel.id, Channel.name)).tuples())
    return RowNames(channels, people)


def queue_query(filters: QueueFilters, user):
    """Select one tab's tickets, filtered and sorted (due time first by default), with what a row shows."""
    return (
        db.select(Ticket).where(Ticket.status == filters.tab, *_conditions(filters, user))
        .options(*_ROW_OPTIONS).order_by(*_ordering(filters.sort))
    )


def _page_ids(filters: QueueFilters, user, limit: int, offset: int, selective: bool):
    """Select the ids of one page, in order.

    Walking the tab in sort order and keeping the rows that pass the filters finds a page at once when
    many rows pass. When few do (`selective`), they are filtered first through the filters' own indexes
    and then sorted: the walk could read most of the tab when the matching rows all sort last (a recent
    period, say), and PostgreSQL's estimate cannot tell.
    """
    conditions = (Ticket.status == filters.tab, *_conditions(filters, user))
    if not selective:
        return (db.select(Ticket.id).where(*conditions).order_by(*_ordering(filters.sort))
                .limit(limit).offset(offset))
    hits = (db.select(Ticket.id, Ticket.due_at, Ticket.created_at).where(*conditions)
            .cte("hits").prefix_with("MATERIALIZED"))
    return db.select(hits.c.id).order_by(*_ordering(filters.sort, hits)).limit(limit).offset(offset)


def _walks_its_own_index(filters: QueueFilters, user) -> bool:
    """Tell whether the page is the start of one index range: one channel, reason or assignee, in due order.

    Each has an index of (that column, status, due time, id), so walking it reads the page's rows and no
    others, however many tickets match; filtering them first would read and sort every match.
    """
    if filters.sort not in ("due", "due_desc") or not user.is_staff or filters.q or filters.late:
        return False
    if filters.date_from or filters.date_to:
        return False
    by_assignee = filters.assignee != "any"
    return (filters.channel is not None) + (filters.reason is not None) + by_assignee == 1


class QueuePagination(Pagination):
    """One page of the queue: its ids are picked first, then only those rows are loaded with their joins."""

    def _query_items(self) -> list[Ticket]:
        args = self._query_args
        ids = _page_ids(args["filters"], args["user"], self.per_page, self._query_offset, args["selective"])
        query = (db.select(Ticket).where(Ticket.id.in_(ids.scalar_subquery())).options(*_ROW_OPTIONS)
                 .order_by(*_ordering(args["filters"].sort)))
        return list(db.session.scalars(query).unique())

    def _query_count(self) -> int:
        return self._query_args["total"]


def _capped_count(tab: TicketStatus, conditions: list):
    # The cap is written into the statement: as a parameter of a prepared statement (psycopg prepares one
    # that ran five times), PostgreSQL's generic plan would guess its size and may walk the wrong index.
    cap = literal_column(str(COUNT_CAP))
    return (db.select(func.count())
            .select_from(db.select(Ticket.id).where(Ticket.status == tab, *conditions).limit(cap).subquery())
            .scalar_subquery())


def tab_counts(filters: QueueFilters, user, others: list[QueueFilters | None] | None = None):
    """Count the tickets of every tab under the same filters, in one query.

    One counting subquery per tab rather than GROUP BY status: each reads only its own range of the
    (status, ...) indexes, which PostgreSQL does index-only, where the grouped form scans the whole table;
    and each stops at COUNT_CAP rows (`is_capped`). `others` (saved views' filters) are counted in their own
    tab by the same statement; pass them to get (tab counts, their counts), None for a None filter set.
    """
    conditions = _conditions(filters, user)
    counts = [_capped_count(tab, conditions) for tab in QUEUE_TABS]
    wanted = [other for other in (others or ()) if other is not None]
    counts += [_capped_count(other.tab, _conditions(other, user)) for other in wanted]
    row = iter(db.session.execute(db.select(*counts)).one())
    tabs = {tab: next(row) for tab in QUEUE_TABS}
    if others is None:
        return tabs
    return tabs, [None if other is None else next(row) for other in others]


def tab_with_hits(filters: QueueFilters, counts: dict[TicketStatus, int]) -> TicketStatus:
    """Return the tab a search should show: its own when it has hits, else the first tab that has some."""
    if not filters.q or counts.get(filters.tab):
        return filters.tab
    return next((tab for tab in QUEUE_TABS if counts.get(tab)), filters.tab)


def queue_page(filters: QueueFilters, user, per_page: int, counts: dict[TicketStatus, int] | None = None):
    """Return the tab's page in one query; the tab counts (computed when not given) supply its total.

    A tab whose count stopped at the cap pages through its first SELECTIVE_ROWS tickets (`capped` is set).
    """
    counts = counts if counts is not None else tab_counts(filters, user)
    capped = is_capped(counts[filters.tab])
    total = SELECTIVE_ROWS if capped else counts[filters.tab]
    selective = not capped and not _walks_its_own_index(filters, user)
    pagination = QueuePagination(page=filters.page, per_page=per_page, max_per_page=None, error_out=False,
                                 count=True, filters=filters, user=user, total=total, selective=selective)
    pagination.capped = capped
    return pagination
