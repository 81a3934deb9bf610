"""Request ids: one per request, echoed in X-Request-ID and stamped on every log record emitted meanwhile."""
import logging
import re
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-ID"
LOG_FORMAT = "[%(asctime)s] %(levelname)s request_id=%(request_id)s %(name)s: %(message)s"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str | None:
    """Return the id of the request being served (taken on first use), or None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if _SANE.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Add `request_id` to each record: the current request's id, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


def _assign_request_id() -> None:
    current_request_id()


def _echo_request_id(response):
    response.headers[HEADER] = current_request_id() or ""
    return response


def _configure_logging(app: Flask) -> None:
    """Put the request id in the format of the handler the app logs through."""
    app.logger  # noqa: B018  (creating the logger attaches Flask's default handler when nothing else logs)
    if not any(isinstance(f, RequestIdFilter) for f in default_handler.filters):
        default_handler.addFilter(RequestIdFilter())
    default_handler.setFormatter(logging.Formatter(LOG_FORMAT))


def register_request_id(app: Flask) -> None:
    """Give every request an id first thing, and answer with it."""
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    app.after_request(_echo_request_id)
    _configure_logging(app)
