"""Each main page runs the same number of statements whatever it shows: no query per item, message or order."""
import pytest

from portal.models import Role, Visibility
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db


def _count(count_queries, client, path, **kw):
    client.get(path, **kw)  # once first: what a request does only now and then (token last use) is not counted
    with count_queries() as statements:
        response = client.get(path, **kw)
    assert response.status_code == 200, path
    return len(statements)


def _busy_ticket(make_ticket, agent, colleague, tickets_on_order: int = 0):
    """A ticket with 30 answers and 30 questions (every third answer an internal note, every fifth with two
    files), its order with 30 items and other tickets, forwarded, escalated, refunded and closed."""
    from io import BytesIO

    from portal.tickets import actions

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64

    class Upload:
        def __init__(self):
            self.stream, self.filename = BytesIO(png), "foto.png"

    ticket = make_ticket(items=30)
    for n in range(30):
        visibility = Visibility.internal if n % 3 == 0 else Visibility.customer
        tickets.reply_as_staff(ticket, agent, f"Resposta {n}", visibility, expected_version=None,
                               uploads=[Upload(), Upload()] if n % 5 == 0 else ())
        tickets.reply_as_customer(ticket, ticket.customer, f"Pergunta {n}")
    for _ in range(tickets_on_order):
        make_ticket(order=ticket.order)
    actions.forward_ticket(ticket, agent, colleague, "Veja isto", expected_version=None)
    actions.escalate_ticket(ticket, agent, "cannot_help", None, expected_version=None)
    actions.refund(ticket, agent, "1.00", "Frete", expected_version=None)
    tickets.close_ticket(ticket, agent)
    tickets.reopen_ticket(ticket, agent)
    return ticket


def test_the_ticket_workspace_with_1_and_with_30_more_messages(client, login, agent, colleague, make_ticket,
                                                              count_queries, db, app, tmp_path):
    """The workspace's statements: the user, the ticket with its order, items, status history, messages (with
    their files) and events, the trusted hosts, the cancelled units, the refunds, the order's other tickets,
    the Correios snapshot when tracked, the order's messages, the store settings, the colleagues, the text
    modules, the answer shown before the ticket, and the surveys of a ticket that was ever closed."""
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    try:
        small = make_ticket()
        large = _busy_ticket(make_ticket, agent, colleague, tickets_on_order=5)
        db.session.commit()
        login(agent)
        few = _count(count_queries, client, f"/staff/tickets/{small.number}")
        page = client.get(f"/staff/tickets/{large.number}").get_data(as_text=True)
        assert page.count("download data-attachment>") == 12 and "Resposta 29" in page
        many = _count(count_queries, client, f"/staff/tickets/{large.number}")
    finally:
        app.config.pop("ATTACHMENTS_DIR", None)
    # A ticket that was closed once reads its surveys: the one statement more.
    assert many == few + 1 and few <= 15, (few, many)


def test_the_ticket_workspace_issues_the_same_statements_for_a_busier_order(client, login, agent, colleague,
                                                                            make_ticket, count_queries, db,
                                                                            app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    try:
        quieter = _busy_ticket(make_ticket, agent, colleague)
        busier = _busy_ticket(make_ticket, agent, colleague, tickets_on_order=12)
        db.session.commit()
        login(agent)
        few = _count(count_queries, client, f"/staff/tickets/{quieter.number}")
        many = _count(count_queries, client, f"/staff/tickets/{busier.number}")
    finally:
        app.config.pop("ATTACHMENTS_DIR", None)
    assert many == few, (few, many)


def test_the_staff_order_page_with_1_and_with_30_items(client, login, factory, shopper, count_queries, db):
    operator = factory.user(role=Role.operator)
    small, large = factory.order(shopper, items=1), factory.order(shopper, items=30, paid=True, shipped=True)
    db.session.commit()
    login(operator)
    few = _count(count_queries, client, f"/staff/orders/{small.number}")
    many = _count(count_queries, client, f"/staff/orders/{large.number}")
    assert many == few and few <= 12, (few, many)


def test_the_shoppers_order_page_with_1_and_with_30_items(client, login, shopper, factory, count_queries, db):
    small, large = factory.order(shopper, items=1), factory.order(shopper, items=30, paid=True, shipped=True)
    db.session.commit()
    login(shopper)
    few = _count(count_queries, client, f"/orders/{small.number}")
    many = _count(count_queries, client, f"/orders/{large.number}")
    # The store settings, the user, the order, its items, its status history; the trusted hosts are kept.
    assert many == few and few <= 5, (few, many)


def test_the_shoppers_order_list_with_1_and_with_30_orders(client, login, shopper, factory, count_queries, db):
    factory.order(shopper)
    db.session.commit()
    login(shopper)
    few = _count(count_queries, client, "/orders")
    for _ in range(29):
        factory.order(shopper, paid=True)
    db.session.commit()
    many = _count(count_queries, client, "/orders")
    assert many == few and few <= 8, (few, many)


def test_the_api_order_with_1_and_with_30_items(client, factory, shopper, count_queries, db):
    small, large = factory.order(shopper, items=1), factory.order(shopper, items=30, paid=True, shipped=True)
    headers = {"Authorization": f"Bearer {factory.api_token()}"}
    db.session.commit()
    few = _count(count_queries, client, f"/api/v1/orders/{small.number}", headers=headers)
    many = _count(count_queries, client, f"/api/v1/orders/{large.number}", headers=headers)
    assert many == few and few <= 5, (few, many)


def test_the_merchant_statuses_page_with_a_few_and_with_30_more_statuses_in_use(client, login, factory, shopper,
                                                                                count_queries, db):
    admin = factory.user(role=Role.admin)
    db.session.commit()
    login(admin)
    few = _count(count_queries, client, "/merchant-admin/statuses")
    for n in range(30):
        status = factory.status(f"ETAPA {n}")
        factory.order(shopper, status=status.name, items=1)
    db.session.commit()
    many_page = client.get("/merchant-admin/statuses").get_data(as_text=True)
    assert "ETAPA 29" in many_page
    many = _count(count_queries, client, "/merchant-admin/statuses")
    assert many == few and few <= 6, (few, many)


def test_the_staff_queue_with_1_and_with_30_tickets(client, login, agent, make_ticket, count_queries, db):
    make_ticket()
    db.session.commit()
    login(agent)
    few = _count(count_queries, client, "/staff/")
    for _ in range(29):
        make_ticket()
    db.session.commit()
    many = _count(count_queries, client, "/staff/")
    filtered = _count(count_queries, client, "/staff/?assignee=unassigned&sort=newest&date_from=2020-01-01")
    # The saved views and the colleagues of the assignee filter are one query each; the views' counts ride
    # on the tab counts' statement.
    assert many == few and few <= 7 and filtered <= 8, (few, many, filtered)


def test_pages_reuse_their_compiled_statements(client, login, shopper, factory, db):
    """After one request, asking again compiles nothing new: each statement comes from the engine's cache."""
    order = factory.order(shopper, items=3, paid=True, shipped=True)
    db.session.commit()
    login(shopper)
    cache = db.engine._compiled_cache
    for path in (f"/orders/{order.number}", "/orders", f"/orders/{order.number}/help"):
        assert client.get(path).status_code == 200, path
        size = len(cache)
        for _ in range(3):
            client.get(path)
        assert len(cache) == size, path
