"""The Correios dialog when the history cannot be had: the API is down, or the portal does not answer in time."""

import socket

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Order, User
from portal.orders import tracking, tracking_refresh

from ..factories import Factory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# A code of its own, so that no other test's cached history of the shared code answers for it.
DOWN_CODE = "SS111111115BR"
DOWN_ORDER = "500777"
PUBLIC_URL = f"https://rastreamento.correios.com.br/app/index.php?objetos={DOWN_CODE}"
UNAVAILABLE = "O histórico de rastreio está indisponível no momento."


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def correios_down(live_server, live_data):
    """Point the live portal at a port nobody listens on, for this test only, with an order to track."""
    app = live_server.app
    saved = app.config["CORREIOS_BASE_URL"]
    with app.app_context():
        shopper = _db.session.scalar(_db.select(User).filter_by(email=live_data.email))
        if _db.session.scalar(_db.select(Order.id).filter_by(number=DOWN_ORDER)) is None:
            Factory(_db).order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=DOWN_CODE, number=DOWN_ORDER)
            _db.session.commit()
    tracking._client.cache_clear()
    app.config["CORREIOS_BASE_URL"] = f"http://127.0.0.1:{_dead_port()}"
    yield DOWN_ORDER
    app.config["CORREIOS_BASE_URL"] = saved
    tracking._client.cache_clear()


def _expect_unavailable_with_public_link(dialog, public_url: str):
    status = dialog.locator(".tracking-dialog__status")
    expect(status).to_be_visible()
    expect(status).to_have_text(UNAVAILABLE)
    expect(dialog.locator("[data-tracking-event]")).to_have_count(0)
    public = dialog.locator("[data-public-link]")
    expect(public).to_be_visible()
    expect(public).to_have_attribute("href", public_url)
    expect(public).to_have_attribute("target", "_blank")


def test_correios_down_shows_unavailable_and_the_public_tracking_link(shopper, correios_down):
    shopper.goto(f"/orders/{correios_down}")
    shopper.locator('a[data-tracking="correios"]').click()
    dialog = shopper.locator("dialog#tracking-dialog")
    expect(dialog).to_be_visible()
    _expect_unavailable_with_public_link(dialog, PUBLIC_URL)


def test_history_that_never_arrives_gives_up_after_eight_seconds(shopper, live_data):
    pending = []
    shopper.route("**/tracking.json", lambda route: pending.append(route))
    shopper.clock.install()
    try:
        shopper.goto(f"/orders/{live_data.correios}")
        shopper.locator('a[data-tracking="correios"]').click()
        dialog = shopper.locator("dialog#tracking-dialog")
        status = dialog.locator(".tracking-dialog__status")
        expect(status).to_have_text("Carregando o histórico de rastreio…")
        expect(dialog.locator("[data-public-link]")).to_be_hidden()
        shopper.clock.run_for(7000)
        expect(status).to_have_text("Carregando o histórico de rastreio…")
        shopper.clock.run_for(2000)
        public_url = f"https://rastreamento.correios.com.br/app/index.php?objetos={live_data.correios_code}"
        _expect_unavailable_with_public_link(dialog, public_url)
    finally:
        for route in pending:
            route.abort()


WORKER_CODE = "SS222222225BR"
WORKER_ORDER = "500778"


@pytest.fixture
def history_from_the_worker(live_server, live_data):
    """An order whose history nobody has fetched yet, and a queue that keeps tasks for a worker (this test)."""
    from portal.core import queue

    app = live_server.app
    with app.app_context():
        shopper = _db.session.scalar(_db.select(User).filter_by(email=live_data.email))
        if _db.session.scalar(_db.select(Order.id).filter_by(number=WORKER_ORDER)) is None:
            Factory(_db).order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=WORKER_CODE,
                               number=WORKER_ORDER)
            _db.session.commit()
    queue.huey.flush()
    tracking_refresh._asked.clear()
    queue.huey.immediate = False
    try:
        yield queue.huey
    finally:
        queue.huey.flush()
        queue.huey.immediate = True
        tracking_refresh._asked.clear()


def test_the_dialog_waits_for_the_worker_and_then_shows_the_history(shopper, live_server, history_from_the_worker):
    huey = history_from_the_worker
    shopper.goto(f"/orders/{WORKER_ORDER}")
    shopper.locator('a[data-tracking="correios"]').click()
    dialog = shopper.locator("dialog#tracking-dialog")
    status = dialog.locator(".tracking-dialog__status")
    expect(status).to_have_text("Carregando o histórico de rastreio…")
    expect(dialog.locator("[data-tracking-event]")).to_have_count(0)

    # The page asked the worker instead of Correios; the worker now does its job.
    for _ in range(50):
        if huey.pending_count():
            break
        shopper.wait_for_timeout(100)
    assert huey.pending_count() == 1
    with live_server.app.app_context():
        huey.execute(huey.dequeue())

    expect(dialog.locator("[data-tracking-event]").first).to_be_visible()
    expect(status).to_be_hidden()
