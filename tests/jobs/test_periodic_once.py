"""Periodic tasks do their work once per slot, however many consumers enqueue them (real Redis, real consumers)."""
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from flask_migrate import upgrade
from huey import RedisHuey
from huey.api import TaskWrapper
from sqlalchemy import create_engine, text

from portal import create_app
from portal.core import queue
from portal.extensions import db
from portal.models import OutboxItem, OutboxKind, OutboxState
from portal.models.base import utcnow

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = Path(sys.executable).with_name("huey_consumer")
# A database of its own (the deploy tests flush 9 to 15) and a key prefix of its own per test.
REDIS_URL = "redis://127.0.0.1:6379/5"
SLOT = timedelta(minutes=1)
PERIODIC = {"sweep_outbox", "refresh_tracking", "check_late_orders", "purge_expired", "poll_inbound_mail",
            "roll_up_kpis"}


@pytest.fixture
def redis_huey():
    """A Huey on the real Redis, under a name (key prefix) nobody else uses; its keys are removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable, and CI must have it")
        pytest.skip("Redis is not reachable at " + REDIS_URL)
    finally:
        client.close()
    huey = RedisHuey(f"portal-test-{uuid.uuid4().hex[:12]}", url=REDIS_URL)
    yield huey
    huey.storage.flush_all()


def test_every_periodic_task_claims_its_slot():
    import portal.worker  # noqa: F401  (declares every task, as the consumer does)

    periodic = set(queue.huey._registry._periodic_tasks)
    wrappers = {value.task_class: value for module in list(sys.modules.values())
                if getattr(module, "__name__", "").startswith("portal.")
                for value in vars(module).values() if isinstance(value, TaskWrapper)}
    assert set(PERIODIC) <= {task.__name__ for task in periodic}
    for task in periodic:
        assert getattr(wrappers[task].func, "claims_slot", None), f"{task.__name__} runs without claiming its slot"


def test_many_threads_claiming_one_slot_let_exactly_one_through(redis_huey):
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    winners: dict[int, list[datetime]] = {}
    for minute in range(3):
        moment = start + timedelta(minutes=minute, seconds=30)
        barrier = threading.Barrier(8)
        won: list[datetime] = []

        def claim(moment=moment, barrier=barrier, won=won):
            barrier.wait()
            slot = queue.claim_slot("sweep_outbox", SLOT, moment, storage=redis_huey.storage)
            if slot is not None:
                won.append(slot)

        threads = [threading.Thread(target=claim) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        winners[minute] = won
    assert winners == {minute: [start + timedelta(minutes=minute)] for minute in range(3)}
    # A later moment of a slot already taken gets nothing; old claims are dropped as new ones are taken.
    assert queue.claim_slot("sweep_outbox", SLOT, start + timedelta(minutes=2, seconds=59),
                            storage=redis_huey.storage) is None
    claims = [key for key in redis_huey.storage.conn.hkeys(redis_huey.storage.result_key)
              if key.startswith(b"periodic:sweep_outbox:")]
    assert len(claims) == 2


def _start_consumer(env: dict, log_path: Path) -> tuple[subprocess.Popen, object]:
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the caller
    command = [str(CONSUMER), "portal.worker.huey", "-w", "2", "-d", "0.1", "-m", "0.5"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)  # noqa: S603
    return process, log


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


SWEEPS = re.compile(r"Enqueueing periodic task portal\.core\.outbox\.sweep_outbox: ([0-9a-f-]+)\.")
DELIVERIES = re.compile(r"Executing portal\.core\.outbox\.deliver_outbox: ")
OVERDUE = 3


def _seed_overdue_mail(database_url: str) -> None:
    """Migrate the consumers' database and leave e-mails that only the sweep will hand to the queue."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "portal.test"})
    with other.app_context():
        upgrade()
        past = utcnow() - timedelta(hours=1)
        for number in range(OVERDUE):
            db.session.add(OutboxItem(kind=OutboxKind.email, key=f"periodic-test:{number}", state=OutboxState.queued,
                                      payload={"to": f"cliente{number}@example.com", "subject": "Pedido",
                                               "text": "Seu pedido saiu.", "html": None},
                                      created_at=past, next_attempt_at=past))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _states(database_url: str) -> list[OutboxState]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        states = [OutboxState(value) for value in connection.execute(
            text("SELECT state FROM outbox WHERE key LIKE 'periodic-test:%' ORDER BY id")).scalars()]
    engine.dispose()
    return states


@pytest.mark.skipif(not CONSUMER.exists(), reason="huey_consumer is not installed next to this Python")
def test_two_consumers_run_the_periodic_sweep_once_per_slot(tmp_path, redis_huey):
    database_url = "sqlite:///" + str(tmp_path / "periodic.db")
    _seed_overdue_mail(database_url)
    env = {key: value for key, value in os.environ.items() if key != "HUEY_IMMEDIATE"}
    env.update(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, HUEY_NAME=redis_huey.name, MAIL_BACKEND="file",
               MAIL_DIR=str(tmp_path / "mail"), PORTAL_INSTANCE_PATH=str(tmp_path), PYTHONPATH=str(ROOT),
               PYTHONUNBUFFERED="1")
    # Both consumers' schedulers enqueue the every-minute sweep as they start: start them in one minute.
    if datetime.now(UTC).second > 50:
        time.sleep(61 - datetime.now(UTC).second)
    logs = [tmp_path / "consumer-a.log", tmp_path / "consumer-b.log"]
    started = [_start_consumer(env, path) for path in logs]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            log_text = "".join(path.read_text(errors="replace") for path in logs)
            sweeps = SWEEPS.findall(log_text)
            swept = [task_id for task_id in sweeps if f"sweep_outbox: {task_id} executed in" in log_text]
            if len(swept) >= 2 and _states(database_url) == [OutboxState.delivered] * OVERDUE:
                break
            time.sleep(0.2)
        time.sleep(1.5)  # room for a second round of deliveries, were one queued
    finally:
        for process, log in started:
            _stop(process)
            log.close()
    log_text = "".join(path.read_text(errors="replace") for path in logs)
    # Both consumers enqueued the sweep for this minute and both runs ended ...
    assert len(SWEEPS.findall(log_text)) == 2 and len(swept) == 2, log_text[-4000:]
    # ... and only one did its work: each overdue e-mail was handed to the queue once, and sent once.
    assert len(DELIVERIES.findall(log_text)) == OVERDUE, log_text[-4000:]
    assert _states(database_url) == [OutboxState.delivered] * OVERDUE
    assert len(list((tmp_path / "mail").iterdir())) == OVERDUE
