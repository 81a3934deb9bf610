"""The task queue: the Huey instance, the app context its tasks run in, and hand-over after commit.

Tasks are declared next to the work they do (the outbox's in `core.outbox`, the tracking refresh in
`orders.tracking_refresh`); `portal.worker` imports them all and is what `huey_consumer` loads. Work that
must wait for a transaction's outcome is handed over with `call_after_commit`: the session does the
waiting, so that a rolled-back change queues nothing and no view has to remember it.
"""
import logging
import os
from collections.abc import Callable

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
    if redis_url:
        return RedisHuey("portal", url=redis_url, immediate=immediate)
    instance = os.environ.get("PORTAL_INSTANCE_PATH") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "instance"
    )
    os.makedirs(instance, exist_ok=True)
    return SqliteHuey("portal", filename=os.path.join(instance, "huey.db"), immediate=immediate)


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
    except Exception:
        log.exception("could not queue %s%r; the sweep will", getattr(task, "name", task), args)


def call_after_commit(task: Callable, *args) -> None:
    """Queue a task once the current transaction commits; nothing is queued if it rolls back."""
    db.session.info.setdefault(_PENDING, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    for task, args in session.info.pop(_PENDING, []):
        hand_over(task, *args)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
