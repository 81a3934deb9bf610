"""Login throttling that keeps guessing slow without handing anyone a button that locks the shopper out.

The approach OWASP describes as device cookies. A browser that signed in to an account (or set its password
through a reset link) carries a signed cookie naming that account; such a known browser is let through the
per-account limit, and its failures count against the cookie alone. Everyone else is an untrusted client:

- every POST to /login from a browser without a device cookie counts per client address (RATELIMIT_LOGIN,
  the decorator on the view): a ceiling against one address trying many accounts, set high enough for a
  shop whose staff share one address, whose known browsers do not count against it at all;
- failures count per e-mail tried and client address (RATELIMIT_LOGIN_ACCOUNT);
- failures count per e-mail tried from every untrusted client together (RATELIMIT_LOGIN_UNTRUSTED, a
  ceiling far above ten, so that guessing from many addresses stays slow);
- a known browser's failures count per cookie (RATELIMIT_LOGIN_DEVICE), whichever account they were for;
  past that limit its cookie is no exemption any more and the browser is an untrusted client like any
  other, so a stolen cookie is no unlimited oracle.

Unknown e-mail addresses are counted like known ones, so the limits tell nothing about who has an account.
The counters live in the limiter's storage (memory, or Redis with REDIS_URL), shared by every instance.
"""
import logging
import math
import secrets
import time
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many

from ...core.error_pages import error_response
from ...extensions import limiter

COOKIE = "portal_device"
_SALT = "portal.login-device"
_NAMESPACE = "login-throttle"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the counters it is checked against and, on failure, adds to."""

    device: str | None  # the nonce of a valid, not locked-out device cookie for this account
    keys: tuple[tuple[str, str], ...]  # (config name of the limits, counter key)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _max_age() -> int:
    return int(current_app.config["LOGIN_DEVICE_COOKIE_DAYS"]) * 86400


def trust_device(response, user) -> None:
    """Mark this browser as known to the account: a signed, HttpOnly, SameSite=Strict cookie, kept a year."""
    value = _serializer().dumps({"u": user.id, "n": secrets.token_urlsafe(16)})
    response.set_cookie(COOKIE, value, max_age=_max_age(), path="/login", httponly=True, samesite="Strict",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def _signed_cookie() -> dict | None:
    """The request's device cookie when it is validly signed and fresh, whoever it names."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=_max_age())
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("n"), str):
        return None
    return data


def _device_nonce(user) -> str | None:
    """The nonce of the request's device cookie when it is validly signed, fresh and names this user."""
    data = _signed_cookie()
    if data is None or user is None or not user.active or data["u"] != user.id:
        return None
    return data["n"]


def known_browser() -> bool:
    """Tell whether the request comes from a browser that signed in before and whose failures are not spent:
    it is not held to the per-address limit (staff sharing one address each sign in from their own)."""
    if not _enabled():
        return False
    data = _signed_cookie()
    return data is not None and _guarded(lambda: _within("RATELIMIT_LOGIN_DEVICE", f"device:{data['n']}"), False)


def _enabled() -> bool:
    return bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True))


def _within(name: str, key: str) -> bool:
    return all(limiter.limiter.test(item, _NAMESPACE, key) for item in parse_many(current_app.config[name]))


def attempt(email: str, user) -> Attempt:
    """Work out which counters a sign-in attempt for `email` (the user it names, or None) is held to."""
    account = "account:" + (email or "").strip().lower()[:254]
    if not _enabled():
        return Attempt(None, ())
    nonce = _device_nonce(user)
    device_key = f"device:{nonce}"
    if nonce is not None and _guarded(lambda: _within("RATELIMIT_LOGIN_DEVICE", device_key), True):
        return Attempt(nonce, (("RATELIMIT_LOGIN_DEVICE", device_key),))
    keys = (("RATELIMIT_LOGIN_ACCOUNT", f"{account}:client:{get_remote_address()}"),
            ("RATELIMIT_LOGIN_UNTRUSTED", account))
    other = _signed_cookie()
    other_key = f"device:{other['n']}" if other is not None else None
    if other_key and other_key != device_key and _guarded(lambda: _within("RATELIMIT_LOGIN_DEVICE", other_key), False):
        # A cookie of another account spares the browser the per-address limit: its failures count on it too.
        keys += (("RATELIMIT_LOGIN_DEVICE", other_key),)
    return Attempt(None, keys)


def refusal(current: Attempt):
    """Return the 429 answer when one of the attempt's counters is spent, else None."""
    waits = _guarded(lambda: [_wait(name, key) for name, key in current.keys], [])
    wait = max(waits, default=0)
    if wait <= 0:
        return None
    body, status = error_response(429, "too_many_attempts", _(
        "Too many sign-in attempts for this account. Please wait and try again, or choose a new password "
        "through “First access or forgot your password?”."))
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(wait)
    return response


def _wait(name: str, key: str) -> int:
    """Seconds until the counter allows another attempt (0 when it does now)."""
    wait = 0
    for item in parse_many(current_app.config[name]):
        if not limiter.limiter.test(item, _NAMESPACE, key):
            reset = limiter.limiter.get_window_stats(item, _NAMESPACE, key).reset_time
            wait = max(wait, math.ceil(reset - time.time()), 1)
    return wait


def record_failure(current: Attempt) -> None:
    """Count a failed attempt on each of its counters."""
    def hit():
        for name, key in current.keys:
            for item in parse_many(current_app.config[name]):
                limiter.limiter.hit(item, _NAMESPACE, key)
    _guarded(hit, None)


def _guarded(action, fallback):
    """Run a storage call; when the storage is down and RATELIMIT_SWALLOW_ERRORS is on, let the attempt pass."""
    try:
        return action()
    except Exception as error:
        if not current_app.config.get("RATELIMIT_SWALLOW_ERRORS"):
            raise
        # One line, not a traceback: while Redis is down every sign-in would repeat the same one.
        log.warning("Login throttle storage unavailable (%s: %s); the attempt is not counted",
                    type(error).__name__, str(error).splitlines()[0][:200] if str(error) else "")
        return fallback
