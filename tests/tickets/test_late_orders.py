"""Late orders: what counts as late, episodes, the carrier's deliveries, telling once, and fixed statement counts."""
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.models import AuthorKind, Order, OutboxItem, StoreSettings, Ticket, TicketReason, TrackingSnapshot
from portal.store.settings import settings_row
from portal.tickets import late_orders
from portal.tickets.mail import late_order_mail
from trackers import check_digit

pytestmark = pytest.mark.db

# 2026-11-18 is a Wednesday; 2026-11-20 (Consciência Negra) is a national holiday.
WED = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo


def s10(serial: str) -> str:
    return f"QB{serial}{check_digit(serial)}BR"


def event(when: str, code: str = "RO", description: str = "Objeto em trânsito - por favor aguarde") -> dict:
    return {"when": when, "description": description, "detail": None, "place": "CURITIBA / PR", "code": code,
            "destination": None}


def snapshot(db, code: str, *events) -> None:
    db.session.add(TrackingSnapshot(code=code, events=list(events), fetched_at=WED))
    db.session.flush()


def reload(db, order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


@pytest.fixture
def shipped(factory, shopper):
    def _make(code: str | None = None, status: str = "ENVIADO", shipped_at: datetime | None = None, **kw):
        order = factory.order(shopper, status=status, paid=True, shipped=True, shipping_code=code or s10("10000001"),
                              **kw)
        if shipped_at is not None:
            order.shipped_at = shipped_at
        factory.db.session.flush()
        return order
    return _make


def test_an_expected_date_before_the_stores_today_makes_the_order_late(db, shipped):
    late = shipped("https://example.com/r/1", expected_delivery_on=date(2026, 11, 17))
    due_today = shipped("https://example.com/r/2", expected_delivery_on=date(2026, 11, 18))
    finished = shipped("https://example.com/r/3", status="FINALIZADO", expected_delivery_on=date(2026, 11, 1))
    cancelled = shipped("https://example.com/r/4", status="CANCELADO", expected_delivery_on=date(2026, 11, 1))
    result = late_orders.scan(WED)
    assert result.started == 1
    late = reload(db, late)
    assert late.is_late and late.late_since == WED and late.late_reason == "expected_date"
    for order in (due_today, finished, cancelled):
        assert not reload(db, order).is_late


def test_the_expected_date_is_read_in_the_stores_time_zone(db, shipped):
    order = shipped("https://example.com/r/1", expected_delivery_on=date(2026, 11, 17))
    # 01:00 UTC on the 18th is still the 17th in São Paulo: the expected day has not passed there yet.
    late_orders.scan(datetime(2026, 11, 18, 1, 0, tzinfo=UTC))
    assert not reload(db, order).is_late
    late_orders.scan(datetime(2026, 11, 18, 3, 30, tzinfo=UTC))
    assert reload(db, order).is_late


def test_carrier_silence_counts_working_days_from_the_newest_event(db, shipped):
    code = s10("20000002")
    order = shipped(code, shipped_at=datetime(2026, 11, 10, 12, 0, tzinfo=UTC))
    # The newest event: Friday 2026-11-13 at 10:00 in São Paulo; three working days end on Wednesday at 10:00.
    snapshot(db, code, event("2026-11-13T10:00:00-03:00"), event("2026-11-11T09:00:00-03:00", "PO", "Objeto postado"))
    late_orders.scan(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))
    assert not reload(db, order).is_late
    late_orders.scan(datetime(2026, 11, 18, 14, 0, tzinfo=UTC))
    assert reload(db, order).late_reason == "carrier_quiet"


