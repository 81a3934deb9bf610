"""The task queue: the Huey instance, the app context its tasks run in, and hand-over after commit.

Tasks are declared next to the work they do (the outbox's in `core.outbox`, the tracking refresh in
`orders.tracking_refresh`); `portal.worker` imports them all and is what `huey_consumer` loads. Work that
must wait for a transaction's outcome is handed over with `call_after_commit`: the session does the
waiting, so that a rolled-back change queues nothing and no view has to remember it.

Every consumer's scheduler enqueues every periodic task, so a task declared with `periodic_task` first claims
its slot (the period it runs for) in the queue's own storage, shared by every consumer of the queue (Redis
with REDIS_URL): the first run of a slot does the work, the others return at once.
"""
import functools
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from huey import RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)

_PENDING = "queue_after_commit"


def build_huey():
    # Huey needs its storage when tasks are declared, so it reads the environment here.
    immediate = os.environ.get("HUEY_IMMEDIATE") == "1"
    redis_url = os.environ.get("REDIS_URL", "").strip()
    # The name prefixes every key in Redis: two portals (or test runs) can share one server.
    name = os.environ.get("HUEY_NAME", "").strip() or "portal"
    if redis_url:
        return RedisHuey(name, url=redis_url, immediate=immediate)
    instance = os.environ.get("PORTAL_INSTANCE_PATH") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "instance"
    )
    os.makedirs(instance, exist_ok=True)
    return SqliteHuey(name, filename=os.path.join(instance, "huey.db"), immediate=immediate)


huey = build_huey()
_app_factory: Callable | None = None
_app = None


def use_app_factory(factory: Callable) -> None:
    """Say how a consumer builds the app its tasks run in (outside a request there is no current app)."""
    global _app_factory
    _app_factory = factory


def app_context():
    """Return an app context: the current app's inside a request, a consumer-wide app otherwise."""
    from flask import current_app, has_app_context

    global _app
    if has_app_context():
        return current_app.app_context()
    if _app is None:
        if _app_factory is None:
            raise RuntimeError("no app factory: import portal.worker to run tasks outside the app")
        _app = _app_factory()
    return _app.app_context()


def hand_over(task: Callable, *args) -> None:
    """Queue a task now; a broken queue is logged, and the durable row behind the work waits for the sweep."""
    try:
        task(*args)
    except Exception as error:  # noqa: BLE001 - the queue is down (Redis stopped): one line, not a traceback each
        log.warning("could not queue %s%r (%s: %s); the sweep will", getattr(task, "name", task), args,
                    type(error).__name__, str(error)[:200])


def call_after_commit(task: Callable, *args) -> None:
    """Queue a task once the current transaction commits; nothing is queued if it rolls back."""
    db.session.info.setdefault(_PENDING, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy calls this when a savepoint is released too: the work waits for the real commit.
        return
    for task, args in session.info.pop(_PENDING, []):
        hand_over(task, *args)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


# Slot claims older than this many slots are dropped as new ones are taken: a run that late is not waited for.
_KEPT_SLOTS = 2


def _slot_key(name: str, index: int) -> str:
    return f"periodic:{name}:{index}"


def claim_slot(name: str, every: timedelta, now: datetime | None = None, storage=None) -> datetime | None:
    """Claim the slot of `every` that `now` falls in for the task; return its start, or None when already claimed."""
    storage = storage if storage is not None else huey.storage
    seconds = int(every.total_seconds())
    index = int((now or datetime.now(UTC)).timestamp()) // seconds
    holder = f"{socket.gethostname()}:{os.getpid()}".encode()
    if not storage.put_if_empty(_slot_key(name, index), holder):
        return None
    storage.delete_data(_slot_key(name, index - _KEPT_SLOTS))
    return datetime.fromtimestamp(index * seconds, UTC)


def periodic_task(schedule, name: str, every: timedelta):
    """Declare a periodic task that does its work once per `every` (its schedule's period), however many
    consumers enqueue it; a run whose slot another consumer already took returns None."""
    def declare(function: Callable) -> Callable:
        @functools.wraps(function)
        def once():
            if huey.immediate:  # no consumers: the task runs where it is called, as often as it is called
                return function()
            slot = claim_slot(name, every)
            if slot is None:
                log.info("periodic task %s: this slot already ran elsewhere; skipped", name)
                return None
            log.info("periodic task %s: running for the slot of %s", name, slot.isoformat())
            return function()
        once.claims_slot = every
        return huey.periodic_task(schedule, name=name)(once)
    return declare
