"""The call centre's "Todos os pedidos": who may see it, filters, sort, pages, CSV, the order's page."""
import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.accounts import audit
from portal.models import Channel, CustomerAddress, Order, OrderItem, OrderStatus, PriceApproval, Ticket
from portal.telesales.all_orders import OrderFilters, document_digits
from portal.web.staff.orders import safe_cell

pytestmark = pytest.mark.db


def _order(factory, total, **kw):
    order = factory.order(**kw)
    order.total = total
    return order


def numbers_on(html: str) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', html)


@pytest.fixture
def orders(factory, shopper, db):
    """Four orders: two from the store (one placed by an operator, pending), one marketplace, one by the shopper."""
    other = factory.user(name="Bruno Reis", email="bruno@example.com")
    ml = factory.channel()
    made = {
        "a": _order(factory, number="5001", customer=shopper, placed_at=datetime(2026, 11, 1, 12, tzinfo=UTC),
                           total=Decimal("50.00")),
        "b": _order(factory, number="5002", customer=other, placed_at=datetime(2026, 11, 5, 12, tzinfo=UTC),
                           created_in_portal=True, placed_by_email="otavio@example.com",
                           price_approval=PriceApproval.pending, total=Decimal("300.00")),
        "c": _order(factory, number="5003", customer=other, channel=ml, status="ENVIADO",
                           placed_at=datetime(2026, 11, 10, 12, tzinfo=UTC), total=Decimal("120.00")),
        "d": _order(factory, number="5004", customer=shopper, placed_at=datetime(2026, 11, 20, 12, tzinfo=UTC),
                           created_in_portal=True, total=Decimal("10.00")),
    }
    db.session.commit()
    return made


def _get(client, query=""):
    response = client.get(f"/staff/orders{query}")
    return response, response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/staff/orders", "/staff/orders.csv", "/staff/orders/5001", "/staff/products"])
def test_agents_and_shoppers_get_403_operators_and_admins_get_in(client_for, orders, agent, shopper, operator,
                                                                  admin, path):
    for user, status in ((agent, 403), (shopper, 403), (operator, 200), (admin, 200)):
        assert client_for(user).get(path).status_code == status, (user.role, path)


def test_anonymous_visitors_are_sent_to_sign_in(client, orders):
    assert client.get("/staff/orders").status_code in (302, 401)


def test_every_order_newest_first_with_placed_by_and_approval(client, login, operator, orders):
    login(operator)
    response, html = _get(client)
    assert response.status_code == 200
    assert numbers_on(html) == ["5004", "5003", "5002", "5001"]
    row = html[html.index('data-order="5002"'):html.index('data-order="5001"')]
    assert "otavio@example.com" in row and 'data-awaiting="yes"' in row
    row = html[html.index('data-order="5001"'):]
    assert 'data-placed-by>customer<' in row and 'data-awaiting="no"' in row
    assert "{# act-for #}" not in html  # a Jinja comment, left for the "Atender este cliente" button


def cells_of(html: str, number: str) -> dict[str, str]:
    """Return the text of each cell of an order's row, by its column label."""
    start = html.index(f'data-order="{number}"')
    row = html[start:html.index("</tr>", start)]
    return {label: " ".join(re.sub(r"<[^>]+>", " ", body).split())
            for label, body in re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S)}


def test_a_row_shows_the_date_customer_channel_status_and_total(client, login, operator, orders):
    login(operator)
    _response, html = _get(client)
    marketplace = cells_of(html, "5003")
    assert marketplace["Date"] == "11/10/26, 9:00 AM"
    assert '<time datetime="2026-11-10T12:00:00+00:00">' in html[html.index('data-order="5003"'):]
    assert marketplace["Customer"] == "Bruno Reis bruno@example.com"
    assert (marketplace["Channel"], marketplace["Status"], marketplace["Total"]) == \
        ("Mercado Livre", "ENVIADO", "R$120.00")
    assert marketplace["Placed by"] == "customer"
    store = cells_of(html, "5002")
    assert (store["Date"], store["Customer"], store["Channel"], store["Status"], store["Total"]) == \
        ("11/5/26, 9:00 AM", "Bruno Reis bruno@example.com", "Loja virtual", "AGUARDANDO PAGAMENTO", "R$300.00")
    assert cells_of(html, "5001")["Customer"] == "Joana Lima joana@example.com"


