"""Order-update e-mails through the outbox and a real SMTP server: the timeline drawn, once per event,
the merchant's switches, and the one-click unsubscribe."""
import re
from datetime import UTC, datetime

import pytest

from portal.core import outbox
from portal.models import OutboxItem, Role, User
from portal.orders import carrier_delivery
from portal.orders import mail as order_mail
from portal.orders.intake import change_order_status, require_status
from portal.store.settings import settings_row

pytestmark = pytest.mark.db

CORREIOS = "SS123456785BR"


def _keys(db, like="order-%"):
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxItem.key).where(OutboxItem.key.like(like))))


def _ship(db, order, code=CORREIOS):
    order.paid_at = order.placed_at
    order.shipped_at = datetime(2026, 11, 5, 12, tzinfo=UTC)
    order.shipping_code = code
    change_order_status(order, require_status("ENVIADO"), source="test")
    db.session.commit()


@pytest.fixture
def shopper(factory):
    return factory.user(Role.customer, name="Maria Souza", locale="pt_BR")


@pytest.fixture
def paid_order(factory, shopper):
    return factory.order(shopper, "A ENVIAR", paid=True)


def test_shipped_is_mailed_once_in_portuguese_with_the_timeline_and_the_portals_tracking_page(
        db, smtp, paid_order):
    _ship(db, paid_order)
    (message,) = smtp.inbox.wait_for(1, timeout=5)
    assert message["Subject"].startswith(f"Seu pedido {paid_order.number}")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "[x] Pedido enviado" in text and "[>] Pedido entregue" in text
    assert 'data-step="shipped" data-state="done"' in html and 'data-step="delivered" data-state="current"' in html
    assert f"://portal.test/orders/{paid_order.number}/tracking\"" in html and CORREIOS in text
    assert "<img" not in html and "<script" not in html and "class=" not in html
    assert re.match(r"<https?://portal.test/unsubscribe/[^>]+>\Z", message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The same status again, the same facts again, the delivery run twice: nothing more.
    assert change_order_status(paid_order, require_status("ENVIADO"), source="test") is False
    (item,) = db.session.scalars(db.select(OutboxItem).where(OutboxItem.key == f"order-shipped:{paid_order.number}"))
    db.session.commit()
    assert outbox.deliver.call_local(item.id) is False
    assert len(smtp.messages) == 1 and _keys(db) == [f"order-shipped:{paid_order.number}"]


def test_delivered_and_cancelled_in_english(db, smtp, factory):
    reader = factory.user(Role.customer, name="Joan", locale="en")
    order = factory.order(reader, "ENVIADO", paid=True, shipped=True, shipping_code=CORREIOS)
    change_order_status(order, require_status("FINALIZADO"), source="test")
    other = factory.order(reader, "A ENVIAR", paid=True)
    change_order_status(other, require_status("CANCELADO"), source="test")
    db.session.commit()
    messages = smtp.inbox.wait_for(2, timeout=5)
    subjects = sorted(message["Subject"] for message in messages)
    assert subjects[0].startswith(f"Your order {order.number} was delivered")
    assert subjects[1].startswith(f"Your order {other.number} was cancelled")
    cancelled = next(m for m in messages if other.number in m["Subject"]).get_body(("plain",)).get_content()
    assert "[x] Order cancelled" in cancelled and "Order shipped" not in cancelled
    delivered = next(m for m in messages if order.number in m["Subject"]).get_body(("html",)).get_content()
    assert 'data-step="delivered" data-state="done"' in delivered


@pytest.mark.parametrize(("code", "url", "as_text"), [
    ("https://rastreio.example.com/r/1", "https://rastreio.example.com/r/1", False),
    ("http://rastreio.example.com/r/1", None, True),
    ("XYZ-123", None, True),
])
def test_a_tracking_link_is_a_link_only_when_https(db, factory, shopper, code, url, as_text):
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=code)
    mail = order_mail.order_mail(order, "shipped")
    if url:
        assert f'href="{url}"' in mail["html"] and url in mail["text"]
    if as_text:
        assert f"Código de rastreio: {code}" in mail["text"] and f'href="{code}"' not in mail["html"]


