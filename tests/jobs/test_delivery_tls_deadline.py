"""A marketplace delivery ends within its total deadline even when the peer stalls or trickles the TLS handshake."""
import socket
import threading
import time

import pytest

from portal.models import OutboxKind, OutboxState, Visibility
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db

TOTAL = 1.5
MARGIN = 0.75
# One TLS record header (handshake, TLS 1.2, 16 KiB long): the client waits for the whole record to follow.
RECORD_HEADER = b"\x16\x03\x03\x40\x00"


class HandshakePeer:
    """A TCP server that takes one connection and never finishes the TLS handshake.

    `drip=False` reads the ClientHello and answers nothing; `drip=True` answers with a record header and then
    one byte a second, each well within any read timeout.
    """

    def __init__(self, drip: bool, seconds: float = 8.0):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.drip = drip
        self.seconds = seconds
        self.accepted = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        self.listener.settimeout(self.seconds)
        try:
            connection, _address = self.listener.accept()
        except OSError:
            return
        self.accepted.set()
        with connection:
            connection.settimeout(self.seconds)
            try:
                connection.recv(65536)  # the ClientHello
                deadline = time.monotonic() + self.seconds
                if self.drip:
                    connection.sendall(RECORD_HEADER)
                while time.monotonic() < deadline:
                    if self.drip:
                        connection.sendall(b"\x02")
                        time.sleep(1)
                    elif connection.recv(1) == b"":
                        return  # the client hung up
            except OSError:
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.thread.join(timeout=self.seconds + 2)
        self.listener.close()


class SlowConnectPeer:
    """A listener whose full accept queue drops the first SYN: the TCP connect succeeds on the retry about a
    second later, and then nobody ever answers the ClientHello."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers: list[socket.socket] = []
        self.accepted = threading.Event()
        self.thread = threading.Thread(target=self._drain, daemon=True)

    def _fill(self):
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(filler)
        time.sleep(0.2)

    def _drain(self):
        time.sleep(0.8)  # the client's first SYN was dropped; room is made before its retry
        self.listener.settimeout(0.1)
        try:
            while True:
                connection, _address = self.listener.accept()
                self.fillers.append(connection)
        except OSError:
            self.accepted.set()

    def __enter__(self):
        self._fill()
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.thread.join(timeout=5)
        for sock in self.fillers:
            sock.close()
        self.listener.close()


def _deliver_answer_to(db, ticket, agent, port: int) -> float:
    ticket.channel.outbound_url = f"https://127.0.0.1:{port}/portal-events"
    db.session.commit()
    started = time.monotonic()
    tickets.reply_as_staff(ticket, agent, "Já enviamos o pedido.", Visibility.customer,
                           expected_version=ticket.version)
    db.session.commit()  # the delivery runs here (the queue is immediate in tests)
    return time.monotonic() - started


@pytest.mark.parametrize("drip", [False, True], ids=["stalled-handshake", "dripping-handshake"])
def test_a_delivery_stuck_in_the_tls_handshake_ends_within_its_deadline(db, mkt_ticket, agent, items,
                                                                       marketplace_config, drip):
    # The connect and read timeouts alone are longer than the total deadline.
    marketplace_config.update(MARKETPLACE_CONNECT_TIMEOUT=5, MARKETPLACE_READ_TIMEOUT=5,
                              MARKETPLACE_TOTAL_TIMEOUT=TOTAL)
    with HandshakePeer(drip=drip) as peer:
        elapsed = _deliver_answer_to(db, mkt_ticket, agent, peer.port)
        assert peer.accepted.is_set()
    assert elapsed < TOTAL + MARGIN, elapsed
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    # Failed and waiting for its next try, not given up.
    assert (item.state, item.attempts, item.last_error) == (OutboxState.queued, 1, f"deadline:{TOTAL:g}")
    assert item.next_attempt_at is not None


def test_a_slow_connect_and_a_stalled_handshake_together_stay_within_the_deadline(db, mkt_ticket, agent, items,
                                                                                 marketplace_config):
    # Each step alone is within its timeout; only a deadline over the whole exchange bounds their sum.
    marketplace_config.update(MARKETPLACE_CONNECT_TIMEOUT=5, MARKETPLACE_READ_TIMEOUT=5,
                              MARKETPLACE_TOTAL_TIMEOUT=TOTAL)
    with SlowConnectPeer() as peer:
        elapsed = _deliver_answer_to(db, mkt_ticket, agent, peer.port)
    assert elapsed < TOTAL + MARGIN, elapsed
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    assert (item.state, item.attempts, item.last_error) == (OutboxState.queued, 1, f"deadline:{TOTAL:g}")
