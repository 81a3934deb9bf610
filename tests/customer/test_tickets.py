"""The shopper's tickets: help page, opening with attachments, the thread, replies, closing, downloads."""
import io
import re
from datetime import timedelta

import pytest
from flask import g, request_started

from portal.extensions import db as _db
from portal.models import TicketReason, TicketStatus, TrackingSnapshot, Visibility
from portal.models.base import utcnow
from portal.orders import tracking
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English, the language of the msgids these tests look for."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
CODE = "AA123456785BR"


@pytest.fixture
def shopper(factory, login):
    user = factory.user(name="Joana Lima")
    login(user)
    return user


def where_is_my_order(db):
    return db.session.scalar(db.select(TicketReason).where(TicketReason.code == "onde_esta_meu_pedido"))


@pytest.fixture
def reason(db):
    return db.session.scalars(db.select(TicketReason).order_by(TicketReason.position)).first()


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """Give every request an empty `g`, as a real server does (the db fixture keeps one app context pushed)."""
    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@pytest.fixture(autouse=True)
def no_correios(app, monkeypatch):
    monkeypatch.setitem(app.config, "CORREIOS_BASE_URL", "")
    tracking._client.cache_clear()


def open_via_form(client, csrf_from, order, chosen, files=(), **fields):
    _db.session.commit()
    page = client.get(f"/orders/{order.number}/help")
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)), "reason": str(chosen.id),
            "subject": "Produto veio quebrado", "body": "A caixa chegou amassada.", **fields}
    data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/orders/{order.number}/help", data=data, content_type="multipart/form-data")


def test_order_page_links_to_help(client, shopper, factory):
    order = factory.order(shopper)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f'href="/orders/{order.number}/help"' in html and "I need help with this order" in html


def test_help_page_shows_cached_tracking_first_without_calling_correios(client, shopper, factory, db):
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=CODE)
    db.session.add(TrackingSnapshot(code=CODE, fetched_at=utcnow(), events=[
        {"when": "2026-11-03T09:15:00", "description": "Objeto postado", "place": "CURITIBA/PR"},
        {"when": "2026-11-05T14:40:00", "description": "Objeto saiu para entrega", "place": "SAO PAULO/SP"},
    ]))
    db.session.commit()
    delivery = where_is_my_order(db)
    html = client.get(f"/orders/{order.number}/help?reason={delivery.id}").get_data(as_text=True)
    assert html.index("data-help-tracking") < html.index("data-need-help")
    assert "Objeto saiu para entrega" in html and "I still need help" in html
    form = client.get(f"/orders/{order.number}/help?reason={delivery.id}&need_help=1").get_data(as_text=True)
    assert "data-ticket-form" in form and 'enctype="multipart/form-data"' in form


def test_help_page_with_a_cold_cache_shows_what_is_known(client, shopper, factory, db):
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=CODE)
    html = client.get(f"/orders/{order.number}/help?reason={where_is_my_order(db).id}").get_data(as_text=True)
    assert "Not loaded yet" in html and "data-expected-delivery" in html


def test_help_page_asks_for_the_reason_first(client, shopper, factory, db):
    order = factory.order(shopper)
    html = client.get(f"/orders/{order.number}/help").get_data(as_text=True)
    assert "data-reason-picker" in html and "data-ticket-form" not in html
    assert f'value="{where_is_my_order(db).id}"' in html


def test_open_a_ticket_with_an_attachment(client, shopper, factory, reason, csrf_from, db):
    order = factory.order(shopper)
    response = open_via_form(client, csrf_from, order, reason, files=[("foto.png", PNG)])
    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[1]
    html = client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "A caixa chegou amassada." in html and "foto.png" in html
    link = re.search(r'href="(/tickets/attachments/\d+)"', html).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert number in client.get("/tickets").get_data(as_text=True)


@pytest.mark.parametrize("fields, files", [
    ({"subject": ""}, []),
    ({"body": ""}, []),
    ({"subject": "x" * 201}, []),
    ({"reason": "999999"}, []),
    ({}, [("virus.exe", b"MZ\x90\x00" * 10)]),
    ({}, [(f"f{i}.png", PNG) for i in range(6)]),
])
def test_bad_ticket_input_rerenders_and_saves_nothing(client, shopper, factory, reason, csrf_from, db, fields, files):
    from portal.models import Ticket
    order = factory.order(shopper)
    response = open_via_form(client, csrf_from, order, reason, files=files, **fields)
    assert response.status_code == 422
    assert "field--invalid" in response.get_data(as_text=True) or "data-form-error" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Ticket).where(Ticket.order_id == order.id)) is None