def test_the_carriers_delivery_mails_delivered_once_and_the_stores_finish_adds_nothing(db, smtp, factory, shopper):
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=CORREIOS)
    db.session.commit()
    events = [{"when": "2026-11-06T14:40:00-03:00", "code": "BDE", "description": "Objeto entregue ao destinatário"}]
    assert carrier_delivery.record(CORREIOS, events) == 1
    db.session.commit()
    change_order_status(order, require_status("FINALIZADO"), source="test")
    db.session.commit()
    assert _keys(db) == [f"order-delivered:{order.number}"]
    assert len(smtp.inbox.wait_for(1, timeout=5)) == 1


def test_a_switch_off_queues_nothing(db, smtp, paid_order):
    settings_row().mail_order_shipped = False
    _ship(db, paid_order)
    assert _keys(db) == []


def test_an_unsubscribed_shopper_gets_no_order_mail_and_the_late_mail_follows_the_same_rules(db, factory, shopper):
    from portal.tickets import late_orders
    shopper.order_mail_off = True
    order = factory.order(shopper, "A ENVIAR", paid=True)
    _ship(db, order)
    settings = settings_row()
    settings.late_emails_shopper = True
    order.late_since = datetime(2026, 11, 20, tzinfo=UTC)
    db.session.flush()
    assert late_orders.notify(order, settings, datetime(2026, 11, 20, tzinfo=UTC)) == 1
    assert _keys(db) == []
    shopper.order_mail_off = False
    order.late_notified_at = None
    db.session.flush()
    late_orders.notify(order, settings, datetime(2026, 11, 20, tzinfo=UTC))
    (key,) = _keys(db)
    assert key.startswith(f"order-late:{order.number}:")
    mail = order_mail.order_mail(order, "late")
    assert "List-Unsubscribe" in mail["headers"] and "[x] Pedido enviado" in mail["text"]


def test_one_click_post_unsubscribes_without_csrf_or_login(app, db, client, shopper):
    token = order_mail.token_for(shopper)
    db.session.commit()
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "data-unsubscribed" in response.get_data(as_text=True)
    assert db.session.get(User, shopper.id, populate_existing=True).order_mail_off is True


def test_get_only_asks_and_the_button_needs_its_csrf_token(app, db, client, shopper, csrf_from):
    token = order_mail.token_for(shopper)
    db.session.commit()
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "data-unsubscribe-form" in page.get_data(as_text=True)
    assert db.session.get(User, shopper.id, populate_existing=True).order_mail_off is False
    assert client.post(f"/unsubscribe/{token}/confirm").status_code == 400
    assert client.post(f"/unsubscribe/{token}").status_code == 400  # no one-click body: nothing
    assert db.session.get(User, shopper.id, populate_existing=True).order_mail_off is False
    done = client.post(f"/unsubscribe/{token}/confirm", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert done.status_code == 200
    assert db.session.get(User, shopper.id, populate_existing=True).order_mail_off is True


def test_a_tampered_token_is_a_clear_404(app, db, client, shopper):
    token = order_mail.token_for(shopper)
    db.session.commit()
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" * 300, "nothing"):
        response = client.post(f"/unsubscribe/{bad}", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 404
        assert client.get(f"/unsubscribe/{bad}").status_code == 404
    assert db.session.get(User, shopper.id, populate_existing=True).order_mail_off is False


def test_the_account_page_shows_the_choice_and_turns_order_mail_back_on(app, db, client, login, shopper, csrf_from):
    shopper.order_mail_off = True
    db.session.commit()
    login(shopper)
    page = client.get("/account").get_data(as_text=True)
    assert 'data-order-mail="off"' in page
    response = client.post("/account/order-mail", data={"csrf_token": csrf_from(page), "on": "1"})
    assert response.status_code == 303
    assert db.session.get(User, shopper.id, populate_existing=True).order_mail_off is False
    assert 'data-order-mail="on"' in client.get("/account").get_data(as_text=True)


def test_the_one_click_route_is_the_only_view_exempt_from_csrf(app):
    from portal.extensions import csrf
    assert csrf._exempt_views == {"portal.web.customer.unsubscribe.unsubscribe"}


def test_a_store_without_its_settings_row_mails_by_the_defaults(db, factory, shopper):
    from portal.models import StoreSettings
    db.session.execute(db.delete(StoreSettings))
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=CORREIOS)
    assert order_mail.wanted(order, "shipped") is True
    assert order_mail.wanted(order, "late") is False  # the late mail was always opt-in
