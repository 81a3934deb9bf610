"""Time the call centre's all-orders page on a filled database (`flask demo scale`), for every kind of filter."""
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import Channel, Order, OrderStatus, Role, User
from ..telesales.all_orders import OrderFilters, filter_choices, order_page


def _scenarios() -> list[tuple[str, dict]]:
    sample = db.session.scalar(select(Order).where(Order.placed_by_email.is_not(None)).limit(1))
    customer = db.session.get(User, sample.customer_id)
    status = db.session.scalar(select(OrderStatus.id).order_by(OrderStatus.id.desc()).limit(1))
    channel = db.session.scalar(select(Channel.id).where(Channel.is_marketplace).limit(1))
    month_ago = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()
    week_ago = (datetime.now(UTC).date() - timedelta(days=7)).isoformat()
    cpf = customer.document or "00000000000"
    return [
        ("no filter (newest first)", {}),
        ("status", {"status": str(status)}),
        ("channel", {"channel": str(channel)}),
        ("last 30 days", {"date_from": month_ago}),
        ("period of one week, oldest first", {"date_from": week_ago, "dir": "asc"}),
        ("placed by an operator", {"placed_by": sample.placed_by_email}),
        ("placed by the customer", {"placed_by": "cliente"}),
        ("awaiting approval", {"awaiting": "1"}),
        ("awaiting + operator + 30 days", {"awaiting": "1", "placed_by": sample.placed_by_email,
                                           "date_from": month_ago}),
        ("status + channel (none match)", {"status": str(status), "channel": str(channel)}),
        ("status + channel (matching)", {"status": str(sample.status_id), "channel": str(sample.channel_id)}),
        ("operator + marketplace channel", {"placed_by": sample.placed_by_email, "channel": str(channel)}),
        ("customer + awaiting + status", {"placed_by": "cliente", "awaiting": "1", "status": str(status)}),
        ("status + channel + 30 days", {"status": str(status), "channel": str(channel), "date_from": month_ago}),
        ("sorted by total", {"sort": "total"}),
        ("sorted by total, ascending", {"sort": "total", "dir": "asc"}),
        ("sorted by number", {"sort": "number", "dir": "asc"}),
        ("status, sorted by total", {"status": str(status), "sort": "total"}),
        ("status + channel (none match), by total", {"status": str(status), "channel": str(channel),
                                                     "sort": "total"}),
        ("operator + marketplace channel, by number", {"placed_by": sample.placed_by_email, "channel": str(channel),
                                                        "sort": "number"}),
        ("awaiting, sorted by total", {"awaiting": "1", "sort": "total"}),
        ("search order number", {"q": sample.number}),
        ("search customer e-mail", {"q": customer.email}),
        ("search CPF (formatted)", {"q": f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"}),
        ("page 40", {"page": "40"}),
    ]


def _page_request(operator: User):
    from flask import current_app

    client = current_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = operator.get_id()
        session["_fresh"] = True

    def get(args: dict) -> int:
        return client.get("/staff/orders", query_string=args, headers={"Accept-Language": "en"}).status_code
    return get


def measure(per_page: int = 25, runs: int = 5, echo: Callable[[str], None] = print) -> list[tuple]:
    """Time the first page of each scenario: the queries alone, then the whole request, median of `runs`."""
    operator = db.session.scalar(select(User).where(User.role == Role.operator).limit(1))
    get_page = _page_request(operator)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    results = []
    for name, args in _scenarios():
        name = name[:44]
        timings, page_timings, queries, page_queries, shown = [], [], 0, 0, 0
        for _run in range(runs + 1):
            db.session.expire_all()
            operator.role  # noqa: B018 - the signed-in user is loaded before the request's work
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", listener)
            started = time.perf_counter()
            page = order_page(OrderFilters.from_args(MultiDict(args)), per_page)
            filter_choices()
            shown = len([(o.customer.email, o.channel.name, o.status.name) for o in page.items])
            timings.append((time.perf_counter() - started) * 1000)
            queries = len(statements)
            statements.clear()
            started = time.perf_counter()
            status = get_page(args)
            page_timings.append((time.perf_counter() - started) * 1000)
            page_queries = len(statements)
            event.remove(db.engine, "before_cursor_execute", listener)
            if status != 200:
                raise RuntimeError(f"{name}: the page answered {status}")
        median, page_median = statistics.median(timings[1:]), statistics.median(page_timings[1:])
        results.append((name, median, queries, page_median, page_queries, shown))
        echo(f"{name:44} {median:7.1f} ms  {queries} queries  | page {page_median:7.1f} ms  {page_queries} queries"
             f"  {shown} shown")
    return results