def test_an_order_placed_through_the_cart_shows_its_cells_and_the_operators_email(client, login, operator,
                                                                                  customer, products, act, post,
                                                                                  db):
    login(operator)
    act(operator, customer)
    post("/telesales/cart/items", {"sku": "CAM-001", "quantity": "2"})
    post("/telesales/cart/items", {"sku": "CAN-002", "quantity": "1"})
    address = db.session.scalar(db.select(CustomerAddress).where(CustomerAddress.user_id == customer.id))
    post("/telesales/cart/details", {"address": str(address.id), "shipping": "12,50", "payment_method": "pix"})
    assert post("/telesales/cart/place").status_code == 302
    assert post("/acting/end", page="/orders").status_code == 303
    order = db.session.scalar(db.select(Order))
    _response, html = _get(client)
    assert numbers_on(html) == [order.number]
    cells = cells_of(html, order.number)
    assert cells["Customer"] == "Carla Cliente cliente@example.com"
    assert (cells["Channel"], cells["Status"], cells["Total"]) == ("Loja virtual", "AGUARDANDO PAGAMENTO", "R$137.30")
    assert cells["Placed by"] == "otavio@example.com" == operator.email
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2} [AP]M", cells["Date"])
    row = html[html.index(f'data-order="{order.number}"'):]
    assert f'<time datetime="{order.placed_at.isoformat()}">' in row


@pytest.mark.parametrize("query, expected", [
    ("?awaiting=1", ["5002"]),
    ("?placed_by=otavio@example.com", ["5002"]),
    ("?placed_by=OTAVIO@example.com", ["5002"]),
    ("?placed_by=cliente", ["5004", "5003", "5001"]),
    ("?date_from=2026-11-05&date_to=2026-11-10", ["5003", "5002"]),
    ("?date_from=2026-11-15", ["5004"]),
    ("?q=5003", ["5003"]),
    ("?q=joana@example.com", ["5004", "5001"]),
    ("?q=JOANA@Example.com", ["5004", "5001"]),
    ("?q=123.456.789-09", ["5004", "5001"]),
    ("?q=12345678909", ["5004", "5001"]),
    ("?q=nobody@example.com", []),
    ("?sort=total", ["5002", "5003", "5001", "5004"]),
    ("?sort=total&dir=asc", ["5004", "5001", "5003", "5002"]),
    ("?sort=number&dir=asc", ["5001", "5002", "5003", "5004"]),
    ("?sort=date&dir=asc&placed_by=cliente", ["5001", "5003", "5004"]),
])
def test_filters_and_sorts(client, login, operator, orders, query, expected):
    login(operator)
    assert numbers_on(_get(client, query)[1]) == expected


def test_status_and_channel_filters(client, login, operator, orders, db):
    login(operator)
    sent = db.session.scalar(db.select(OrderStatus).filter_by(name="ENVIADO"))
    ml = db.session.scalar(db.select(Channel).filter_by(code="mercado_livre"))
    assert numbers_on(_get(client, f"?status={sent.id}")[1]) == ["5003"]
    assert numbers_on(_get(client, f"?channel={ml.id}")[1]) == ["5003"]
    html = _get(client, f"?channel={ml.id}&awaiting=1")[1]
    assert numbers_on(html) == [] and "No order matches." in html
    assert f'<option value="{ml.id}" selected' in html and 'id="o-awaiting" name="awaiting" value="1" checked' in html


