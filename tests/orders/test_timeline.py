"""The timeline table of DESIGN.md section 3, row by row, without a database."""
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from portal.models import OrderStatus, StatusType
from portal.orders.timeline import build_timeline

PLACED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
PAID = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
SHIPPED = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
CHANGED = datetime(2026, 11, 6, 18, 0, tzinfo=UTC)

A_ENVIAR = OrderStatus(id=2, name="A ENVIAR", is_builtin=True, type=StatusType.in_progress)
AWAITING = OrderStatus(id=1, name="AGUARDANDO PAGAMENTO", is_builtin=True, type=StatusType.in_progress)
SENT = OrderStatus(id=3, name="ENVIADO", is_builtin=True, type=StatusType.in_progress)
FINALIZADO = OrderStatus(id=4, name="FINALIZADO", is_builtin=True, type=StatusType.completed)
CANCELADO = OrderStatus(id=5, name="CANCELADO", is_builtin=True, type=StatusType.cancelled)
UNTYPED = OrderStatus(id=6, name="EM SEPARAÇÃO", type=None)
DELIVERED_EXTRA = OrderStatus(id=7, name="ENTREGUE AO CLIENTE", type=StatusType.completed)
CANCELLED_EXTRA = OrderStatus(id=8, name="ESTORNADO", type=StatusType.cancelled)


def make_order(status, paid=False, shipped_at=False, code=None, invoice_url=None, carrier_delivered=None):
    return SimpleNamespace(carrier_delivered_at=carrier_delivered,
        status=status, status_id=status.id, placed_at=PLACED, paid_at=PAID if paid else None,
        shipped_at=SHIPPED if shipped_at else None, shipping_code=code, invoice_url=invoice_url,
        has_invoice_link=paid and bool(invoice_url),
        history=[SimpleNamespace(to_status_id=status.id, changed_at=CHANGED)],
    )


def states(order, hosts=()):
    return [(step.name, step.state) for step in build_timeline(order, hosts)]


