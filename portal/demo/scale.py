"""Fill a database with many orders and tickets, fast, to measure the queue at production size.

PostgreSQL gets COPY (psycopg 3), other databases batched executemany. Rows carry explicit ids taken
after the current maximum, so the tables' sequences are moved past them at the end.
"""
import json
import math
import random
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice

from sqlalchemy import func, select

from ..extensions import db
from ..kpis import rollup
from ..models import (
    Channel,
    Order,
    OrderItem,
    OrderStatus,
    Role,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketReason,
    TicketStatus,
    TicketSurvey,
    User,
)
from ..store.setup import ensure_defaults
from ..tickets.numbers import new_ticket_number

BATCH = 5000
ORDERS_PER_CUSTOMER = 4
AGENTS = 20
OPERATORS = 5
# Of the orders, one in PORTAL_EVERY was placed in the portal (by an operator, the others from a shared cart),
# and one in PENDING_EVERY waits for someone to approve its manual prices.
PORTAL_EVERY = 20
PENDING_EVERY = 400
SUBJECTS = ("Onde está meu pedido?", "Produto com defeito", "Quero trocar o tamanho", "Cancelar o pedido",
            "Nota fiscal não chegou", "Entrega atrasada", "Cobrança em duplicidade")
ADDRESS = {"name": "Cliente", "street": "Rua Augusta", "number": "1500", "city": "São Paulo", "state": "SP",
           "postal_code": "01304-001", "country": "BR"}


def _next_id(table) -> int:
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def _copy(table, columns: list[str], rows: Iterable[dict]) -> int:
    """Write rows into the table; COPY on PostgreSQL, executemany in batches elsewhere."""
    count = 0
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # A column the row leaves out takes the model's plain default, or NULL, as executemany makes it below.
        defaults = {c.name: c.default.arg for c in table.c if c.default is not None and c.default.is_scalar}
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                values = [row[c] if c in row else defaults.get(c) for c in columns]
                copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in values])
                count += 1
        return count
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _fix_sequences(tables) -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        highest = select(func.max(table.c.id)).scalar_subquery()
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))


def _agents() -> list[int]:
    ids = list(db.session.scalars(select(User.id).where(User.role != Role.customer)))
    for n in range(len(ids), AGENTS):
        user = User(email=f"agente{n}@scale.test", name=f"Agente {n}", role=Role.agent)
        db.session.add(user)
        db.session.flush()
        ids.append(user.id)
    return ids


def _operators() -> list[tuple[int, str]]:
    """Return (id, e-mail) of the call-centre operators, creating them when there are too few."""
    found = list(db.session.execute(select(User.id, User.email).where(User.role == Role.operator)))
    for n in range(len(found), OPERATORS):
        user = User(email=f"operador{n}@scale.test", name=f"Operador {n}", role=Role.operator)
        db.session.add(user)
        db.session.flush()
        found.append((user.id, user.email))
    return [tuple(row) for row in found]


def _customers(count: int, start_id: int, now: datetime) -> Iterator[dict]:
    for n in range(count):
        yield {"id": start_id + n, "email": f"cliente{start_id + n}@scale.test", "name": f"Cliente {start_id + n}",
               "password_hash": None, "role": Role.customer.value, "active": True, "locale": None,
               "session_token": secrets.token_hex(16), "created_at": now,
               "document": f"{start_id + n:011d}"[-11:], "can_approve_prices": False}


