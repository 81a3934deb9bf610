"""Late orders in the staff area: the queue's filter and badge, the workspace, and the carrier-delivered list."""
from datetime import UTC, datetime, timedelta

import pytest

from portal.models import Order, Ticket
from portal.models.base import utcnow
from portal.store.settings import settings_row
from portal.tickets import late_orders
from portal.tickets.queue import QueueFilters, queue_page, tab_counts

pytestmark = pytest.mark.db


def _late(order: Order, reason: str = "expected_date") -> Order:
    order.late_since, order.late_reason = utcnow() - timedelta(days=1), reason
    return order


def _count(count_queries, client, path):
    client.get(path)
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements), response.get_data(as_text=True)


def test_the_late_filter_keeps_the_tickets_of_late_orders_with_a_badge(client, login, agent, make_ticket, db):
    late = make_ticket(subject="Cadê meu pedido")
    _late(late.order)
    on_time = make_ticket(subject="Nota fiscal")
    db.session.commit()
    login(agent)
    everything = client.get("/staff/").get_data(as_text=True)
    assert f'data-ticket="{late.number}"' in everything and f'data-ticket="{on_time.number}"' in everything
    row = everything.split(f'data-ticket="{late.number}"')[1].split("</tr>")[0]
    assert "data-late" in row and "Late order" in row
    assert "data-late" not in everything.split(f'data-ticket="{on_time.number}"')[1].split("</tr>")[0]
    only = client.get("/staff/?late=1").get_data(as_text=True)
    assert f'data-ticket="{late.number}"' in only and f'data-ticket="{on_time.number}"' not in only
    assert 'name="late" value="1" checked' in only


def test_the_filter_survives_paging_and_tabs(db):
    filters = QueueFilters.from_args({"late": "1", "page": "2"})
    assert filters.late and filters.to_args() == {"tab": "open", "late": "1", "page": 2}
    assert not QueueFilters.from_args({"late": "yes"}).late


def test_the_late_filter_costs_no_statement_more_for_more_tickets(db, agent, make_ticket, count_queries):
    for _ in range(2):
        _late(make_ticket().order)
    make_ticket()

    def page_statements(per_page):
        db.session.expire_all()
        agent.role  # noqa: B018
        filters = QueueFilters.from_args({"late": "1"})
        with count_queries() as statements:
            page = queue_page(filters, agent, per_page, tab_counts(filters, agent))
            shown = [t.order.late_since for t in page.items]
        return len(statements), shown

    small, large = page_statements(1), page_statements(50)
    assert small[0] == large[0] == 2 and len(large[1]) == 2 and all(large[1])


def test_the_queue_page_with_late_tickets_runs_as_many_statements_as_without(client, login, agent, make_ticket,
                                                                               count_queries, db):
    make_ticket()
    db.session.commit()
    login(agent)
    few, _ = _count(count_queries, client, "/staff/?late=1")
    for _ in range(12):
        _late(make_ticket().order)
    db.session.commit()
    many, html = _count(count_queries, client, "/staff/?late=1")
    assert many == few and html.count("data-late>") == 12


def test_the_workspace_shows_the_late_badge_and_a_proactive_ticket(client, login, agent, factory, shopper, db,
                                                                    app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path))
    settings_row().late_opens_ticket = True
    order = factory.order(shopper, status="ENVIADO", paid=True, shipped=True, shipping_code="https://e.example/1",
                          expected_delivery_on=(utcnow() - timedelta(days=3)).date())
    late_orders.scan()
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.order_id == order.id))
    db.session.commit()
    login(agent)
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert "data-late>" in html and "expected date passed" in html and "data-proactive" in html
    assert "Opened by the store" in html


def test_the_carrier_delivered_list_shows_open_orders_only(client, login, agent, factory, shopper, db,
                                                           count_queries):
    when = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    still_open = factory.order(shopper, status="ENVIADO", paid=True, shipped=True, shipping_code="AA123456785BR",
                               carrier_delivered_at=when)
    closed = factory.order(shopper, status="FINALIZADO", paid=True, shipped=True, carrier_delivered_at=when)
    not_delivered = factory.order(shopper, status="ENVIADO", paid=True, shipped=True)
    db.session.commit()
    login(agent)
    few, html = _count(count_queries, client, "/staff/carrier-delivered")
    assert f'data-order="{still_open.number}"' in html and "AA123456785BR" in html
    assert f'data-order="{closed.number}"' not in html and f'data-order="{not_delivered.number}"' not in html
    assert "data-carrier-delivered-nav" in html
    for n in range(30):
        factory.order(shopper, status="ENVIADO", paid=True, shipped=True,
                      carrier_delivered_at=when + timedelta(minutes=n))
    db.session.commit()
    many, html = _count(count_queries, client, "/staff/carrier-delivered")
    assert many == few and html.count('class="queue__row"') == 25 and 'rel="next"' in html
    second = client.get("/staff/carrier-delivered?page=2").get_data(as_text=True)
    assert second.count('class="queue__row"') == 6
    assert client.get("/staff/carrier-delivered?page=0").status_code == 404