def test_a_holiday_does_not_count_as_a_quiet_working_day(db, shipped):
    code = s10("30000003")
    order = shipped(code, shipped_at=datetime(2026, 11, 17, 12, 0, tzinfo=UTC))
    snapshot(db, code, event("2026-11-18T10:00:00-03:00"))
    # Wed 14 h + Thu 24 h + (Fri 20 is a holiday, then the weekend) + Mon 24 h: 10 h short on Monday evening.
    late_orders.scan(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))
    assert not reload(db, order).is_late
    late_orders.scan(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    assert reload(db, order).is_late


def test_without_a_snapshot_the_shipping_date_starts_the_silence_and_the_merchant_sets_the_days(db, shipped):
    order = shipped(s10("40000004"), shipped_at=datetime(2026, 11, 16, 13, 0, tzinfo=UTC))  # Monday 10:00
    late_orders.scan(WED)
    assert not reload(db, order).is_late  # two working days of three
    settings_row().late_quiet_days = 2
    db.session.flush()
    late_orders.scan(WED)
    assert reload(db, order).late_reason == "carrier_quiet"


def test_a_code_that_is_not_a_correios_code_is_never_quiet(db, shipped):
    order = shipped("https://example.com/r/9", shipped_at=datetime(2026, 10, 1, tzinfo=UTC))
    late_orders.scan(WED)
    assert not reload(db, order).is_late


def test_a_delivery_in_the_snapshot_marks_the_order_and_it_is_not_late(db, shipped):
    code, returned_code = s10("50000005"), s10("50000006")
    order = shipped(code, shipped_at=datetime(2026, 11, 2, tzinfo=UTC))
    returned = shipped(returned_code, shipped_at=datetime(2026, 11, 2, tzinfo=UTC))
    snapshot(db, code, event("2026-11-06T14:40:00-03:00", "BDE", "Objeto entregue ao destinatário"),
             event("2026-11-04T09:00:00-03:00"))
    snapshot(db, returned_code, event("2026-11-06T14:40:00-03:00", "BDE", "Objeto entregue ao remetente"))
    result = late_orders.scan(WED)
    assert result.delivered == 1
    order, returned = reload(db, order), reload(db, returned)
    assert order.carrier_delivered_at == datetime(2026, 11, 6, 17, 40, tzinfo=UTC) and not order.is_late
    assert returned.carrier_delivered_at is None and returned.is_late


def test_the_episode_ends_when_the_order_is_finished_and_a_new_one_is_told_again(db, shipped):
    settings = settings_row()
    settings.late_emails_shopper = True
    order = shipped("https://example.com/r/1", expected_delivery_on=date(2026, 11, 17))
    late_orders.scan(WED)
    order = reload(db, order)
    assert order.late_notified_at == WED
    order.expected_delivery_on = date(2026, 11, 30)  # the back office promised a new date
    db.session.flush()
    late_orders.scan(WED + timedelta(hours=1))
    order = reload(db, order)
    assert (order.late_since, order.late_reason, order.late_notified_at) == (None, None, None)
    later = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    late_orders.scan(later)
    order = reload(db, order)
    assert order.late_since == later and order.late_notified_at == later
    keys = db.session.scalars(db.select(OutboxItem.key).where(OutboxItem.key.like(f"order-late:{order.number}:%")))
    assert len(set(keys)) == 2


def test_running_twice_opens_one_ticket_and_sends_one_mail(db, shipped, clock, attachments_dir):
    settings = settings_row()
    settings.late_opens_ticket = settings.late_emails_shopper = True
    order = shipped("https://example.com/r/1", expected_delivery_on=date(2026, 11, 17))
    first = late_orders.scan(WED)
    second = late_orders.scan(WED + timedelta(hours=1))
    assert (first.notified, second.notified, second.started) == (1, 0, 0)
    tickets = db.session.scalars(db.select(Ticket).where(Ticket.order_id == order.id)).all()
    assert len(tickets) == 1
    ticket = tickets[0]
    assert ticket.status.value == "open" and ticket.channel.code == "loja" and ticket.reason is None
    assert ticket.messages[0].author_kind is AuthorKind.system
    assert "atrasado" in ticket.messages[0].body_html
    assert ticket.events[0].data.get("proactive") is True
    mails = db.session.scalars(db.select(OutboxItem).where(OutboxItem.key.like("order-late:%"))).all()
    assert len(mails) == 1 and mails[0].payload["to"] == order.customer.email
    assert "Seu pedido" in mails[0].payload["subject"]
    text = late_order_mail(reload(db, order), ticket)["text"]
    assert "Seu pedido" in text and ticket.number in text and f"/orders/{order.number}" in text
    assert reload(db, order).late_notified_at == WED


def test_the_proactive_ticket_takes_a_late_delivery_reason_when_the_store_has_one(db, shipped, clock,
                                                                                attachments_dir):
    reason = TicketReason(code="atraso_na_entrega", label="Atraso na entrega", position=99, active=True)
    db.session.add(reason)
    settings_row().late_opens_ticket = True
    order = shipped("https://example.com/r/1", expected_delivery_on=date(2026, 11, 17))
    late_orders.scan(WED)
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.order_id == order.id))
    assert ticket.reason_id == reason.id


def test_nothing_is_told_when_the_store_has_not_asked_for_it(db, shipped):
    order = shipped("https://example.com/r/1", expected_delivery_on=date(2026, 11, 17))
    assert late_orders.scan(WED).notified == 0
    order = reload(db, order)
    assert order.is_late and order.late_notified_at is None
    assert db.session.scalar(db.select(Ticket.id).where(Ticket.order_id == order.id)) is None


def test_a_run_costs_the_same_statements_for_3_and_for_30_orders(db, shipped, count_queries):
    def fill(n: int, start: int):
        for i in range(n):
            code = s10(f"{start + i:08d}")
            shipped(code, shipped_at=datetime(2026, 11, 2, tzinfo=UTC), expected_delivery_on=date(2026, 11, 17)
                    if i % 2 else None)
            snapshot(db, code, event("2026-11-04T09:00:00-03:00"))

    fill(3, 60000000)
    db.session.expire_all()  # each run starts from nothing loaded, as the task's own session does
    with count_queries() as few:
        late_orders.scan(WED)
    late_orders.scan(WED)  # nothing changes: the same statements
    db.session.execute(db.update(Order).values(late_since=None, late_reason=None))
    fill(27, 61000000)
    db.session.expire_all()
    with count_queries() as many:
        late_orders.scan(WED)
    assert len(many) == len(few), (len(few), len(many))
    assert db.session.scalar(db.select(db.func.count()).select_from(Order).where(Order.late_since.is_not(None))) == 30


def test_the_task_commits_its_work(db, shipped, app):
    order = shipped("https://example.com/r/1", expected_delivery_on=date(2020, 1, 1))
    db.session.commit()
    assert late_orders.check_late_orders.call_local() == 1
    assert reload(db, order).is_late
    assert StoreSettings.get().late_quiet_days == 3
