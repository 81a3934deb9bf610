"""The order's full history: one list, newest first, for the shopper (order page) and the staff (workspace)."""
import re
from datetime import UTC, datetime, timedelta

import pytest

import trackers
from portal.models import OrderStatusChange, Role, TicketMessage, TrackingSnapshot, Visibility
from portal.models.base import utcnow
from portal.orders import statuses, tracking, tracking_refresh
from portal.orders.timeline import build_timeline
from portal.tickets import lifecycle as tickets
from portal.tickets.order_history import build_history

pytestmark = pytest.mark.db

CODE = "AA123456785BR"
SMALL_CODE = f"AB12345678{trackers.check_digit('12345678')}BR"  # no snapshot stored
NOTE = "Cliente VIP, checar com a transportadora"
MARKETPLACE_ONLY = "Aviso só para o marketplace sobre o prazo"
STORE_ANSWER = "Seu pedido já está a caminho"
PLACED = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
EVENTS = [  # newest first, as the client stores them
    {"when": "2026-11-05T14:40:00-03:00", "description": "Objeto entregue ao destinatário",
     "detail": "Recebido por: J. S.", "place": "SAO PAULO - SP", "code": "BDE", "destination": None},
    {"when": "2026-11-04T09:15:00-03:00", "description": "Objeto postado", "detail": None,
     "place": "CURITIBA - PR", "code": "PO", "destination": None},
]


def _pt(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt-BR"


@pytest.fixture
def story(factory, db):
    """A marketplace order paid, invoiced, shipped by Correios (events stored), with a ticket of four messages."""
    shopper = factory.user(name="Joana Lima")
    agent = factory.user(role=Role.agent, name="Ana Agente")
    channel = factory.channel()
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=CODE, placed_at=PLACED,
                          invoice_url="https://nfe.example.com/5001.pdf", carrier="Correios", channel=channel)
    db.session.add(OrderStatusChange(order=order, from_status_id=statuses.get_status("AGUARDANDO PAGAMENTO").id,
                                     to_status=order.status, source="test", changed_at=PLACED + timedelta(days=1)))
    db.session.add(TrackingSnapshot(code=CODE, events=EVENTS, error=None, fetched_at=utcnow()))
    ticket = tickets.create_channel_ticket(order, channel, "Prazo", "Comprador pergunta pela entrega.", "ML-1")
    tickets.reply_as_staff(ticket, agent, STORE_ANSWER, Visibility.customer, expected_version=None)
    tickets.reply_as_staff(ticket, agent, NOTE, Visibility.internal, expected_version=None)
    tickets.reply_as_staff(ticket, agent, MARKETPLACE_ONLY, Visibility.marketplace, expected_version=None)
    db.session.commit()
    return order, ticket, shopper, agent


def _section(html: str) -> str:
    start = html.index("data-full-history")
    return html[start:html.index("</details>", start)]


def test_the_shopper_sees_one_list_newest_first_with_every_kind(client, login, story):
    order, ticket, shopper, _agent = story
    login(shopper)
    _pt(client)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    section = _section(html)
    assert "Histórico completo" in section
    kinds = re.findall(r'data-history-entry="(\w+)"', section)
    assert set(kinds) == {"placed", "status", "paid", "shipped", "carrier", "message"}
    times = [datetime.fromisoformat(t) for t in re.findall(
        r'class="full-history__when">\s*<time datetime="([^"]+)"', section)]
    assert len(times) == len(kinds) and times == sorted(times, reverse=True)
    assert kinds[-1] == "placed"
    assert "Nota fiscal 12345" in section and 'href="https://nfe.example.com/5001.pdf"' in section
    assert "Transportadora: Correios" in section and CODE in section
    assert "Objeto postado" in section and "CURITIBA - PR" in section
    assert STORE_ANSWER in section and f'href="/tickets/{ticket.number}"' in section
    # The status is shown with its typed step.
    assert 'data-step-type="in_progress"' in section and "ENVIADO" in section


def test_a_delivered_carrier_event_shows_as_reported_by_the_carrier(client, login, story):
    order, _ticket, shopper, _agent = story
    login(shopper)
    _pt(client)
    section = _section(client.get(f"/orders/{order.number}").get_data(as_text=True))
    delivered = re.search(r"<li[^>]*data-by-carrier[^>]*>(.*?)</li>", section, re.S).group(1)
    assert "Entregue pelos Correios em 05/11/2026 14:40" in delivered
    assert "Informado pela transportadora." in delivered


def test_the_shopper_never_sees_internal_notes_or_marketplace_only_messages(client, login, story):
    order, _ticket, shopper, _agent = story
    login(shopper)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert NOTE not in html and MARKETPLACE_ONLY not in html
    assert 'data-history-visibility="internal"' not in html and 'data-history-visibility="marketplace"' not in html


def test_the_staff_see_the_same_history_with_notes_and_marketplace_messages_marked(client, login, story):
    order, ticket, _shopper, agent = story
    login(agent)
    _pt(client)
    html = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    section = _section(html)
    note = re.search(r'<li[^>]*data-history-visibility="internal"[^>]*>(.*?)</li>', section, re.S).group(1)
    only = re.search(r'<li[^>]*data-history-visibility="marketplace"[^>]*>(.*?)</li>', section, re.S).group(1)
    assert NOTE in note and "Nota interna" in note
    assert MARKETPLACE_ONLY in only and "Só para o marketplace" in only
    assert f'href="/staff/tickets/{ticket.number}"' in section
    assert "Entregue pelos Correios em" in section and STORE_ANSWER in section