@pytest.mark.parametrize("query, field", [
    ("?date_from=2026-13-01", "date_from"), ("?date_to=yesterday", "date_to"),
    ("?date_from=2026-11-10&date_to=2026-11-01", "date_to"), ("?status=abc", "status"),
    ("?channel=-1", "channel"), ("?placed_by=someone", "placed_by"), ("?sort=price", "sort"),
    ("?sort=total&dir=sideways", "sort"),
])
def test_invalid_filter_values_get_a_clear_message_not_a_500(client, login, operator, orders, query, field):
    login(operator)
    response, html = _get(client, query)
    assert response.status_code == 400
    assert f'data-filter-error="{field}"' in html and 'aria-invalid="true"' in html
    assert numbers_on(html)  # the rest of the filters still apply; the page still lists orders


def test_pages_are_bookmarkable_and_keep_the_filters(client, login, operator, factory, db, monkeypatch):
    from portal.web.staff import orders as views
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for n in range(5):
        factory.order(number=f"70{n}", placed_by_email="otavio@example.com")
    db.session.commit()
    login(operator)
    html = _get(client, "?placed_by=otavio@example.com")[1]
    assert numbers_on(html) == ["704", "703"]
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "page=2" in next_link and re.search("placed_by=otavio(@|%40)example.com", next_link)
    second = client.get(next_link).get_data(as_text=True)
    assert numbers_on(second) == ["702", "701"]
    assert 'rel="prev"' in second
    last = client.get(next_link.replace("page=2", "page=3")).get_data(as_text=True)
    assert numbers_on(last) == ["700"] and 'rel="next"' not in last
    assert numbers_on(_get(client, "?page=99")[1]) == []


def test_sort_links_flip_the_direction(client, login, operator, orders):
    login(operator)
    html = _get(client, "?sort=total")[1]
    link = re.search(r'href="([^"]+)" data-sort="total"', html).group(1)
    assert "sort=total" in link and "dir=asc" in link
    assert 'aria-sort="descending"' in html


FILTER_COMBINATIONS = ["", "?awaiting=1", "?placed_by=cliente", "?placed_by=otavio@example.com&awaiting=1",
                       "?date_from=2026-11-01&date_to=2026-11-30&sort=total", "?q=5003", "?q=joana@example.com",
                       "?q=123.456.789-09&channel=1&status=1", "?sort=number&dir=asc&page=2"]


@pytest.mark.parametrize("query", FILTER_COMBINATIONS)
def test_a_page_issues_at_most_five_queries_whatever_its_size(client, login, operator, orders, factory, db,
                                                              count_queries, query):
    login(operator)
    client.get("/staff/orders")
    db.session.commit()  # expire what the session holds, as a new request finds it
    with count_queries() as few:
        client.get(f"/staff/orders{query}")
    for _ in range(10):
        order = factory.order(placed_by_email="otavio@example.com", price_approval=PriceApproval.pending)
        order.items.append(OrderItem(position=9, sku="X", name="X", quantity=1, unit_price=Decimal(1)))
    db.session.commit()
    with count_queries() as many:
        client.get(f"/staff/orders{query}")
    assert len(many) == len(few)
    assert len(few) <= 5, "\n".join(statement.split("\n")[0][:60] for statement in few)


def _csv(client, query=""):
    response = client.get(f"/staff/orders.csv{query}")
    text = b"".join(response.response).decode("utf-8") if response.is_streamed else response.get_data(as_text=True)
    return response, list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_export_streams_the_filtered_list(client, login, operator, orders):
    login(operator)
    response, rows = _csv(client, "?placed_by=cliente&sort=number&dir=asc")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="pedidos-')
    assert rows[0][0] == "Number" and len(rows[0]) == 11
    assert [row[0] for row in rows[1:]] == ["5001", "5003", "5004"]
    first = rows[1]
    assert first[3:5] == ["joana@example.com", "12345678909"] and first[7] == "50.00"
    assert first[9] == "customer" and first[10] == "no"
    _response, pending = _csv(client, "?awaiting=1")
    assert pending[1][9] == "otavio@example.com" and pending[1][10] == "yes"