def test_other_shoppers_get_404_for_ticket_and_attachment(client, factory, login, reason, csrf_from):
    owner = factory.user()
    login(owner)
    order = factory.order(owner)
    opened = open_via_form(client, csrf_from, order, reason, files=[("a.png", PNG)])
    number = opened.headers["Location"].rsplit("/", 1)[1]
    thread = client.get(f"/tickets/{number}").get_data(as_text=True)
    link = re.search(r'href="(/tickets/attachments/\d+)"', thread).group(1)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/orders").get_data(as_text=True))})
    login(factory.user())
    assert client.get(f"/tickets/{number}").status_code == 404
    assert client.get(link).status_code == 404
    assert client.get("/tickets/00000000000").status_code == 404
    assert client.get(f"/orders/{order.number}/help").status_code == 404
    assert number not in client.get("/tickets").get_data(as_text=True)


def test_shopper_never_sees_internal_or_marketplace_messages(client, shopper, factory, reason, db):
    agent = factory.user(role=__import__("portal.models", fromlist=["Role"]).Role.agent)
    ticket = tickets.open_ticket(factory.order(shopper, channel=factory.channel()), shopper, reason.id, "Assunto", "Oi")
    tickets.reply_as_staff(ticket, agent, "NOTA INTERNA", Visibility.internal, expected_version=ticket.version)
    tickets.reply_as_staff(ticket, agent, "SO MARKETPLACE", Visibility.marketplace, expected_version=ticket.version)
    tickets.reply_as_staff(ticket, agent, "PARA O CLIENTE", Visibility.customer, expected_version=ticket.version)
    db.session.commit()
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "PARA O CLIENTE" in html
    assert "NOTA INTERNA" not in html and "SO MARKETPLACE" not in html


def test_reply_reopens_a_waiting_ticket_and_close(client, shopper, factory, reason, csrf_from, db):
    agent = factory.user(role=__import__("portal.models", fromlist=["Role"]).Role.agent)
    ticket = tickets.open_ticket(factory.order(shopper), shopper, reason.id, "Assunto", "Oi")
    tickets.reply_as_staff(ticket, agent, "Resposta", Visibility.customer, expected_version=ticket.version)
    db.session.commit()
    token = csrf_from(client.get(f"/tickets/{ticket.number}").get_data(as_text=True))
    assert client.post(f"/tickets/{ticket.number}/reply", data={"csrf_token": token, "body": ""}).status_code == 422
    assert client.post(f"/tickets/{ticket.number}/reply",
                       data={"csrf_token": token, "body": "Ainda não chegou"}).status_code == 302
    db.session.refresh(ticket)
    assert ticket.status is TicketStatus.open
    assert client.post(f"/tickets/{ticket.number}/close", data={"csrf_token": token}).status_code == 302
    db.session.refresh(ticket)
    assert ticket.status is TicketStatus.closed


def test_old_closed_ticket_offers_a_new_ticket(client, shopper, factory, reason, db):
    ticket = tickets.open_ticket(factory.order(shopper), shopper, reason.id, "Assunto", "Oi")
    tickets.close_ticket(ticket, shopper)
    ticket.closed_at = utcnow() - timedelta(days=15)
    db.session.commit()
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "data-new-ticket" in html and "data-reply-form" not in html
    assert f'href="/orders/{ticket.order.number}/help"' in html


def test_large_attachments_are_accepted_and_too_large_ones_explained(client, shopper, factory, reason, csrf_from, db):
    order = factory.order(shopper)
    big = PNG + b"\x00" * (3 * 1024 * 1024)
    assert open_via_form(client, csrf_from, order, reason, files=[("grande.png", big)]).status_code == 302
    huge = PNG + b"\x00" * (10 * 1024 * 1024)
    response = open_via_form(client, csrf_from, order, reason, files=[("enorme.png", huge)],
                             body="Texto que fica")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "larger than 10 MB" in html and "Texto que fica" in html
