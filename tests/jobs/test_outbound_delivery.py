"""Marketplace deliveries never reach internal networks, connect to the checked address, and end in bounded time."""
import socket
import threading
import time

import pytest
from werkzeug import Response

from portal.marketplaces import address_guard as outbound_guard
from portal.models import OutboxKind, OutboxState, Visibility
from portal.tickets import lifecycle as tickets

from .conftest import reason_text

pytestmark = pytest.mark.db

PATH = "/portal-events"


def _answer(db, ticket, agent):
    tickets.reply_as_staff(ticket, agent, "Já enviamos o pedido.", Visibility.customer,
                           expected_version=ticket.version)
    db.session.commit()


@pytest.fixture
def production(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")


def test_a_host_resolving_to_this_machine_is_refused_in_production(db, httpserver, mkt_ticket, agent, items,
                                                                   production):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    assert mkt_ticket.channel.outbound_url.startswith("http://localhost:")  # a name, resolved at send time
    _answer(db, mkt_ticket, agent)
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    assert (item.state, item.attempts, item.next_attempt_at) == (OutboxState.failed, 1, None)
    code, _colon, address = item.last_error.partition(":")
    assert code == "blocked" and address in ("127.0.0.1", "::1")
    assert reason_text(item.last_error) == f"the delivery address leads to an internal network address ({address})"
    assert httpserver.log == []


@pytest.mark.parametrize("url", [
    "https://10.0.0.5:6379/", "https://169.254.169.254/latest/meta-data/", "https://2130706433/",
    "https://127.0.0.1:8080/", "https://[::1]/", "https://[::ffff:10.0.0.5]/", "https://[fe80::1]/",
    "https://0.0.0.0/", "https://224.0.0.1/", "https://100.64.0.1/", "https://192.168.1.1/", "https://240.0.0.1/",
    "https://[fd00::1]/", "https://[2002:0a00:0005::1]/",
])
def test_internal_addresses_are_blocked(url):
    with pytest.raises(outbound_guard.Blocked):
        outbound_guard.resolve(url, allow_local=False)


def test_a_public_address_passes_and_this_machine_only_when_allowed():
    assert outbound_guard.resolve("https://8.8.8.8/events", allow_local=False).addresses == ("8.8.8.8",)
    assert outbound_guard.resolve("http://127.0.0.1:8025/e", allow_local=True).addresses == ("127.0.0.1",)
    with pytest.raises(outbound_guard.Blocked):
        outbound_guard.resolve("http://10.0.0.5/e", allow_local=True)  # the allowance is for this machine only


def test_the_connection_goes_to_the_checked_address_with_the_name_kept(httpserver):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    name = "hub.portal-delivery.invalid"  # never resolves: only the pinned address can be reached
    route = outbound_guard.Route(host=name, port=httpserver.port, addresses=("127.0.0.1",))
    status = outbound_guard.post(f"http://{name}:{httpserver.port}{PATH}", route, b"{}", {}, connect=2, read=2,
                                 total=5)
    assert status == 200
    ((request, _response),) = httpserver.log
    assert request.headers["Host"] == f"{name}:{httpserver.port}"


def test_a_huge_slow_body_is_not_read(db, httpserver, mkt_ticket, agent, items):
    def endless(request):
        def chunks():
            for _chunk in range(400):  # 25 MB over 20 s, unless the client goes away
                yield b"x" * 65536
                time.sleep(0.05)
        return Response(chunks(), status=200, content_type="application/octet-stream")

    httpserver.expect_request(PATH, method="POST").respond_with_handler(endless)
    started = time.monotonic()
    _answer(db, mkt_ticket, agent)
    elapsed = time.monotonic() - started
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    assert item.state is OutboxState.delivered and item.attempts == 0
    assert elapsed < 5


class TricklingServer:
    """A plain socket server that sends an answer's head one byte at a time, each well within the read timeout."""

    def __init__(self, seconds: float = 10.0):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.seconds = seconds
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        connection, _address = self.listener.accept()
        with connection:
            connection.recv(65536)
            deadline = time.monotonic() + self.seconds
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\n")
                while time.monotonic() < deadline:
                    connection.sendall(b"X")
                    time.sleep(0.2)
            except OSError:
                return  # the client hung up

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.thread.join(timeout=15)
        self.listener.close()


def test_the_whole_delivery_has_a_deadline(db, mkt_ticket, agent, items, marketplace_config):
    marketplace_config.update(MARKETPLACE_READ_TIMEOUT=1, MARKETPLACE_TOTAL_TIMEOUT=1.5)
    with TricklingServer() as server:
        mkt_ticket.channel.outbound_url = f"http://127.0.0.1:{server.port}{PATH}"
        db.session.commit()
        started = time.monotonic()
        _answer(db, mkt_ticket, agent)
        elapsed = time.monotonic() - started
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    assert (item.state, item.attempts, item.last_error) == (OutboxState.queued, 1, "deadline:1.5")
    assert reason_text(item.last_error) == "the delivery took longer than 1.5 s"
    assert elapsed < 4