@pytest.mark.parametrize("order, expected", [
    pytest.param(make_order(AWAITING), [
        ("placed", "done"), ("paid", "current"), ("shipped", "pending"), ("delivered", "pending"),
    ], id="placed only"),
    pytest.param(make_order(A_ENVIAR, paid=True), [
        ("placed", "done"), ("paid", "done"), ("shipped", "current"), ("delivered", "pending"),
    ], id="paid"),
    pytest.param(make_order(SENT, paid=True, shipped_at=True), [
        ("placed", "done"), ("paid", "done"), ("shipped", "current"), ("delivered", "pending"),
    ], id="shipping date without code is not shipped"),
    pytest.param(make_order(SENT, paid=True, code="SS123456785BR"), [
        ("placed", "done"), ("paid", "done"), ("shipped", "current"), ("delivered", "pending"),
    ], id="shipping code without date is not shipped"),
    pytest.param(make_order(SENT, paid=True, shipped_at=True, code="SS123456785BR"), [
        ("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "current"),
    ], id="shipped needs date and code"),
    pytest.param(make_order(SENT, shipped_at=True, code="SS123456785BR"), [
        ("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "current"),
    ], id="an earlier step shows done when a later one is"),
    pytest.param(make_order(FINALIZADO), [
        ("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "done"),
    ], id="FINALIZADO means delivered"),
    pytest.param(make_order(DELIVERED_EXTRA, paid=True), [
        ("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "done"),
    ], id="a completed type means delivered"),
    pytest.param(make_order(UNTYPED, paid=True), [
        ("placed", "done"), ("paid", "done"), ("shipped", "current"), ("delivered", "pending"),
    ], id="an untyped status counts as in progress"),
    pytest.param(make_order(CANCELADO), [("placed", "done"), ("cancelled", "done")],
                 id="cancelled replaces the steps not reached"),
    pytest.param(make_order(CANCELLED_EXTRA, paid=True), [("placed", "done"), ("paid", "done"), ("cancelled", "done")],
                 id="a cancelled type after payment keeps the paid step"),
])
def test_timeline_table(order, expected):
    assert states(order) == expected


def test_dates_come_from_the_order_facts():
    steps = {s.name: s for s in build_timeline(make_order(FINALIZADO, paid=True, shipped_at=True, code="X"))}
    assert steps["placed"].date == PLACED
    assert steps["paid"].date == PAID
    assert steps["shipped"].date == SHIPPED
    assert steps["delivered"].date == CHANGED


def test_done_step_without_its_own_date_has_none():
    steps = {s.name: s for s in build_timeline(make_order(FINALIZADO))}
    assert steps["paid"].state == "done" and steps["paid"].date is None


def test_invoice_link_only_when_paid_and_registered():
    paid = {s.name: s for s in build_timeline(make_order(A_ENVIAR, paid=True, invoice_url="https://nf.example/1"))}
    assert paid["paid"].invoice_url == "https://nf.example/1"
    unpaid = {s.name: s for s in build_timeline(make_order(A_ENVIAR, invoice_url="https://nf.example/1"))}
    assert unpaid["paid"].invoice_url is None
    no_invoice = {s.name: s for s in build_timeline(make_order(A_ENVIAR, paid=True))}
    assert no_invoice["paid"].invoice_url is None


@pytest.mark.parametrize("code, hosts, kind", [
    ("SS123456785BR", (), "correios"),
    ("https://track.example.com/x", ("track.example.com",), "embed"),
    ("https://track.example.com/x", (), "new_tab"),
    ("whatever-123", (), "none"),
])
def test_shipped_step_carries_the_tracking_classification(code, hosts, kind):
    steps = {s.name: s for s in build_timeline(make_order(SENT, paid=True, shipped_at=True, code=code), hosts)}
    assert steps["shipped"].tracking.kind == kind


def test_no_tracking_before_the_order_is_shipped():
    steps = {s.name: s for s in build_timeline(make_order(SENT, paid=True, code="SS123456785BR"))}
    assert steps["shipped"].tracking is None


# When the store's status and the order's dates disagree, the status wins (docs/timeline.md).
BEFORE_SHIPPING_EXTRA = OrderStatus(id=9, name="EM SEPARAÇÃO", type=StatusType.in_progress, after_shipping=False)
AFTER_SHIPPING_EXTRA = OrderStatus(id=10, name="EM ROTA", type=StatusType.in_progress, after_shipping=True)
PRICE = OrderStatus(id=11, name="AGUARDANDO APROVAÇÃO DE PREÇO", is_builtin=True, type=StatusType.in_progress)
DELIVERED_AT = datetime(2026, 11, 5, 15, 30, tzinfo=UTC)
CODE = "SS123456785BR"


@pytest.mark.parametrize("order, expected", [
    pytest.param(make_order(AWAITING, paid=True, shipped_at=True, code=CODE), [
        ("placed", "done"), ("paid", "current"), ("shipped", "pending"), ("delivered", "pending"),
    ], id="awaiting payment shows nothing past placed whatever the dates"),
    pytest.param(make_order(PRICE, paid=True), [
        ("placed", "done"), ("paid", "current"), ("shipped", "pending"), ("delivered", "pending"),
    ], id="awaiting price approval is before payment too"),
    pytest.param(make_order(A_ENVIAR, paid=True, shipped_at=True, code=CODE), [
        ("placed", "done"), ("paid", "done"), ("shipped", "current"), ("delivered", "pending"),
    ], id="a status before shipping shows no shipment whatever the dates"),
    pytest.param(make_order(BEFORE_SHIPPING_EXTRA, paid=True, shipped_at=True, code=CODE), [
        ("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "current"),
    ], id="an additional status leaves the shipment to the dates"),
    pytest.param(make_order(AFTER_SHIPPING_EXTRA, paid=True, shipped_at=True, code=CODE), [
        ("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "current"),
    ], id="an additional status marked after shipping shows the shipment"),
    pytest.param(make_order(SENT, paid=True, shipped_at=True, code=CODE, carrier_delivered=DELIVERED_AT), [
        ("placed", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "done"),
    ], id="the carrier's delivery shows while the store still says shipped"),
    pytest.param(make_order(A_ENVIAR, paid=True, shipped_at=True, code=CODE, carrier_delivered=DELIVERED_AT), [
        ("placed", "done"), ("paid", "done"), ("shipped", "current"), ("delivered", "pending"),
    ], id="the carrier's delivery does not override a status before shipping"),
    pytest.param(make_order(CANCELADO, paid=True, shipped_at=True, code=CODE, carrier_delivered=DELIVERED_AT), [
        ("placed", "done"), ("paid", "done"), ("shipped", "done"), ("cancelled", "done"),
    ], id="a cancelled order stays cancelled whatever the carrier says"),
])
def test_the_status_wins_over_contradicting_dates(order, expected):
    assert states(order) == expected


def test_dates_beyond_what_the_status_allows_are_not_shown():
    steps = {s.name: s for s in build_timeline(make_order(AWAITING, paid=True, shipped_at=True, code=CODE))}
    assert steps["paid"].date is None and steps["shipped"].date is None and steps["shipped"].tracking is None


def test_a_delivery_reported_by_the_carrier_is_marked_and_dated_by_the_carrier():
    steps = {s.name: s for s in build_timeline(
        make_order(SENT, paid=True, shipped_at=True, code=CODE, carrier_delivered=DELIVERED_AT))}
    assert steps["delivered"].by_carrier is True and steps["delivered"].date == DELIVERED_AT
    closed = {s.name: s for s in build_timeline(
        make_order(FINALIZADO, paid=True, shipped_at=True, code=CODE, carrier_delivered=DELIVERED_AT))}
    assert closed["delivered"].by_carrier is False and closed["delivered"].date == CHANGED