def test_dates_follow_the_store_time_zone_and_the_shoppers_language(client, login, story):
    order, _ticket, shopper, _agent = story
    login(shopper)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    section = _section(client.get(f"/orders/{order.number}").get_data(as_text=True))
    # Paid at 17:30 UTC is 14:30 in São Paulo.
    assert "Full history" in section
    assert re.search(r'<li[^>]*data-history-entry="paid"[^>]*>\s*<p class="full-history__when">\s*<time '
                     r'datetime="2026-11-02T17:30:00\+00:00">11/2/26, 2:30\s?PM</time>', section)
    _pt(client)
    section = _section(client.get(f"/orders/{order.number}").get_data(as_text=True))
    assert ">02/11/2026 14:30</time>" in section


def test_a_stale_snapshot_is_shown_and_the_worker_is_asked_without_calling_correios(app, client, login, story, db,
                                                                                    monkeypatch, httpserver):
    from portal.core import queue

    order, _ticket, shopper, _agent = story
    tracking._client.cache_clear()
    for key, value in {"CORREIOS_BASE_URL": httpserver.url_for("/").rstrip("/"), "CORREIOS_USER": "demo",
                       "CORREIOS_ACCESS_CODE": "secret", "CORREIOS_CONTRACT_CARD": "0067599079",
                       "CORREIOS_CACHE_MINUTES": 30}.items():
        monkeypatch.setitem(app.config, key, value)
    snapshot = db.session.get(TrackingSnapshot, CODE)
    snapshot.fetched_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    queue.huey.flush()
    tracking_refresh._asked.clear()
    queue.huey.immediate = False
    try:
        login(shopper)
        _pt(client)
        section = _section(client.get(f"/orders/{order.number}").get_data(as_text=True))
        assert "Objeto postado" in section and "data-carrier-refreshing" in section
        assert "sendo atualizada" in section
        assert len(httpserver.log) == 0
        assert queue.huey.pending_count() == 1
    finally:
        queue.huey.flush()
        queue.huey.immediate = True
        tracking_refresh._asked.clear()
        tracking._client.cache_clear()


def test_an_order_without_snapshot_or_tickets_still_has_its_history(client, login, factory, db):
    shopper = factory.user()
    order = factory.order(shopper, "A ENVIAR", paid=True)
    db.session.commit()
    login(shopper)
    section = _section(client.get(f"/orders/{order.number}").get_data(as_text=True))
    assert re.findall(r'data-history-entry="(\w+)"', section) == ["paid", "placed"]
    assert "data-carrier-refreshing" not in section


def test_the_history_never_says_more_than_the_timeline(factory, db):
    """A status still waiting for the payment hides the payment date, as the timeline does."""
    order = factory.order(factory.user(), "AGUARDANDO PAGAMENTO", paid=True, shipped=True, shipping_code=CODE)
    history = build_history(order, build_timeline(order))
    assert [entry.kind for entry in history.entries] == ["placed"]


def test_the_carrier_reported_delivery_is_listed_without_a_snapshot(factory, db):
    order = factory.order(factory.user(), "ENVIADO", paid=True, shipped=True, shipping_code="TRANSP-1")
    order.carrier_delivered_at = order.shipped_at + timedelta(days=2)
    history = build_history(order, build_timeline(order))
    assert history.entries[0].kind == "carrier" and history.entries[0].delivered


def test_the_order_page_runs_the_same_queries_with_few_and_many_events_and_messages(client, login, factory, db,
                                                                                   count_queries, story):
    order, ticket, shopper, agent = story
    small = factory.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=SMALL_CODE)
    for n in range(30):
        tickets.reply_as_staff(ticket, agent, f"Resposta {n}", Visibility.customer, expected_version=None)
        db.session.add(OrderStatusChange(order=order, to_status=order.status, source="test",
                                         changed_at=PLACED + timedelta(hours=n)))
    db.session.get(TrackingSnapshot, CODE).events = EVENTS * 15
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(TicketMessage.id))) >= 34
    login(shopper)

    def count(number):
        client.get(f"/orders/{number}")
        with count_queries() as statements:
            assert client.get(f"/orders/{number}").status_code == 200
        return len(statements)

    few, many = count(small.number), count(order.number)
    assert few == many, (few, many)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert html.count('data-history-entry="message"') == 32 and html.count('data-history-entry="carrier"') == 30


def test_the_workspace_runs_the_same_queries_with_few_and_many_messages(client, login, factory, db, count_queries,
                                                                       story):
    order, ticket, shopper, agent = story
    other = tickets.create_channel_ticket(order, order.channel, "Outro", "Mais uma pergunta.", "ML-2")
    db.session.commit()
    login(agent)

    def count():
        client.get(f"/staff/tickets/{ticket.number}")
        with count_queries() as statements:
            assert client.get(f"/staff/tickets/{ticket.number}").status_code == 200
        return len(statements)

    few = count()
    for n in range(30):
        tickets.reply_as_staff(other, agent, f"Nota {n}", Visibility.internal, expected_version=None)
    db.session.commit()
    assert count() == few
