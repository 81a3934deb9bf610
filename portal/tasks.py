"""Background tasks run by the Huey consumer; each is idempotent and retried."""
import os

from huey import RedisHuey, SqliteHuey


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


@huey.task(retries=5, retry_delay=30)
def send_email(to: str, subject: str, text: str, html: str | None = None, key: str | None = None):
    """Send one e-mail; `key` makes a repeated run send nothing more."""
    from .mail import build_message, deliver

    with _app_context():
        if key and not huey.put_if_empty(f"mail-sent:{key}", "1"):
            return False
        try:
            deliver(build_message(to, subject, text, html))
        except Exception:
            if key:
                huey.get(f"mail-sent:{key}", peek=False)
            raise
        return True
