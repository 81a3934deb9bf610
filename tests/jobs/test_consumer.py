"""A real Huey consumer sends what the portal queued: an answer committed here is mailed by the consumer process."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade

from portal import create_app
from portal.core import queue
from portal.extensions import db
from portal.models import OutboxItem, OutboxState, Role, Visibility
from portal.store.settings import settings_row
from portal.tickets import lifecycle as tickets

from ..factories import Factory
from .conftest import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = Path(sys.executable).with_name("huey_consumer")


@pytest.fixture
def queued_for_real():
    """Let this process enqueue into Huey's real storage (immediate mode is off) for the test."""
    queue.huey.immediate = False
    try:
        yield queue.huey
    finally:
        queue.huey.immediate = True


def _consumer_env(huey, database_url: str, smtp_port: int) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "HUEY_IMMEDIATE"}
    filename = getattr(huey.storage, "filename", None)
    if filename:  # SqliteHuey: the consumer reads the same file
        env["PORTAL_INSTANCE_PATH"] = os.path.dirname(filename)
    env.update(DATABASE_URL=database_url, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port),
               MAIL_TIMEOUT="5", PYTHONPATH=str(ROOT))
    return env


@pytest.mark.skipif(not CONSUMER.exists(), reason="huey_consumer is not installed next to this Python")
def test_a_real_consumer_delivers_the_answer_mail_once(tmp_path, queued_for_real):
    database_url = "sqlite:///" + str(tmp_path / "consumer.db")
    smtp = SmtpServer(free_port()).start()
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "portal.test",
                        "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1",
                        "MAIL_PORT": smtp.port})
    consumer = None
    log = open(tmp_path / "consumer.log", "wb")  # noqa: SIM115 - closed in the finally block
    try:
        with other.app_context():
            upgrade()
            settings_row().mail_ticket_received = False  # the answer is the one mail followed here
            factory = Factory(db)
            shopper = factory.user(Role.customer, name="Maria Souza", locale="pt_BR")
            agent = factory.user(Role.agent, name="Ana Agente")
            order = factory.order(shopper)
            ticket = tickets.create_channel_ticket(order, order.channel, "Pedido", "Onde está?", None)
            db.session.commit()
            tickets.reply_as_staff(ticket, agent, "Seu pedido saiu hoje.", Visibility.customer,
                                   expected_version=ticket.version)
            db.session.commit()  # the after-commit hook enqueues into the real queue; nothing is sent here
            item = db.session.scalar(db.select(OutboxItem).where(OutboxItem.ticket_id == ticket.id))
            item_id, number, address = item.id, ticket.number, shopper.email
            assert item.state is OutboxState.queued and item.attempts == 0
            assert smtp.messages == []
            db.session.remove()

        command = [str(CONSUMER), "portal.worker.huey", "-w", "1", "-d", "0.1", "-m", "1"]
        consumer = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                    env=_consumer_env(queued_for_real, database_url, smtp.port))
        messages = smtp.inbox.wait_for(1, timeout=30)
        assert len(messages) == 1, (tmp_path / "consumer.log").read_text(errors="replace")[-3000:]
        message = messages[0]
        assert message["To"] == address
        assert message["Subject"].startswith(f"Resposta ao seu ticket {number}")
        assert "Seu pedido saiu hoje." in message.get_body(("plain",)).get_content()
        assert "Olá, Maria Souza!" in message.get_body(("html",)).get_content()

        # The consumer marks the row delivered just after the SMTP server has the message: wait for that commit.
        deadline = time.monotonic() + 10
        while True:
            with other.app_context():
                row = db.session.get(OutboxItem, item_id)
                state, delivered_at = row.state, row.delivered_at
                db.session.remove()
            if state is not OutboxState.sending or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert state is OutboxState.delivered and delivered_at is not None
        assert len(smtp.inbox.wait_for(2, timeout=2)) == 1  # nothing more arrives
    finally:
        if consumer is not None:
            consumer.terminate()
            try:
                consumer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                consumer.kill()
                consumer.wait(timeout=5)
        log.close()
        smtp.stop()
        with other.app_context():
            db.engine.dispose()