def test_csv_export_reads_in_batches_and_keeps_the_order(client, login, operator, factory, db, monkeypatch):
    from portal.telesales import all_orders
    monkeypatch.setattr(all_orders, "EXPORT_BATCH", 2)
    monkeypatch.setattr(all_orders.export_rows, "__defaults__", (2,))
    for n in range(5):
        _order(factory, number=f"80{n}", total=Decimal(n % 2))
    db.session.commit()
    login(operator)
    _response, rows = _csv(client, "?sort=total")
    assert [row[0] for row in rows[1:]] == ["803", "801", "804", "802", "800"]


def test_csv_cells_that_a_spreadsheet_would_run_are_made_text(client, login, operator, factory, db):
    evil = factory.user(name="=HYPERLINK(\"http://x\")", email="evil@example.com")
    factory.order(number="6001", customer=evil, placed_by_email="@op@example.com")
    db.session.commit()
    login(operator)
    _response, rows = _csv(client, "?q=6001")
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][9] == "'@op@example.com"
    for value in ("+1", "-1", "@x", "=1", "\tx"):
        assert safe_cell(value).startswith("'")
    assert safe_cell("1+1") == "1+1" and safe_cell(None) == ""


def test_the_order_page_shows_prices_history_tickets_audit_and_approval(client, login, operator, admin, factory,
                                                                         orders, db):
    order = orders["b"]
    order.items[0].list_price = Decimal("120.00")
    order.items[0].manual_price_reason = "Cliente fiel"
    order.price_decided_by = admin
    order.price_decided_at = datetime(2026, 11, 6, 9, tzinfo=UTC)
    order.price_decision_note = "Ok pela gerência"
    ticket = Ticket(number="26110500011", order=order, channel=order.channel, customer=order.customer,
                    subject="Preço diferente")
    db.session.add(ticket)
    audit.record(admin, "order.price_approved", f"order:{order.number}", None, {"approved": True})
    db.session.commit()
    login(operator)
    response = client.get("/staff/orders/5002")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Manual price; catalogue price R$" in html and "Cliente fiel" in html
    assert 'data-approval="pending"' in html and "Alice Admin" in html and "Ok pela gerência" in html
    assert 'data-placed-by>otavio@example.com<' in html
    assert "/staff/tickets/26110500011" in html and "Preço diferente" in html
    assert 'data-audit="order.price_approved"' in html
    assert 'data-step="placed"' in html and "data-history" in html
    assert client.get("/staff/orders/nope").status_code == 404


def test_the_staff_nav_links_the_call_centre_pages_for_operators_only(client_for, operator, agent, orders):
    html = client_for(operator).get("/staff/orders").get_data(as_text=True)
    assert 'href="/staff/products"' in html and 'href="/staff/orders"' in html
    assert "data-telesales-nav" not in client_for(agent).get("/staff/").get_data(as_text=True)


def test_document_digits_accepts_formatted_cpf_and_cnpj():
    assert document_digits("123.456.789-09") == "12345678909"
    assert document_digits("12.345.678/0001-95") == "12345678000195"
    assert document_digits("5003") is None


def test_filters_round_trip_through_the_url():
    args = {"status": "3", "channel": "2", "date_from": "2026-11-01", "date_to": "2026-11-30",
            "placed_by": "cliente", "awaiting": "1", "q": "5001", "sort": "total", "dir": "asc", "page": "2"}
    filters = OrderFilters.from_args(args)
    assert not filters.errors
    assert OrderFilters.from_args(filters.to_args()) == filters


@pytest.mark.parametrize("selective_rows", [0, 10_000], ids=["walk-the-sort-index", "filter-first"])
@pytest.mark.parametrize("query, expected", [
    ("?sort=total&placed_by=cliente", ["5003", "5001", "5004"]),
    ("?sort=total&dir=asc&placed_by=cliente", ["5004", "5001", "5003"]),
    ("?sort=number&q=joana@example.com", ["5004", "5001"]),
])
def test_both_plans_of_a_sorted_filtered_page_agree(client, login, operator, orders, monkeypatch, selective_rows,
                                                    query, expected):
    from portal.telesales import all_orders
    monkeypatch.setattr(all_orders, "SELECTIVE_ROWS", selective_rows)
    login(operator)
    assert numbers_on(_get(client, query)[1]) == expected
