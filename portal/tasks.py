"""Background tasks run by the Huey consumer; each is idempotent and commits its own work.

Outbox rows (e-mails, marketplace deliveries) are sent by `deliver_outbox`, which retries through the
outbox's own back-off rather than Huey's, so that the row's state is the one record of what was sent. A
sweep every minute re-queues rows that wait longer than they should (queued while Redis or the consumer
was down, or held by a worker that died), and tracking snapshots are refreshed every 30 minutes.
"""
import logging
import os

from huey import RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)


def _build_huey():
    # Huey needs its storage when tasks are declared, so it reads the environment here.
    immediate = os.environ.get("HUEY_IMMEDIATE") == "1"
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        return RedisHuey("portal", url=redis_url, immediate=immediate)
    instance = os.environ.get("PORTAL_INSTANCE_PATH") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance"
    )
    os.makedirs(instance, exist_ok=True)
    return SqliteHuey("portal", filename=os.path.join(instance, "huey.db"), immediate=immediate)


huey = _build_huey()
_app = None


def _app_context():
    """Return an app context: the current app's inside a request, a consumer-wide app otherwise."""
    from flask import current_app, has_app_context

    global _app
    if has_app_context():
        return current_app.app_context()
    if _app is None:
        from . import create_app

        _app = create_app()
    return _app.app_context()


@huey.task()
def deliver_outbox(item_id: int) -> bool:
    """Send one outbox row if it is due and nobody else holds it; schedule the next try when it fails."""
    from .extensions import db
    from .services import outbox

    with _app_context():
        try:
            if not outbox.claim(item_id):
                db.session.commit()
                return False
            db.session.commit()  # the claim is visible to every other worker before anything is sent
            work = outbox.prepare(item_id)
            db.session.commit()  # nothing stays open while sending: a stale SQLite snapshot could not write after
            outcome = outbox.record(work, outbox.send(work))
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    if outcome.retry_in is not None:
        try:
            deliver_outbox.schedule((item_id,), delay=outcome.retry_in)
        except Exception:
            log.exception("could not schedule outbox item %s again; the sweep will", item_id)
    return outcome.delivered


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Queue again the outbox rows that are due and not on their way."""
    from .services import outbox

    with _app_context():
        return outbox.sweep()


@huey.periodic_task(crontab(minute="*/30"))
def refresh_tracking() -> int:
    """Queue a refresh of the stale tracking snapshots of recently shipped, undelivered orders."""
    from .services import tracking_refresh

    with _app_context():
        codes = tracking_refresh.stale_codes()
    for code in codes:
        refresh_tracking_code(code)
    return len(codes)


@huey.task(retries=2, retry_delay=120)
def refresh_tracking_code(code: str) -> bool:
    """Fetch and store the Correios history of one code, unless its snapshot is still fresh."""
    from .extensions import db
    from .services import tracking

    with _app_context():
        try:
            history = tracking.get_history(code)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return history.available