def _telesales(n: int, operators: list[tuple[int, str]]) -> dict:
    """Return the portal columns of the n-th order: most come from the back office, some from the call centre."""
    if n % PORTAL_EVERY:
        return {"created_in_portal": False, "placed_by_id": None, "placed_by_email": None, "price_approval": "none"}
    by_operator = (n // PORTAL_EVERY) % 4 != 0  # one in four came from a shared cart: no operator on it
    operator_id, email = operators[(n // PORTAL_EVERY) % len(operators)]
    return {"created_in_portal": True, "placed_by_id": operator_id if by_operator else None,
            "placed_by_email": email if by_operator else None,
            "price_approval": "pending" if n % PENDING_EVERY == 0 else "none"}


def _orders(count, start_id, customer_ids, channels, statuses, now, rng, operators) -> Iterator[dict]:
    for n in range(count):
        order_id = start_id + n
        channel = channels[n % len(channels)]
        placed = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        marketplace = channel.is_marketplace
        yield {
            "id": order_id, "number": f"S{order_id:09d}", "channel_id": channel.id,
            "marketplace_order_number": f"MP{order_id:010d}" if marketplace else None,
            "delivery_number": f"ENT{order_id:09d}" if marketplace else None,
            "customer_id": customer_ids[n // ORDERS_PER_CUSTOMER % len(customer_ids)],
            "status_id": statuses[n % len(statuses)], "placed_at": placed, "paid_at": placed, "shipped_at": None,
            "shipping_code": None, "carrier": None, "payment_method": "Pix", "currency": "BRL",
            "subtotal": Decimal("199.90"), "shipping_total": Decimal("19.90"), "discount_total": Decimal("0"),
            "total": Decimal("219.80"), "invoice_number": None, "invoice_key": None, "invoice_url": None,
            "delivery_address": ADDRESS, "billing_address": ADDRESS, "created_at": placed, "updated_at": placed,
            **_telesales(n, operators),
        }


def _items(order_rows: list[dict], start_id: int) -> Iterator[dict]:
    for n, order in enumerate(order_rows):
        yield {"id": start_id + n, "order_id": order["id"], "position": 0, "sku": f"SKU-{n % 5000}",
               "name": "Produto de teste", "quantity": 1, "unit_price": Decimal("199.90")}


def _ticket(n, ticket_id, order, channel, reasons, agents, numbers, rng) -> dict:
    created = order["placed_at"] + timedelta(hours=rng.randrange(1, 24 * 20))
    status = rng.choices((TicketStatus.open, TicketStatus.waiting, TicketStatus.closed), (3, 3, 4))[0]
    number = new_ticket_number()
    while number in numbers:
        number = new_ticket_number()
    numbers.add(number)
    assignee = rng.choice(agents) if rng.random() < 0.6 else None
    forwarded = rng.choice(agents) if assignee and rng.random() < 0.2 else None
    is_open = status is TicketStatus.open
    answered = not is_open or rng.random() < 0.2
    delay = timedelta(minutes=rng.randrange(10, 60 * 72)) if answered else None
    return {
        "id": ticket_id, "number": number, "order_id": order["id"], "channel_id": channel.id,
        "customer_id": order["customer_id"], "reason_id": rng.choice(reasons), "subject": SUBJECTS[n % len(SUBJECTS)],
        "status": status.value, "assignee_id": assignee, "forwarded_by_id": forwarded, "forward_note": None,
        "escalated": False, "escalation_reason": None,
        "marketplace_ticket_code": f"MKT{ticket_id:09d}" if channel.is_marketplace else None,
        "open_since": created, "due_at": created + timedelta(hours=channel.sla_hours) if is_open else None,
        "sla_remaining_seconds": 3600 if status is TicketStatus.waiting else None,
        "created_at": created, "updated_at": created,
        "closed_at": created + timedelta(days=2) if status is TicketStatus.closed else None, "version": 1,
        # The KPI dashboard's first response: wall-clock seconds stand in for working time here.
        "first_response_at": created + delay if delay else None,
        "first_response_seconds": int(delay.total_seconds()) if delay else None,
        "first_response_by_id": (assignee or rng.choice(agents)) if delay else None,
    }


def fill(orders: int, tickets: int, echo: Callable[[str], None] = lambda _m: None, seed: int = 7) -> dict:
    """Add `orders` orders (one item each) and `tickets` tickets with one message and one event each.

    One order in PORTAL_EVERY was placed in the portal, most of those by one of OPERATORS operators, and one in
    PENDING_EVERY waits for price approval; every customer has a CPF-like document.
    """
    from .data import DEMO_CHANNELS

    rng = random.Random(seed)
    ensure_defaults()
    for code, name in DEMO_CHANNELS:
        if db.session.scalar(select(Channel.id).where(Channel.code == code)) is None:
            db.session.add(Channel(code=code, name=name, is_marketplace=True, sla_hours=24, sla_working_days=False))
    db.session.flush()
    now = datetime.now(UTC).replace(microsecond=0)
    channels = list(db.session.scalars(select(Channel).order_by(Channel.id)))
    statuses = list(db.session.scalars(select(OrderStatus.id).order_by(OrderStatus.id)))
    reasons = list(db.session.scalars(select(TicketReason.id)))
    agents = _agents()
    operators = _operators()  # before the customers' COPY, which takes ids past the sequence
    by_id = {channel.id: channel for channel in channels}
    users, orders_t, items_t = User.__table__, Order.__table__, OrderItem.__table__
    tickets_t, messages_t, events_t = Ticket.__table__, TicketMessage.__table__, TicketEvent.__table__

    customer_count = max(1, orders // ORDERS_PER_CUSTOMER)
    first_user = _next_id(users)
    echo(f"customers: {_copy(users, list(users.c.keys()), _customers(customer_count, first_user, now))}")
    customer_ids = range(first_user, first_user + customer_count)
    order_rows = list(_orders(orders, _next_id(orders_t), customer_ids, channels, statuses, now, rng, operators))
    echo(f"orders: {_copy(orders_t, list(orders_t.c.keys()), order_rows)}")
    echo(f"items: {_copy(items_t, list(items_t.c.keys()), _items(order_rows, _next_id(items_t)))}")

    numbers = set(db.session.scalars(select(Ticket.number)))
    first_ticket = _next_id(tickets_t)
    picked = rng.sample(range(len(order_rows)), min(tickets, len(order_rows)))
    ticket_rows = [_ticket(n, first_ticket + n, order_rows[i], by_id[order_rows[i]["channel_id"]], reasons,
                           agents, numbers, rng) for n, i in enumerate(picked)]
    echo(f"tickets: {_copy(tickets_t, list(tickets_t.c.keys()), ticket_rows)}")
    first_message, first_event = _next_id(messages_t), _next_id(events_t)
    messages = ({"id": first_message + n, "ticket_id": t["id"], "author_kind": "customer", "author_id": None,
                 "visibility": "customer", "body_html": f"<p>{t['subject']}</p>", "created_at": t["created_at"]}
                for n, t in enumerate(ticket_rows))
    echo(f"messages: {_copy(messages_t, list(messages_t.c.keys()), messages)}")
    events = [{"id": first_event + n, "ticket_id": t["id"], "kind": "opened", "actor_id": None,
               "created_at": t["created_at"], "data": {"status": "open"}} for n, t in enumerate(ticket_rows)]
    closed = [t for t in ticket_rows if t["closed_at"] is not None]
    events += [{"id": first_event + len(ticket_rows) + n, "ticket_id": t["id"], "kind": "closed",
                "actor_id": t["assignee_id"], "created_at": t["closed_at"], "data": {"status_from": "waiting"}}
               for n, t in enumerate(closed)]
    echo(f"events: {_copy(events_t, list(events_t.c.keys()), events)}")
    # One closing in three was rated by the shopper.
    surveys_t = TicketSurvey.__table__
    first_survey = _next_id(surveys_t)
    surveys = [{"id": first_survey + n, "ticket_id": t["id"], "closed_event_id": event["id"],
                "agent_id": t["assignee_id"], "channel_id": t["channel_id"], "reason_id": t["reason_id"],
                "asked_at": t["closed_at"], "expires_at": t["closed_at"] + timedelta(days=30),
                "rating": rng.choices((1, 2, 3, 4, 5), (1, 1, 2, 4, 6))[0], "comment": None,
                "answered_at": t["closed_at"] + timedelta(hours=rng.randrange(1, 48))}
               for n, (t, event) in enumerate((t, e) for t, e in zip(closed, events[len(ticket_rows):], strict=True)
                                              if rng.random() < 1 / 3)]
    echo(f"surveys: {_copy(surveys_t, list(surveys_t.c.keys()), surveys)}")
    _fix_sequences((users, orders_t, items_t, tickets_t, messages_t, events_t, surveys_t))
    # The copied rows bypass the session's checks: every stored KPI day is counted again.
    rollup.forget()
    db.session.commit()
    return {"orders": len(order_rows), "tickets": len(ticket_rows), "customers": customer_count}


def _scenarios(sample: Ticket, order: Order, channel_id: int, reason_id: int, today) -> list[tuple[str, dict]]:
    month_ago = (today - timedelta(days=30)).isoformat()
    return [
        ("open tab, no filter", {}),
        ("waiting tab", {"tab": "waiting"}),
        ("closed tab", {"tab": "closed"}),
        ("open, channel", {"channel": str(channel_id)}),
        ("open, reason", {"reason": str(reason_id)}),
        ("open, assignee me", {"assignee": "me"}),
        ("open, unassigned", {"assignee": "unassigned"}),
        ("open, last 30 days", {"date_from": month_ago}),
        ("open, channel+reason+30 days+unassigned",
         {"channel": str(channel_id), "reason": str(reason_id), "date_from": month_ago, "assignee": "unassigned"}),
        ("closed, channel+me", {"tab": "closed", "channel": str(channel_id), "assignee": "me"}),
        ("open, sorted newest", {"sort": "newest"}),
        ("open, page 200", {"page": "200"}),
        ("open, last 30 days, page 100", {"date_from": month_ago, "page": "100"}),
        ("search ticket number", {"q": sample.number, "tab": sample.status.value}),
        ("search site order", {"q": order.number, "tab": sample.status.value}),
        ("search marketplace order", {"q": order.marketplace_order_number or "-", "tab": sample.status.value}),
        ("search marketplace ticket", {"q": sample.marketplace_ticket_code or "-", "tab": sample.status.value}),
        ("search mistyped number", {"q": sample.number[:-1] + str((int(sample.number[-1]) + 1) % 10)}),
    ]


def _page_request(agent: User):
    """Return a function that GETs the queue page as the agent through the whole app and returns its status."""
    from flask import current_app

    client = current_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = agent.get_id()
        session["_fresh"] = True

    def get(args: dict) -> int:
        return client.get("/staff/", query_string=args, headers={"Accept-Language": "en"}).status_code
    return get


def _p95(timings: list[float]) -> float:
    """Return the 95th percentile by nearest rank: the smallest timing that at least 95 % of the runs do not exceed."""
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(per_page: int = 25, runs: int = 21, echo: Callable[[str], None] = print) -> list[tuple]:
    """Time the queue's first page for several filters: the queries alone, then the whole HTTP request.

    Returns (name, median and p95 ms of the queries, queries, median and p95 ms of the page, queries of the page)
    per scenario.
    """
    import statistics
    import time

    from sqlalchemy import event
    from werkzeug.datastructures import MultiDict

    from ..tickets.queue import QueueFilters, queue_page, row_names, tab_counts

    sample = db.session.scalar(select(Ticket).where(Ticket.marketplace_ticket_code.is_not(None)).limit(1))
    agent = db.session.scalar(select(User).where(User.id == sample.assignee_id)) if sample.assignee_id else \
        db.session.scalar(select(User).where(User.role == Role.agent).limit(1))
    get_page = _page_request(agent)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    results = []
    for name, args in _scenarios(sample, sample.order, sample.channel_id, sample.reason_id,
                                 datetime.now(UTC).date()):
        timings, page_timings, page_queries = [], [], 0
        for _run in range(runs + 1):
            db.session.expire_all()
            agent.role  # noqa: B018 - the signed-in user is loaded before the request's work
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", listener)
            started = time.perf_counter()
            filters = QueueFilters.from_args(MultiDict(args))
            page = queue_page(filters, agent, per_page, tab_counts(filters, agent))
            names = row_names(page.items)
            shown = [(t.order.number, names.channels[t.channel_id], t.customer.name, names.people.get(t.assignee_id),
                      names.people.get(t.forwarded_by_id)) for t in page.items]
            timings.append((time.perf_counter() - started) * 1000)
            queries = len(statements)
            statements.clear()
            started = time.perf_counter()
            status = get_page(args)
            page_timings.append((time.perf_counter() - started) * 1000)
            page_queries = len(statements)
            event.remove(db.engine, "before_cursor_execute", listener)
            if status != 200:
                raise RuntimeError(f"{name}: the queue page answered {status}")
        timings, page_timings = timings[1:], page_timings[1:]
        median, page_median = statistics.median(timings), statistics.median(page_timings)
        p95, page_p95 = _p95(timings), _p95(page_timings)
        results.append((name, median, p95, queries, page_median, page_p95, page_queries))
        echo(f"{name:42} {median:6.1f} / {p95:6.1f} ms  {queries} queries  | page {page_median:6.1f} / "
             f"{page_p95:6.1f} ms  {page_queries} queries  {page.total:6} matching  {len(shown)} shown")
    return results
