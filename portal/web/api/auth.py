"""Bearer-token authentication for the whole API area."""
from flask import g, request
from flask_babel import gettext as _

from ...accounts.users import authenticate_api_token
from .serializers import error_json

# The API's description is public; the webhook authenticates each request by its signature (api/webhooks.py).
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs", "api.channel_events"})


def bearer_token() -> str | None:
    """Return the raw token of an `Authorization: Bearer` header, if there is one."""
    scheme, _sep, raw = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return raw.strip() or None


def require_api_token():
    """Answer 401 unless the request carries an active token; public endpoints pass."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    raw = bearer_token()
    token = authenticate_api_token(raw) if raw else None
    if token is None:
        message = _("A valid API token is required.") if raw else _("Send an API token: Authorization: Bearer <token>.")
        return error_json(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})
    g.api_token = token
    return None
